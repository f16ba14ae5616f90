"""Programme results for everyone: the public programmes, each with its logframe, and its open data
table (`cipnet.results.opendata`: counts from 1 to 4, and what would give them away, suppressed). Only
programmes made public are there; any other code is a 404."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from cipnet.api.base import LANG, ApiView, error_responses
from cipnet.api.fields import StrictInputSerializer
from cipnet.api.pagination import PagePagination
from cipnet.core import pagecache
from cipnet.results import opendata, selectors
from cipnet.results.models import Indicator, Programme, Result


def _absolute(request: Request | None, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class ProgrammeQuerySerializer(StrictInputSerializer):
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=PagePagination.max_page_size)
    lang = serializers.CharField(required=False)


class FigureQuerySerializer(ProgrammeQuerySerializer):
    indicator = serializers.CharField(required=False, max_length=20, help_text="An indicator's code, e.g. R3.2.")
    period_type = serializers.ChoiceField(choices=[opendata.MONTH, opendata.PROGRAMME], required=False)
    scope = serializers.ChoiceField(choices=[opendata.NETWORK, opendata.REGION, opendata.CENTRE], required=False)
    scope_code = serializers.CharField(
        required=False, max_length=120, help_text="A region's KATOTTG code or a centre's address."
    )
    dimension = serializers.ChoiceField(choices=[opendata.TOTAL, *map(str, opendata.PEOPLE)], required=False)


class DataLinksSerializer(serializers.Serializer):
    csv = serializers.URLField()
    json = serializers.URLField()
    datapackage = serializers.URLField()
    dcat_turtle = serializers.URLField()
    dcat_jsonld = serializers.URLField()


class ProgrammeListItemSerializer(serializers.Serializer):
    code = serializers.SlugField()
    title = serializers.CharField(source="display_title")
    donor = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    page = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_page(self, obj: Programme) -> str:
        return _absolute(self.context.get("request"), reverse("results_public:public", args=[obj.code]))

    def get_url(self, obj: Programme) -> str:
        return _absolute(self.context.get("request"), reverse("api:results-programme-detail", args=[obj.code]))


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField(source="display_title")
    measure = serializers.CharField()
    direction = serializers.CharField()
    aggregation = serializers.CharField()
    baseline = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    target = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    computed = serializers.SerializerMethodField(help_text="Counted by CIPnet (in the open data table).")

    def get_computed(self, obj: Indicator) -> bool:
        return obj.pk in self.context.get("computed", set())


class ResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    level = serializers.CharField()
    title = serializers.CharField(source="display_title")
    part_of = serializers.SerializerMethodField()
    indicators = serializers.SerializerMethodField()

    def get_part_of(self, obj: Result) -> str | None:
        return obj.parent.code if obj.parent is not None else None

    def get_indicators(self, obj: Result) -> list[dict[str, Any]]:
        items = sorted(obj.indicators.all(), key=lambda i: (i.position, i.code))
        return IndicatorSerializer(items, many=True, context=self.context).data  # type: ignore[return-value]


class ProgrammeDetailSerializer(ProgrammeListItemSerializer):
    funding_programme = serializers.CharField()
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    results = serializers.SerializerMethodField()
    figures = serializers.SerializerMethodField()
    data = serializers.SerializerMethodField()  # type: ignore[assignment]  # a declared field, not Serializer.data

    def get_results(self, obj: Programme) -> list[dict[str, Any]]:
        results = obj.results.select_related("parent").prefetch_related("indicators").order_by("position", "code")
        return ResultSerializer(results, many=True, context=self.context).data  # type: ignore[return-value]

    def get_figures(self, obj: Programme) -> str:
        return _absolute(self.context.get("request"), reverse("api:results-programme-figures", args=[obj.code]))

    @extend_schema_field(DataLinksSerializer)
    def get_data(self, obj: Programme) -> dict[str, str]:
        request = self.context.get("request")
        names = {
            "csv": "data_csv",
            "json": "data_json",
            "datapackage": "datapackage",
            "dcat_turtle": "dcat_ttl",
            "dcat_jsonld": "dcat_jsonld",
        }
        return {
            key: _absolute(request, reverse(f"results_public:{name}", args=[obj.code])) for key, name in names.items()
        }


class FigureSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    indicator_title = serializers.CharField()
    period_type = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    scope = serializers.CharField()
    scope_code = serializers.CharField(help_text="A region's KATOTTG code, a centre's address; empty for the network.")
    scope_name = serializers.CharField()
    dimension = serializers.CharField()
    category = serializers.CharField()
    count = serializers.IntegerField(allow_null=True, help_text="Null when suppressed, or for a ratio.")
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    ratio = serializers.DecimalField(max_digits=14, decimal_places=3, allow_null=True, coerce_to_string=True)
    ratio_unit = serializers.CharField()
    suppressed = serializers.BooleanField(help_text="A count from 1 to 4, or one that would give it away.")


class ProgrammeListView(ApiView):
    permission_classes = [AllowAny]
    pagination_class = PagePagination

    @extend_schema(
        operation_id="results_programmes_list",
        tags=["results"],
        summary="Programmes whose results are public",
        parameters=[ProgrammeQuerySerializer, LANG],
        responses={200: ProgrammeListItemSerializer(many=True), **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        ProgrammeQuerySerializer(data=request.query_params).is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.programme_list_public()) or []
        return self.get_paginated_response(ProgrammeListItemSerializer(page, many=True, context=self.context()).data)


class ProgrammeDetailView(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="results_programmes_retrieve",
        tags=["results"],
        summary="A public programme: its results and indicators",
        description="The logframe; the figures are in `figures` (small counts suppressed) and the open data files.",
        parameters=[LANG],
        responses={200: ProgrammeDetailSerializer, **error_responses(400, 404)},
    )
    def get(self, request: Request, code: str) -> Response:
        programme = selectors.programme_get_public(code=code)
        computed = {i.pk for i in selectors.open_data_indicators(programme)}
        return Response(ProgrammeDetailSerializer(programme, context=self.context(computed=computed)).data)


class FigureListView(ApiView):
    permission_classes = [AllowAny]
    pagination_class = PagePagination

    @extend_schema(
        operation_id="results_programmes_figures_list",
        tags=["results"],
        summary="A public programme's figures (open data)",
        description=(
            "One row per indicator, period (each month, and the whole programme), scope (the network, a region, "
            "a centre) and dimension (the total, and each band of age, gender and settlement type). A count "
            "from 1 to 4 is never shown, nor one that would give it away: it is null with `suppressed` true."
        ),
        parameters=[FigureQuerySerializer, LANG],
        responses={200: FigureSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, code: str) -> Response:
        query = FigureQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = {
            key: value
            for key, value in query.validated_data.items()
            if key in ("indicator", "period_type", "scope", "scope_code", "dimension")
        }
        programme = selectors.programme_get_public(code=code)

        def page() -> Any:
            rows = [r for r in selectors.open_data_rows(programme) if all(r[k] == v for k, v in wanted.items())]
            found = self.paginate_queryset(rows) or []
            return self.get_paginated_response(FigureSerializer(found, many=True).data).data

        return Response(pagecache.shared_data(request, page))
