"""The reception for staff: officials' inbox and case workspace; consultants filing cases for
library visitors and following them."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.appeals import attachments, selectors, services
from cipnet.appeals.forms import (
    AssignForm,
    CaseForm,
    ForwardForm,
    OfficialAnswerForm,
    OnBehalfForm,
    QuestionForm,
    ReasonForm,
    RecordAnswerForm,
    RegisterForm,
    TextForm,
)
from cipnet.appeals.models import Appeal, Status
from cipnet.appeals.views_public import KIND_SLUGS, save_case
from cipnet.appeals.workflow import STEPS, Party, available_steps
from cipnet.core.clock import local, now
from cipnet.core.errors import InvalidTransition, TooManyRequests, put_errors
from cipnet.directory.models import Centre

#: The cases filed at the consultant's centres (sent), and their drafts.
FILED = selectors.CaseFilters(status="sent", centres=True)
FILED_DRAFTS = selectors.CaseFilters(status=Status.DRAFT, centres=True, order="edited")


def _staff_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _staff_user(request)
    is_official = selectors.is_official(user)
    scope = scope_for(user)
    if not is_official and not scope.centre_ids:
        raise Http404
    f = selectors.CaseFilters(
        status=request.GET.get("status", "open"),
        kind=request.GET.get("kind", ""),
        due=request.GET.get("due", ""),
        mine=request.GET.get("mine") == "1",
        text=request.GET.get("q", "").strip()[:60],
        inbox=True,
        order="urgent",
    )
    cases: list[Appeal] = list(selectors.case_list_visible_to(user=user, filters=f)[:300]) if is_official else []
    moment = now()
    rows = [(c, selectors.due_info(c, moment)) for c in cases]
    filed = []
    if scope.centre_ids:
        filed = [
            (c, selectors.due_info(c, moment)) for c in selectors.case_list_visible_to(user=user, filters=FILED)[:100]
        ]
    return render(
        request,
        "appeals/staff_inbox.html",
        {
            "rows": rows,
            "filed": filed,
            "f": f,
            "is_official": is_official,
            "can_file": bool(scope.centre_ids),
            "statuses": [("open", None)] + [(s.value, s.label) for s in Status if s != Status.DRAFT],
            "drafts": selectors.case_list_visible_to(user=user, filters=FILED_DRAFTS)[:20] if scope.centre_ids else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def file_for_visitor(request: HttpRequest, kind: str) -> HttpResponse:
    """A consultant writes for a library visitor, with the visitor's consent."""
    user = _staff_user(request)
    kind_value = KIND_SLUGS.get(kind)
    scope = scope_for(user)
    if kind_value is None or not scope.centre_ids:
        raise Http404
    centres = Centre.objects.filter(pk__in=scope.centre_ids).order_by("name")
    form = CaseForm(request.POST or None, request.FILES or None, kind=kind_value)
    behalf = OnBehalfForm(request.POST or None, centres=centres, prefix="behalf")
    status = 200
    if request.method == "POST":
        valid = form.is_valid() & behalf.is_valid()
        status = 400
        if valid:
            try:
                appeal = save_case(
                    request,
                    form,
                    appeal=None,
                    on_behalf={"centre": behalf.cleaned_data["centre"], "consent": behalf.cleaned_data["consent"]},
                )
            except TooManyRequests as e:  # the account's hour of new cases is used up: nothing saved
                form.add_error(None, e.message)
                appeal, status = None, 429
            if appeal is not None:
                if appeal.status == Status.DRAFT:
                    messages.success(request, _("The draft is saved."))
                else:
                    messages.success(
                        request, _("Sent. The authority has received it; the answer is due by the date below.")
                    )
                return redirect("reception_staff:case", appeal.pk)
            if "consent" in form.errors or form.non_field_errors():
                for message in form.errors.pop("consent", []):
                    behalf.add_error("consent", message)
    context: dict[str, Any] = {"form": form, "kind": kind_value, "appeal": None, "on_behalf": behalf}
    if form.draft is not None:  # saved, with errors to correct: the next send changes that draft
        context.update(
            appeal=form.draft, on_behalf=None, form_action=reverse("reception_staff:edit", args=[form.draft.pk])
        )
    else:
        context["idempotency_key"] = uuid.uuid4()
    return render(request, "appeals/case_form.html", context, status=status)


def _parties(user: User, appeal: Appeal) -> set[Party]:
    return services.parties_of(user, appeal)


@login_required
def case(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff_user(request)
    appeal = selectors.appeal_get_for_user(user=user, pk=pk)
    return render(request, "appeals/staff_case.html", _case_context(user, appeal))


def _case_context(user: User, appeal: Appeal, **forms: Any) -> dict[str, Any]:
    parties = _parties(user, appeal)
    official = bool(parties & {Party.OFFICIAL, Party.HEAD})
    steps = available_steps(appeal, parties)
    default_forms: dict[str, Any] = {
        "register": RegisterForm(initial={"registered_on": local(now()).date()}),
        "assign": AssignForm(officials=selectors.colleagues(appeal=appeal)),
        "extend": ReasonForm(),
        "forward": ForwardForm(appeal=appeal),
        "ask": QuestionForm(),
        "clarify": TextForm(),
        "answer": OfficialAnswerForm(),
        "record_answer": RecordAnswerForm(prefix="rec"),
    }
    default_forms.update(forms)
    return {
        "appeal": appeal,
        "official": official,
        "due": selectors.due_info(appeal),
        "events": selectors.timeline(appeal=appeal, internal=official),
        "files": appeal.attachments.filter(event__isnull=True),
        "steps": steps,
        "step_labels": {name: STEPS[name].label for name in steps},
        "forms": default_forms,
        "forwarded_to": appeal.forwarded_to.all(),
        "edit_draft": appeal.status == Status.DRAFT and Party.AUTHOR in parties,
    }


@login_required
@require_POST
def step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    user = _staff_user(request)
    appeal = selectors.appeal_get_for_user(user=user, pk=pk)
    if name not in STEPS:
        raise Http404
    form: Any = None
    try:
        with transaction.atomic():
            form = _run_step(request, user, appeal, name)
    except InvalidTransition as e:
        messages.error(request, str(e))
        return redirect("reception_staff:case", appeal.pk)
    except ValidationError as e:
        if form is None:
            for message in e.messages:
                messages.error(request, message)
            return redirect("reception_staff:case", appeal.pk)
        put_errors(form, e)
    if form is not None and form.errors:
        appeal.refresh_from_db()
        context = _case_context(user, appeal, **{name: form}) | {"open_step": name}
        return render(request, "appeals/staff_case.html", context, status=400)
    messages.success(request, _("Done: %(step)s.") % {"step": STEPS[name].label})
    return redirect("reception_staff:case", appeal.pk)


def _run_step(request: HttpRequest, user: User, appeal: Appeal, name: str) -> Any:
    """Run the step's service; returns the bound form (with errors when it was not valid)."""
    post, files = request.POST, request.FILES
    if name == "submit":
        services.appeal_submit(actor=user, appeal=appeal)
        return None
    if name in ("take", "no_study", "close", "withdraw"):
        service = {
            "take": services.appeal_take,
            "no_study": services.appeal_mark_no_study,
            "close": services.appeal_close,
            "withdraw": services.appeal_withdraw,
        }[name]
        service(actor=user, appeal=appeal)
        return None
    form: Any
    if name == "register":
        form = RegisterForm(post)
        if form.is_valid():
            services.appeal_register(actor=user, appeal=appeal, **form.cleaned_data)
    elif name == "assign":
        form = AssignForm(post, officials=selectors.colleagues(appeal=appeal))
        if form.is_valid():
            services.appeal_assign(actor=user, appeal=appeal, assignee=form.cleaned_data["assignee"])
    elif name == "extend":
        form = ReasonForm(post)
        if form.is_valid():
            services.appeal_extend(actor=user, appeal=appeal, reason=form.cleaned_data["reason"])
    elif name == "forward":
        form = ForwardForm(post, appeal=appeal)
        if form.is_valid():
            services.appeal_forward(
                actor=user, appeal=appeal, to=form.cleaned_data["to"], reason=form.cleaned_data["reason"]
            )
    elif name == "ask":
        form = QuestionForm(post)
        if form.is_valid():
            services.appeal_ask(actor=user, appeal=appeal, question=form.cleaned_data["question"])
    elif name == "clarify":
        form = TextForm(post)
        if form.is_valid():
            services.appeal_clarify(actor=user, appeal=appeal, text=form.cleaned_data["text"])
    elif name in ("answer", "record_answer"):
        recorded = name == "record_answer"
        form = RecordAnswerForm(post, files, prefix="rec") if recorded else OfficialAnswerForm(post, files)
        if form.is_valid():
            try:
                services.appeal_answer(
                    actor=user,
                    appeal=appeal,
                    outcome=form.cleaned_data["outcome"],
                    text=form.cleaned_data["text"],
                    uploads=attachments.uploads_of(form.cleaned_data.get("attachments") or []),
                    recorded=recorded,
                    channel=form.cleaned_data.get("channel", ""),
                )
            except ValidationError as e:
                put_errors(form, e)  # on the form, with what was typed
    else:
        raise Http404
    return form


@login_required
def staff_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    user = _staff_user(request)
    appeal = selectors.appeal_get_for_user(user=user, pk=pk)
    return attachments.attachment_response(selectors.attachment_for(appeal=appeal, pk=file_pk))


@login_required
@require_http_methods(["GET", "POST"])
def edit_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """A consultant finishes a draft filed for a visitor."""
    user = _staff_user(request)
    appeal = selectors.appeal_get_for_user(user=user, pk=pk)
    if appeal.status != Status.DRAFT or Party.AUTHOR not in _parties(user, appeal):
        return redirect("reception_staff:case", appeal.pk)
    form = CaseForm(
        request.POST or None, request.FILES or None, kind=appeal.kind, initial=CaseForm.initial_from(appeal)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            saved = save_case(request, form, appeal=appeal)
            if saved is not None:
                return redirect("reception_staff:case", saved.pk)
        status = 400
    return render(
        request,
        "appeals/case_form.html",
        {"form": form, "kind": appeal.kind, "appeal": appeal, "on_behalf": None, "files": appeal.attachments.all()},
        status=status,
    )
