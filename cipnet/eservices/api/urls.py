"""/api/v1/ routes of the e-service catalogue; `config/api_urls.py` gathers every app's routes."""

from django.urls import URLPattern, path

from cipnet.eservices.api import views as eservices

urlpatterns: list[URLPattern] = [
    path("v1/services/", eservices.CardListView.as_view(), name="service-list"),
    # Before the card route: "autocomplete" would otherwise read as a card's identifier.
    path("v1/services/autocomplete/", eservices.AutocompleteView.as_view(), name="service-autocomplete"),
    path("v1/services/export.json", eservices.ExportJsonView.as_view(), name="service-export-json"),
    path("v1/services/export.csv", eservices.ExportCsvView.as_view(), name="service-export-csv"),
    path("v1/services/export.jsonld", eservices.ExportJsonLdView.as_view(), name="service-export-jsonld"),
    path("v1/services/export.ttl", eservices.ExportTurtleView.as_view(), name="service-export-ttl"),
    path("v1/services/<slug:identifier>/", eservices.CardDetailView.as_view(), name="service-detail"),
]
