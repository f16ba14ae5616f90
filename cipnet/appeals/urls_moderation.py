from django.urls import path

from cipnet.appeals import views_register as views

app_name = "reception_moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.review, name="review"),
]
