"""Logging consultations: the quick-entry form (one visitor) and the day's tally (a grid)."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from cipnet.accounts.models import User
from cipnet.consultations import selectors, services
from cipnet.consultations.forms import PROFILE_FIELDS, ConsultationForm, TallyFormSet, TallyHeaderForm, initial_from
from cipnet.consultations.models import Consultation, Source
from cipnet.consultations.views.common import ALIASES, service_options, today, user_of
from cipnet.core.clock import KYIV, now
from cipnet.core.errors import is_htmx, put_errors
from cipnet.directory.models import Centre
from cipnet.eservices.models import ServiceCard


def _logging_centre(request: HttpRequest, user: User) -> tuple[Centre, QuerySet[Centre]]:
    """The centre the user logs for: chosen (?centre=) among those they work in, else the first."""
    centres = selectors.centres_to_log_for(user=user)
    wanted = request.POST.get("centre") or request.GET.get("centre")
    if wanted:
        try:
            return centres.get(pk=int(wanted)), centres
        except (Centre.DoesNotExist, ValueError) as exc:
            raise Http404 from exc
    centre = centres.first()
    if centre is None:
        raise Http404
    return centre, centres


# --- Quick entry ------------------------------------------------------------------------------


@login_required
def entry(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    centre, centres = _logging_centre(request, user)
    saved: Consultation | None = None
    repeated = False
    if request.method == "POST":
        form = ConsultationForm(_with_picked_services(request.POST))
        if request.POST.get("action") == "same_profile":
            last = selectors.last_profile(user=user, centre=centre)
            data = request.POST.copy()
            if last is not None:
                profile = initial_from(last, profile_only=True)
                for name in PROFILE_FIELDS:
                    value = profile[name]
                    if isinstance(value, list):
                        data.setlist(name, value)
                    else:
                        data[name] = value
            else:
                messages.info(request, _("There is no earlier visitor to copy yet."))
            form = _prefilled_form(data)
        elif form.is_valid():
            try:
                result = services.consultation_record(
                    author=user,
                    centre=centre,
                    data=form.to_input(),
                    idempotency_key=form.cleaned_data.get("key"),
                    source=Source.QUICK,
                )
            except ValidationError as exc:
                put_errors(form, exc, ALIASES)
            else:
                saved, repeated = result.consultation, not result.created
                if not is_htmx(request):
                    query: dict[str, int] = {"centre": centre.pk, "saved": saved.pk}
                    if repeated:
                        query["repeated"] = 1
                    return HttpResponseRedirect(f"{reverse('consultations:entry')}?{urlencode(query)}")
                form = ConsultationForm()
    else:
        initial: dict[str, Any] = {}
        token = request.GET.get("prefill")
        if token:
            initial = _prefill_initial(token, centre)
        form = ConsultationForm(initial=initial)
        saved_id = request.GET.get("saved")
        if saved_id and saved_id.isdigit():
            saved = selectors.own_entry(user=user, centre=centre, pk=int(saved_id))
            repeated = bool(request.GET.get("repeated"))
    context = _entry_context(user, centre, centres, form, saved, repeated)
    if is_htmx(request):
        return render(request, "consultations/entry.html#panel", context)
    return render(request, "consultations/entry.html", context)


def _with_picked_services(data: QueryDict) -> QueryDict:
    """The form's data with a suggestion the user chose (`pick_service=<name>`) as its service."""
    picks = {name: data.get(f"pick_{name}", "") for name in ("service", "service_2")}
    if not any(picks.values()):
        return data
    data = data.copy()
    for name, value in picks.items():
        if value:
            data[name] = value
    return data


def _prefilled_form(data: QueryDict) -> ConsultationForm:
    """A form showing `data` without validating it (no error messages yet)."""
    initial: dict[str, Any] = {}
    form = ConsultationForm()
    for name, field in form.fields.items():
        if name not in data:
            continue
        initial[name] = data.getlist(name) if isinstance(field, forms.MultipleChoiceField) else data[name]
    return ConsultationForm(initial=initial)


def _prefill_initial(token: str, centre: Centre) -> dict[str, Any]:
    payload = services.prefill_read(token)
    if not payload or payload.get("centre") != centre.pk:
        return {}
    initial: dict[str, Any] = {}
    with contextlib.suppress(KeyError, TypeError, ValueError):
        initial["occurred_at"] = dt.datetime.fromisoformat(payload["occurred_at"]).astimezone(KYIV).replace(tzinfo=None)
    if payload.get("duration_minutes"):
        initial["duration_minutes"] = payload["duration_minutes"]
    # In the token's order (the main service first), not the catalogue's.
    wanted = [i for i in payload.get("cards") or [] if isinstance(i, str)][:10]
    by_identifier = {card.identifier: card for card in ServiceCard.objects.filter(identifier__in=wanted)}
    cards = [by_identifier[i] for i in wanted if i in by_identifier][:2]
    if cards:
        initial["service"] = cards[0].display_name
    if len(cards) > 1:
        initial["service_2"] = cards[1].display_name
    for name in ("channel", "help_kind"):
        if payload.get(name):
            initial[name] = payload[name]
    return initial


def _entry_context(
    user: User,
    centre: Centre,
    centres: QuerySet[Centre],
    form: ConsultationForm,
    saved: Consultation | None,
    repeated: bool,
) -> dict[str, Any]:
    todays = selectors.consultations_of_day(centre=centre, day=today())
    last = selectors.last_profile(user=user, centre=centre)
    return {
        "centre": centre,
        "centres": centres,
        "form": form,
        "saved": saved,
        "repeated": repeated,
        "todays": todays[:30],
        "today_count": todays.count(),
        "has_last": last is not None,
        "options": service_options(centre),
        "now": now(),
        "user_obj": user,
    }


# --- The day's tally --------------------------------------------------------------------------


TALLY_ROWS = 10


@login_required
def tally(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    centre, centres = _logging_centre(request, user)
    saved_rows: dict[int, Consultation] = {}
    already: list[int] = []
    error_count = 0
    if request.method == "POST":
        header = TallyHeaderForm(request.POST)
        formset = TallyFormSet(request.POST, prefix="row")
        if header.is_valid() and formset.is_valid():
            day = header.cleaned_data["day"]
            key = header.cleaned_data["key"]
            rows = {}
            for i, row in enumerate(formset.forms):
                if not row.is_blank():
                    rows[i] = row.to_input(day=day, default_time=dt.time(12, 0))
            if not rows:
                header.add_error(None, _("The grid is empty: fill in at least one line."))
            else:
                result = services.consultation_record_many(author=user, centre=centre, rows=rows, idempotency_key=key)
                for i, c in zip(
                    [i for i in rows if i not in result.errors and i not in result.already_saved],
                    result.saved,
                    strict=True,
                ):
                    saved_rows[i] = c
                already = result.already_saved
                for i, error in result.errors.items():
                    put_errors(formset.forms[i], error, ALIASES)
                error_count = len(result.errors)
                if not error_count:
                    total = len(result.saved)
                    messages.success(
                        request,
                        _("%(n)d lines saved.") % {"n": total}
                        + (" " + _("%(n)d lines had been saved before.") % {"n": len(already)} if already else ""),
                    )
                    return redirect(f"{reverse('consultations:tally')}?{urlencode({'centre': centre.pk})}")
        else:
            error_count = sum(1 for f in formset.forms if f.errors) + (1 if header.errors else 0)
    else:
        rows_wanted = request.GET.get("rows", "")
        count = int(rows_wanted) if rows_wanted.isdigit() and 1 <= int(rows_wanted) <= 100 else TALLY_ROWS
        header = TallyHeaderForm(initial={"key": uuid.uuid4(), "day": today()})
        formset = TallyFormSet(prefix="row", initial=[{} for _i in range(count)])
    lines = [(i, row, saved_rows.get(i), i in already) for i, row in enumerate(formset.forms)]
    return render(
        request,
        "consultations/tally.html",
        {
            "centre": centre,
            "centres": centres,
            "header": header,
            "formset": formset,
            "lines": lines,
            "saved_count": len(saved_rows),
            "error_count": error_count,
            "options": service_options(centre),
        },
    )
