from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from cipnet.core.choices import list_choices
from cipnet.core.i18n import hint_with_examples
from cipnet.core.widgets import LanguageMarkedSelect, LanguageMarkedTextarea
from cipnet.directory.hours import Interval
from cipnet.directory.models import (
    SETTLEMENT_LEVELS,
    AccessibilityFeature,
    Centre,
    CentreStatus,
    CoordinationOffice,
    HostInstitution,
    Language,
    Region,
    Territory,
    TerritoryLevel,
    Weekday,
)
from cipnet.directory.placesearch import settlement_search


class FinderForm(forms.Form):
    """The public finder's filters (GET). Every field is optional."""

    place = forms.CharField(
        label=_("City, town or village"),
        help_text=hint_with_examples(gettext_noop("For example: %(places)s, Mykolaiv"), places="Миколаїв, Стрий"),
        required=False,
        max_length=100,
    )
    settlement = forms.CharField(required=False, max_length=19, widget=forms.HiddenInput)
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=_("All regions"),
    )
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    features = forms.MultipleChoiceField(
        label=_("Accessibility"),
        choices=AccessibilityFeature.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)

    def __init__(self, *args: Any, regions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        if not isinstance(field, forms.ModelChoiceField):  # pragma: no cover - guards the declaration above
            raise TypeError("region must be a ModelChoiceField")
        field.queryset = regions if regions is not None else Region.objects.order_by("name")
        field.label_from_instance = lambda region: region.display_name  # type: ignore[method-assign,assignment]
        list_choices(field)


class SettlementInput(forms.TextInput):
    """The place's name or code, typed; or, once the form has offered same-named places (the finder's
    "which one?"), the one picked among them: a radio `<name>_pick` beside a hidden `<name>_for` that
    remembers what was typed, so a pick counts only while the typed text is unchanged."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        typed = data.get(name)
        picked = data.get(f"{name}_pick")
        if picked and data.get(f"{name}_for") == typed:
            return picked
        return typed


class SettlementField(forms.Field):
    """A settlement by KATOTTG code (UA…) or by its name, searched as the finder does (word forms, Latin
    letters). When the name fits several places, or none exactly, the form offers the candidates to
    pick from (`candidates`, rendered by includes/field.html): nobody has to look up a code."""

    default_error_messages = {
        "unknown_code": _("Unknown territory code “%(value)s”. Check it against the KATOTTG codifier."),
        "not_settlement": _("“%(value)s” is not a city, town or village. Choose a settlement."),
        "not_found": _("No settlement called “%(value)s” was found. Check the spelling or give its KATOTTG code."),
        "ambiguous": _("There are several places called “%(value)s”. Choose the right one in the list below."),
        "did_you_mean": _(
            "No settlement is called exactly “%(value)s”. Choose one of the places below, or correct the name."
        ),
    }

    widget = SettlementInput(attrs={"maxlength": 100, "autocomplete": "off"})
    #: Levels a code may name; subclasses widen it (e.g. oblasts for regional services).
    allowed_levels: tuple[str, ...] = (*SETTLEMENT_LEVELS, TerritoryLevel.CITY_DISTRICT)
    #: After a failed clean: the places offered for the text typed (assigned, never mutated: fields are
    #: copied shallowly per form).
    candidates: tuple[Territory, ...] = ()
    typed: str = ""

    def to_python(self, value: Any) -> Territory | None:
        self.candidates, self.typed = (), ""
        text = str(value or "").strip()[:100]
        if not text:
            return None
        if text.upper().startswith("UA"):
            territory = Territory.objects.select_related("hromada", "raion", "oblast").filter(code=text.upper()).first()
            if territory is None:
                raise ValidationError(self.error_messages["unknown_code"], code="unknown_code", params={"value": text})
            if territory.level not in self.allowed_levels:
                raise ValidationError(
                    self.error_messages["not_settlement"], code="not_settlement", params={"value": territory.label}
                )
            return territory
        found = settlement_search(text, limit=8)
        matches = [m for m in found if m.exact]
        if len(matches) == 1:
            return matches[0].territory
        self.typed = str(value)
        self.candidates = tuple(m.territory for m in (matches or found))
        if matches:
            raise ValidationError(self.error_messages["ambiguous"], code="ambiguous", params={"value": text})
        if found:
            raise ValidationError(self.error_messages["did_you_mean"], code="did_you_mean", params={"value": text})
        raise ValidationError(self.error_messages["not_found"], code="not_found", params={"value": text})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            territory = Territory.objects.filter(pk=value).first()
            return territory.code if territory else value
        if isinstance(value, Territory):
            return value.code
        return value


class CentreForm(forms.ModelForm):
    settlement = SettlementField(
        label=_("Settlement"),
        help_text=hint_with_examples(
            gettext_noop(
                "Name (e.g. %(name)s) or KATOTTG code (e.g. UA46060…). "
                "If several places share the name, you will be asked which one."
            ),
            name="Жовква",
        ),
    )
    features = forms.MultipleChoiceField(
        label=_("Accessibility"),
        choices=AccessibilityFeature.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Centre
        fields = [
            "name", "name_en", "name_pl", "host", "office", "status", "opened_on", "settlement", "address",
            "postcode", "latitude", "longitude", "phone", "email", "website", "blog_url", "public_computers",
            "languages", "description", "description_en", "description_pl",
        ]  # fmt: skip
        widgets = {
            "host": LanguageMarkedSelect,
            "office": LanguageMarkedSelect,
            "opened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": LanguageMarkedTextarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "description_pl": forms.Textarea(attrs={"rows": 3}),
            "latitude": forms.NumberInput(attrs={"step": "0.000001"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001"}),
        }
        help_texts = {
            "latitude": _("Decimal degrees, e.g. 46.9659. Ukraine lies between 44.3 and 52.4."),
            "longitude": _("Decimal degrees, e.g. 31.9974. Ukraine lies between 22.1 and 40.3."),
            "phone": _("Several numbers may be separated by commas."),
        }

    def __init__(self, *args: Any, hosts: Any, offices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = hosts  # type: ignore[attr-defined]
        self.fields["office"].queryset = offices  # type: ignore[attr-defined]
        self.fields["status"].choices = CentreStatus.choices  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial["features"] = list(self.instance.features.values_list("feature", flat=True))
            self.initial["settlement"] = self.instance.settlement.code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        host: HostInstitution | None = data.get("host")
        name = data.get("name")
        if host and name:
            duplicates = Centre.objects.filter(host=host, name=name).exclude(pk=self.instance.pk)
            if duplicates.exists():
                self.add_error("name", gettext("This host institution already has a centre with this name."))
        office: CoordinationOffice | None = data.get("office")
        settlement: Territory | None = data.get("settlement")
        if office and settlement and office.region.territory_id != (settlement.oblast_id or settlement.pk):
            self.add_error("office", gettext("The coordination office must be in the centre's region."))
        return data

    def _post_clean(self) -> None:
        # Model validation runs in the service; here we only keep unique checks out of the way.
        pass

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("features", None)
        return {name: data[name] for name in self.Meta.fields}


DAY_SLOTS = 2


def _hours_label(day: Weekday, slot: int, edge: str) -> str:
    """ "Monday, before the break: opens" — the error summary then names the day."""
    part = _("before the break") if slot == 0 else _("after the break")
    what = _("opens") if edge == "opens" else _("closes")
    return f"{day.label}, {part}: {what}"


class WeekHoursForm(forms.Form):
    """Two ranges per weekday (morning and afternoon around a break); empty = closed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day in Weekday:
            for slot in range(DAY_SLOTS):
                for edge in ("opens", "closes"):
                    self.fields[f"d{day.value}_{slot}_{edge}"] = forms.TimeField(
                        label=_hours_label(day, slot, edge),
                        required=False,
                        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                    )

    @classmethod
    def initial_from(cls, week: dict[int, list[Interval]]) -> dict[str, dt.time]:
        initial = {}
        for day, intervals in week.items():
            for slot, interval in enumerate(sorted(intervals)[:DAY_SLOTS]):
                initial[f"d{day}_{slot}_opens"] = interval.opens
                initial[f"d{day}_{slot}_closes"] = interval.closes
        return initial

    def rows(self) -> list[tuple[Weekday, list[tuple[forms.BoundField, forms.BoundField]]]]:
        return [
            (day, [(self[f"d{day.value}_{s}_opens"], self[f"d{day.value}_{s}_closes"]) for s in range(DAY_SLOTS)])
            for day in Weekday
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        week: dict[int, list[Interval]] = {}
        for day in Weekday:
            intervals = []
            for slot in range(DAY_SLOTS):
                opens = data.get(f"d{day.value}_{slot}_opens")
                closes = data.get(f"d{day.value}_{slot}_closes")
                opens_key, closes_key = f"d{day.value}_{slot}_opens", f"d{day.value}_{slot}_closes"
                if opens_key in self.errors or closes_key in self.errors:
                    continue
                if opens is None and closes is None:
                    continue
                if opens is None:
                    self.add_error(opens_key, gettext("Give the opening time too."))
                elif closes is None:
                    self.add_error(closes_key, gettext("Give the closing time too."))
                elif closes <= opens:
                    self.add_error(closes_key, gettext("The closing time must be later than the opening time."))
                else:
                    intervals.append(Interval(opens, closes))
            if intervals:
                week[day.value] = intervals
        data["week"] = week
        return data


class OpeningExceptionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    is_closed = forms.BooleanField(label=_("Closed all day"), required=False, initial=True)
    opens = forms.TimeField(
        label=_("Opens"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    closes = forms.TimeField(
        label=_("Closes"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("Shown to residents, e.g. “Public holiday” or “Power cut: short day”."),
        required=False,
        max_length=200,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("is_closed"):
            data["opens"] = data["closes"] = None
            return data
        opens, closes = data.get("opens"), data.get("closes")
        if opens is None and "opens" not in self.errors:
            self.add_error("opens", gettext("Give the opening time, or tick “closed all day”."))
        if closes is None and "closes" not in self.errors:
            self.add_error("closes", gettext("Give the closing time, or tick “closed all day”."))
        if opens and closes and closes <= opens:
            self.add_error("closes", gettext("The closing time must be later than the opening time."))
        return data
