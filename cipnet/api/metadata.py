"""What OPTIONS answers on every endpoint: its name, description and media types.

DRF's default also describes each write's fields by building the view's serializer, which fails on
views that take their input through a serializer chosen per method (or none: an action's body is
empty) and would need the request's objects for the others. The OpenAPI document (`/api/v1/schema/`)
is where the fields of every input are described, so OPTIONS does not repeat them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request

if TYPE_CHECKING:  # rest_framework.views imports the metadata class named in the settings
    from rest_framework.views import APIView


class ApiMetadata(SimpleMetadata):
    def determine_metadata(self, request: Request, view: APIView) -> dict[str, Any]:
        metadata = super().determine_metadata(request, view)
        metadata["schema"] = reverse("api:schema")
        return metadata

    def determine_actions(self, request: Request, view: APIView) -> dict[str, Any]:
        return {}
