"""Included by `cipnet.portal.urls_public` into the `public` namespace, next to the centre page."""

from django.urls import path

from cipnet.directory import views

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("centres/", views.finder, name="finder"),
]
