"""The resident's side of the virtual reception: write an appeal or an information request,
confirm the e-mail address, follow the case by its private link, and the deadline calculator."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cipnet.accounts import throttle
from cipnet.accounts.models import User
from cipnet.appeals import attachments, deadlines, notifications, publication, selectors, services
from cipnet.appeals.deadlines import Term
from cipnet.appeals.forms import CalculatorForm, CaseForm, TextForm
from cipnet.appeals.models import Appeal, Kind, Status
from cipnet.appeals.workflow import Party, available_steps
from cipnet.core.errors import InvalidTransition, TooManyRequests, put_errors
from cipnet.core.workdays import current_calendar

KIND_SLUGS = {"appeal": Kind.APPEAL, "info": Kind.INFO_REQUEST}


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) and request.user.is_authenticated else None


def start(request: HttpRequest) -> HttpResponse:
    return render(request, "appeals/start.html", {"mine": _user(request) is not None})


def case_link(appeal: Appeal) -> str:
    return reverse("reception:case", args=[appeal.follow_token])


def _session_key(request: HttpRequest) -> str:
    """The browser's session (created if it has none yet): an anonymous author's idempotency keys
    are bound to it, and the cookie goes back with the first answer so a retry carries it."""
    request.session.setdefault("reception_author", True)
    if request.session.session_key is None:
        request.session.save()
    return request.session.session_key or ""


def save_case(
    request: HttpRequest,
    form: CaseForm,
    *,
    appeal: Appeal | None,
    token: str | None = None,
    on_behalf: dict[str, Any] | None = None,
) -> Appeal | None:
    """Save the draft (always, with what was typed) and the files; send it when asked. Returns the
    case, or None with the errors put on the form (the draft, if any, is kept)."""
    user = _user(request)
    send = "send" in request.POST
    key = request.POST.get("idempotency_key", "")
    try:
        idempotency_key = uuid.UUID(key) if key and appeal is None else None
    except ValueError:
        idempotency_key = None
    uploads = attachments.uploads_of(form.cleaned_data.get("attachments") or [])
    file_errors = attachments.check(uploads, already=appeal.attachments.count() if appeal else 0)
    if file_errors:
        put_errors(form, ValidationError(file_errors))
        uploads = []
    try:
        appeal = services.appeal_file(
            actor=user,
            data=form.to_input(),
            appeal=appeal,
            token=token,
            idempotency_key=idempotency_key,
            key_owner=_session_key(request) if idempotency_key and user is None else "",
            address=throttle.client_ip(request),
            uploads=uploads,
            **(on_behalf or {}),
        )
    except ValidationError as e:
        put_errors(form, e)
        return None
    except InvalidTransition as e:
        form.add_error(None, str(e))
        return None
    form.draft = appeal
    if file_errors:
        return None
    if not send:
        return appeal
    errors = services.validate(form.to_input())
    if errors:
        put_errors(form, ValidationError(errors))
        return None
    if user is None:
        if not appeal.author_email:
            form.add_error("author_email", _("Write your e-mail address: we send a link to confirm it."))
            return None
        confirm = request.build_absolute_uri(reverse("reception:confirm", args=[appeal.follow_token]))
        notifications.confirm_email(appeal, confirm)
        return appeal
    try:
        return services.appeal_submit(actor=user, appeal=appeal)
    except (ValidationError, InvalidTransition) as e:
        if isinstance(e, ValidationError):
            put_errors(form, e)
        else:
            form.add_error(None, str(e))
        return None


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, kind: str) -> HttpResponse:
    kind_value = KIND_SLUGS.get(kind)
    if kind_value is None:
        raise Http404
    user = _user(request)
    initial: dict[str, Any] = {}
    if user is not None:
        initial = {"author_name": user.full_name, "author_email": user.email}
    form = CaseForm(request.POST or None, request.FILES or None, kind=kind_value, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_bot:
            # Say nothing useful to a bot; a person never sees this field.
            return render(request, "appeals/check_email.html", {"appeal": None}, status=200)
        saved, status = _post(request, form, appeal=None)
        if saved is not None:
            return _after_save(request, saved)
    elif user is None:
        _session_key(request)  # the cookie comes with the form: a retried first POST carries it
    context: dict[str, Any] = {"form": form, "kind": kind_value, "appeal": None, "on_behalf": None}
    if form.draft is not None:  # saved, with errors to correct: the next send changes that draft
        context.update(appeal=form.draft, form_action=reverse("reception:edit", args=[form.draft.follow_token]))
    else:
        context["idempotency_key"] = uuid.uuid4()
    return render(request, "appeals/case_form.html", context, status=status)


def _post(
    request: HttpRequest, form: CaseForm, *, appeal: Appeal | None, token: str | None = None
) -> tuple[Appeal | None, int]:
    """Saves a posted form (a draft or a sent case); else the status to show it again with its errors."""
    if not form.is_valid():
        return None, 400
    try:
        saved = save_case(request, form, appeal=appeal, token=token)
    except TooManyRequests as e:  # a new case over the hour's limit (`appeals.limits`): nothing saved
        form.add_error(None, e.message)
        return None, 429
    return saved, 200 if saved is not None else 400


def _after_save(request: HttpRequest, appeal: Appeal) -> HttpResponse:
    if appeal.status == Status.DRAFT:
        if "send" in request.POST and _user(request) is None:
            return render(request, "appeals/check_email.html", {"appeal": appeal})
        messages.success(request, _("The draft is saved. You can come back to it with this page's address."))
        return redirect("reception:edit", appeal.follow_token)
    messages.success(request, _("Sent. The authority has received it; the answer is due by the date below."))
    return redirect(case_link(appeal))


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, token: str) -> HttpResponse:
    appeal = selectors.appeal_get_by_token(token=token)
    if appeal.status != Status.DRAFT:
        return redirect(case_link(appeal))
    form = CaseForm(
        request.POST or None, request.FILES or None, kind=appeal.kind, initial=CaseForm.initial_from(appeal)
    )
    status = 200
    if request.method == "POST":
        saved, status = _post(request, form, appeal=appeal, token=token)
        if saved is not None:
            return _after_save(request, saved)
    return render(
        request,
        "appeals/case_form.html",
        {"form": form, "kind": appeal.kind, "appeal": appeal, "on_behalf": None, "files": appeal.attachments.all()},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """A button, not the link itself, sends the case: mail scanners that open links send nothing."""
    appeal = selectors.appeal_get_by_token(token=token)
    if request.method == "POST":
        try:
            appeal = services.appeal_confirm_email(appeal=appeal, token=token)
        except ValidationError as e:
            for message in e.messages:
                messages.error(request, message)
            return redirect("reception:edit", token)
        except InvalidTransition as e:
            messages.error(request, str(e))
            return redirect(case_link(appeal))
        messages.success(request, _("Thank you: your e-mail address is confirmed and the case is sent."))
        return redirect(case_link(appeal))
    return render(request, "appeals/confirm.html", {"appeal": appeal})


def case(request: HttpRequest, token: str) -> HttpResponse:
    """The author's page of the case (by its private link)."""
    appeal = selectors.appeal_get_by_token(token=token)
    if appeal.status == Status.DRAFT:
        return redirect("reception:edit", token)
    return render(request, "appeals/case.html", case_context(request, appeal, token=token))


def case_context(request: HttpRequest, appeal: Appeal, *, token: str | None) -> dict[str, Any]:
    parties = services.parties_of(_user(request), appeal, token=token)
    return {
        "appeal": appeal,
        "token": token,
        "due": selectors.due_info(appeal),
        "events": selectors.timeline(appeal=appeal, internal=False),
        "files": appeal.attachments.filter(event__isnull=True),
        "steps": available_steps(appeal, parties & {Party.AUTHOR}),
        "clarify_form": TextForm(),
        "forwarded_to": appeal.forwarded_to.all(),
    }


@require_POST
def author_step(request: HttpRequest, token: str, step: str) -> HttpResponse:
    appeal = selectors.appeal_get_by_token(token=token)
    user = _user(request)
    try:
        if step == "withdraw":
            services.appeal_withdraw(actor=user, appeal=appeal, token=token)
            messages.success(request, _("The case is withdrawn."))
        elif step == "close":
            services.appeal_close(actor=user, appeal=appeal, token=token)
            messages.success(request, _("The case is closed. Thank you."))
        elif step == "publication":
            consent = request.POST.get("consent") == "1"
            publication.appeal_set_publish_consent(actor=user, appeal=appeal, consent=consent, token=token)
            messages.success(
                request,
                _("Thank you: it may be published, without your personal data, after a moderator's check.")
                if consent
                else _("It will not be published."),
            )
        elif step == "clarify":
            form = TextForm(request.POST)
            if not form.is_valid():
                context = case_context(request, appeal, token=token) | {"clarify_form": form}
                return render(request, "appeals/case.html", context, status=400)
            services.appeal_clarify(actor=user, appeal=appeal, text=form.cleaned_data["text"], token=token)
            messages.success(request, _("Your clarification is sent to the authority."))
        else:
            raise Http404
    except InvalidTransition as e:
        messages.error(request, str(e))
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
    return redirect(case_link(appeal))


def author_file(request: HttpRequest, token: str, pk: int) -> FileResponse:
    appeal = selectors.appeal_get_by_token(token=token)
    return attachments.attachment_response(selectors.attachment_for(appeal=appeal, pk=pk))


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 — login_required
    cases = selectors.case_list_visible_to(user=user, filters=selectors.CaseFilters(own=True))[:200]
    return render(request, "appeals/my_cases.html", {"cases": cases})


TERMS = {
    "appeal": Term.APPEAL_STANDARD,
    "appeal_no_study": Term.APPEAL_NO_STUDY,
    "appeal_extended": Term.APPEAL_EXTENDED,
    "info": Term.INFO_STANDARD,
    "info_urgent": Term.INFO_URGENT,
    "info_extended": Term.INFO_EXTENDED,
    "forward": Term.FORWARD,
}


def calculator(request: HttpRequest) -> HttpResponse:
    """When is the answer due? A public page; the same module the cases use."""
    form = CalculatorForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        result = deadlines.explain(TERMS[form.cleaned_data["kind"]], form.received_at(), current_calendar())
    return render(
        request,
        "appeals/calculator.html",
        {"form": form, "result": result},
        status=400 if request.GET and not result else 200,
    )
