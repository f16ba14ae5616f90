"""What the consultation log's pages share: the signed-in staff user, today in Kyiv, the date
range of a page, and the suggestion list of services."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest

from cipnet.accounts.models import User
from cipnet.consultations import selectors
from cipnet.consultations.forms import RangeForm
from cipnet.core.clock import KYIV, now
from cipnet.directory.models import Centre

#: A service's field name in the services → the quick-entry form's.
ALIASES = {"services": "service"}


def user_of(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


def today() -> dt.date:
    return now().astimezone(KYIV).date()


def query_without(request: HttpRequest, name: str) -> str:
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


def date_range(request: HttpRequest, *, default_start: dt.date | None = None) -> tuple[RangeForm, dt.date, dt.date]:
    """The page's range form and its days: from `default_start` (this month's first) to today."""
    form = RangeForm(request.GET or None)
    end = today()
    start = default_start or end.replace(day=1)
    if form.is_bound and form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
    return form, start, end


def service_options(centre: Centre) -> list[str]:
    return selectors.service_names_for(centre=centre, today=today())
