from django.urls import path

from cipnet.directory import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("centres/", views.finder, name="finder"),
    path("centres/<slug:slug>/", views.centre_detail, name="centre"),
]
