"""/api/v1/ centres, regions and territories: thin endpoints. Parse input, call one selector or
service, render."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from cipnet.api.base import LANG, ApiView, error_responses, request_actor
from cipnet.api.pagination import PagePagination
from cipnet.core import clock, pagecache
from cipnet.directory import selectors, services
from cipnet.directory.api.permissions import CanCreateCentres
from cipnet.directory.api.serializers import (
    CentreDetailSerializer,
    CentreListItemSerializer,
    CentreListQuerySerializer,
    CentreWriteSerializer,
    RegionDetailSerializer,
    RegionSerializer,
    TerritoryDetailSerializer,
    TerritoryListQuerySerializer,
    TerritoryMatchSerializer,
)
from cipnet.directory.models import Centre
from cipnet.directory.selectors import CentreFilters


class CentreApiView(ApiView):
    def centre_response(self, centre: Centre, code: int = status.HTTP_200_OK) -> Response:
        moment = clock.now()
        centre = selectors.centre_detail(pk=centre.pk, moment=moment)
        data = CentreDetailSerializer(centre, context=self.context(moment=moment)).data
        headers = {"Location": data["url"]} if code == status.HTTP_201_CREATED else None
        return Response(data, status=code, headers=headers)


# --- Centres ----------------------------------------------------------------------------


class CentreListView(CentreApiView):
    permission_classes = [IsAuthenticatedOrReadOnly, CanCreateCentres]
    pagination_class = PagePagination

    @extend_schema(
        operation_id="centres_list",
        tags=["centres"],
        summary="Find centres",
        parameters=[CentreListQuerySerializer, LANG],
        responses={200: CentreListItemSerializer(many=True), **error_responses(400, 404)},
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
        near = params.get("near")

        def page() -> Any:
            moment = clock.now()
            if near is None:
                source = selectors.centre_list_page_source(filters, moment=moment)
                centres = self.paginate_queryset(cast("Sequence[Centre]", source))
                context = self.context(moment=moment)
            else:
                pairs = selectors.centres_near_public(filters, latitude=near[0], longitude=near[1], moment=moment)
                found = self.paginate_queryset(pairs) or []
                centres = selectors.centres_with_schedules([centre for centre, _km in found], moment=moment)
                context = self.context(moment=moment, distances={centre.pk: km for centre, km in found})
            return self.get_paginated_response(
                CentreListItemSerializer(centres or [], many=True, context=context).data
            ).data

        # The same page for every visitor who is not signed in, while the centres are unchanged.
        return Response(pagecache.shared_data(request, page))

    @extend_schema(
        operation_id="centres_create",
        tags=["centres"],
        summary="Add a centre",
        description="Network administrators anywhere; regional coordinators in their regions.",
        parameters=[LANG],
        request=CentreWriteSerializer,
        responses={201: CentreDetailSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        actor = request_actor(request)
        serializer = CentreWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        features = fields.pop("features", ())
        created = services.centre_create(actor=actor, features=features, **fields)
        return self.centre_response(created, status.HTTP_201_CREATED)


class CentreDetailView(CentreApiView):
    permission_classes = [IsAuthenticatedOrReadOnly, CanCreateCentres]

    @extend_schema(
        operation_id="centres_retrieve",
        tags=["centres"],
        summary="One centre",
        description="Public centres for everyone; staff also see the other centres in their scope.",
        parameters=[LANG],
        responses={200: CentreDetailSerializer, **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        moment = clock.now()
        centre = selectors.centre_get_visible(slug=slug, user=request.user, moment=moment)
        return Response(CentreDetailSerializer(centre, context=self.context(moment=moment)).data)

    @extend_schema(
        operation_id="centres_update",
        tags=["centres"],
        summary="Change a centre",
        description="Only the fields sent are changed; `features`, when sent, replaces the list.",
        parameters=[LANG],
        request=CentreWriteSerializer,
        responses={200: CentreDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request: Request, slug: str) -> Response:
        actor = request_actor(request)
        centre = selectors.centre_get_for_edit(slug=slug, user=actor)
        serializer = CentreWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        features = fields.pop("features", None)
        services.centre_update(actor=actor, centre=centre, features=features, **fields)
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
        return Response(RegionSerializer(selectors.region_list_public(), many=True).data)


class RegionDetailView(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="regions_retrieve",
        tags=["regions"],
        summary="One region with its coordination offices",
        parameters=[LANG],
        responses={200: RegionDetailSerializer, **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        return Response(RegionDetailSerializer(selectors.region_get_public(slug=slug)).data)


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
        responses={200: TerritoryMatchSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = TerritoryListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        level, parent = params.get("level", ""), params.get("parent")
        text = params.get("q", "").strip()
        if text:
            matches = selectors.territory_search(text, limit=params["limit"], level=level, parent=parent)
            context = self.context(matches={m.territory.pk: (m.score, m.exact) for m in matches})
            data = TerritoryMatchSerializer([m.territory for m in matches], many=True, context=context).data
            return Response({"count": len(data), "next": None, "previous": None, "results": data})
        page = self.paginate_queryset(selectors.territory_list(level=level, parent=parent)) or []
        return self.get_paginated_response(TerritoryMatchSerializer(page, many=True).data)


class TerritoryDetailView(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="territories_retrieve",
        tags=["territories"],
        summary="One territory with its oblast, raion and hromada",
        parameters=[LANG],
        responses={200: TerritoryDetailSerializer, **error_responses(404)},
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(TerritoryDetailSerializer(selectors.territory_get_detail(code=code)).data)
