"""The base of every /api/v1/ endpoint: JSON only, token or session auth, `?lang=`, one error body.

Domain apps build their endpoints on `ApiView`; the kit knows users, never a domain.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.template.response import SimpleTemplateResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import BasePagination
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from cipnet.accounts.models import User
from cipnet.api.authentication import CipnetTokenAuthentication
from cipnet.api.fields import ErrorSerializer
from cipnet.api.metadata import ApiMetadata
from cipnet.core.i18n import CONTENT_LANGUAGES

API_LANGUAGES = CONTENT_LANGUAGES

LANG = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=list(API_LANGUAGES),
    description="Language of names and sentences in the response; without it, the Accept-Language header decides.",
)


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented refusals of an endpoint, for `extend_schema(responses=...)`."""
    descriptions = {
        400: "The input is not valid; `fields` names each wrong field.",
        401: "Not signed in (send a session cookie or `Authorization: Token …`).",
        403: "Signed in, but this role may not do this.",
        404: "Not found, or outside what this account may see.",
        429: "Too many for now (e.g. new cases an hour); `Retry-After` gives the seconds to wait.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in codes}


class ApiView(GenericAPIView):
    # JSON only; token or session auth (session writes need the CSRF token, DRF checks it);
    # `?lang=`; the project's error body for every refusal. Token comes first so that an
    # anonymous write is answered 401 with `WWW-Authenticate: Token`.

    authentication_classes = [CipnetTokenAuthentication, SessionAuthentication]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    pagination_class: type[BasePagination] | None = None
    metadata_class = ApiMetadata  # OPTIONS: no serializer is built for it (see the module)

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

    def context(self, **extra: Any) -> dict[str, Any]:
        return {"request": self.request, "view": self, **extra}


def request_actor(request: Request) -> User:
    """The signed-in user of the request; 401 for an anonymous one."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user
