"""Serializer parts every API module shares: the error body's schema, strict input, named choice
sets, fields called by Python keywords, and content negotiation for file exports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

# --- Errors -------------------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Machine-readable code, e.g. “invalid”, “not_found”."))
    message = serializers.CharField(help_text=_("What went wrong, for people."))
    fields = serializers.DictField(  # type: ignore[assignment]  # a declared field, not Serializer.fields
        child=serializers.JSONField(),
        required=False,
        help_text=_(
            "Messages per input field (a list of strings; for a list field, an object of messages per item index)."
        ),
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


# --- Small output parts -----------------------------------------------------------------


class CodeLabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


# --- Input ----------------------------------------------------------------------------------


class StrictInputSerializer(serializers.Serializer):
    """Input that refuses keys it does not know, naming each, together with the other field errors."""

    default_error_messages = {"unknown_field": _("Unknown field.")}

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        unknown = sorted(str(key) for key in data if key not in self.fields) if isinstance(data, Mapping) else []
        errors: dict[str, Any] = {}
        value: dict[str, Any] = {}
        try:
            value = dict(super().to_internal_value(data))
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            errors.update(exc.detail)
        for key in unknown:
            errors[key] = [self.error_messages["unknown_field"]]
        if errors:
            raise serializers.ValidationError(errors)
        return value


class RenamedFields:
    # Query and output fields named "from" (a Python keyword) are declared as "from_". A comment,
    # not a docstring: the schema would show a docstring as every such serializer's description.

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = super().get_fields()  # type: ignore[misc]
        return {key.removesuffix("_"): field for key, field in fields.items()}


# --- Choice sets with their own schema component --------------------------------------------


class NamedChoiceField(serializers.ChoiceField):
    """A choice set with its own schema component (`CardKindEnum`, …): several models give the
    field names "kind", "level" and "status" to different choice sets."""

    choices_enum: ClassVar[type[models.TextChoices]]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=self.choices_enum.choices, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "cipnet.api.fields.NamedChoiceField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        choices = self.target.choices_enum
        component = ResolvedComponent(
            name=f"{choices.__name__}Enum",
            type=ResolvedComponent.SCHEMA,
            object=choices,
            schema={
                "type": "string",
                "enum": list(choices.values),
                "description": "\n".join(f"* `{value}` - {label}" for value, label in choices.choices),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


# --- File exports -------------------------------------------------------------------------


class AnyAccept(BaseContentNegotiation):
    """An export is one format whatever the client accepts (curl, a browser, a harvester);
    refusals are JSON, rendered by the view's only renderer."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type
