"""What the endpoints of /api/v1/consultations/ share: staff only (the people of a centre see and
log its entries; regional coordinators and network administrators see their regions' or every
centre's), an entry as the API shows it, and the query parameters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cipnet.accounts.scopes import scope_for
from cipnet.api.base import ApiView, request_actor
from cipnet.consultations import selectors
from cipnet.consultations.api.serializers import ConsultationSerializer
from cipnet.core import clock


def today() -> dt.date:
    return clock.local(clock.now()).date()


class IsStaffMember(BasePermission):
    """The log is for the staff: people of a centre, regional coordinators, network administrators."""

    message = _("Only the staff of centres, regional coordinators and network administrators can use the log.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return scope_for(request.user).is_staff_member


class ConsultationApiView(ApiView):
    permission_classes = [IsAuthenticated, IsStaffMember]

    def consultation_response(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        c = selectors.consultation_get_for_user(user=request_actor(self.request), pk=pk, details=True)
        data = ConsultationSerializer(c, context=self.context()).data
        headers = {"Location": data["url"]} if code == status.HTTP_201_CREATED else None
        return Response(data, status=code, headers=headers)

    def query(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        query = serializer_class(data=self.request.query_params, context=self.context())
        query.is_valid(raise_exception=True)
        return dict(query.validated_data)
