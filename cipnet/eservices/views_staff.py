"""Coordinators curate the catalogue: edit with preview, history and revert, synonyms, reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cipnet.accounts.models import User
from cipnet.core.errors import put_errors
from cipnet.directory import selectors as directory_selectors
from cipnet.eservices import selectors, services
from cipnet.eservices.forms import CardForm, CatalogueImportForm, SynonymForm
from cipnet.eservices.interchange import CatalogueImportError, import_catalogue_csv, import_catalogue_json
from cipnet.eservices.models import CardStatus, CardVersion, ServiceCard, Synonym
from cipnet.eservices.views import card_preview_context


def _editor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not services.can_edit_catalogue(user):
        raise Http404
    return user


@login_required
def card_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    show = request.GET.get("show", "")
    filters = selectors.StaffCardFilters(
        status=show if show in CardStatus.values else "", unverified_on=today if show == "unverified" else None
    )
    qs = selectors.card_list_visible_to(user=request.user, filters=filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "eservices/staff/card_list.html",
        {
            "page": page,
            "show": show,
            "unverified_count": selectors.cards_needing_verification(today=today).count(),
        },
    )


def _save(request: HttpRequest, form: CardForm, actor: User, card: ServiceCard | None) -> ServiceCard | None:
    fields = form.service_fields()
    comment = form.cleaned_data.get("comment", "")
    try:
        if card is None:
            return services.card_create(actor=actor, comment=comment, **fields)
        return services.card_update(actor=actor, card=card, comment=comment, **fields)
    except ValidationError as error:
        put_errors(form, error)
        return None


def _editor_page(request: HttpRequest, card: ServiceCard | None) -> HttpResponse:
    actor = _editor(request)
    form = CardForm(request.POST or None, instance=card)
    preview: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            plain = {k: v for k, v in form.service_fields().items() if k not in ("categories", "life_events")}
            draft = ServiceCard(**plain)
            preview = card_preview_context(draft)
        else:
            saved = _save(request, form, actor, card)
            if saved is not None:
                messages.success(request, _("The card was saved."))
                return redirect("eservices_staff:card_history", pk=saved.pk)
    return render(request, "eservices/staff/card_form.html", {"form": form, "card": card, "preview": preview})


@login_required
def card_create(request: HttpRequest) -> HttpResponse:
    return _editor_page(request, None)


@login_required
def card_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _editor(request)
    return _editor_page(request, selectors.card_get_any(pk=pk))


@login_required
def card_history(request: HttpRequest, pk: int) -> HttpResponse:
    _editor(request)
    card = selectors.card_get_any(pk=pk)
    return render(
        request, "eservices/staff/card_history.html", {"card": card, "versions": selectors.card_versions(card=card)}
    )


@login_required
@require_POST
def card_revert(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    actor = _editor(request)
    card = selectors.card_get_any(pk=pk)
    version = get_object_or_404(CardVersion, card=card, number=number)
    try:
        services.card_revert(actor=actor, card=card, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The card was put back to version %(number)s.") % {"number": number})
    return redirect("eservices_staff:card_history", pk=card.pk)


@login_required
@require_POST
def card_verify(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _editor(request)
    card = selectors.card_get_any(pk=pk)
    services.card_verify(actor=actor, card=card)
    messages.success(request, _("Marked as checked today."))
    return redirect(request.POST.get("next") or "eservices_staff:cards")


@login_required
def synonyms(request: HttpRequest) -> HttpResponse:
    actor = _editor(request)
    form = SynonymForm(request.POST or None, initial={"term": request.GET.get("term", "")})
    if request.method == "POST" and form.is_valid():
        try:
            services.synonym_save(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Saved. Searches use it from now on."))
            return redirect("eservices_staff:synonyms")
    return render(
        request, "eservices/staff/synonyms.html", {"form": form, "synonyms": Synonym.objects.order_by("term")}
    )


@login_required
@require_POST
def synonym_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _editor(request)
    services.synonym_delete(actor=actor, synonym=get_object_or_404(Synonym, pk=pk))
    messages.success(request, _("Deleted."))
    return redirect("eservices_staff:synonyms")


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    _editor(request)
    today = timezone.localdate()
    return render(
        request,
        "eservices/staff/reports.html",
        {
            "search": selectors.search_report(since=today - dt.timedelta(days=90)),
            "unverified": selectors.cards_needing_verification(today=today)[:20],
            "broken": selectors.broken_links()[:50],
        },
    )


@login_required
def centre_services(request: HttpRequest, centre_pk: int) -> HttpResponse:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    centre = directory_selectors.centre_get_for_user(user=user, pk=centre_pk, for_edit=True)
    cards = list(selectors.card_list_public().order_by("name"))
    current = set(centre.services.values_list("card_id", flat=True))
    if request.method == "POST":
        chosen = {int(v) for v in request.POST.getlist("cards") if v.isdigit()}
        services.centre_set_services(actor=user, centre=centre, cards=[c for c in cards if c.pk in chosen])
        messages.success(request, _("The list of services was saved."))
        return redirect("staff:centre", pk=centre.pk)
    return render(
        request, "eservices/staff/centre_services.html", {"centre": centre, "cards": cards, "current": current}
    )


@login_required
def catalogue_import(request: HttpRequest) -> HttpResponse:
    """Upload a JSON or CSV catalogue: every problem listed by row and field, or everything saved."""
    actor = _editor(request)
    form = CatalogueImportForm(request.POST or None, request.FILES or None)
    problems: list[Any] = []
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        importer = import_catalogue_json if upload.name.lower().endswith(".json") else import_catalogue_csv
        try:
            report = importer(content, actor=actor, source=upload.name)
        except CatalogueImportError as error:
            problems = error.errors
            form.add_error("file", error.message)
    return render(
        request,
        "eservices/staff/import.html",
        {"form": form, "problems": problems, "report": report},
        status=400 if problems else 200,
    )
