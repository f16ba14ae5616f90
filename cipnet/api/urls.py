from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from cipnet.api import views

app_name = "api"

urlpatterns = [
    path("v1/centres/", views.CentreListView.as_view(), name="centre-list"),
    path("v1/centres/<slug:slug>/", views.CentreDetailView.as_view(), name="centre-detail"),
    path("v1/regions/", views.RegionListView.as_view(), name="region-list"),
    path("v1/regions/<slug:slug>/", views.RegionDetailView.as_view(), name="region-detail"),
    path("v1/territories/", views.TerritoryListView.as_view(), name="territory-list"),
    path("v1/territories/<str:code>/", views.TerritoryDetailView.as_view(), name="territory-detail"),
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
]
