"""Staff pages of the directory: scoped to the user's centres and regions (404 outside).
The staff home is `cipnet.portal`'s."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.core.clock import local, now
from cipnet.core.errors import Forbidden, put_errors
from cipnet.directory import hours, selectors, services
from cipnet.directory.forms import CentreForm, OpeningExceptionForm, WeekHoursForm
from cipnet.directory.models import CentreStatus, OpeningException


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required ran first; this narrows the type
        raise Http404
    return user


def _require_staff(request: HttpRequest) -> User:
    user = _user(request)
    if not scope_for(user).is_staff_member:
        raise Http404
    return user


@login_required
def centre_list(request: HttpRequest) -> HttpResponse:
    user = _require_staff(request)
    qs = selectors.centre_list_visible_to(user=user)
    regions = selectors.region_list_visible_to(user=user)
    region = request.GET.get("region", "")
    status = request.GET.get("status", "")
    if region:
        qs = qs.filter(region__slug=region)
    if status in CentreStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/centre_list.html",
        {
            "page": page,
            "regions": regions,
            "statuses": CentreStatus.choices,
            "selected_region": region,
            "selected_status": status,
            "can_create": scope_for(user).can_create_centres,
        },
    )


def _form_querysets(user: User) -> dict[str, Any]:
    hosts, offices = selectors.centre_form_choices(user=user)
    return {"hosts": hosts, "offices": offices}


@login_required
def centre_create(request: HttpRequest) -> HttpResponse:
    user = _require_staff(request)
    if not scope_for(user).can_create_centres:
        raise Http404
    form = CentreForm(request.POST or None, **_form_querysets(user))
    if request.method == "POST" and form.is_valid():
        try:
            centre = services.centre_create(actor=user, features=form.cleaned_data["features"], **form.service_fields())
        except ValidationError as error:
            put_errors(form, error)
        except Forbidden as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(request, _("The centre was added. Now set its opening hours."))
            return redirect("staff:centre_hours", pk=centre.pk)
    return render(request, "staff/centre_form.html", {"form": form, "centre": None})


@login_required
def centre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require_staff(request)
    centre = selectors.centre_get_for_user(user=user, pk=pk)
    schedule = selectors.schedule_for(centre)
    moment = now()
    today = local(moment).date()
    status = hours.status_at(schedule, moment)
    exceptions = centre.exceptions.filter(date__gte=today).order_by("date")
    return render(
        request,
        "staff/centre_detail.html",
        {
            "centre": centre,
            "sentence": hours.describe(status),
            "week": [
                (hours.weekday_label(day), hours.format_intervals(schedule.weekly.get(day, ()))) for day in range(7)
            ],
            "exceptions": exceptions,
            "exception_form": OpeningExceptionForm(),
            "can_edit": selectors.centre_can_edit(user=user, centre=centre),
            "staff": centre.memberships.filter(is_active=True).select_related("user"),
        },
    )


@login_required
def centre_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require_staff(request)
    centre = selectors.centre_get_for_user(user=user, pk=pk, for_edit=True)
    form = CentreForm(request.POST or None, instance=centre, **_form_querysets(user))
    if request.method == "POST" and form.is_valid():
        try:
            services.centre_update(
                actor=user, centre=centre, features=form.cleaned_data["features"], **form.service_fields()
            )
        except ValidationError as error:
            put_errors(form, error)
        except Forbidden as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("staff:centre", pk=centre.pk)
    return render(request, "staff/centre_form.html", {"form": form, "centre": centre})


@login_required
def centre_hours(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require_staff(request)
    centre = selectors.centre_get_for_user(user=user, pk=pk, for_edit=True)
    schedule = selectors.schedule_for(centre)
    initial = WeekHoursForm.initial_from({day: list(intervals) for day, intervals in schedule.weekly.items()})
    form = WeekHoursForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.centre_set_hours(actor=user, centre=centre, week=form.cleaned_data["week"])
        except ValidationError as error:
            for key, items in error.message_dict.items():
                day = int(key.removeprefix("day_")) if key.startswith("day_") else None
                for item in items:
                    form.add_error(f"d{day}_1_opens" if day is not None else None, item)
        else:
            messages.success(request, _("Opening hours saved."))
            return redirect("staff:centre", pk=centre.pk)
    return render(request, "staff/centre_hours.html", {"form": form, "centre": centre})


@login_required
@require_POST
def exception_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require_staff(request)
    centre = selectors.centre_get_for_user(user=user, pk=pk)
    form = OpeningExceptionForm(request.POST)
    if form.is_valid():
        try:
            services.opening_exception_add(actor=user, centre=centre, **form.cleaned_data)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("The change to opening hours was saved."))
            return redirect("staff:centre", pk=centre.pk)
    today = local(now()).date()
    return render(
        request,
        "staff/exception_form.html",
        {"form": form, "centre": centre, "exceptions": centre.exceptions.filter(date__gte=today)},
        status=400,
    )


@login_required
@require_POST
def exception_delete(request: HttpRequest, pk: int, exception_id: int) -> HttpResponse:
    user = _require_staff(request)
    centre = selectors.centre_get_for_user(user=user, pk=pk)
    exception = get_object_or_404(OpeningException, pk=exception_id, centre=centre)
    services.opening_exception_delete(actor=user, exception=exception)
    messages.success(request, _("The change to opening hours was deleted."))
    return redirect("staff:centre", pk=centre.pk)


@login_required
def office_list(request: HttpRequest) -> HttpResponse:
    user = _require_staff(request)
    return render(request, "staff/office_list.html", {"offices": selectors.office_list_visible_to(user=user)})


@login_required
def office_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require_staff(request)
    office = selectors.office_get_for_user(user=user, pk=pk)
    centres = selectors.centre_list_visible_to(user=user).filter(region=office.region)
    staff = office.staff.filter(is_active=True).select_related("user")
    return render(request, "staff/office_detail.html", {"office": office, "centres": centres, "staff": staff})
