"""/api/v1/consultations/ and /api/v1/consultations/{id}/: list and log entries, read, change
and delete one. Reads go through `consultations.selectors` (scoped: an entry outside the scope is a
404), writes through `consultations.services` (which keep the tallies and the audit trail)."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from cipnet.accounts.scopes import scope_for
from cipnet.api.base import LANG, error_responses, request_actor
from cipnet.api.pagination import PagePagination
from cipnet.consultations import selectors, services
from cipnet.consultations.api.common import ConsultationApiView
from cipnet.consultations.api.serializers import (
    ConsultationCreateSerializer,
    ConsultationListQuerySerializer,
    ConsultationPatchSerializer,
    ConsultationSerializer,
    CorrectionQuerySerializer,
    input_for_create,
    input_for_update,
    list_filters,
)
from cipnet.consultations.models import Consultation, Source

IDEMPOTENCY_HEADER = "Idempotency-Key"


def _idempotency_key(request: Request) -> uuid.UUID | None:
    raw = request.headers.get(IDEMPOTENCY_HEADER)
    if raw is None or not raw.strip():
        return None
    try:
        return uuid.UUID(raw.strip())
    except ValueError as exc:
        raise exceptions.ValidationError(
            {IDEMPOTENCY_HEADER: [_("Give a UUID, e.g. 3f2b8c1e-9d4a-4c6b-8e1f-2a7d5c9b0e34.")]}
        ) from exc


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.UUID,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A UUID made by the client for this entry. A retry with the same key returns the entry saved the "
        "first time (200) instead of saving it twice."
    ),
)


class ConsultationListView(ConsultationApiView):
    pagination_class = PagePagination

    @extend_schema(
        operation_id="consultations_list",
        tags=["consultations"],
        summary="Entries of the consultation log",
        description=(
            "The entries you may see (your centres; a coordinator's regions; everything for network "
            "administrators), newest first. Filters combine."
        ),
        parameters=[ConsultationListQuerySerializer, LANG],
        responses={200: ConsultationSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        params = self.query(ConsultationListQuerySerializer)
        filters = list_filters(params)
        qs = selectors.with_details(
            selectors.consultation_list_visible_to(user=request_actor(request), filters=filters)
        )
        page = self.paginate_queryset(qs) or []
        return self.get_paginated_response(ConsultationSerializer(page, many=True, context=self.context()).data)

    @extend_schema(
        operation_id="consultations_create",
        tags=["consultations"],
        summary="Log a consultation",
        description=(
            "One visitor helped once, in a centre you work in (consultants, trainers and managers). "
            "Send an `Idempotency-Key` so that a retry does not log the visitor twice."
        ),
        parameters=[IDEMPOTENCY_PARAMETER, LANG],
        request=ConsultationCreateSerializer,
        responses={
            201: ConsultationSerializer,
            200: OpenApiResponse(ConsultationSerializer, description="A retry: the entry saved the first time."),
            **error_responses(400, 401, 403),
        },
    )
    def post(self, request: Request) -> Response:
        actor = request_actor(request)
        if not scope_for(actor).centre_ids:
            raise exceptions.PermissionDenied(_("Only the staff of a centre can log consultations."))
        key = _idempotency_key(request)
        serializer = ConsultationCreateSerializer(data=request.data, context=self.context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.consultation_record(
            author=actor,
            centre=data["centre"],
            data=input_for_create(data),
            idempotency_key=key,
            source=Source.API,
        )
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return self.consultation_response(result.consultation.pk, code)


class ConsultationDetailView(ConsultationApiView):
    def changeable(self, pk: int) -> Consultation:
        actor = request_actor(self.request)
        c = selectors.consultation_get_for_user(user=actor, pk=pk, details=True)
        services.ensure_can_change(actor, c)
        return c

    @extend_schema(
        operation_id="consultations_retrieve",
        tags=["consultations"],
        summary="One entry of the consultation log",
        parameters=[LANG],
        responses={200: ConsultationSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return self.consultation_response(pk)

    @extend_schema(
        operation_id="consultations_update",
        tags=["consultations"],
        summary="Change an entry",
        description=(
            "Its author within 24 hours of entering it; the centre's manager at any time. Only the fields sent "
            "are changed. The change is kept in the entry's history."
        ),
        parameters=[LANG],
        request=ConsultationPatchSerializer,
        responses={200: ConsultationSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        c = self.changeable(pk)
        serializer = ConsultationPatchSerializer(data=request.data, partial=True, context=self.context())
        serializer.is_valid(raise_exception=True)
        services.consultation_update(
            actor=request_actor(request),
            consultation=c,
            data=input_for_update(c, serializer.validated_data),
            correction_reason=serializer.validated_data.get("correction_reason", ""),
        )
        return self.consultation_response(pk)

    @extend_schema(
        operation_id="consultations_destroy",
        tags=["consultations"],
        summary="Delete an entry",
        description=(
            "Its author within 24 hours of entering it; the centre's manager at any time. In a month the centre "
            "has submitted for approval, only its manager, with `correction_reason`."
        ),
        parameters=[LANG, CorrectionQuerySerializer],
        responses={204: None, **error_responses(400, 401, 403, 404)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        c = self.changeable(pk)
        query = CorrectionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        services.consultation_delete(
            actor=request_actor(request),
            consultation=c,
            correction_reason=query.validated_data.get("correction_reason", ""),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
