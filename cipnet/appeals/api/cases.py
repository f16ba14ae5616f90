"""/api/v1/reception/: the virtual reception (citizens' appeals and requests for public information).

- `POST /reception/cases/` saves a case (a draft, or sent at once with `send: true`) for the signed-in
  resident, or for a library visitor by a consultant of the centre (`centre` and `consent`).
- `GET /reception/cases/` and `GET /reception/cases/{id}/`: the cases the caller may see
  (`appeals.selectors`: their own, their centre's, their region's, their authority's once sent); a
  case outside that is a 404. Internal events (assignment, reminders) only for the authority's officials.
- `POST /reception/cases/{id}/{step}/`: one step of the case (`appeals.workflow`), each calling its
  service: officials register, take, assign, mark "no study", extend, forward, ask and answer; the
  author submits a draft, clarifies, withdraws and closes. A step the case's status or the caller's
  part does not allow is **409** `invalid_transition`; wrong input is a 400 naming the field.
- `GET /reception/deadline/`: the public calculator of statutory terms (`appeals.deadlines`).
- `POST /reception/inbound-mail/`: a mail provider delivers a reply to a case's address
  (`appeals.ingest`), authenticated by the shared secret in `X-CIPnet-Mail-Secret`.
"""

from __future__ import annotations

from django.db import transaction
from django.http import FileResponse
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from cipnet.accounts import throttle
from cipnet.api.base import LANG, ApiView, error_responses, request_actor
from cipnet.api.fields import ErrorSerializer
from cipnet.api.pagination import PagePagination
from cipnet.appeals import attachments, selectors, services
from cipnet.appeals.api.serializers import (
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseListItemSerializer,
    CaseListQuerySerializer,
)
from cipnet.appeals.models import (
    Status,
)
from cipnet.appeals.workflow import Party
from cipnet.core.clock import now

OFFICIAL_PARTIES = frozenset({Party.OFFICIAL, Party.HEAD})


def conflict_responses(extra: str = "") -> dict[int, OpenApiResponse]:
    description = (
        "`invalid_transition`: the case's status, or your part in it, does not allow this step (the message says "
        "why)." + (" " + extra if extra else "")
    )
    return {409: OpenApiResponse(ErrorSerializer, description=description)}


class ReceptionApiView(ApiView):
    def case_response(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        user = request_actor(self.request)
        appeal = selectors.appeal_get_for_user(user=user, pk=pk)
        parties = services.parties_of(user, appeal)
        context = self.context(moment=now(), parties=parties, internal=bool(parties & OFFICIAL_PARTIES))
        data = CaseDetailSerializer(appeal, context=context).data
        headers = {"Location": data["url"]} if code == status.HTTP_201_CREATED else None
        response = Response(data, status=code, headers=headers)
        patch_cache_control(response, private=True, no_store=True)
        return response


class CaseListView(ReceptionApiView):
    permission_classes = [IsAuthenticated]
    pagination_class = PagePagination

    @extend_schema(
        operation_id="reception_cases_list",
        tags=["reception"],
        summary="The cases you may see",
        description=(
            "Residents: their own. Library staff: also the cases filed at their centres; regional coordinators: "
            "their region's; officials: their authority's (once sent); network administrators: all. Newest first."
        ),
        parameters=[CaseListQuerySerializer, LANG],
        responses={200: CaseListItemSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        query = CaseListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        filters = selectors.CaseFilters(status=params.get("status", ""), kind=params.get("kind", ""))
        cases = selectors.case_list_visible_to(user=request_actor(request), filters=filters)
        page = self.paginate_queryset(cases) or []
        data = CaseListItemSerializer(page, many=True, context=self.context(moment=now())).data
        response = self.get_paginated_response(data)
        patch_cache_control(response, private=True, no_store=True)
        return response

    @extend_schema(
        operation_id="reception_cases_create",
        tags=["reception"],
        summary="Write to an authority",
        description=(
            "Saves a draft, or with `send: true` sends it at once (it then gets its number and its term). "
            "A consultant files for a library visitor with `centre` (their centre) and `consent: true`. "
            "A case that cannot be sent is not saved either: the 400 names each field to correct. "
            "An account starts at most 20 new cases an hour (the form counts the same cases): then 429."
        ),
        parameters=[LANG],
        request=CaseCreateSerializer,
        responses={
            201: CaseDetailSerializer,
            **error_responses(400, 401, 429),
            **conflict_responses("`idempotency_conflict`: another case was saved with this `idempotency_key`."),
        },
    )
    def post(self, request: Request) -> Response:
        actor = request_actor(request)
        serializer = CaseCreateSerializer(data=request.data, context=self.context())
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        with transaction.atomic():
            appeal = services.appeal_file(
                actor=actor,
                data=serializer.to_input(),
                centre=d.get("centre"),
                consent=d["consent"],
                idempotency_key=d.get("idempotency_key"),
                address=throttle.client_ip(request),
            )
            if d["send"] and appeal.status == Status.DRAFT:
                appeal = services.appeal_submit(actor=actor, appeal=appeal)
        return self.case_response(appeal.pk, status.HTTP_201_CREATED)


class CaseDetailView(ReceptionApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reception_cases_retrieve",
        tags=["reception"],
        summary="One case with its term and history",
        description="Internal steps (assignment, reminders) and who took each step: for the authority's officials.",
        parameters=[LANG],
        responses={200: CaseDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return self.case_response(pk)


class CaseFileView(ReceptionApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reception_cases_file",
        tags=["reception"],
        summary="Download a file of a case",
        description=(
            "Only for those who may see the case. Served as an attachment; its type was read from its content."
        ),
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            **error_responses(401, 404),
        },
    )
    def get(self, request: Request, pk: int, file_pk: int) -> FileResponse:
        appeal = selectors.appeal_get_for_user(user=request_actor(request), pk=pk)
        return attachments.attachment_response(selectors.attachment_for(appeal=appeal, pk=file_pk))
