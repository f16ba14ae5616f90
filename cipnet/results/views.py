"""Programme results for staff (the dashboard of a programme, an indicator's figures by centre and its
breakdowns, with the rows behind them) and for the public (progress per result)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.core import pagecache
from cipnet.core.clock import KYIV, now
from cipnet.core.errors import put_errors
from cipnet.reporting import services as reporting
from cipnet.reporting.models import MonthStatus, due_on, next_month
from cipnet.results import metadata, opendata, selectors, services
from cipnet.results.forms import FiguresForm, ReportForm, ReturnForm
from cipnet.results.models import REPORT_LANGUAGES, Programme
from cipnet.results.selectors import ScopeChoice

PDF_UNAVAILABLE = gettext_lazy(
    "The PDF report could not be made on this server: a program it needs is not installed. "
    "The Excel table and the other files were made as usual."
)


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
        # The last twelve months of the span: completeness and timeliness of the centres' reports.
        "completeness": selectors.reporting_completeness(programme, scope=chosen.scope, start=start, end=end, on=on)[
            -12:
        ],
        "corrections": list(selectors.corrections(programme, scope=chosen.scope, start=start, end=end)[:50]),
        "report_languages": REPORT_LANGUAGES,
    }
    return render(request, "results/dashboard.html", context)


@login_required
@require_POST
def report_generate(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    programme = selectors.programme_get_for_user(user=user, code=code)
    spans = selectors.periods(programme)
    form = ReportForm(request.POST, scopes=selectors.scope_choices(user=user, programme=programme), spans=spans)
    if form.is_valid():
        start, end = form.cleaned_data["span"]
        language = form.cleaned_data["language"]
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(f"{reverse('results:programme', args=[code])}#reports")
    try:
        report = services.donor_report_generate(
            actor=user, programme=programme, start=start, end=end, language=language
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The report is ready: its figures are kept as they are now. SHA-256: %(sum)s") % {"sum": report.sha256},
        )
        if not report.pdf_sha256:
            messages.warning(request, PDF_UNAVAILABLE)
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
def report_pdf(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    user = _user(request)
    programme = selectors.programme_get_for_user(user=user, code=code)
    report = selectors.donor_report_get_for_user(user=user, programme=programme, pk=pk)
    if not report.pdf_sha256:
        raise Http404  # this server could not make it (the dashboard says so)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    name = f"{programme.code}_{report.starts_on:%Y-%m-%d}_{report.ends_on:%Y-%m-%d}_{report.pk}_{report.language}.pdf"
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


# --- Monthly reporting: a centre submits a month, the region and the network approve it (ADR 12) -----


def _month_param(value: str, months: list[dt.date]) -> dt.date | None:
    try:
        month = dt.date.fromisoformat(f"{value}-01") if len(value) == 7 else None
    except ValueError:
        return None
    return month if month in months else None


def _months_url(code: str, month: dt.date, region: str = "") -> str:
    query = {"month": f"{month:%Y-%m}", **({"region": region} if region else {})}
    return f"{reverse('results:months', args=[code])}?{urlencode(query)}"


@login_required
def programme_months(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    programme = selectors.programme_get_for_user(user=user, code=code)
    today = _today()
    months = selectors.programme_months(programme, start=programme.starts_on, end=programme.ends_on, on=today)
    if not months:
        raise Http404
    # The last month that is over, else the current one.
    default = next((m for m in reversed(months) if m < today.replace(day=1)), months[-1])
    month = _month_param(request.GET.get("month", ""), months) or default
    region = request.GET.get("region", "")
    scopes = [s for s in selectors.scope_choices(user=user, programme=programme) if s.kind == "region"]
    region_choice = next((s for s in scopes if s.key == region), None)
    rows = selectors.month_rows(
        user=user,
        programme=programme,
        month=month,
        region_id=region_choice.scope.region_id if region_choice else None,
    )
    too_many = len(rows) > selectors.MAX_LISTED_CENTRES
    summary = selectors.reporting_completeness(
        programme,
        scope=region_choice.scope if region_choice else selectors.Scope(),
        start=month,
        end=month,
        on=today,
    )
    if not scope_for(user).network and region_choice is None:
        summary = []  # the network's figure is the network's; a region's staff choose their region
    context: dict[str, Any] = {
        "programme": programme,
        "months": months,
        "month": month,
        "regions": scopes,
        "region": region_choice,
        "rows": rows[: selectors.MAX_LISTED_CENTRES],
        "too_many": too_many,
        "summary": summary[0] if summary else None,
        "approvable": sum(1 for r in rows if r.can_approve),
        "due_on": due_on(month),
        "month_end": next_month(month) - dt.timedelta(days=1),
    }
    return render(request, "results/months.html", context)


@login_required
@require_POST
def month_act(request: HttpRequest, code: str) -> HttpResponse:
    """Submit or approve one centre's month, or approve every month the user may approve on the page."""
    user = _user(request)
    programme = selectors.programme_get_for_user(user=user, code=code)
    months = selectors.programme_months(programme, start=programme.starts_on, end=programme.ends_on, on=_today())
    month = _month_param(request.POST.get("month", ""), months)
    if month is None:
        raise Http404
    region = request.POST.get("region", "")
    action = request.POST.get("action", "")
    back = _months_url(code, month, region)
    if action == "approve_all":
        rows = selectors.month_rows(user=user, programme=programme, month=month, region_id=_region_id(region))
        done = 0
        for status in (MonthStatus.SUBMITTED, MonthStatus.REGION_APPROVED):
            centres = [r.centre for r in rows if r.can_approve and r.status == status]
            done += len(reporting.months_approve(actor=user, centres=centres, month=month, status=status))
        messages.success(request, _("Approved: %(n)d.") % {"n": done})
        return redirect(back)
    centre_id = request.POST.get("centre", "")
    if not centre_id.isdigit() or action not in ("submit", "approve"):
        raise Http404
    centre = selectors.month_centre_get(user=user, programme=programme, centre_id=int(centre_id))
    name = centre.display_name
    label = reporting.month_label(month)
    if action == "submit":
        reporting.month_submit(actor=user, centre=centre, month=month)
        messages.success(
            request,
            _("%(centre)s: %(month)s is submitted. Its entries are now locked.") % {"centre": name, "month": label},
        )
    else:
        report = reporting.month_approve(actor=user, centre=centre, month=month)
        messages.success(
            request,
            _("%(centre)s: %(month)s — %(status)s.")
            % {"centre": name, "month": label, "status": report.get_status_display()},
        )
    return redirect(back)


def _region_id(key: str) -> int | None:
    number = key.removeprefix("region-")
    return int(number) if key.startswith("region-") and number.isdigit() else None


@login_required
def month_return(request: HttpRequest, code: str, centre: int, month: str) -> HttpResponse:
    user = _user(request)
    programme = selectors.programme_get_for_user(user=user, code=code)
    months = selectors.programme_months(programme, start=programme.starts_on, end=programme.ends_on, on=_today())
    chosen = _month_param(month, months)
    if chosen is None:
        raise Http404
    place = selectors.month_centre_get(user=user, programme=programme, centre_id=centre)
    form = ReturnForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            reporting.month_return(actor=user, centre=place, month=chosen, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(centre)s: %(month)s is returned to the centre, open for changes.")
                % {"centre": place.display_name, "month": reporting.month_label(chosen)},
            )
            return redirect(_months_url(code, chosen, request.GET.get("region", "")))
    context = {
        "programme": programme,
        "centre": place,
        "month": chosen,
        "form": form,
        "events": selectors.month_events(centre=place, month=chosen),
        "back": _months_url(code, chosen, request.GET.get("region", "")),
    }
    return render(request, "results/month_return.html", context)


def _base_url(request: HttpRequest) -> str:
    configured = str(getattr(settings, "CIPNET_BASE_URL", "") or "")
    return (configured or request.build_absolute_uri("/")).rstrip("/")


def _download(content: str | bytes, content_type: str) -> HttpResponse:
    # Shown in the browser (the address ends with the file's name); a kept page keeps no other header.
    return HttpResponse(content, content_type=content_type)


@pagecache.public_page
def open_data(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.programme_get_public(code=code)
    rows = selectors.open_data_rows(programme)
    context = {
        "programme": programme,
        "indicators": selectors.open_data_indicators(programme),
        "row_count": len(rows),
        "suppressed_count": sum(1 for r in rows if r["suppressed"]),
    }
    return render(request, "results/open_data.html", context)


@pagecache.public_page
def open_data_csv(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.programme_get_public(code=code)
    text = opendata.as_csv(selectors.open_data_rows(programme))
    return _download(text.encode("utf-8"), "text/csv; charset=utf-8")


@pagecache.public_page
def open_data_json(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.programme_get_public(code=code)
    body = {"programme": programme.code, "rows": selectors.open_data_rows(programme)}
    return _download(json.dumps(body, ensure_ascii=False), "application/json")


@pagecache.public_page
def open_data_package(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.programme_get_public(code=code)
    body = metadata.datapackage(programme, _base_url(request))
    return _download(json.dumps(body, ensure_ascii=False, indent=2), "application/json")


@pagecache.public_page
def open_data_dcat_turtle(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.programme_get_public(code=code)
    text = metadata.dcat_turtle(programme, _base_url(request), modified=_today())
    return _download(text, "text/turtle; charset=utf-8")


@pagecache.public_page
def open_data_dcat_jsonld(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.programme_get_public(code=code)
    text = metadata.dcat_jsonld(programme, _base_url(request), modified=_today())
    return _download(text, "application/ld+json")
