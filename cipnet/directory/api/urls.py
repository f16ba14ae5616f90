"""/api/v1/ routes of centres, regions and territories; `config/api_urls.py` gathers every app's routes."""

from django.urls import URLPattern, path

from cipnet.directory.api import views

urlpatterns: list[URLPattern] = [
    path("v1/centres/", views.CentreListView.as_view(), name="centre-list"),
    path("v1/centres/<slug:slug>/", views.CentreDetailView.as_view(), name="centre-detail"),
    path("v1/regions/", views.RegionListView.as_view(), name="region-list"),
    path("v1/regions/<slug:slug>/", views.RegionDetailView.as_view(), name="region-detail"),
    path("v1/territories/", views.TerritoryListView.as_view(), name="territory-list"),
    path("v1/territories/<str:code>/", views.TerritoryDetailView.as_view(), name="territory-detail"),
]
