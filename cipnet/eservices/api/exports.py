"""/api/v1/services/export.*: the whole public catalogue as a file, cached under an ETag."""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request

from cipnet.api.fields import AnyAccept
from cipnet.eservices.api.cards import ServiceApiView
from cipnet.eservices.cpsv import export_jsonld, export_turtle
from cipnet.eservices.interchange import export_catalogue_csv, export_catalogue_json_text
from cipnet.eservices.models import (
    CardVersion,
    Category,
    LifeEvent,
    Provider,
    ServiceCard,
)

#: How long clients and shared caches may keep an export before they revalidate (seconds).
EXPORT_MAX_AGE = 300
#: How long the server keeps a generated export under its ETag (seconds).
EXPORT_CACHE_SECONDS = 3600


# --- Exports -------------------------------------------------------------------------------------


def _base_url(request: HttpRequest) -> str:
    configured = str(getattr(settings, "CIPNET_BASE_URL", "") or "")
    return (configured or request.build_absolute_uri("/")).rstrip("/")


def catalogue_etag(fmt: str, base_url: str) -> str:
    """Changes whenever the public catalogue's export would.

    A card's own change moves `updated_at`; a change of categories or life events alone records a
    version without saving the card, hence the last version; a withdrawn or restored card changes the
    count; providers, categories and life events have no timestamps, so their rows are hashed (small).
    """
    cards = ServiceCard.objects.public().aggregate(n=Count("pk"), changed=Max("updated_at"))
    last_version = CardVersion.objects.aggregate(last=Max("pk"))["last"]
    terms = (
        list(
            Provider.objects.order_by("pk").values_list("pk", "slug", "name", "name_en", "name_pl", "kind", "website")
        ),
        list(Category.objects.order_by("pk").values_list("pk", "slug", "name", "name_en", "name_pl")),
        list(LifeEvent.objects.order_by("pk").values_list("pk", "slug", "name", "name_en", "name_pl")),
    )
    state = repr((fmt, base_url, cards["n"], cards["changed"], last_version, terms))
    return hashlib.sha256(state.encode("utf-8")).hexdigest()[:40]


class ExportView(ServiceApiView):
    """The whole public catalogue in one format, with an ETag (304 when unchanged)."""

    content_negotiation_class = AnyAccept
    # The same file for everyone: no sign-in is read, so no session is touched and no cache is
    # told to keep a copy per cookie.
    authentication_classes = []
    permission_classes = [AllowAny]
    fmt: ClassVar[str] = ""
    content_type: ClassVar[str] = ""
    extension: ClassVar[str] = ""

    def render_export(self, base_url: str) -> str:
        raise NotImplementedError

    def get(self, request: Request) -> HttpResponseBase:
        django_request = request._request
        base_url = _base_url(django_request)
        etag = quote_etag(catalogue_etag(self.fmt, base_url))
        not_modified = get_conditional_response(django_request, etag=etag)
        if not_modified is not None:
            response: HttpResponseBase = not_modified
        else:
            key = f"cipnet:api:services-export:{etag}"
            content = cache.get(key)
            if not isinstance(content, str):
                content = self.render_export(base_url)
                cache.set(key, content, EXPORT_CACHE_SECONDS)
            response = HttpResponse(content.encode("utf-8"), content_type=self.content_type)
            response["Content-Disposition"] = f'attachment; filename="cipnet-services.{self.extension}"'
        response["ETag"] = etag
        patch_cache_control(response, public=True, max_age=EXPORT_MAX_AGE)
        return response

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code in (status.HTTP_200_OK, status.HTTP_304_NOT_MODIFIED):
            # The same bytes for every language and every visitor: let shared caches keep one copy.
            for header in ("Vary", "Content-Language"):
                if header in response:
                    del response[header]
        return response


def _export_schema(fmt: str, media_type: str, summary: str, description: str) -> Any:
    return extend_schema(
        operation_id=f"services_export_{fmt}",
        tags=["services"],
        summary=summary,
        description=description + " Cached: send the ETag back in `If-None-Match` to get 304 when nothing changed.",
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                required=False,
                description="The ETag of the copy you have.",
            )
        ],
        responses={
            (200, media_type): OpenApiResponse(
                OpenApiTypes.OBJECT if "json" in media_type else OpenApiTypes.STR,
                description="The whole public catalogue, as a file to save.",
            ),
            304: OpenApiResponse(description="Not modified since the copy with this ETag."),
        },
    )


class ExportJsonView(ExportView):
    fmt, content_type, extension = "json", "application/json", "json"

    def render_export(self, base_url: str) -> str:
        return export_catalogue_json_text(ServiceCard.objects.public())

    @_export_schema(
        "json",
        "application/json",
        "The catalogue as JSON",
        "Providers, categories, life events and cards in the shape `import_catalogue` reads back.",
    )
    def get(self, request: Request) -> HttpResponseBase:
        return super().get(request)


class ExportCsvView(ExportView):
    fmt, content_type, extension = "csv", "text/csv; charset=utf-8", "csv"

    def render_export(self, base_url: str) -> str:
        return export_catalogue_csv(ServiceCard.objects.public())

    @_export_schema(
        "csv",
        "text/csv",
        "The catalogue as CSV",
        "One row per card (UTF-8 with a byte-order mark); lists joined with “ | ”, channels and legal basis as JSON.",
    )
    def get(self, request: Request) -> HttpResponseBase:
        return super().get(request)


class ExportJsonLdView(ExportView):
    fmt, content_type, extension = "jsonld", "application/ld+json", "jsonld"

    def render_export(self, base_url: str) -> str:
        return export_jsonld(ServiceCard.objects.public(), base_url)

    @_export_schema(
        "jsonld",
        "application/ld+json",
        "The catalogue as CPSV-AP JSON-LD",
        "CPSV-AP 3.2.0 linked data: one cpsv:PublicService per card, conforming to the official SHACL shapes.",
    )
    def get(self, request: Request) -> HttpResponseBase:
        return super().get(request)


class ExportTurtleView(ExportView):
    fmt, content_type, extension = "ttl", "text/turtle; charset=utf-8", "ttl"

    def render_export(self, base_url: str) -> str:
        return export_turtle(ServiceCard.objects.public(), base_url)

    @_export_schema(
        "ttl",
        "text/turtle",
        "The catalogue as CPSV-AP Turtle",
        "The same CPSV-AP 3.2.0 graph as the JSON-LD export, in Turtle.",
    )
    def get(self, request: Request) -> HttpResponseBase:
        return super().get(request)
