"""The log's entries: the list, changing and deleting an entry, its history, and the exports."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.consultations import exports, selectors, services
from cipnet.consultations.forms import ConsultationForm, CorrectionForm, initial_from
from cipnet.consultations.models import Consultation, HelpKind, Outcome, SocialCategory
from cipnet.consultations.selectors import ConsultationFilters
from cipnet.consultations.views.common import ALIASES, date_range, query_without, service_options, user_of
from cipnet.core.clock import KYIV, now
from cipnet.core.errors import put_errors
from cipnet.directory.selectors import centre_list_visible_to
from cipnet.reporting import selectors as reporting_selectors
from cipnet.reporting import services as reporting


def page_filters(request: HttpRequest, user: User, *, start: dt.date, end: dt.date) -> ConsultationFilters:
    """The filters of the entries page and its exports: the days, `?centre=`, `?region=` (a slug)
    `?mine=1`, `?help_kind=` and `?outcome=` (the figures of programme results link here)."""
    centre_id = request.GET.get("centre", "")
    help_kind, outcome = request.GET.get("help_kind", ""), request.GET.get("outcome", "")
    return ConsultationFilters(
        start=start,
        end=end,
        centre_id=int(centre_id) if centre_id.isdigit() else None,
        region_slug=request.GET.get("region", ""),
        author=user if request.GET.get("mine") == "1" else None,
        help_kind=help_kind if help_kind in HelpKind.values else "",
        outcome=outcome if outcome in Outcome.values else "",
    )


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not scope_for(user).is_staff_member:
        raise Http404
    form, start, end = date_range(request)
    filters = page_filters(request, user, start=start, end=end)
    qs = selectors.consultation_list_visible_to(user=user, filters=filters)
    page = Paginator(qs.prefetch_related("services__card"), 50).get_page(request.GET.get("page"))
    moment = now()
    for c in page.object_list:
        c.can_change = services.can_change(user, c, at=moment)  # type: ignore[attr-defined]
    return render(
        request,
        "consultations/entry_list.html",
        {
            "page": page,
            "form": form,
            "start": start,
            "end": end,
            "centres": centre_list_visible_to(user=user),
            "selected_centre": request.GET.get("centre", ""),
            "mine": filters.author is not None,
            "query": query_without(request, "page"),
            # Narrowed to a kind of help or an outcome (a programme result's rows): kept, and said.
            "narrowed": [
                (name, value, label)
                for name, value, label in (
                    ("help_kind", filters.help_kind, dict(HelpKind.choices).get(filters.help_kind)),
                    ("outcome", filters.outcome, dict(Outcome.choices).get(filters.outcome)),
                )
                if value
            ],
        },
    )


@login_required
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    c = selectors.consultation_get_for_user(user=user, pk=pk)
    if not services.can_change(user, c):
        return render(request, "consultations/locked.html", {"c": c}, status=403)
    locked = _locked_month(request, user, c)
    if isinstance(locked, HttpResponse):
        return locked
    if request.method == "POST":
        form = ConsultationForm(request.POST)
        if form.is_valid():
            data = form.to_input()
            if not form.cleaned_data.get("occurred_at"):
                data.occurred_at = c.occurred_at
            try:
                services.consultation_update(
                    actor=user,
                    consultation=c,
                    data=data,
                    correction_reason=form.cleaned_data.get("correction_reason") or "",
                )
            except ValidationError as exc:
                put_errors(form, exc, ALIASES)
            else:
                messages.success(request, _("The entry was changed."))
                return redirect("consultations:entries")
    else:
        form = ConsultationForm(initial=initial_from(c))
    return render(
        request,
        "consultations/entry_edit.html",
        {"form": form, "c": c, "centre": c.centre, "options": service_options(c.centre), "locked": locked},
    )


def _locked_month(request: HttpRequest, user: User, c: Consultation) -> Any:
    """The month report locking the entry's month (the form then asks why); a page refusing the change
    when the user may not correct it; None when the month is open."""
    locked = reporting_selectors.locked_month(centre_id=c.centre_id, day=c.day)
    if locked is not None and not reporting.can_correct(user, c.centre):
        return render(request, "consultations/month_locked.html", {"c": c, "locked": locked}, status=403)
    return locked


@login_required
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    c = selectors.consultation_get_for_user(user=user, pk=pk)
    if not services.can_change(user, c):
        return render(request, "consultations/locked.html", {"c": c}, status=403)
    locked = _locked_month(request, user, c)
    if isinstance(locked, HttpResponse):
        return locked
    form = CorrectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_delete(
                actor=user, consultation=c, correction_reason=form.cleaned_data["correction_reason"]
            )
        except ValidationError as exc:
            put_errors(form, exc, ALIASES)
        else:
            messages.success(request, _("The entry was deleted. Its history is kept."))
            return redirect("consultations:entries")
    return render(request, "consultations/entry_delete.html", {"c": c, "locked": locked, "form": form})


@login_required
def entry_history(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    changes = selectors.history_for_user(user=user, consultation_id=pk)
    entry = None
    if not changes:
        # An entry loaded in bulk (the demo, old imports) has no audit rows: show it, unchanged.
        entry = selectors.consultation_get_for_user(user=user, pk=pk)
    for change in changes:
        if change.action == "changed":
            change.rows = [  # type: ignore[attr-defined]
                (_field_label(name), _field_value(name, pair[0]), _field_value(name, pair[1]))
                for name, pair in change.changes.items()
            ]
    return render(request, "consultations/history.html", {"changes": changes, "pk": pk, "entry": entry})


def _field_label(name: str) -> str:
    if name == "services":
        return _("E-services")
    try:
        return str(Consultation._meta.get_field(name).verbose_name).capitalize()  # type: ignore[union-attr]
    except FieldDoesNotExist:  # an old audit row may name a field that no longer exists
        return name


def _field_value(name: str, value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if name == "services":
        return "; ".join(str(v).removeprefix("text:") for v in value)
    if name == "categories":
        labels = dict(SocialCategory.choices)
        return ", ".join(str(labels.get(v, v)) for v in value)
    if name == "first_visit":
        return _("Yes") if value else _("No")
    if name == "occurred_at":
        with contextlib.suppress(ValueError):
            return dt.datetime.fromisoformat(value).astimezone(KYIV).strftime("%d.%m.%Y %H:%M")
    try:
        field = Consultation._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    choices = dict(getattr(field, "choices", None) or [])
    return str(choices.get(value, value))


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    user = user_of(request)
    if fmt not in ("csv", "xlsx") or not scope_for(user).is_staff_member:
        raise Http404
    _form, start, end = date_range(request)
    filters = page_filters(request, user, start=start, end=end)
    qs = selectors.consultation_list_visible_to(user=user, filters=filters).order_by("occurred_at", "id")
    name = f"consultations-{start.isoformat()}-{end.isoformat()}"
    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            exports.csv_stream(qs), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    content = exports.xlsx_bytes(qs, title=_("Consultations"))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
