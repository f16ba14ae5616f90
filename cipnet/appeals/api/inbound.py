"""`POST /reception/inbound-mail/`: a mail provider delivers a reply to a case's address
(`appeals.ingest`), authenticated by the shared secret in `X-CIPnet-Mail-Secret`."""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from cipnet.accounts import throttle
from cipnet.api.base import error_responses
from cipnet.api.fields import ErrorSerializer
from cipnet.appeals.api.cases import ReceptionApiView
from cipnet.appeals.api.serializers import CaseChoiceField
from cipnet.appeals.ingest import MAX_MESSAGE_BYTES, IngestStatus, ingest_message

#: Wrong secrets one client address may send in the window before it is answered 429.
WRONG_SECRETS_PER_WINDOW = 10
WRONG_SECRET_WINDOW_SECONDS = 600
MAIL_SECRET_HEADER = "X-CIPnet-Mail-Secret"  # noqa: S105 — the header's name, not a secret


class InboundMailStatusField(CaseChoiceField):
    options = [
        (IngestStatus.FILED.value, _("Filed to the case.")),
        (IngestStatus.DUPLICATE.value, _("Filed to the case before; nothing new.")),
        (IngestStatus.UNMATCHED.value, _("No case address among the recipients; nothing filed.")),
        (IngestStatus.TOO_LARGE.value, _("Too large; nothing filed.")),
    ]
    component = "InboundMailStatusEnum"


class InboundMailResultSerializer(serializers.Serializer):
    status = InboundMailStatusField()
    case = serializers.CharField(allow_null=True, help_text=_("The case's number, when filed."))
    stored = serializers.ListField(child=serializers.CharField(), help_text=_("Files stored with the message."))
    refused = serializers.ListField(
        child=serializers.CharField(), help_text=_("Why each refused file was refused; the message is filed anyway.")
    )


class RawMessageParser(BaseParser):
    """The raw RFC 822 message, as bytes (at most MAX_MESSAGE_BYTES)."""

    media_type = "message/rfc822"

    def parse(  # type: ignore[override]  # the body as it came, not a mapping
        self, stream: Any, media_type: str | None = None, parser_context: Any = None
    ) -> bytes:
        data = stream.read(MAX_MESSAGE_BYTES + 1) if stream is not None else b""
        if len(data) > MAX_MESSAGE_BYTES:
            raise exceptions.ValidationError({"message": [_("The message is too large.")]})
        return bytes(data)


class OctetStreamMessageParser(RawMessageParser):
    media_type = "application/octet-stream"


MAIL_SECRET_PARAMETER = OpenApiParameter(
    MAIL_SECRET_HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description="The shared secret (setting CIPNET_INBOUND_MAIL_SECRET).",
)


class InboundMailView(ReceptionApiView):
    # The mail provider authenticates with the shared secret, not as a user: no session (so no CSRF),
    # and no per-address limit on deliveries (a provider delivers in bursts from few addresses); only
    # wrong secrets are counted per address.
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    parser_classes = [RawMessageParser, OctetStreamMessageParser]

    @extend_schema(
        operation_id="reception_inbound_mail",
        tags=["reception"],
        summary="Deliver an e-mail to a case's reply address",
        description=(
            "For the mail provider: the raw RFC 822 message as the body. It is filed to the case whose address "
            "(case-…@the reply domain) is among its recipients, with its files (those of an accepted kind). "
            "Delivering the same message again files nothing new. Answers 200 also when no case matched "
            "(`status` says so), so that the provider does not retry. 404 while no secret is configured."
        ),
        parameters=[MAIL_SECRET_PARAMETER],
        request={
            "message/rfc822": OpenApiTypes.BINARY,
            "application/octet-stream": OpenApiTypes.BINARY,
        },
        responses={
            200: InboundMailResultSerializer,
            **error_responses(400),
            403: OpenApiResponse(ErrorSerializer, description="The secret header is missing or wrong."),
            404: OpenApiResponse(ErrorSerializer, description="No secret is configured: the webhook is off."),
            415: OpenApiResponse(ErrorSerializer, description="Send message/rfc822 or application/octet-stream."),
            429: OpenApiResponse(
                ErrorSerializer, description="Too many wrong secrets from this address: wait (`Retry-After`)."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        secret = str(getattr(settings, "CIPNET_INBOUND_MAIL_SECRET", "") or "")
        if not secret:
            raise Http404
        # Wrong secrets are counted per client address (the product's one, see core.client): an address
        # that keeps guessing is stopped, even when a guess would be right; the provider is unaffected.
        address = throttle.client_ip(request)
        if throttle.rate_limit_reached(scope="mail-secret", ip=address, limit=WRONG_SECRETS_PER_WINDOW):
            raise exceptions.Throttled(wait=WRONG_SECRET_WINDOW_SECONDS)
        given = request.headers.get(MAIL_SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            throttle.hit_rate_limit(
                scope="mail-secret",
                ip=address,
                limit=WRONG_SECRETS_PER_WINDOW,
                window_seconds=WRONG_SECRET_WINDOW_SECONDS,
            )
            raise exceptions.PermissionDenied(_("The mail secret is missing or wrong."))
        raw = request.data if isinstance(request.data, bytes) else b""
        if not raw.strip():
            raise exceptions.ValidationError({"message": [_("Send the raw e-mail message as the request body.")]})
        result = ingest_message(raw)
        data = {
            "status": result.status.value,
            "case": result.number if result.status in (IngestStatus.FILED, IngestStatus.DUPLICATE) else None,
            "stored": list(result.stored),
            "refused": list(result.refused),
        }
        return Response(InboundMailResultSerializer(data).data)
