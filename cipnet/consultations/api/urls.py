"""/api/v1/ routes of the consultation log; `config/api_urls.py` gathers every app's routes."""

from django.urls import URLPattern, path

from cipnet.consultations.api import views as consultations

urlpatterns: list[URLPattern] = [
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
]
