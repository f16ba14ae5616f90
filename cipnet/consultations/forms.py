"""Forms of the consultation log. They parse input into `ConsultationInput`; the rules
live in `services.validate`, whose errors the views put back next to the fields."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cipnet.consultations.models import (
    DURATION_MAX_MINUTES,
    NOTE_MAX_LENGTH,
    AgeBand,
    Channel,
    Gender,
    HelpKind,
    Obstacle,
    Outcome,
    SettlementType,
    SocialCategory,
)
from cipnet.consultations.services import ConsultationInput, ServiceRef
from cipnet.core.clock import KYIV, at, now
from cipnet.eservices.models import CardStatus, ServiceCard

FIRST_VISIT_CHOICES = [("", _("Not asked")), ("yes", _("Yes, first visit")), ("no", _("No, came before"))]
SATISFACTION_CHOICES = [("", _("Not asked")), *[(str(i), str(i)) for i in range(5, 0, -1)]]
PROFILE_FIELDS = ("gender", "age_band", "categories", "settlement_type", "first_visit")


def find_card(text: str) -> ServiceCard | None:
    """The catalogue card whose name (in any language) or identifier is exactly `text`."""
    text = " ".join(text.split())
    if not text:
        return None
    candidates = ServiceCard.objects.filter(
        Q(name__iexact=text) | Q(name_en__iexact=text) | Q(name_pl__iexact=text) | Q(identifier=text.lower())
    ).exclude(status=CardStatus.WITHDRAWN)
    card = candidates.first()
    if card is not None:
        return card
    # SQLite compares case only for ASCII: fold Cyrillic in Python over the few name matches.
    folded = text.casefold()
    for candidate in ServiceCard.objects.filter(
        Q(name__icontains=text[:3]) | Q(name_en__icontains=text[:3]) | Q(name_pl__icontains=text[:3])
    ).exclude(status=CardStatus.WITHDRAWN)[:500]:
        if folded in {candidate.name.casefold(), candidate.name_en.casefold(), candidate.name_pl.casefold()}:
            return candidate
    return None


def suggest_cards(text: str, *, limit: int = 5) -> list[str]:
    """Catalogue names containing every word typed (the ones starting with it first): what a
    half-typed service most likely meant."""
    words = [w.casefold() for w in text.split() if w]
    if not words:
        return []
    longest = max(words, key=len)
    names: set[str] = set()
    for candidate in ServiceCard.objects.filter(
        Q(name__icontains=longest) | Q(name_en__icontains=longest) | Q(name_pl__icontains=longest)
    ).exclude(status=CardStatus.WITHDRAWN)[:500]:
        names.add(candidate.display_name)
    if longest[:1].isalpha() and not longest.isascii():
        # SQLite compares case only for ASCII: also the capitalised form (a name's first word).
        for candidate in ServiceCard.objects.filter(name__contains=longest.capitalize()).exclude(
            status=CardStatus.WITHDRAWN
        )[:500]:
            names.add(candidate.display_name)
    folded = " ".join(words)
    matching = [n for n in names if all(w in n.casefold() for w in words)]
    matching.sort(key=lambda n: (not n.casefold().startswith(folded), n.casefold()))
    return matching[:limit]


class WhenField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


class ProfileMixin(forms.Form):
    gender = forms.ChoiceField(
        label=_("Gender"), choices=Gender.choices, initial=Gender.NOT_STATED, widget=forms.RadioSelect
    )
    age_band = forms.ChoiceField(
        label=_("Age"), choices=AgeBand.choices, initial=AgeBand.NOT_STATED, widget=forms.RadioSelect
    )
    categories = forms.MultipleChoiceField(
        label=_("Social categories"),
        choices=SocialCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick all that the visitor mentioned; none if not asked."),
    )
    settlement_type = forms.ChoiceField(
        label=_("Lives in"), choices=SettlementType.choices, initial=SettlementType.NOT_STATED, widget=forms.RadioSelect
    )
    first_visit = forms.ChoiceField(
        label=_("First visit to the centre?"), choices=FIRST_VISIT_CHOICES, required=False, widget=forms.RadioSelect
    )


class ConsultationForm(ProfileMixin):
    """The quick-entry form: one visitor. Blank "when" means now."""

    key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    service = forms.CharField(
        label=_("E-service"),
        max_length=250,
        required=False,
        help_text=_(
            "Start typing and choose from the list. If the service is not there, type it in your own words "
            "and tick “Not in the catalogue: record as typed”."
        ),
        widget=forms.TextInput(attrs={"list": "service-options", "autocomplete": "off", "autofocus": True}),
    )
    service_2 = forms.CharField(
        label=_("Another e-service (if there was one)"),
        max_length=250,
        required=False,
        widget=forms.TextInput(attrs={"list": "service-options", "autocomplete": "off"}),
    )
    free_text = forms.BooleanField(label=_("Not in the catalogue: record as typed"), required=False)
    help_kind = forms.ChoiceField(
        label=_("Kind of help"), choices=HelpKind.choices, initial=HelpKind.ESERVICE, widget=forms.RadioSelect
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, initial=Outcome.COMPLETED, widget=forms.RadioSelect
    )
    referred_to = forms.CharField(
        label=_("Referred to (if referred elsewhere)"),
        max_length=200,
        required=False,
        help_text=_("An office or service, e.g. “Pension Fund service centre”. No names of people."),
    )
    obstacle = forms.ChoiceField(
        label=_("Why it was not possible (if not possible)"),
        choices=[("", _("— choose —")), *Obstacle.choices],
        required=False,
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, initial=Channel.WALK_IN, widget=forms.RadioSelect
    )
    duration_minutes = forms.IntegerField(
        label=_("How long, minutes"), min_value=1, max_value=DURATION_MAX_MINUTES, required=False
    )
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction, if the visitor rated it (5 = very satisfied)"),
        choices=SATISFACTION_CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Do not write names, phone numbers, e-mails, tax or passport numbers: such notes are refused."),
    )
    #: Asked only when the entry's month is submitted for approval (changing it is then a correction).
    correction_reason = forms.CharField(
        label=_("Reason for the correction"),
        help_text=_("Shown in the reports with the correction. For example: the visitor was entered twice."),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    occurred_at = WhenField(
        label=_("When"), required=False, help_text=_("Leave empty for now. Format: day.month.year hours:minutes.")
    )

    show_optional = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("key"):
            self.initial["key"] = uuid.uuid4()
        self._cards: dict[str, ServiceCard | None] = {}
        #: {field: catalogue names} for a service typed that is not in the catalogue.
        self.suggestions: dict[str, list[str]] = {}

    def card_for(self, field: str) -> ServiceCard | None:
        return self._cards.get(field)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("service", "service_2"):
            text = (data.get(name) or "").strip()
            card = find_card(text) if text else None
            self._cards[name] = card
            # A service outside the catalogue is a choice, never what Enter on half a word leaves behind.
            if text and card is None and not data.get("free_text"):
                self.suggestions[name] = suggest_cards(text)
                self.add_error(
                    name,
                    ValidationError(
                        _(
                            "“%(text)s” is not in the catalogue. Choose a service from the list, "
                            "or tick “Not in the catalogue: record as typed”."
                        ),
                        code="not_in_catalogue",
                        params={"text": text},
                    ),
                )
        return data

    def to_input(self) -> ConsultationInput:
        data = self.cleaned_data
        services = []
        for name in ("service", "service_2"):
            text = (data.get(name) or "").strip()
            if text:
                card = self._cards.get(name)
                services.append(ServiceRef(card=card) if card else ServiceRef(text=text))
        first = data.get("first_visit")
        return ConsultationInput(
            occurred_at=data.get("occurred_at") or now(),
            help_kind=data["help_kind"],
            outcome=data["outcome"],
            services=services,
            obstacle=data.get("obstacle") or "",
            referred_to=data.get("referred_to") or "",
            channel=data["channel"],
            duration_minutes=data.get("duration_minutes"),
            gender=data["gender"],
            age_band=data["age_band"],
            categories=list(data.get("categories") or []),
            settlement_type=data["settlement_type"],
            first_visit=None if not first else first == "yes",
            satisfaction=int(data["satisfaction"]) if data.get("satisfaction") else None,
            note=data.get("note") or "",
        )


def initial_from(c: Any, *, profile_only: bool = False) -> dict[str, Any]:
    """Form data for an existing entry (to edit it), or just its visitor profile."""
    profile = {
        "gender": c.gender,
        "age_band": c.age_band,
        "categories": c.category_values,
        "settlement_type": c.settlement_type,
        "first_visit": "" if c.first_visit is None else ("yes" if c.first_visit else "no"),
    }
    if profile_only:
        return profile
    services = list(c.services.all())
    names = [s.card.display_name if s.card else s.free_text for s in services]
    return {
        **profile,
        "service": names[0] if names else "",
        "service_2": names[1] if len(names) > 1 else "",
        "free_text": any(s.card is None for s in services),
        "help_kind": c.help_kind,
        "outcome": c.outcome,
        "referred_to": c.referred_to,
        "obstacle": c.obstacle,
        "channel": c.channel,
        "duration_minutes": c.duration_minutes,
        "satisfaction": str(c.satisfaction or ""),
        "note": c.note,
        "occurred_at": c.occurred_at.astimezone(KYIV).replace(tzinfo=None),
    }


# --- The day's tally grid ------------------------------------------------------------------


def _blank(choices: Any, label: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class TallyRowForm(forms.Form):
    """One line of a paper tally. A line left empty is skipped."""

    time = forms.TimeField(label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    service = forms.CharField(
        label=_("E-service"),
        max_length=250,
        required=False,
        widget=forms.TextInput(attrs={"list": "service-options", "autocomplete": "off"}),
    )
    help_kind = forms.ChoiceField(label=_("Kind of help"), choices=_blank(HelpKind.choices, "—"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=_blank(Outcome.choices, "—"), required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=_blank(Gender.choices, "—"), required=False)
    age_band = forms.ChoiceField(label=_("Age"), choices=_blank(AgeBand.choices, "—"), required=False)
    category = forms.ChoiceField(
        label=_("Social category"), choices=_blank(SocialCategory.choices, "—"), required=False
    )
    settlement_type = forms.ChoiceField(
        label=_("Lives in"), choices=_blank(SettlementType.choices, "—"), required=False
    )
    first_visit = forms.ChoiceField(label=_("First visit?"), choices=FIRST_VISIT_CHOICES, required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(data.get(f) for f in ("time", "service", "help_kind", "outcome"))

    def to_input(self, *, day: dt.date, default_time: dt.time) -> ConsultationInput:
        data = self.cleaned_data
        text = (data.get("service") or "").strip()
        card = find_card(text) if text else None
        services = [ServiceRef(card=card) if card else ServiceRef(text=text)] if text else []
        help_kind = data.get("help_kind") or (HelpKind.ESERVICE if text else HelpKind.INFORMATION)
        first = data.get("first_visit")
        return ConsultationInput(
            occurred_at=at(day, data.get("time") or default_time),
            help_kind=help_kind,
            outcome=data.get("outcome") or Outcome.COMPLETED,
            services=services,
            gender=data.get("gender") or Gender.NOT_STATED,
            age_band=data.get("age_band") or AgeBand.NOT_STATED,
            categories=[data["category"]] if data.get("category") else [],
            settlement_type=data.get("settlement_type") or SettlementType.NOT_STATED,
            first_visit=None if not first else first == "yes",
        )


TallyFormSet = forms.formset_factory(TallyRowForm, extra=0, max_num=100, absolute_max=100)


class TallyHeaderForm(forms.Form):
    key = forms.UUIDField(widget=forms.HiddenInput)
    day = forms.DateField(
        label=_("Day of the tally"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean_day(self) -> dt.date:
        day = self.cleaned_data["day"]
        today = now().astimezone(KYIV).date()
        if day > today:
            raise forms.ValidationError(_("The day is in the future."))
        if day < today - dt.timedelta(days=365):
            raise forms.ValidationError(_("Entries older than a year cannot be added."))
        return day


class RangeForm(forms.Form):
    """A date range for dashboards and exports (defaults: this month)."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The first day is after the last day."))
        if start and end and (end - start).days > 366 * 5:
            raise forms.ValidationError(_("Choose at most five years."))
        return data


class TargetForm(forms.Form):
    consultations = forms.IntegerField(label=_("Consultations per period"), min_value=1, max_value=100000)
    period_months = forms.IntegerField(label=_("Length of a period, months"), min_value=1, max_value=12, initial=2)
    starts_on = forms.DateField(
        label=_("First period starts on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class CorrectionForm(forms.Form):
    """Why an entry of a submitted month is deleted (the deletion is then a correction)."""

    correction_reason = ConsultationForm.base_fields["correction_reason"]
