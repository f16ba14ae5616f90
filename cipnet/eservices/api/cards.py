"""/api/v1/services/: the e-service catalogue. Public reads, search and autocomplete; writes for the
people who curate the catalogue (regional coordinators and network administrators).

Every write goes through `eservices.services.card_create` / `card_update`, so each change is
versioned and re-indexed exactly as an edit in the staff form is. Input and output schemas are
separate classes (`inputs.py`, `serializers.py`), as in `cipnet.directory.api.serializers`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cipnet.api.base import LANG, ApiView, error_responses, request_actor
from cipnet.api.pagination import PagePagination
from cipnet.core import pagecache
from cipnet.eservices import search, services
from cipnet.eservices.api.inputs import (
    AUTOCOMPLETE_LIMIT,
    AUTOCOMPLETE_MIN_LENGTH,
    AutocompleteQuerySerializer,
    CardListQuerySerializer,
    CardWriteSerializer,
    card_service_fields,
)
from cipnet.eservices.api.serializers import (
    AutocompleteSerializer,
    CardDetailSerializer,
    CardListItemSerializer,
    card_url,
)
from cipnet.eservices.models import (
    ServiceCard,
)
from cipnet.eservices.selectors import (
    CardFilters,
    card_get_for_edit,
    card_get_for_user,
    card_list_public,
    is_catalogue_editor,
)

#: The most results a search (`q`) returns, over all pages.
SEARCH_LIMIT = 100


# --- Views ---------------------------------------------------------------------------------------


class CanEditCatalogue(BasePermission):
    """Writes need a role that curates the catalogue: regional coordinator or network administrator."""

    message = gettext_lazy("Only regional coordinators and network administrators can change the catalogue.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return is_catalogue_editor(request.user)


class ServiceApiView(ApiView):
    permission_classes = [IsAuthenticatedOrReadOnly, CanEditCatalogue]

    def card_response(self, card: ServiceCard, code: int = status.HTTP_200_OK) -> Response:
        fresh = card_get_for_user(user=self.request.user, identifier=card.identifier)
        data = CardDetailSerializer(fresh, context=self.context(today=_today())).data
        headers = {"Location": data["url"]} if code == status.HTTP_201_CREATED else None
        return Response(data, status=code, headers=headers)


def _today() -> dt.date:
    return timezone.localdate()


class CardListView(ServiceApiView):
    pagination_class = PagePagination

    @extend_schema(
        operation_id="services_list",
        tags=["services"],
        summary="Find e-services",
        description=(
            "Public service cards (withdrawn ones are left out). With `q`: the best matches first, each with "
            "`score` and the `matched` words per field. Without `q`: the most asked first. Filters combine."
        ),
        parameters=[CardListQuerySerializer, LANG],
        responses={200: CardListItemSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = CardListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = CardFilters.from_data(query.validated_data)

        def page() -> Any:
            if not filters.text:
                cards = self.paginate_queryset(card_list_public(filters)) or []
                return self.get_paginated_response(
                    CardListItemSerializer(cards, many=True, context=self.context()).data
                ).data
            result = search.search(filters.text, limit=SEARCH_LIMIT, filters=filters)
            hits: Sequence[search.Hit] = self.paginate_queryset(result.hits) or []
            found = [hit.card for hit in hits]
            prefetch_related_objects(found, "categories", "life_events")
            context = self.context(hits={hit.card.pk: hit for hit in hits})
            return self.get_paginated_response(CardListItemSerializer(found, many=True, context=context).data).data

        # The same page for every visitor who is not signed in, while the catalogue is unchanged.
        return Response(pagecache.shared_data(request, page))

    @extend_schema(
        operation_id="services_create",
        tags=["services"],
        summary="Add a service card",
        description="Regional coordinators and network administrators. The first version of the card is recorded.",
        parameters=[LANG],
        request=CardWriteSerializer,
        responses={201: CardDetailSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        actor = request_actor(request)
        serializer = CardWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields, comment = card_service_fields(serializer.validated_data)
        card = services.card_create(actor=actor, comment=comment, **fields)
        return self.card_response(card, status.HTTP_201_CREATED)


class CardDetailView(ServiceApiView):
    @extend_schema(
        operation_id="services_retrieve",
        tags=["services"],
        summary="One service card",
        description="Public cards for everyone; the catalogue's editors also see withdrawn ones.",
        parameters=[LANG],
        responses={200: CardDetailSerializer, **error_responses(404)},
    )
    def get(self, request: Request, identifier: str) -> Response:
        card = card_get_for_user(user=request.user, identifier=identifier)
        return Response(CardDetailSerializer(card, context=self.context(today=_today())).data)

    @extend_schema(
        operation_id="services_update",
        tags=["services"],
        summary="Change a service card",
        description=(
            "Only the fields sent are changed; a list, when sent, replaces the card's list. A change is recorded "
            "as a new version of the card (nothing is recorded when nothing changed)."
        ),
        parameters=[LANG],
        request=CardWriteSerializer,
        responses={200: CardDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request: Request, identifier: str) -> Response:
        actor = request_actor(request)
        card = card_get_for_edit(identifier=identifier)
        serializer = CardWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields, comment = card_service_fields(serializer.validated_data)
        card = services.card_update(actor=actor, card=card, comment=comment, **fields)
        return self.card_response(card)


class AutocompleteView(ServiceApiView):
    @extend_schema(
        operation_id="services_autocomplete",
        tags=["services"],
        summary="Cards as a consultant types",
        description=(
            f"At most {AUTOCOMPLETE_LIMIT} public cards, best first; the last word may be unfinished. Fewer than "
            f"{AUTOCOMPLETE_MIN_LENGTH} letters give no results. The `Server-Timing` header says how long the "
            "search took."
        ),
        parameters=[AutocompleteQuerySerializer, LANG],
        responses={200: AutocompleteSerializer, **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        query = AutocompleteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        text: str = query.validated_data.get("q", "")
        started = time.perf_counter()
        hits = search.autocomplete(text, limit=query.validated_data["limit"]) if len(text.strip()) >= 2 else []
        elapsed = (time.perf_counter() - started) * 1000
        results = [
            {
                "identifier": hit.card.identifier,
                "name": hit.card.display_name,
                "provider": hit.card.provider.display_name,
                "url": card_url(request, hit.card.identifier),
            }
            for hit in hits
        ]
        response = Response(AutocompleteSerializer({"results": results}).data)
        response["Server-Timing"] = f"search;dur={elapsed:.1f}"
        return response
