from django.urls import path

from cipnet.results import views

app_name = "results_public"

urlpatterns = [
    path("<slug:code>/", views.programme_public, name="public"),
]
