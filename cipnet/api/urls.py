from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from cipnet.api import consultations, eservices, views

app_name = "api"

urlpatterns = [
    path("v1/centres/", views.CentreListView.as_view(), name="centre-list"),
    path("v1/centres/<slug:slug>/", views.CentreDetailView.as_view(), name="centre-detail"),
    path("v1/regions/", views.RegionListView.as_view(), name="region-list"),
    path("v1/regions/<slug:slug>/", views.RegionDetailView.as_view(), name="region-detail"),
    path("v1/territories/", views.TerritoryListView.as_view(), name="territory-list"),
    path("v1/territories/<str:code>/", views.TerritoryDetailView.as_view(), name="territory-detail"),
    path("v1/services/", eservices.CardListView.as_view(), name="service-list"),
    # Before the card route: "autocomplete" would otherwise read as a card's identifier.
    path("v1/services/autocomplete/", eservices.AutocompleteView.as_view(), name="service-autocomplete"),
    path("v1/services/export.json", eservices.ExportJsonView.as_view(), name="service-export-json"),
    path("v1/services/export.csv", eservices.ExportCsvView.as_view(), name="service-export-csv"),
    path("v1/services/export.jsonld", eservices.ExportJsonLdView.as_view(), name="service-export-jsonld"),
    path("v1/services/export.ttl", eservices.ExportTurtleView.as_view(), name="service-export-ttl"),
    path("v1/services/<slug:identifier>/", eservices.CardDetailView.as_view(), name="service-detail"),
    path("v1/consultations/", consultations.ConsultationListView.as_view(), name="consultation-list"),
    path("v1/consultations/summary/", consultations.ConsultationSummaryView.as_view(), name="consultation-summary"),
    path(
        "v1/consultations/export.csv", consultations.ConsultationExportCsvView.as_view(), name="consultation-export-csv"
    ),
    path(
        "v1/consultations/export.xlsx",
        consultations.ConsultationExportXlsxView.as_view(),
        name="consultation-export-xlsx",
    ),
    path("v1/consultations/<int:pk>/", consultations.ConsultationDetailView.as_view(), name="consultation-detail"),
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
]
