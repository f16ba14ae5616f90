"""Staff pages of the electronic queue: the desk console, the queue's settings and its
statistics. Plain POST forms and redirects, so everything works without JavaScript; the
waiting list refreshes itself through HTMX where scripts run.

Access: the console is for people who work in the centre (`access.can_serve`); the
settings for its manager, the region's coordinator and network admins (`access.can_manage`);
the statistics for both. Anything outside that is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from cipnet.accounts.models import User
from cipnet.core.clock import local, now
from cipnet.core.errors import InvalidTransition, is_htmx, put_errors
from cipnet.directory.models import Centre
from cipnet.equeue import access, selectors, services
from cipnet.equeue.forms import (
    DeskForm,
    IssueForm,
    PriorityCategoryForm,
    QueueConfigForm,
    StatsRangeForm,
    TopicForm,
    TransferForm,
)
from cipnet.equeue.models import Desk, PriorityCategory, QueueTopic, Ticket, TicketChannel

#: Session key: {centre id (str): desk id} — the desk each centre's console was last used at.
SESSION_DESK = "equeue_desk"


# --- Shared helpers ---------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required ran first; this narrows the type
        raise Http404
    return user


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _error_messages(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def _console_url(centre_id: int, **query: Any) -> str:
    return f"{reverse('queue_staff:console')}?{urlencode({'centre': centre_id, **query})}"


def _serving_centre(user: User, wanted: Any) -> tuple[Centre, QuerySet[Centre]]:
    centres = selectors.centre_list_served_by(user=user)
    if wanted not in (None, ""):
        pk = _int(wanted)
        centre = centres.filter(pk=pk).first() if pk is not None else None
    else:
        centre = centres.first()
    if centre is None:
        raise Http404
    return centre, centres


def _managed_centre(user: User, centre_id: int) -> Centre:
    return selectors.centre_get_for_queue(user=user, pk=centre_id, manage=True)


def _stats_centre(user: User, centre_id: int) -> Centre:
    return selectors.centre_get_for_queue(user=user, pk=centre_id)


def _desk_of_user(user: User, desk_id: Any) -> Desk:
    """A desk (open or closed) of a centre the user works in; 404 otherwise."""
    return selectors.desk_get_for_user(user=user, pk=_int(desk_id))


def _remember_desk(request: HttpRequest, desk: Desk) -> None:
    chosen = dict(request.session.get(SESSION_DESK) or {})
    chosen[str(desk.centre_id)] = desk.pk
    request.session[SESSION_DESK] = chosen


def _remembered_desk(request: HttpRequest, centre: Centre, desks: list[Desk]) -> Desk | None:
    wanted = (request.session.get(SESSION_DESK) or {}).get(str(centre.pk))
    for desk in desks:
        if desk.pk == wanted:
            return desk
    return desks[0] if len(desks) == 1 else None


# --- Console ----------------------------------------------------------------------------------


def _issue_form(centre: Centre, data: Any = None) -> IssueForm:
    return IssueForm(data, topics=selectors.topics_of(centre), categories=selectors.priorities_of(centre))


def _transfer_form(ticket: Ticket, data: Any = None) -> TransferForm:
    # The ticket was read through `ticket_get_for_user`: its centre is the user's.
    desks = selectors.desk_list(selectors.DeskFilters(centre=ticket.centre, active_only=True, exclude=ticket.desk))
    return TransferForm(data, topics=selectors.topics_of(ticket.centre).exclude(pk=ticket.topic_id), desks=desks)


def _console_context(
    request: HttpRequest, user: User, centre: Centre, centres: QuerySet[Centre], issue_form: IssueForm | None = None
) -> dict[str, Any]:
    moment = now()
    config = selectors.config_for(centre)
    desks = list(
        selectors.desk_list_visible_to(
            user=user, filters=selectors.DeskFilters(centre=centre, active_only=True)
        ).prefetch_related("topics")
    )
    desk = _remembered_desk(request, centre, desks)
    current = selectors.current_ticket(user=user, desk=desk) if desk is not None else None
    issued_id = _int(request.GET.get("issued"))
    issued = (
        selectors.ticket_list_visible_to(user=user, filters=selectors.TicketFilters(centre=centre))
        .filter(pk=issued_id)
        .first()
        if issued_id
        else None
    )
    groups = selectors.waiting_groups(user=user, centre=centre, desk=desk, moment=moment)
    return {
        "moment": moment,
        "today": local(moment).date(),
        "centre": centre,
        "centres": centres,
        "config": config,
        "queue_on": config is not None and config.is_enabled,
        "desks": desks,
        "desk": desk,
        "current": current,
        "transfer_form": _transfer_form(current) if current is not None else None,
        "issue_form": issue_form or _issue_form(centre),
        "issued": issued,
        "groups": groups,
        "waiting_total": sum(len(g.rows) for g in groups),
        "recent": selectors.recent_at_desk(user=user, desk=desk, day=local(moment).date()) if desk is not None else [],
        "can_manage": access.can_manage(user, centre),
    }


@login_required
def console(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    centre, centres = _serving_centre(user, request.GET.get("centre"))
    context = _console_context(request, user, centre, centres)
    if is_htmx(request) and request.GET.get("part") == "waiting":
        return render(request, "equeue/staff/console.html#waiting", context)
    return render(request, "equeue/staff/console.html", context)


@login_required
@require_POST
def desk_choose(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    desk = _desk_of_user(user, request.POST.get("desk"))
    if not desk.is_active:
        messages.error(request, _("This desk is closed. Choose another one."))
    else:
        _remember_desk(request, desk)
        messages.success(request, _("You work at %(desk)s.") % {"desk": desk.name})
    return redirect(_console_url(desk.centre_id))


@login_required
@require_POST
def call_next(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    desk = _desk_of_user(user, request.POST.get("desk"))
    try:
        ticket = services.ticket_call_next(actor=user, desk=desk)
    except InvalidTransition as refusal:
        messages.error(request, refusal.message)
    except ValidationError as error:
        for message in _error_messages(error):
            messages.error(request, message)
    else:
        _remember_desk(request, desk)
        if ticket is None:
            messages.info(request, _("Nobody is waiting."))
        else:
            messages.success(request, _("Ticket %(label)s called.") % {"label": ticket.label})
    return redirect(_console_url(desk.centre_id))


TICKET_ACTIONS = {
    "recall": services.ticket_recall,
    "no_show": services.ticket_no_show,
    "start": services.ticket_start,
}
DONE_MESSAGES = {
    "recall": gettext_noop("Ticket %(label)s called again."),
    "no_show": gettext_noop("Ticket %(label)s: the visitor did not come."),
    "start": gettext_noop("Serving ticket %(label)s."),
}


@login_required
@require_POST
def ticket_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _user(request)
    if action not in TICKET_ACTIONS and action != "finish":
        raise Http404
    ticket = selectors.ticket_get_for_user(user=user, pk=pk)
    try:
        if action == "finish":
            finished = services.ticket_finish(actor=user, ticket=ticket)
        else:
            TICKET_ACTIONS[action](actor=user, ticket=ticket)
    except InvalidTransition as refusal:
        messages.error(request, refusal.message)
        return redirect(_console_url(ticket.centre_id))
    except ValidationError as error:
        for message in _error_messages(error):
            messages.error(request, message)
        return redirect(_console_url(ticket.centre_id))
    if action == "finish":
        messages.success(
            request, _("Ticket %(label)s finished. Record the consultation.") % {"label": finished.ticket.label}
        )
        query = urlencode({"centre": str(ticket.centre_id), "prefill": finished.prefill})
        return HttpResponseRedirect(f"{reverse('consultations:entry')}?{query}")
    messages.success(request, _(DONE_MESSAGES[action]) % {"label": ticket.label})
    return redirect(_console_url(ticket.centre_id))


@login_required
def ticket_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    ticket = selectors.ticket_get_for_user(user=user, pk=pk)
    form = _transfer_form(ticket, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.ticket_transfer(
                actor=user, ticket=ticket, topic=form.cleaned_data["topic"], desk=form.cleaned_data["desk"]
            )
        except InvalidTransition as refusal:
            form.add_error(None, refusal.message)
        except ValidationError as error:
            put_errors(form, error)
        else:
            if moved.for_desk is not None:
                text = _("Ticket %(label)s is back in the line, for %(desk)s.") % {
                    "label": moved.label,
                    "desk": moved.for_desk.name,
                }
            else:
                text = _("Ticket %(label)s is back in the line, topic “%(topic)s”.") % {
                    "label": moved.label,
                    "topic": moved.topic.display_name,
                }
            messages.success(request, text)
            return redirect(_console_url(ticket.centre_id))
    return render(request, "equeue/staff/transfer.html", {"ticket": ticket, "form": form, "centre": ticket.centre})


@login_required
@require_POST
def issue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    centre, centres = _serving_centre(user, request.POST.get("centre"))
    form = _issue_form(centre, request.POST)
    if form.is_valid():
        try:
            ticket = services.ticket_issue(
                centre=centre,
                topic=form.cleaned_data["topic"],
                priority=form.cleaned_data["priority"],
                channel=TicketChannel.STAFF,
                actor=user,
            )
        except InvalidTransition as refusal:
            form.add_error(None, refusal.message)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request, _("Ticket %(label)s issued. Tell the visitor the number.") % {"label": ticket.label}
            )
            return redirect(_console_url(centre.pk, issued=ticket.pk))
    context = _console_context(request, user, centre, centres, issue_form=form)
    return render(request, "equeue/staff/console.html", context, status=400)


# --- Settings: pages --------------------------------------------------------------------------


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


@login_required
def queue_settings(request: HttpRequest, centre_id: int) -> HttpResponse:
    user = _user(request)
    centre = _managed_centre(user, centre_id)
    config = selectors.config_for(centre)
    form = QueueConfigForm(instance=config) if config is not None else None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "setup" and config is None:
            services.queue_setup(actor=user, centre=centre)
            messages.success(
                request, _("The queue is on, with the usual topics, priority groups and two desks. Check them below.")
            )
            return redirect("queue_staff:settings", centre_id=centre.pk)
        if action == "config" and config is not None:
            form = QueueConfigForm(request.POST, instance=config)
            if form.is_valid():
                try:
                    services.queue_config_update(config=form.instance, fields=list(form.Meta.fields))
                except ValidationError as error:
                    put_errors(form, error)
                else:
                    messages.success(request, _("Queue settings saved."))
                    return redirect("queue_staff:settings", centre_id=centre.pk)
        elif action not in ("setup", "config"):
            raise Http404
    context: dict[str, Any] = {
        "centre": centre,
        "config": config,
        "form": form,
        "topics": selectors.topics_of(centre, include_inactive=True),
        "desks": selectors.desk_list(selectors.DeskFilters(centre=centre)).prefetch_related("topics"),
        "categories": selectors.priorities_of(centre, include_inactive=True),
    }
    if config is not None:
        context["kiosk_url"] = _absolute(request, f"/queue/kiosk/{config.kiosk_token}/")
        context["board_url"] = _absolute(request, f"/queue/{centre.slug}/board/") if centre.slug else ""
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(request, "equeue/staff/settings.html", context, status=status)


@login_required
@require_POST
def kiosk_renew(request: HttpRequest, centre_id: int) -> HttpResponse:
    user = _user(request)
    centre = _managed_centre(user, centre_id)
    if selectors.config_for(centre) is None:
        raise Http404
    services.kiosk_token_renew(actor=user, centre=centre)
    messages.success(request, _("The kiosk has a new link. Open it on the kiosk tablet; the old link no longer works."))
    return redirect(reverse("queue_staff:settings", kwargs={"centre_id": centre.pk}) + "#kiosk")


def _edit_page(
    request: HttpRequest,
    *,
    centre: Centre,
    form: Any,
    save: Any,
    title: str,
    saved: str,
    anchor: str,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, saved)
            return redirect(reverse("queue_staff:settings", kwargs={"centre_id": centre.pk}) + anchor)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "equeue/staff/settings_form.html", {"centre": centre, "form": form, "title": title}, status=status
    )


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@login_required
def topic_edit(request: HttpRequest, centre_id: int, pk: int | None = None) -> HttpResponse:
    user = _user(request)
    centre = _managed_centre(user, centre_id)
    topic = (
        selectors.topics_of(centre, include_inactive=True).filter(pk=pk).first() if pk else QueueTopic(centre=centre)
    )
    if topic is None:
        raise Http404
    form = TopicForm(_data(request), instance=topic)
    return _edit_page(
        request,
        centre=centre,
        form=form,
        save=lambda f: services.queue_topic_save(centre=centre, topic=f.instance, fields=list(f.Meta.fields)),
        title=_("Change the topic") if pk else _("Add a topic"),
        saved=_("Topic saved."),
        anchor="#topics",
    )


@login_required
def desk_edit(request: HttpRequest, centre_id: int, pk: int | None = None) -> HttpResponse:
    user = _user(request)
    centre = _managed_centre(user, centre_id)
    desk = (
        selectors.desk_list(selectors.DeskFilters(centre=centre)).filter(pk=pk).first() if pk else Desk(centre=centre)
    )
    if desk is None:
        raise Http404
    form = DeskForm(_data(request), instance=desk, topics=selectors.topics_of(centre, include_inactive=True))
    return _edit_page(
        request,
        centre=centre,
        form=form,
        save=lambda f: services.desk_save(
            centre=centre, desk=f.instance, topics=list(f.cleaned_data["topics"]), fields=list(f.Meta.fields)
        ),
        title=_("Change the desk") if pk else _("Add a desk"),
        saved=_("Desk saved."),
        anchor="#desks",
    )


@login_required
def category_edit(request: HttpRequest, centre_id: int, pk: int | None = None) -> HttpResponse:
    user = _user(request)
    centre = _managed_centre(user, centre_id)
    category = (
        selectors.priorities_of(centre, include_inactive=True).filter(pk=pk).first()
        if pk
        else PriorityCategory(centre=centre)
    )
    if category is None:
        raise Http404
    form = PriorityCategoryForm(_data(request), instance=category)
    return _edit_page(
        request,
        centre=centre,
        form=form,
        save=lambda f: services.priority_category_save(centre=centre, category=f.instance, fields=list(f.Meta.fields)),
        title=_("Change the priority group") if pk else _("Add a priority group"),
        saved=_("Priority group saved."),
        anchor="#priorities",
    )


# --- Statistics -------------------------------------------------------------------------------


@dataclass
class StatsRow:
    label: str
    figures: selectors.Figures


@login_required
def stats(request: HttpRequest, centre_id: int) -> HttpResponse:
    user = _user(request)
    centre = _stats_centre(user, centre_id)
    form = StatsRangeForm(request.GET or None)
    today = local(now()).date()
    start, end = form.period(today)
    result = selectors.statistics(centre=centre, start=start, end=end)
    tables = [
        (_("By topic"), _("Topic"), [StatsRow(k, v) for k, v in sorted(result.by_topic.items())]),
        (_("By desk"), _("Desk"), [StatsRow(k, v) for k, v in sorted(result.by_desk.items())]),
        (
            _("By hour the ticket was taken"),
            _("Hour"),
            [StatsRow(f"{h:02d}:00–{h + 1:02d}:00", v) for h, v in result.by_hour.items()],
        ),
        (_("By day"), _("Day"), [StatsRow(d.strftime("%d.%m.%Y"), v) for d, v in result.by_day.items()]),
    ]
    return render(
        request,
        "equeue/staff/stats.html",
        {
            "centre": centre,
            "form": form,
            "start": start,
            "end": end,
            "total": result.total,
            "tables": tables,
            "can_manage": access.can_manage(user, centre),
            "can_serve": access.can_serve(user, centre),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
