"""/api/v1/: thin endpoints. Parse input, call one selector or service, render."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.template.response import SimpleTemplateResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import BasePagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from cipnet.accounts.models import User
from cipnet.api import queries
from cipnet.api.pagination import PagePagination
from cipnet.api.permissions import CanCreateCentres
from cipnet.api.serializers import (
    API_LANGUAGES,
    CentreDetailSerializer,
    CentreListItemSerializer,
    CentreListQuerySerializer,
    CentreWriteSerializer,
    ErrorSerializer,
    RegionDetailSerializer,
    RegionSerializer,
    TerritoryDetailSerializer,
    TerritoryListQuerySerializer,
    TerritoryMatchSerializer,
)
from cipnet.core import clock
from cipnet.core.errors import NotFoundOrNotAllowed
from cipnet.directory import services
from cipnet.directory.models import Centre
from cipnet.directory.selectors import CentreFilters

LANG = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=list(API_LANGUAGES),
    description="Language of names and sentences in the response; without it, the Accept-Language header decides.",
)


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    descriptions = {
        400: "The input is not valid; `fields` names each wrong field.",
        401: "Not signed in (send a session cookie or `Authorization: Token …`).",
        403: "Signed in, but this role may not do this.",
        404: "Not found, or outside what this account may see.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in codes}


class ApiView(GenericAPIView):
    # JSON only; token or session auth (session writes need the CSRF token, DRF checks it);
    # `?lang=`; the project's error body for every refusal. Token comes first so that an
    # anonymous write is answered 401 with `WWW-Authenticate: Token`.

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    pagination_class: type[BasePagination] | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # LocaleMiddleware gives every unprefixed path the default language (the site uses
        # i18n_patterns without a prefix for Ukrainian), so the API reads Accept-Language itself.
        lang = request.GET.get("lang")
        if lang not in API_LANGUAGES:  # absent, or unknown: `initial` then refuses it
            lang = translation.get_language_from_request(request, check_path=False)
        with translation.override(lang):
            response = super().dispatch(request, *args, **kwargs)
            if isinstance(response, SimpleTemplateResponse):
                response.render()  # lazy texts are rendered in the requested language
            response.headers["Content-Language"] = lang
            patch_vary_headers(response, ("Accept-Language", "Cookie"))  # the language cookie counts too
            return response

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        lang = request.query_params.get("lang")
        if lang is not None and lang not in API_LANGUAGES:
            raise exceptions.ValidationError({"lang": [_("Choose one of: %s.") % ", ".join(API_LANGUAGES)]})

    def handle_exception(self, exc: Exception) -> Response:
        # Selectors and services speak Django (Http404, NotFoundOrNotAllowed); the error body
        # is built from DRF's exceptions.
        if isinstance(exc, Http404 | NotFoundOrNotAllowed):
            exc = exceptions.NotFound()
        elif isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.PermissionDenied()
        return super().handle_exception(exc)

    def context(self, **extra: Any) -> dict[str, Any]:
        return {"request": self.request, "view": self, **extra}

    def centre_response(self, centre: Centre, code: int = status.HTTP_200_OK) -> Response:
        moment = clock.now()
        centre = queries.centre_detail(pk=centre.pk, moment=moment)
        data = CentreDetailSerializer(centre, context=self.context(moment=moment)).data
        headers = {"Location": data["url"]} if code == status.HTTP_201_CREATED else None
        return Response(data, status=code, headers=headers)


def _actor(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


# --- Centres ----------------------------------------------------------------------------


class CentreListView(ApiView):
    permission_classes = [IsAuthenticatedOrReadOnly, CanCreateCentres]
    pagination_class = PagePagination

    @extend_schema(
        operation_id="centres_list",
        tags=["centres"],
        summary="Find centres",
        parameters=[CentreListQuerySerializer, LANG],
        responses={200: CentreListItemSerializer(many=True), **_errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = CentreListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        filters = CentreFilters(
            region=params.get("region"),
            settlement=params.get("settlement"),
            open_now=params["open_now"],
            features=tuple(params["feature"]),
            text=params.get("q", "").strip(),
        )
        moment = clock.now()
        near = params.get("near")
        if near is None:
            centres = self.paginate_queryset(queries.centre_list_public(filters, moment=moment)) or []
            context = self.context(moment=moment)
        else:
            pairs = queries.centres_near_public(filters, latitude=near[0], longitude=near[1], moment=moment)
            page = self.paginate_queryset(pairs) or []
            centres = queries.centres_with_schedules([centre for centre, _km in page], moment=moment)
            context = self.context(moment=moment, distances={centre.pk: km for centre, km in page})
        return self.get_paginated_response(CentreListItemSerializer(centres, many=True, context=context).data)

    @extend_schema(
        operation_id="centres_create",
        tags=["centres"],
        summary="Add a centre",
        description="Network administrators anywhere; regional coordinators in their regions.",
        parameters=[LANG],
        request=CentreWriteSerializer,
        responses={201: CentreDetailSerializer, **_errors(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        actor = _actor(request)
        serializer = CentreWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        features = fields.pop("features", ())
        try:
            created = services.centre_create(actor=actor, features=features, **fields)
        except NotFoundOrNotAllowed as exc:
            raise exceptions.PermissionDenied(_("You can add centres only in the regions you coordinate.")) from exc
        return self.centre_response(created, status.HTTP_201_CREATED)


class CentreDetailView(ApiView):
    permission_classes = [IsAuthenticatedOrReadOnly, CanCreateCentres]

    @extend_schema(
        operation_id="centres_retrieve",
        tags=["centres"],
        summary="One centre",
        description="Public centres for everyone; staff also see the other centres in their scope.",
        parameters=[LANG],
        responses={200: CentreDetailSerializer, **_errors(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        moment = clock.now()
        centre = queries.centre_get_visible(slug=slug, user=request.user, moment=moment)
        return Response(CentreDetailSerializer(centre, context=self.context(moment=moment)).data)

    @extend_schema(
        operation_id="centres_update",
        tags=["centres"],
        summary="Change a centre",
        description="Only the fields sent are changed; `features`, when sent, replaces the list.",
        parameters=[LANG],
        request=CentreWriteSerializer,
        responses={200: CentreDetailSerializer, **_errors(400, 401, 403, 404)},
    )
    def patch(self, request: Request, slug: str) -> Response:
        actor = _actor(request)
        centre = queries.centre_get_for_edit(slug=slug, user=actor)
        serializer = CentreWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        features = fields.pop("features", None)
        try:
            services.centre_update(actor=actor, centre=centre, features=features, **fields)
        except NotFoundOrNotAllowed as exc:
            # The user may change this centre (the selector said so), so the move is what was refused.
            raise exceptions.PermissionDenied(
                _("You cannot move the centre to a region you do not coordinate.")
            ) from exc
        return self.centre_response(centre)


# --- Regions ----------------------------------------------------------------------------


class RegionListView(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="regions_list",
        tags=["regions"],
        summary="Regions with their number of public centres",
        parameters=[LANG],
        responses={200: RegionSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return Response(RegionSerializer(queries.region_list_public(), many=True).data)


class RegionDetailView(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="regions_retrieve",
        tags=["regions"],
        summary="One region with its coordination offices",
        parameters=[LANG],
        responses={200: RegionDetailSerializer, **_errors(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        return Response(RegionDetailSerializer(queries.region_get_public(slug=slug)).data)


# --- Territories (KATOTTG) ------------------------------------------------------------


class TerritoryListView(ApiView):
    permission_classes = [AllowAny]
    pagination_class = PagePagination

    @extend_schema(
        operation_id="territories_list",
        tags=["territories"],
        summary="Find settlements, or list territories",
        description=(
            "With `q`: settlements matching the words, best first, at most `limit` of them on one page "
            "(each with `score` and `exact`). Without `q`: territories in code order, filtered by "
            "`level` and `parent`, page by page."
        ),
        parameters=[TerritoryListQuerySerializer, LANG],
        responses={200: TerritoryMatchSerializer(many=True), **_errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = TerritoryListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        level, parent = params.get("level", ""), params.get("parent")
        text = params.get("q", "").strip()
        if text:
            matches = queries.territory_search(text, limit=params["limit"], level=level, parent=parent)
            context = self.context(matches={m.territory.pk: (m.score, m.exact) for m in matches})
            data = TerritoryMatchSerializer([m.territory for m in matches], many=True, context=context).data
            return Response({"count": len(data), "next": None, "previous": None, "results": data})
        page = self.paginate_queryset(queries.territory_list(level=level, parent=parent)) or []
        return self.get_paginated_response(TerritoryMatchSerializer(page, many=True).data)


class TerritoryDetailView(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="territories_retrieve",
        tags=["territories"],
        summary="One territory with its oblast, raion and hromada",
        parameters=[LANG],
        responses={200: TerritoryDetailSerializer, **_errors(404)},
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(TerritoryDetailSerializer(queries.territory_get(code=code)).data)
