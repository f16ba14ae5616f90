"""/api/v1/consultations/export.csv and export.xlsx: the list's entries as a file, with the same
filters as the list."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request

from cipnet.api.base import LANG, error_responses, request_actor
from cipnet.api.fields import AnyAccept
from cipnet.consultations import exports, selectors
from cipnet.consultations.api.common import ConsultationApiView, today
from cipnet.consultations.api.serializers import ConsultationListQuerySerializer, list_filters
from cipnet.consultations.models import Consultation

#: The most entries one spreadsheet holds; more must be downloaded as CSV.
XLSX_MAX_ROWS = 100_000


class ConsultationExportView(ConsultationApiView):
    content_negotiation_class = AnyAccept

    def entries(self) -> QuerySet[Consultation]:
        params = self.query(ConsultationListQuerySerializer)
        return selectors.consultation_list_visible_to(user=request_actor(self.request), filters=list_filters(params))

    def filename(self, extension: str) -> str:
        return f"consultations-{today().isoformat()}.{extension}"

    def finish(self, response: HttpResponse | StreamingHttpResponse, extension: str) -> None:
        response["Content-Disposition"] = f'attachment; filename="{self.filename(extension)}"'
        patch_cache_control(response, private=True, no_store=True)


def _export_schema(fmt: str, media_type: str, summary: str, description: str) -> Any:
    return extend_schema(
        operation_id=f"consultations_export_{fmt}",
        tags=["consultations"],
        summary=summary,
        description=description
        + " The same filters as the list; only the entries you may see. Labels in the requested language.",
        parameters=[ConsultationListQuerySerializer, LANG],
        responses={
            (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description="A file to save."),
            **error_responses(400, 401, 403),
        },
    )


class ConsultationExportCsvView(ConsultationExportView):
    @_export_schema(
        "csv",
        "text/csv",
        "The log as CSV",
        "One row per entry, newest first (UTF-8 with a byte-order mark, so that spreadsheets read it).",
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        response = StreamingHttpResponse(exports.csv_stream(self.entries()), content_type="text/csv; charset=utf-8")
        self.finish(response, "csv")
        return response


class ConsultationExportXlsxView(ConsultationExportView):
    @_export_schema(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "The log as an Excel workbook",
        f"One row per entry, newest first; at most {XLSX_MAX_ROWS} entries (download CSV for more).",
    )
    def get(self, request: Request) -> HttpResponse:
        qs = self.entries()
        if qs.count() > XLSX_MAX_ROWS:
            raise exceptions.ValidationError(
                {"to": [_("Too many entries for one spreadsheet: choose fewer days, or download CSV.")]}
            )
        content = exports.xlsx_bytes(qs, title=str(_("Consultations")))
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        self.finish(response, "xlsx")
        return response
