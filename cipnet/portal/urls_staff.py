"""The `staff` namespace: the staff home (panels of every app) and the directory's staff pages."""

from django.urls import include, path

from cipnet.portal import views

app_name = "staff"
urlpatterns = [
    path("", views.staff_home, name="home"),
    path("", include("cipnet.directory.urls_staff")),
]
