"""The public register of answered cases (redacted, published by a moderator), the authorities'
statistics, and the moderators' pages. Public pages show only the `public_*` copies of a case,
never the author's details or the original texts."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from cipnet.accounts import throttle
from cipnet.accounts.models import User
from cipnet.appeals import publication, selectors
from cipnet.appeals.models import Appeal, Kind, Publication
from cipnet.core.errors import InvalidTransition, put_errors
from cipnet.core.pii import LABELS as PII_LABELS
from cipnet.core.widgets import LanguageMarkedSelect, LanguageMarkedTextarea

PAGE_SIZE = 20
#: Text searches per address in ten minutes (a library's shared connection serves many people).
SEARCH_LIMIT = 300


class RegisterSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Words or case number"), required=False, max_length=200, widget=forms.SearchInput
    )
    authority = forms.ChoiceField(label=gettext_lazy("Authority"), required=False, widget=LanguageMarkedSelect)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of case"),
        required=False,
        choices=[("", gettext_lazy("All kinds")), *Kind.choices],
    )

    def __init__(self, *args: Any, authorities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["authority"]).choices = [("", _("All authorities")), *authorities]


class ModerationForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject to publish"), max_length=200, required=False)
    text = forms.CharField(label=gettext_lazy("Question to publish"), widget=LanguageMarkedTextarea(attrs={"rows": 12}))
    answer = forms.CharField(label=gettext_lazy("Answer to publish"), widget=LanguageMarkedTextarea(attrs={"rows": 12}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Rejecting needs no text; the service says what publishing needs.
        for field in self.fields.values():
            field.required = False


def _suspects(form: ModerationForm, appeal: Appeal, confirmed: set[str]) -> dict[str, list[dict[str, Any]]]:
    values = form.data if form.is_bound else form.initial
    return {
        name: _highlighted(str(values.get(name) or ""), appeal, confirmed) for name in ("subject", "text", "answer")
    }


# --- Public register ------------------------------------------------------------------------


def search(request: HttpRequest) -> HttpResponse:
    authorities = [(a.slug, a.display_name) for a in publication.register_authorities()]
    form = RegisterSearchForm(request.GET or None, authorities=authorities)
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # a field that does not clean (an unknown authority) is left out; the others filter
        data = form.cleaned_data
    query = " ".join(str(data.get("q", "")).split())
    if query and throttle.hit_rate_limit(
        scope="register-search", ip=throttle.client_ip(request), limit=SEARCH_LIMIT, window_seconds=600
    ):
        return render(request, "appeals/register_search.html", {"form": form, "limited": True}, status=429)
    filters = selectors.RegisterFilters(text=query, authority_slug=data.get("authority", ""), kind=data.get("kind", ""))
    cases = selectors.case_list_public(filters)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "appeals/register_search.html",
        {"form": form, "page": page, "query": query, "query_string": params.urlencode()},
    )


def case(request: HttpRequest, number: str) -> HttpResponse:
    return render(request, "appeals/register_case.html", {"appeal": publication.register_case(number=number)})


def authorities(request: HttpRequest) -> HttpResponse:
    return render(request, "appeals/authorities.html", {"rows": publication.authority_statistics()})


def authority(request: HttpRequest, slug: str) -> HttpResponse:
    found = publication.authority_get_public(slug=slug)
    (stats,) = publication.authority_statistics(authority=found)
    cases = selectors.case_list_public(selectors.RegisterFilters(authority_slug=found.slug))
    return render(
        request,
        "appeals/authority.html",
        {"authority": found, "stats": stats, "cases": list(cases[:10]), "published": cases.count()},
    )


# --- Moderation -----------------------------------------------------------------------------


def _moderator(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not publication.is_moderator(user):
        raise Http404
    return user


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = _moderator(request)
    page = Paginator(publication.moderation_queue_visible_to(user=user), 50).get_page(request.GET.get("page"))
    return render(request, "appeals/moderation_queue.html", {"page": page})


def _initial(appeal: Appeal) -> dict[str, str]:
    return {"subject": appeal.public_subject, "text": appeal.public_text, "answer": appeal.public_answer}


def _highlighted(text: str, appeal: Appeal, confirmed: set[str]) -> list[dict[str, Any]]:
    """The text in pieces: plain, or a suspect (with its kind, whether it may be confirmed, and
    whether the moderator ticked it), for the review page to mark every suspect."""
    pieces: list[dict[str, Any]] = []
    last = 0
    for finding in publication.suspects(text, appeal):
        pieces.append({"text": text[last : finding.start]})
        may_confirm = publication.confirmable(finding)
        pieces.append(
            {
                "text": finding.text,
                "suspect": True,
                "what": PII_LABELS[finding.kind],
                "confirmable": may_confirm,
                "confirmed": may_confirm and finding.text.strip() in confirmed,
            }
        )
        last = finding.end
    if not last:
        return []  # nothing suspected: nothing to show
    pieces.append({"text": text[last:]})
    return [p for p in pieces if p["text"]]


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    user = _moderator(request)
    appeal = publication.moderation_case_get(user=user, pk=pk)
    pending = appeal.publication == Publication.PENDING
    form = ModerationForm(request.POST if request.method == "POST" else None, initial=_initial(appeal))
    status = 200
    decision = request.POST.get("decision")
    confirmed = {c.strip() for c in request.POST.getlist("confirmed")}
    if request.method == "POST" and decision not in ("publish", "reject"):
        form.add_error(None, _("Choose: publish or do not publish."))
    elif request.method == "POST" and form.is_valid():
        publish = decision == "publish"
        try:
            publication.appeal_moderate(
                actor=user,
                appeal=appeal,
                publish=publish,
                subject=form.cleaned_data["subject"],
                text=form.cleaned_data["text"],
                answer=form.cleaned_data["answer"],
                confirmed=confirmed,
            )
        except InvalidTransition as e:
            messages.error(request, str(e))
            return redirect("reception_moderation:review", appeal.pk)
        except ValidationError as e:
            put_errors(form, e)
        else:
            if publish:
                messages.success(request, _("Published: %(number)s is in the public register.") % {"number": appeal})
            else:
                messages.success(request, _("Not published: %(number)s stays private.") % {"number": appeal})
            return redirect("reception_moderation:queue")
    if form.errors:
        status = 400
    return render(
        request,
        "appeals/moderation_review.html",
        {"appeal": appeal, "form": form, "pending": pending, "suspects": _suspects(form, appeal, confirmed)},
        status=status,
    )
