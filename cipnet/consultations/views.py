"""Staff pages of the consultation log: quick entry, the day's tally, entries, dashboards,
exports. Every page is scoped through the selectors (404 outside the user's scope)."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.consultations import exports, selectors, services
from cipnet.consultations.forms import (
    PROFILE_FIELDS,
    ConsultationForm,
    RangeForm,
    TallyFormSet,
    TallyHeaderForm,
    TargetForm,
    initial_from,
)
from cipnet.consultations.models import Consultation, Dimension, SocialCategory, Source
from cipnet.consultations.selectors import ScopeFilter
from cipnet.core.clock import KYIV, now
from cipnet.core.errors import is_htmx, put_errors
from cipnet.directory.models import Centre, Region
from cipnet.directory.selectors import centre_get_for_user, centre_list_visible_to
from cipnet.eservices.models import CardStatus, ServiceCard
from cipnet.eservices.selectors import in_region_q

BREAKDOWNS = [
    Dimension.SERVICE,
    Dimension.HELP_KIND,
    Dimension.OUTCOME,
    Dimension.OBSTACLE,
    Dimension.CHANNEL,
    Dimension.GENDER,
    Dimension.AGE_BAND,
    Dimension.CATEGORY,
    Dimension.SETTLEMENT,
    Dimension.FIRST_VISIT,
    Dimension.SATISFACTION,
]


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


def _today() -> dt.date:
    return now().astimezone(KYIV).date()


def _query_without(request: HttpRequest, name: str) -> str:
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


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


def service_options(centre: Centre) -> list[str]:
    """Names for the service field's suggestion list: the region's active cards, those this
    centre uses most first (from the tallies), then the rest by name."""
    cards = list(
        ServiceCard.objects.filter(status=CardStatus.ACTIVE).filter(in_region_q(centre.region)).order_by("name")[:600]
    )
    since = _today().replace(day=1) - dt.timedelta(days=365)
    usage = selectors.service_usage(centre_ids=(centre.pk,), since=since)
    cards.sort(key=lambda c: (-usage.get(c.pk, 0), c.display_name))
    return [c.display_name for c in cards]


# --- Quick entry ------------------------------------------------------------------------------


ALIASES = {"services": "service"}


@login_required
def entry(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    centre, centres = _logging_centre(request, user)
    saved: Consultation | None = None
    repeated = False
    if request.method == "POST":
        form = ConsultationForm(request.POST)
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
            except PermissionDenied as exc:
                raise Http404 from exc
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
            saved = Consultation.objects.filter(pk=int(saved_id), author=user, centre=centre).first()
            repeated = bool(request.GET.get("repeated"))
    context = _entry_context(user, centre, centres, form, saved, repeated)
    if is_htmx(request):
        return render(request, "consultations/entry.html#panel", context)
    return render(request, "consultations/entry.html", context)


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
    today = _today()
    todays = (
        Consultation.objects.filter(centre=centre, day=today)
        .select_related("consultant")
        .prefetch_related("services__card")
        .order_by("-occurred_at", "-id")
    )
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
    user = _user(request)
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
        header = TallyHeaderForm(initial={"key": uuid.uuid4(), "day": _today()})
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


# --- Entries ------------------------------------------------------------------------------------


def _range(request: HttpRequest, *, default_start: dt.date | None = None) -> tuple[RangeForm, dt.date, dt.date]:
    form = RangeForm(request.GET or None)
    today = _today()
    start = default_start or today.replace(day=1)
    end = today
    if form.is_bound and form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
    return form, start, end


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not scope_for(user).is_staff_member:
        raise Http404
    form, start, end = _range(request)
    qs = selectors.consultation_list_visible_to(user=user).filter(day__gte=start, day__lte=end)
    centre_id = request.GET.get("centre", "")
    if centre_id.isdigit():
        qs = qs.filter(centre_id=int(centre_id))
    mine = request.GET.get("mine") == "1"
    if mine:
        qs = qs.filter(author=user)
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
            "selected_centre": centre_id,
            "mine": mine,
            "query": _query_without(request, "page"),
        },
    )


@login_required
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    c = selectors.consultation_get_for_user(user=user, pk=pk)
    if not services.can_change(user, c):
        return render(request, "consultations/locked.html", {"c": c}, status=403)
    if request.method == "POST":
        form = ConsultationForm(request.POST)
        if form.is_valid():
            data = form.to_input()
            if not form.cleaned_data.get("occurred_at"):
                data.occurred_at = c.occurred_at
            try:
                services.consultation_update(actor=user, consultation=c, data=data)
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
        {"form": form, "c": c, "centre": c.centre, "options": service_options(c.centre)},
    )


@login_required
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    c = selectors.consultation_get_for_user(user=user, pk=pk)
    if not services.can_change(user, c):
        return render(request, "consultations/locked.html", {"c": c}, status=403)
    if request.method == "POST":
        services.consultation_delete(actor=user, consultation=c)
        messages.success(request, _("The entry was deleted. Its history is kept."))
        return redirect("consultations:entries")
    return render(request, "consultations/entry_delete.html", {"c": c})


@login_required
def entry_history(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    scope = scope_for(user)
    changes = list(selectors.history(consultation_id=pk).filter(scope.centre_q("centre__")))
    if not changes:
        raise Http404
    for change in changes:
        if change.action == "changed":
            change.rows = [  # type: ignore[attr-defined]
                (_field_label(name), _field_value(name, pair[0]), _field_value(name, pair[1]))
                for name, pair in change.changes.items()
            ]
    return render(request, "consultations/history.html", {"changes": changes, "pk": pk})


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


# --- Dashboards -------------------------------------------------------------------------------


def _breakdowns(summary: selectors.Summary) -> list[tuple[str, str, list[selectors.Row]]]:
    labels = dict(Dimension.choices)
    out: list[tuple[str, str, list[selectors.Row]]] = []
    for dimension in BREAKDOWNS:
        rows = summary.breakdown(dimension)
        if dimension == Dimension.SERVICE:
            rows = rows[:15]
        if rows:
            top = max(r.count for r in rows) or 1
            for r in rows:
                r.bar = round(r.count * 100 / top)  # type: ignore[attr-defined]
            out.append((str(dimension), str(labels[dimension]), rows))
    return out


@login_required
def centre_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    centre = centre_get_for_user(user=user, pk=pk)
    form, start, end = _range(request)
    today = _today()
    where = ScopeFilter(centre_ids=(centre.pk,))
    summary = selectors.summary(where=where, start=start, end=end)
    month = selectors.totals_by_centre(where=where, start=today.replace(day=1), end=today).get(centre.pk, 0)
    progress = selectors.progress(centre, on=today)
    scope = scope_for(user)
    can_set_target = scope.network or centre.region_id in scope.region_ids
    todays = (
        Consultation.objects.filter(centre=centre, day=today)
        .select_related("consultant")
        .prefetch_related("services__card")
        .order_by("-occurred_at", "-id")
    )
    target_form = TargetForm(
        initial={
            "consultations": progress.target.consultations if progress.target else 40,
            "period_months": progress.target.period_months if progress.target else 2,
            "starts_on": progress.period.start if progress.period else today.replace(day=1),
        }
    )
    return render(
        request,
        "consultations/dashboard.html",
        {
            "centre": centre,
            "form": form,
            "start": start,
            "end": end,
            "summary": summary,
            "breakdowns": _breakdowns(summary),
            "month_count": month,
            "progress": progress,
            "days_left": (progress.period.end - today).days if progress.period else None,
            "todays": todays[:50],
            "can_log": centre.pk in scope.centre_ids,
            "can_set_target": can_set_target,
            "target_form": target_form,
            "export_query": urlencode(
                [("centre", str(centre.pk)), ("start", start.isoformat()), ("end", end.isoformat())]
            ),
        },
    )


@login_required
@require_POST
def centre_target(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    centre = centre_get_for_user(user=user, pk=pk)
    form = TargetForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_target_set(actor=user, centre=centre, **form.cleaned_data)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The target was saved."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("consultations:centre", pk=centre.pk)


@login_required
def summary(request: HttpRequest) -> HttpResponse:
    """Regional and network view: the same figures for many centres, and a table of centres."""
    user = _user(request)
    scope = scope_for(user)
    if not (scope.network or scope.region_ids):
        raise Http404
    regions = selectors.regions_visible_to(user=user)
    region_slug = request.GET.get("region", "")
    region: Region | None = None
    if region_slug:
        region = get_object_or_404(regions, slug=region_slug)
    elif not scope.network:
        region = regions.first()
    form, start, end = _range(request)
    centres = centre_list_visible_to(user=user)
    if region is not None:
        centres = centres.filter(region=region)
        where = ScopeFilter(region_id=region.pk)
    else:
        where = ScopeFilter()
    data = selectors.summary(where=where, start=start, end=end)
    lines = selectors.centre_table(centres=centres, start=start, end=end, on=_today())
    sort = request.GET.get("sort", "count")
    keys = {
        "name": lambda line: line.centre.display_name,
        "count": lambda line: -line.count,
        "progress": lambda line: (line.percent is None, line.percent or 0),
    }
    lines.sort(key=keys.get(sort, keys["count"]))
    base_query = _query_without(request, "sort")
    return render(
        request,
        "consultations/summary.html",
        {
            "regions": regions,
            "region": region,
            "network": scope.network,
            "form": form,
            "start": start,
            "end": end,
            "summary": data,
            "breakdowns": _breakdowns(data),
            "lines": lines,
            "below": sum(1 for line in lines if line.below_target),
            "sort": sort,
            "sort_query": base_query,
            "export_query": urlencode(
                [*([("region", region.slug)] if region else []), ("start", start.isoformat()), ("end", end.isoformat())]
            ),
        },
    )


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    user = _user(request)
    if fmt not in ("csv", "xlsx") or not scope_for(user).is_staff_member:
        raise Http404
    _form, start, end = _range(request)
    qs = selectors.consultation_list_visible_to(user=user).filter(day__gte=start, day__lte=end)
    centre_id = request.GET.get("centre", "")
    if centre_id.isdigit():
        qs = qs.filter(centre_id=int(centre_id))
    region = request.GET.get("region", "")
    if region:
        qs = qs.filter(centre__region__slug=region)
    qs = qs.order_by("occurred_at", "id")
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


@login_required
def candidates(request: HttpRequest) -> HttpResponse:
    """Services typed as free text: what the catalogue is missing."""
    user = _user(request)
    scope = scope_for(user)
    if not (scope.network or scope.region_ids or scope.managed_centre_ids):
        raise Http404
    form, start, end = _range(request, default_start=_today() - dt.timedelta(days=90))
    rows = selectors.free_text_candidates(user=user, start=start, end=end)
    return render(
        request,
        "consultations/candidates.html",
        {
            "rows": rows,
            "form": form,
            "start": start,
            "end": end,
            "can_add_card": scope.network or bool(scope.region_ids),
        },
    )
