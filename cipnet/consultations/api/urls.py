"""/api/v1/ routes of the consultation log; `config/api_urls.py` gathers every app's routes."""

from django.urls import URLPattern, path

from cipnet.consultations.api import entries, exports, summary

urlpatterns: list[URLPattern] = [
    path("v1/consultations/", entries.ConsultationListView.as_view(), name="consultation-list"),
    path("v1/consultations/summary/", summary.ConsultationSummaryView.as_view(), name="consultation-summary"),
    path("v1/consultations/export.csv", exports.ConsultationExportCsvView.as_view(), name="consultation-export-csv"),
    path(
        "v1/consultations/export.xlsx",
        exports.ConsultationExportXlsxView.as_view(),
        name="consultation-export-xlsx",
    ),
    path("v1/consultations/<int:pk>/", entries.ConsultationDetailView.as_view(), name="consultation-detail"),
]
