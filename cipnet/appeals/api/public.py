"""The reception's public data: the register of published answers (redacted texts only) and each
authority's figures. No personal data is ever read into these serializers: they name only the
`public_*` fields a moderator approved."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from cipnet.api.base import LANG, ApiView, error_responses
from cipnet.api.fields import StrictInputSerializer
from cipnet.api.pagination import PagePagination
from cipnet.appeals import publication, selectors
from cipnet.appeals.models import Appeal, Kind
from cipnet.core.clock import local


class RegisterQuerySerializer(StrictInputSerializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="Words to find.")
    authority = serializers.SlugField(required=False, allow_blank=True, help_text="An authority's slug.")
    kind = serializers.ChoiceField(choices=Kind.choices, required=False, allow_blank=True)
    page = serializers.IntegerField(required=False, min_value=1)
    lang = serializers.CharField(required=False)


class RegisterCaseSerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.CharField()
    authority = serializers.SerializerMethodField()
    subject = serializers.CharField(source="public_subject")
    question = serializers.CharField(source="public_text")
    answer = serializers.CharField(source="public_answer")
    outcome = serializers.CharField()
    received_on = serializers.SerializerMethodField()
    answered_on = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_authority(self, obj: Appeal) -> dict[str, str]:
        return {"slug": obj.authority.slug, "name": obj.authority.display_name}

    def get_received_on(self, obj: Appeal) -> str | None:
        return local(obj.received_at).date().isoformat() if obj.received_at else None

    def get_answered_on(self, obj: Appeal) -> str | None:
        return local(obj.answered_at).date().isoformat() if obj.answered_at else None

    def get_url(self, obj: Appeal) -> str:
        return reverse("api:reception-register-case", args=[obj.number])


class AuthorityStatsSerializer(serializers.Serializer):
    slug = serializers.CharField(source="authority.slug")
    name = serializers.CharField(source="authority.display_name")
    kind = serializers.CharField(source="authority.kind")
    region = serializers.CharField(source="authority.region.slug")
    received = serializers.IntegerField()
    answered_in_time = serializers.IntegerField()
    answered_late = serializers.IntegerField()
    overdue_now = serializers.IntegerField(source="overdue")
    average_days_to_answer = serializers.FloatField(source="average_days", allow_null=True)
    resolved_positively_percent = serializers.IntegerField(source="positive_percent", allow_null=True)


class RegisterListView(ApiView):
    permission_classes = [AllowAny]
    pagination_class = PagePagination

    @extend_schema(
        operation_id="reception_register_list",
        tags=["reception"],
        summary="Published questions and answers",
        description="Cases whose authors agreed to publication, after a moderator removed personal data.",
        parameters=[RegisterQuerySerializer, LANG],
        responses={200: RegisterCaseSerializer(many=True), **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        query = RegisterQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        p: dict[str, Any] = query.validated_data
        filters = selectors.RegisterFilters(
            text=" ".join(p.get("q", "").split()), authority_slug=p.get("authority", ""), kind=p.get("kind", "")
        )
        qs = selectors.case_list_public(filters)
        page = self.paginate_queryset(qs) or []
        return self.get_paginated_response(RegisterCaseSerializer(page, many=True).data)


class RegisterCaseView(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="reception_register_retrieve",
        tags=["reception"],
        summary="One published case",
        parameters=[LANG],
        responses={200: RegisterCaseSerializer, **error_responses(404)},
    )
    def get(self, request: Request, number: str) -> Response:
        return Response(RegisterCaseSerializer(publication.register_case(number=number)).data)


class AuthorityStatsView(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="reception_authorities_statistics",
        tags=["reception"],
        summary="How each authority answers",
        description=(
            "Per authority: cases received, answered in time and late, overdue now, average days from receipt "
            "to answer, and the share resolved positively (in percent of the answers)."
        ),
        parameters=[LANG],
        responses={200: AuthorityStatsSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return Response(AuthorityStatsSerializer(publication.authority_statistics(), many=True).data)
