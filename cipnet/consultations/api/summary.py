"""/api/v1/consultations/summary/: a dashboard's figures, from the tallies."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from cipnet.api.base import LANG, error_responses, request_actor
from cipnet.consultations import selectors
from cipnet.consultations.api.common import ConsultationApiView, today
from cipnet.consultations.api.serializers import SummaryQuerySerializer, SummarySerializer


class ConsultationSummaryView(ConsultationApiView):
    @extend_schema(
        operation_id="consultations_summary",
        tags=["consultations"],
        summary="Totals, averages and breakdowns",
        description=(
            "For one centre (`centre`), the centres of a region that you may see (`region`), or all the "
            "centres you may see; `from` defaults to the first day of this month and `to` to today (in Kyiv)."
        ),
        parameters=[SummaryQuerySerializer, LANG],
        responses={200: SummarySerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        params = self.query(SummaryQuerySerializer)
        day = today()
        end = params.get("to") or day
        start = params.get("from") or min(day.replace(day=1), end.replace(day=1))
        if start > end:
            raise exceptions.ValidationError({"from": [_("The first day is after the last day.")]})
        where = selectors.summary_where(
            user=request_actor(request), centre=params.get("centre"), region=params.get("region")
        )
        result = selectors.summary(where=where, start=start, end=end)
        return Response(SummarySerializer(result).data)
