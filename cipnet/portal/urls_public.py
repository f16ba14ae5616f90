"""The `public` namespace: the directory's home, about and finder pages, and the centre page,
which the portal composes (the directory's data with the queue and catalogue panels)."""

from django.urls import include, path

from cipnet.portal import views

app_name = "public"
urlpatterns = [
    path("", include("cipnet.directory.urls")),
    path("centres/<slug:slug>/", views.centre_detail, name="centre"),
]
