"""Open311 GeoReport v2, read-only, over the public register: discovery, service types, requests.

The facade shows what the register shows and nothing else: the requests are
`selectors.case_list_open311` (the register's `case_list_public`), their texts the moderator's
`public_*` copies, and no field names the author. JSON only; every refusal is GeoReport's error
array, `[{"code": 400, "description": "start_date: …", "parameter": "start_date"}]`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from cipnet.api.base import LANG, ApiView
from cipnet.api.fields import NamedChoiceField, StrictInputSerializer
from cipnet.api.pagination import PagePagination
from cipnet.appeals import open311, selectors
from cipnet.appeals.models import Appeal
from cipnet.core.clock import KYIV, local, now

#: Register numbers one request may name.
NUMBERS_MAX = 100


def kyiv_iso(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in Kyiv time with its offset, to the second (e.g. 2026-12-16T23:59:59+02:00)."""
    return local(moment).isoformat(timespec="seconds") if moment is not None else None


# --- Output ---------------------------------------------------------------------------------


class RequestStatusField(NamedChoiceField):
    choices_enum = open311.Open311Status


class ServiceTypeField(NamedChoiceField):
    choices_enum = open311.Open311ServiceType


class Open311EndpointSerializer(serializers.Serializer):
    specification = serializers.CharField()
    url = serializers.CharField()
    changeset = serializers.CharField()
    type = serializers.CharField()
    formats = serializers.ListField(child=serializers.CharField())


class Open311DiscoverySerializer(serializers.Serializer):
    changeset = serializers.CharField()
    contact = serializers.CharField()
    key_service = serializers.CharField()
    endpoints = Open311EndpointSerializer(many=True)


class Open311ServiceSerializer(serializers.Serializer):
    service_code = serializers.CharField(source="code")
    service_name = serializers.CharField(source="name")
    description = serializers.CharField()
    metadata = serializers.SerializerMethodField()
    type = serializers.SerializerMethodField()
    keywords = serializers.CharField()
    group = serializers.CharField()

    def get_metadata(self, obj: open311.Service) -> bool:
        return False  # no attributes: the facade only reads

    @extend_schema_field(ServiceTypeField())
    def get_type(self, obj: open311.Service) -> str:
        return open311.Open311ServiceType.REALTIME.value


class Open311ServiceDefinitionSerializer(serializers.Serializer):
    service_code = serializers.CharField(source="code")
    attributes = serializers.SerializerMethodField()

    def get_attributes(self, obj: open311.Service) -> list[dict[str, Any]]:
        return []  # `metadata` is false for every service


class Open311RequestSerializer(serializers.Serializer):
    service_request_id = serializers.CharField(source="number", help_text=gettext_lazy("The register number."))
    status = serializers.SerializerMethodField()
    status_notes = serializers.SerializerMethodField(help_text=gettext_lazy("The outcome and the published answer."))
    service_name = serializers.SerializerMethodField()
    service_code = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField(help_text=gettext_lazy("The published, redacted question."))
    agency_responsible = serializers.CharField(source="authority.display_name")
    requested_datetime = serializers.SerializerMethodField(help_text=gettext_lazy("When the authority received it."))
    updated_datetime = serializers.SerializerMethodField(help_text=gettext_lazy("When it was closed."))
    expected_datetime = serializers.SerializerMethodField(help_text=gettext_lazy("The statutory due date."))

    @extend_schema_field(RequestStatusField())
    def get_status(self, obj: Appeal) -> str:
        return open311.status_of(obj)

    def get_status_notes(self, obj: Appeal) -> str | None:
        return open311.status_notes_of(obj)

    def get_service_name(self, obj: Appeal) -> str:
        return str(open311.service_of(obj).name)

    def get_service_code(self, obj: Appeal) -> str:
        return open311.service_of(obj).code

    def get_description(self, obj: Appeal) -> str:
        return open311.description_of(obj)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_requested_datetime(self, obj: Appeal) -> str | None:
        return kyiv_iso(open311.requested_at(obj))

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_updated_datetime(self, obj: Appeal) -> str | None:
        return kyiv_iso(open311.updated_at(obj))

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_expected_datetime(self, obj: Appeal) -> str | None:
        return kyiv_iso(obj.due_at)


# --- Input ----------------------------------------------------------------------------------


class JurisdictionQuerySerializer(StrictInputSerializer):
    jurisdiction_id = serializers.CharField(
        required=False, max_length=200, help_text=gettext_lazy("Optional: this server answers for one jurisdiction.")
    )
    lang = serializers.CharField(required=False)

    def validate_jurisdiction_id(self, value: str) -> str:
        expected = settings.CIPNET_OPEN311_JURISDICTION
        if value != expected:
            raise serializers.ValidationError(
                _("This server answers for one jurisdiction only: “%(jurisdiction)s”.") % {"jurisdiction": expected}
            )
        return value


def _comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class RequestsQuerySerializer(JurisdictionQuerySerializer):
    service_request_id = serializers.CharField(
        required=False,
        max_length=3000,
        help_text=gettext_lazy("Register numbers, comma-separated (at most 100); they override every other filter."),
    )
    service_code = serializers.CharField(
        required=False, max_length=500, help_text=gettext_lazy("Service codes, comma-separated.")
    )
    start_date = serializers.DateTimeField(
        required=False,
        default_timezone=KYIV,
        help_text=gettext_lazy("Received at or after (ISO 8601; without an offset, Kyiv time)."),
    )
    end_date = serializers.DateTimeField(
        required=False,
        default_timezone=KYIV,
        help_text=gettext_lazy(
            "Received at or before (ISO 8601). Without dates: the last 90 days; the dates may span 90 days at most."
        ),
    )
    status = serializers.CharField(
        required=False, max_length=20, help_text=gettext_lazy("open, closed, or both comma-separated.")
    )
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=PagePagination.max_page_size, default=PagePagination.page_size
    )

    default_error_messages = {
        "range": gettext_lazy("Give a date between 2000 and 2100."),
        "order": gettext_lazy("The end date is before the start date."),
        "window": gettext_lazy("The dates span more than 90 days; ask for 90 days at most."),
    }

    def validate_service_request_id(self, value: str) -> tuple[str, ...]:
        numbers = _comma_list(value)
        if not numbers:
            raise serializers.ValidationError(_("Name at least one register number."))
        if len(numbers) > NUMBERS_MAX:
            raise serializers.ValidationError(_("Name at most 100 register numbers at once."))
        return tuple(dict.fromkeys(numbers))

    def validate_service_code(self, value: str) -> tuple[str, ...]:
        codes = _comma_list(value)
        unknown = [code for code in codes if code not in open311.BY_CODE]
        if unknown or not codes:
            raise serializers.ValidationError(
                _("Unknown service code: “%(code)s”. The codes are: %(codes)s.")
                % {"code": unknown[0] if unknown else value, "codes": ", ".join(open311.BY_CODE)}
            )
        return tuple(dict.fromkeys(codes))

    def validate_status(self, value: str) -> tuple[str, ...]:
        statuses = _comma_list(value)
        if not statuses or any(s not in open311.STATUSES for s in statuses):
            raise serializers.ValidationError(_("Choose open or closed, or both separated by a comma."))
        return tuple(dict.fromkeys(statuses))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start_date"), attrs.get("end_date")
        for name, moment in (("start_date", start), ("end_date", end)):
            if moment is not None and not 2000 <= local(moment).year <= 2100:
                raise serializers.ValidationError({name: [self.error_messages["range"]]})
        # In UTC: Python subtracts two times of one zone by their wall clocks, so a window across
        # the change to summer time would count an hour too many.
        given_start: dt.datetime | None = start.astimezone(dt.UTC) if start is not None else None
        given_end: dt.datetime | None = end.astimezone(dt.UTC) if end is not None else None
        if given_start is None:
            end = given_end or now()
            start = end - open311.MAX_WINDOW
        else:
            start = given_start
            end = given_end or start + open311.MAX_WINDOW
        if end < start:
            raise serializers.ValidationError({"end_date": [self.error_messages["order"]]})
        if end - start > open311.MAX_WINDOW:
            raise serializers.ValidationError({"end_date": [self.error_messages["window"]]})
        attrs["start_date"], attrs["end_date"] = start, end
        return attrs


# --- Views ----------------------------------------------------------------------------------


def _errors(status: int, data: Any) -> list[dict[str, Any]]:
    """The project's error body (`cipnet.api.errors`) as GeoReport's error array: one entry per
    message of each parameter at fault, or one for the whole request."""
    error = data.get("error", {}) if isinstance(data, dict) else {}
    out = []
    for name, messages in (error.get("fields") or {}).items():
        for message in messages if isinstance(messages, list) else [messages]:
            out.append({"code": status, "description": f"{name}: {message}", "parameter": name})
    return out or [{"code": status, "description": str(error.get("message") or _("Request refused."))}]


#: GeoReport's error array (inline: the schema lists a 4xx body as one object otherwise).
ERROR_ARRAY = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "code": {"type": "integer", "description": "The HTTP status."},
            "description": {"type": "string", "description": "What went wrong, for people."},
            "parameter": {"type": "string", "description": "The query parameter at fault, when one is."},
        },
        "required": ["code", "description"],
    },
}


def open311_errors(*codes: int) -> dict[int, OpenApiResponse]:
    descriptions = {
        400: "A parameter is not valid; each entry names it.",
        404: "No such service or published request.",
    }
    return {code: OpenApiResponse(ERROR_ARRAY, description=descriptions[code]) for code in codes}


class Open311View(ApiView):
    """Public and read-only, throttled as every public endpoint (the API's default throttles)."""

    permission_classes = [AllowAny]
    query_class: type[JurisdictionQuerySerializer] = JurisdictionQuerySerializer

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        response.data = _errors(response.status_code, response.data)
        return response

    def query(self, request: Request) -> dict[str, Any]:
        query = self.query_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        return dict(query.validated_data)


class DiscoveryView(Open311View):
    @extend_schema(
        operation_id="open311_discovery",
        tags=["open311"],
        summary="Open311 discovery",
        description="Where the GeoReport v2 endpoints are, which formats they speak (JSON) and when they changed.",
        parameters=[JurisdictionQuerySerializer, LANG],
        responses={200: Open311DiscoverySerializer, **open311_errors(400)},
    )
    def get(self, request: Request) -> Response:
        self.query(request)
        base = request.build_absolute_uri(reverse("api:open311-discovery")).removesuffix("discovery.json")
        changeset = kyiv_iso(open311.CHANGESET)
        return Response(
            Open311DiscoverySerializer(
                {
                    "changeset": changeset,
                    "contact": _("The public register of answers: %(url)s")
                    % {"url": request.build_absolute_uri(reverse("reception_register:search"))},
                    "key_service": _("No key is needed: the data is public and read-only."),
                    "endpoints": [
                        {
                            "specification": open311.SPECIFICATION,
                            "url": base,
                            "changeset": changeset,
                            "type": "production",
                            "formats": ["application/json"],
                        }
                    ],
                }
            ).data
        )


class ServiceListView(Open311View):
    @extend_schema(
        operation_id="open311_services",
        tags=["open311"],
        summary="Open311 service types",
        description="The kinds of cases the public register holds: appeals by their type, and information requests.",
        parameters=[JurisdictionQuerySerializer, LANG],
        responses={200: Open311ServiceSerializer(many=True), **open311_errors(400)},
    )
    def get(self, request: Request) -> Response:
        self.query(request)
        return Response(Open311ServiceSerializer(open311.SERVICES, many=True).data)


class ServiceDefinitionView(Open311View):
    @extend_schema(
        operation_id="open311_service_definition",
        tags=["open311"],
        summary="Open311 service definition",
        description="A service's extra attributes: none (the facade is read-only).",
        parameters=[JurisdictionQuerySerializer, LANG],
        responses={200: Open311ServiceDefinitionSerializer, **open311_errors(400, 404)},
    )
    def get(self, request: Request, service_code: str) -> Response:
        self.query(request)
        service = open311.BY_CODE.get(service_code)
        if service is None:
            raise exceptions.NotFound(_("There is no service with this code."))
        return Response(Open311ServiceDefinitionSerializer(service).data)


TOTAL = OpenApiParameter(
    "X-Total-Count",
    OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    response=[200],
    description="How many requests match, on every page.",
)
LINK = OpenApiParameter(
    "Link",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    response=[200],
    description='The next and previous pages, as rel="next" and rel="prev" links, when there are any.',
)


class RequestListView(Open311View):
    query_class = RequestsQuerySerializer

    @extend_schema(
        operation_id="open311_requests",
        tags=["open311"],
        summary="Open311 requests: the public register",
        description=(
            "Published cases only, with their redacted texts and no personal data, the latest received first. "
            "`expected_datetime` is the statutory due date. The body is GeoReport's array; the total and the "
            "links to other pages are in the `X-Total-Count` and `Link` headers."
        ),
        parameters=[RequestsQuerySerializer, LANG, TOTAL, LINK],
        responses={200: Open311RequestSerializer(many=True), **open311_errors(400)},
    )
    def get(self, request: Request) -> Response:
        p = self.query(request)
        filters = selectors.Open311Filters(
            numbers=p.get("service_request_id", ()),
            service_codes=p.get("service_code", ()),
            received_from=p["start_date"],
            received_to=p["end_date"],
            statuses=p.get("status", ()),
        )
        paginator = Paginator(selectors.case_list_open311(filters), p["page_size"])
        number = p["page"]
        if number > paginator.num_pages:
            message = _("There is no page %(page)s: the last is %(last)s.")
            raise exceptions.ValidationError({"page": [message % {"page": number, "last": paginator.num_pages}]})
        page = paginator.page(number)
        links = []
        if page.has_next():
            links.append(f'<{self._page_url(request, page.next_page_number())}>; rel="next"')
        if page.has_previous():
            links.append(f'<{self._page_url(request, page.previous_page_number())}>; rel="prev"')
        headers = {"X-Total-Count": str(paginator.count)}
        if links:
            headers["Link"] = ", ".join(links)
        return Response(Open311RequestSerializer(page.object_list, many=True).data, headers=headers)

    @staticmethod
    def _page_url(request: Request, number: int) -> str:
        params = request.query_params.copy()
        params["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


class RequestDetailView(Open311View):
    @extend_schema(
        operation_id="open311_request",
        tags=["open311"],
        summary="One Open311 request: a published case",
        description="GeoReport's array of one request; 404 for a number the register does not publish.",
        parameters=[JurisdictionQuerySerializer, LANG],
        responses={200: Open311RequestSerializer(many=True), **open311_errors(400, 404)},
    )
    def get(self, request: Request, service_request_id: str) -> Response:
        self.query(request)
        try:
            appeal = selectors.case_get_open311(number=service_request_id)
        except Http404 as exc:
            raise exceptions.NotFound(_("The register publishes no case with this number.")) from exc
        return Response(Open311RequestSerializer([appeal], many=True).data)


RESOURCE = re.compile(r"(discovery|services|requests)(/[^/]+)?\.(?P<format>[^./]+)")


class OtherFormatView(Open311View):
    """Any other address under /api/open311/v2/: another format of a resource (GeoReport's .xml)
    is refused with the resource's JSON address; anything else is not found."""

    @extend_schema(exclude=True)
    def get(self, request: Request, rest: str) -> Response:
        match = RESOURCE.fullmatch(rest)
        if match is None:
            raise exceptions.NotFound(_("There is no such Open311 resource."))
        raise exceptions.ValidationError(
            {
                "format": [
                    _("Only JSON is offered: ask for %(address)s.")
                    % {"address": rest.removesuffix("." + match["format"]) + ".json"}
                ]
            }
        )
