"""The figures of the log: a centre's dashboard and target, the regional and network summary,
and the services typed as free text (what the catalogue is missing)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cipnet.accounts.scopes import scope_for
from cipnet.consultations import selectors, services
from cipnet.consultations.forms import TargetForm
from cipnet.consultations.models import Dimension
from cipnet.consultations.selectors import ScopeFilter
from cipnet.consultations.views.common import date_range, query_without, today, user_of
from cipnet.directory.models import Region
from cipnet.directory.selectors import centre_get_for_user, centre_list_visible_to

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
    user = user_of(request)
    centre = centre_get_for_user(user=user, pk=pk)
    form, start, end = date_range(request)
    day = today()
    where = ScopeFilter(centre_ids=(centre.pk,))
    summary = selectors.summary(where=where, start=start, end=end)
    month = selectors.totals_by_centre(where=where, start=day.replace(day=1), end=day).get(centre.pk, 0)
    progress = selectors.progress(centre, on=day)
    scope = scope_for(user)
    can_set_target = scope.network or centre.region_id in scope.region_ids
    todays = selectors.consultations_of_day(centre=centre, day=day)
    target_form = TargetForm(
        initial={
            "consultations": progress.target.consultations if progress.target else 40,
            "period_months": progress.target.period_months if progress.target else 2,
            "starts_on": progress.period.start if progress.period else day.replace(day=1),
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
            "days_left": (progress.period.end - day).days if progress.period else None,
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
    user = user_of(request)
    centre = centre_get_for_user(user=user, pk=pk)
    form = TargetForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_target_set(actor=user, centre=centre, **form.cleaned_data)
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
    user = user_of(request)
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
    form, start, end = date_range(request)
    centres = centre_list_visible_to(user=user)
    if region is not None:
        centres = centres.filter(region=region)
    where = selectors.summary_where(user=user, centre=None, region=region)
    data = selectors.summary(where=where, start=start, end=end)
    lines = selectors.centre_table(centres=centres, start=start, end=end, on=today())
    sort = request.GET.get("sort", "count")
    keys = {
        "name": lambda line: line.centre.display_name,
        "count": lambda line: -line.count,
        "progress": lambda line: (line.percent is None, line.percent or 0),
    }
    lines.sort(key=keys.get(sort, keys["count"]))
    base_query = query_without(request, "sort")
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
def candidates(request: HttpRequest) -> HttpResponse:
    """Services typed as free text: what the catalogue is missing."""
    user = user_of(request)
    scope = scope_for(user)
    if not (scope.network or scope.region_ids or scope.managed_centre_ids):
        raise Http404
    form, start, end = date_range(request, default_start=today() - dt.timedelta(days=90))
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
