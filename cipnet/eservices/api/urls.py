"""/api/v1/ routes of the e-service catalogue; `config/api_urls.py` gathers every app's routes."""

from django.urls import URLPattern, path

from cipnet.eservices.api import cards, exports

urlpatterns: list[URLPattern] = [
    path("v1/services/", cards.CardListView.as_view(), name="service-list"),
    # Before the card route: "autocomplete" would otherwise read as a card's identifier.
    path("v1/services/autocomplete/", cards.AutocompleteView.as_view(), name="service-autocomplete"),
    path("v1/services/export.json", exports.ExportJsonView.as_view(), name="service-export-json"),
    path("v1/services/export.csv", exports.ExportCsvView.as_view(), name="service-export-csv"),
    path("v1/services/export.jsonld", exports.ExportJsonLdView.as_view(), name="service-export-jsonld"),
    path("v1/services/export.ttl", exports.ExportTurtleView.as_view(), name="service-export-ttl"),
    path("v1/services/<slug:identifier>/", cards.CardDetailView.as_view(), name="service-detail"),
]
