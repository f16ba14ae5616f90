"""Pages that compose several apps: the staff home, the public centre page with its panels,
and where signing in lands."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from cipnet.accounts import views as accounts_views
from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.appeals import selectors as appeal_selectors
from cipnet.appeals.publication import is_moderator
from cipnet.core import pagecache
from cipnet.core.clock import local, now
from cipnet.directory import hours
from cipnet.directory import selectors as directory_selectors
from cipnet.directory.jsonld import centre_jsonld
from cipnet.directory.models import Centre, Language
from cipnet.equeue import selectors as queue_selectors
from cipnet.eservices import selectors as catalogue_selectors


class LoginView(accounts_views.LoginView):
    """The throttled sign-in of accounts, landing where the person works."""

    def get_default_redirect_url(self) -> str:
        if scope_for(self.request.user).is_staff_member:
            return reverse("staff:home")
        if appeal_selectors.is_official(self.request.user):
            return reverse("reception_staff:inbox")
        if is_moderator(self.request.user):
            return reverse("reception_moderation:queue")
        return reverse("public:home")


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User):  # login_required ran first; this narrows the type
        raise Http404
    scope = scope_for(user)
    memberships = user.memberships.filter(is_active=True).select_related("centre", "region", "office")
    centres = directory_selectors.centre_list_visible_to(user=user)
    is_official = appeal_selectors.is_official(user)
    return render(
        request,
        "portal/staff_home.html",
        {
            "memberships": memberships,
            "centres": centres[:50],
            "centre_count": centres.count(),
            "offices": directory_selectors.office_list_visible_to(user=user),
            "scope": scope,
            "can_edit_catalogue": scope.network or bool(scope.region_ids),
            "is_official": is_official,
            "official_posts": appeal_selectors.official_posts(user),
            "is_moderator": is_moderator(user),
            "reception": is_official or bool(scope.centre_ids),
        },
    )


@pagecache.public_page
def centre_detail(request: HttpRequest, slug: str) -> HttpResponse:
    centre = directory_selectors.centre_get_public(slug=slug)
    moment = now()
    schedule = directory_selectors.schedule_for(centre)
    status = hours.status_at(schedule, moment)
    today = local(moment).date()
    week = [
        {"date": day, "weekday": hours.weekday_label(day.weekday()), "text": hours.format_intervals(intervals),
         "is_exception": is_exc, "is_today": day == today}
        for day, intervals, is_exc in hours.week_rows(schedule, today)
    ]  # fmt: skip
    upcoming = [e for e in centre.exceptions.all() if e.date >= today]
    context = {
        "centre": centre,
        "status": status,
        "sentence": hours.describe(status),
        "today_text": hours.format_intervals(schedule.intervals_on(today)),
        "week": week,
        "upcoming_exceptions": upcoming[:5],
        "features": [f.get_feature_display() for f in centre.features.all()],
        "languages": centre_languages(centre),
        "jsonld": centre_jsonld(centre, schedule, request),
        # The e-services the centre helps with in person (the catalogue hangs off centres).
        "services": catalogue_selectors.cards_helped_with_at(centre=centre),
    }
    # The electronic queue's panel (nothing when the centre does not use the queue).
    context.update(queue_selectors.centre_queue_panel(centre))
    return render(request, "portal/centre_detail.html", context)


def centre_languages(centre: Centre) -> list[str]:
    labels = dict(Language.choices)
    return [str(labels[code]) for code in centre.languages if code in labels]
