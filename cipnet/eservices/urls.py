from django.urls import path

from cipnet.eservices import views

app_name = "eservices"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("suggest/", views.suggest, name="suggest"),
    path("<slug:identifier>/", views.card_detail, name="card"),
]
