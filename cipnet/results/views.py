"""Programme results for staff (the dashboard of a programme, an indicator's figures by centre and its
breakdowns, with the rows behind them) and for the public (progress per result)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.core import pagecache
from cipnet.core.clock import KYIV, now
from cipnet.results import selectors, services
from cipnet.results.forms import FiguresForm
from cipnet.results.models import Programme
from cipnet.results.selectors import ScopeChoice


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not scope_for(user).is_staff_member:
        raise Http404
    return user


def _today() -> dt.date:
    return now().astimezone(KYIV).date()


def _figures_form(
    request: HttpRequest, programme: Programme, scopes: list[ScopeChoice]
) -> tuple[FiguresForm, ScopeChoice, dt.date, dt.date]:
    spans = selectors.periods(programme)
    # A scope the user may not see is a 404, as any record outside their scope.
    chosen = selectors.choose_scope(
        scopes, request.GET.get("scope", ""), user=request.user if isinstance(request.user, User) else None,
        programme=programme,
    )  # fmt: skip
    if chosen not in scopes:  # a centre of a large programme, opened by its address: offered as chosen
        scopes = [*scopes, chosen]
    form = FiguresForm(request.GET or None, scopes=scopes, spans=spans)
    start, end = spans[0]
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["span"]
    return form, chosen, start, end


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    programmes = selectors.programme_list_visible_to(user=user).order_by("-starts_on")
    return render(request, "results/programme_list.html", {"programmes": programmes})


@login_required
def programme_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    programme = selectors.programme_get_for_user(user=user, code=code)
    scopes = selectors.scope_choices(user=user, programme=programme)
    form, chosen, start, end = _figures_form(request, programme, scopes)
    on = _today()
    rows = selectors.logframe(programme, scope=chosen.scope, start=start, end=end, on=on)
    context: dict[str, Any] = {
        "programme": programme,
        "form": form,
        "chosen": chosen,
        "start": start,
        "end": end,
        "rows": rows,
        "query": _query(chosen, start, end),
        "reports": selectors.donor_reports_visible_to(user=user, programme=programme),
        "can_report": scope_for(user).network,
    }
    return render(request, "results/dashboard.html", context)


@login_required
@require_POST
def report_generate(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    programme = selectors.programme_get_for_user(user=user, code=code)
    spans = selectors.periods(programme)
    form = FiguresForm(request.POST, scopes=selectors.scope_choices(user=user, programme=programme), spans=spans)
    start, end = spans[0]
    if form.is_valid():
        start, end = form.cleaned_data["span"]
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(f"{reverse('results:programme', args=[code])}#reports")
    try:
        report = services.donor_report_generate(actor=user, programme=programme, start=start, end=end)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The report is ready: its figures are kept as they are now. SHA-256: %(sum)s") % {"sum": report.sha256},
        )
    return redirect(f"{reverse('results:programme', args=[code])}#reports")


@login_required
def report_download(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    user = _user(request)
    programme = selectors.programme_get_for_user(user=user, code=code)
    report = selectors.donor_report_get_for_user(user=user, programme=programme, pk=pk)
    response = HttpResponse(
        bytes(report.content), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"{programme.code}_{report.starts_on:%Y-%m-%d}_{report.ends_on:%Y-%m-%d}_{report.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def report_iati(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    user = _user(request)
    programme = selectors.programme_get_for_user(user=user, code=code)
    report = selectors.donor_report_get_for_user(user=user, programme=programme, pk=pk)
    if not report.iati_sha256:
        raise Http404
    response = HttpResponse(bytes(report.iati_xml), content_type="application/xml; charset=utf-8")
    name = f"{programme.code}_{report.starts_on:%Y-%m-%d}_{report.ends_on:%Y-%m-%d}_{report.pk}_iati.xml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def indicator_detail(request: HttpRequest, code: str, indicator: str) -> HttpResponse:
    user = _user(request)
    programme = selectors.programme_get_for_user(user=user, code=code)
    item = selectors.indicator_get(programme=programme, code=indicator)
    scopes = selectors.scope_choices(user=user, programme=programme)
    form, chosen, start, end = _figures_form(request, programme, scopes)
    on = _today()
    fig = selectors.figure(item, scope=chosen.scope, start=start, end=end, on=on)
    centres, centre_count = selectors.by_centre(item, user=user, chosen=chosen, start=start, end=end, on=on)
    every_centre = selectors.counts_every_centre(programme)  # once, not per centre row
    context: dict[str, Any] = {
        "programme": programme,
        "indicator": item,
        "form": form,
        "chosen": chosen,
        "start": start,
        "end": end,
        "fig": fig,
        "centres": [(choice, f, _rows_link(item, choice, start, end, every_centre)) for choice, f in centres],
        "centre_count": centre_count,
        "too_many_centres": centre_count > selectors.MAX_LISTED_CENTRES,
        "rows_link": _rows_link(item, chosen, start, end, every_centre),
        # Centres are in the table above when the user sees more than one, and too many to list beyond it.
        "breakdowns": selectors.breakdowns(
            fig, skip=("centre",) if len(centres) > 1 or centre_count > selectors.MAX_LISTED_CENTRES else ()
        ),
        "source_label": selectors.source_label(item),
        "query": _query(chosen, start, end),
    }
    return render(request, "results/indicator.html", context)


def _query(chosen: ScopeChoice, start: dt.date, end: dt.date) -> str:
    return urlencode({"scope": chosen.key, "period": "custom", "start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"})


def _rows_link(indicator: Any, choice: ScopeChoice, start: dt.date, end: dt.date, every_centre: bool) -> str:
    """The consultation log's own list of the rows behind a centre's figure (the log keeps no personal
    data); also the network's, when the programme counts every centre."""
    params = selectors.rows_filter(indicator)
    if params is None:
        return ""
    query: dict[str, str] = {"start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}", **params}
    if choice.scope.centre_id is not None:
        query["centre"] = str(choice.scope.centre_id)
    elif not (choice.kind == "network" and every_centre):
        return ""  # a region's or a programme's rows: opened centre by centre
    return f"{reverse('consultations:entries')}?{urlencode(query)}"


@pagecache.public_page  # kept for visitors not signed in: a minute at most (ADR 10)
def programme_public(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.programme_get_public(code=code)
    rows = selectors.logframe(
        programme, scope=selectors.Scope(), start=programme.starts_on, end=programme.ends_on, on=_today()
    )
    return render(request, "results/public.html", {"programme": programme, "rows": rows})
