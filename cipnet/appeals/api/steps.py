"""`POST /reception/cases/{id}/{step}/`: one step of a case, each calling its service
(`appeals.workflow` says which step the caller may take now)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from cipnet.accounts.models import User
from cipnet.api.base import LANG, error_responses, request_actor
from cipnet.api.fields import StrictInputSerializer
from cipnet.appeals import attachments, selectors, services
from cipnet.appeals.api.cases import ReceptionApiView, conflict_responses
from cipnet.appeals.api.serializers import (
    AnswerInputSerializer,
    AskInputSerializer,
    AssignInputSerializer,
    CaseDetailSerializer,
    ClarifyInputSerializer,
    ForwardInputSerializer,
    NoInputSerializer,
    ReasonInputSerializer,
    RecordAnswerInputSerializer,
    RegisterInputSerializer,
)
from cipnet.appeals.models import (
    Appeal,
)


class CaseStepView(ReceptionApiView):
    """One step of a case. A case the caller may not see is a 404, whatever the step."""

    permission_classes = [IsAuthenticated]
    input_class: ClassVar[type[StrictInputSerializer]] = NoInputSerializer

    def run(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        appeal = selectors.appeal_get_for_user(user=actor, pk=pk)
        serializer = self.input_class(data=request.data, context=self.context(appeal=appeal))
        serializer.is_valid(raise_exception=True)
        self.perform(actor, appeal, serializer.validated_data)
        return self.case_response(appeal.pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        raise NotImplementedError


def _step_schema(name: str, summary: str, description: str, request: Any = None) -> Any:
    return extend_schema(
        operation_id=f"reception_cases_{name.replace('-', '_')}",
        tags=["reception"],
        summary=summary,
        description=description,
        parameters=[LANG],
        request=request,
        responses={200: CaseDetailSerializer, **error_responses(400, 401, 404), **conflict_responses()},
    )


class CaseSubmitView(CaseStepView):
    @_step_schema("submit", "Send a draft", "The author. The case gets its number and its term.")
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_submit(actor=actor, appeal=appeal)


class CaseRegisterView(CaseStepView):
    input_class = RegisterInputSerializer

    @_step_schema("register", "Register", "An official of the authority, for a sent case.", RegisterInputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_register(
            actor=actor,
            appeal=appeal,
            registration_number=data["registration_number"],
            registered_on=data["registered_on"],
        )


class CaseTakeView(CaseStepView):
    @_step_schema("take", "Take into consideration", "An official; they become its handler unless one is named.")
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_take(actor=actor, appeal=appeal)


class CaseAssignView(CaseStepView):
    input_class = AssignInputSerializer

    @_step_schema("assign", "Assign to an official", "An official of the authority.", AssignInputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_assign(actor=actor, appeal=appeal, assignee=data["assignee"])


class CaseNoStudyView(CaseStepView):
    @_step_schema(
        "no-study",
        "No additional study: 15 days",
        "An official, for an appeal with the one-month term, while 15 days since receipt have not passed.",
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_mark_no_study(actor=actor, appeal=appeal)


class CaseExtendView(CaseStepView):
    input_class = ReasonInputSerializer

    @_step_schema(
        "extend",
        "Extend the term",
        "An appeal: the head of the authority, to 45 days in all. A request for information: an official, to "
        "20 working days, within the first 5 working days (not an urgent one).",
        ReasonInputSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_extend(actor=actor, appeal=appeal, reason=data["reason"])


class CaseForwardView(CaseStepView):
    input_class = ForwardInputSerializer

    @_step_schema(
        "forward",
        "Forward to the competent body",
        "An official. The case becomes “forwarded”; a new case is opened at the other authority, whose term "
        "starts now. Answers with this case (its `forwarded_to` names the new one).",
        ForwardInputSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_forward(actor=actor, appeal=appeal, to=data["to"], reason=data["reason"])


class CaseAskView(CaseStepView):
    input_class = AskInputSerializer

    @_step_schema("ask", "Ask the author for clarification", "An official. The term keeps running.", AskInputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_ask(actor=actor, appeal=appeal, question=data["question"])


class CaseClarifyView(CaseStepView):
    input_class = ClarifyInputSerializer

    @_step_schema("clarify", "Give the clarification", "The author, when asked.", ClarifyInputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_clarify(actor=actor, appeal=appeal, text=data["text"])


class CaseAnswerView(CaseStepView):
    input_class: ClassVar[type[StrictInputSerializer]] = AnswerInputSerializer
    parser_classes = [JSONParser, MultiPartParser]
    #: An answer that came outside CIPnet, entered with its scan (`record-answer`).
    recorded: ClassVar[bool] = False

    @_step_schema(
        "answer",
        "Give the answer",
        "An official of the authority. JSON, or multipart/form-data to attach the authority's documents (`files`).",
        {"application/json": AnswerInputSerializer, "multipart/form-data": AnswerInputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_answer(
            actor=actor,
            appeal=appeal,
            outcome=data["outcome"],
            text=data["text"],
            uploads=attachments.uploads_of(data.get("files") or []),
            recorded=self.recorded,
            channel=data.get("channel", ""),
        )


class CaseRecordAnswerView(CaseAnswerView):
    input_class = RecordAnswerInputSerializer
    parser_classes = [MultiPartParser]
    recorded = True

    @_step_schema(
        "record-answer",
        "Record an answer received by post or e-mail",
        "An official of the authority, or the author: the answer that came outside CIPnet, with the scanned letter.",
        {"multipart/form-data": RecordAnswerInputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)


class CaseCloseView(CaseStepView):
    @_step_schema("close", "Close", "The author or an official, once answered.")
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_close(actor=actor, appeal=appeal)


class CaseWithdrawView(CaseStepView):
    @_step_schema("withdraw", "Withdraw", "The author, while the case is a draft or still open.")
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_withdraw(actor=actor, appeal=appeal)
