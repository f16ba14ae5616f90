from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from cipnet.core.choices import list_choices
from cipnet.core.i18n import hint_with_examples
from cipnet.core.widgets import LanguageMarkedSelect, LanguageMarkedTextarea
from cipnet.directory.forms import SettlementField
from cipnet.directory.models import Region, TerritoryLevel
from cipnet.eservices.models import (
    Authentication,
    CardKind,
    CardLevel,
    Category,
    ChannelType,
    LifeEvent,
    Provider,
    ServiceCard,
)


class CatalogueForm(forms.Form):
    """Search and browse filters (GET); every field optional."""

    q = forms.CharField(
        label=_("What do you need to do?"),
        help_text=hint_with_examples(
            gettext_noop("In your own words, e.g. “%(a)s”, “%(b)s”, “%(c)s”"),
            a="перевірити пенсію",
            b="прописка",
            c="квиток на потяг",
        ),
        required=False,
        max_length=200,
    )
    life_event = forms.ModelChoiceField(
        label=_("Life situation"), queryset=LifeEvent.objects.order_by("name"), to_field_name="slug", required=False,
        empty_label=_("Any"),
    )  # fmt: skip
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.order_by("name"), to_field_name="slug", required=False,
        empty_label=_("Any"),
    )  # fmt: skip
    provider = forms.ModelChoiceField(
        label=_("Provider"), queryset=Provider.objects.order_by("name"), to_field_name="slug", required=False,
        empty_label=_("Any"),
    )  # fmt: skip
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any")), *CardKind.choices], required=False)
    level = forms.ChoiceField(label=_("Level"), choices=[("", _("Any")), *CardLevel.choices], required=False)
    region = forms.ModelChoiceField(
        label=_("Your region"), queryset=Region.objects.order_by("name"), to_field_name="slug", required=False,
        empty_label=_("All of Ukraine"),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("life_event", "category", "provider", "region"):
            field = self.fields[name]
            if isinstance(field, forms.ModelChoiceField):
                field.label_from_instance = lambda obj: obj.display_name  # type: ignore[method-assign]
                list_choices(field)


class LinesField(forms.CharField):
    """A list of strings edited as one line each."""

    widget = LanguageMarkedTextarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class PairsField(LinesField):
    """Lines "first | second [| third]" turned into dicts with the given keys."""

    def __init__(self, *args: Any, keys: tuple[str, ...], **kwargs: Any) -> None:
        self.keys = keys
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(" | ".join(str(item.get(k, "")) for k in self.keys).rstrip(" |") for item in value)
        return value

    def to_python(self, value: Any) -> list[dict[str, Any]]:  # type: ignore[override]
        items = []
        for number, line in enumerate(super().to_python(value), start=1):
            parts = [part.strip() for part in line.split("|")]
            if len(parts) > len(self.keys):
                raise ValidationError(
                    gettext("Line %(number)s has too many “|” separators."), params={"number": number}, code="pairs"
                )
            items.append(dict(zip(self.keys, parts + [""] * (len(self.keys) - len(parts)), strict=True)))
        return items


class CardTerritoryField(SettlementField):
    allowed_levels = (*SettlementField.allowed_levels, TerritoryLevel.OBLAST)


class CardForm(forms.ModelForm):
    territory = CardTerritoryField(
        label=_("Territory"),
        required=False,
        help_text=_("For regional or local services: a KATOTTG code (oblast or settlement) or a settlement name."),
    )
    keywords = LinesField(label=_("Keywords"), required=False, help_text=_("Words residents use: one per line."))
    channels = PairsField(
        keys=("type", "url", "label", "historical"),
        label=_("Channels"),
        required=False,
        help_text=_("One per line: type | address | label. Types: website, mobile_app, in_person, phone."),
    )
    authentication = forms.MultipleChoiceField(
        label=_("Sign-in needed"), choices=Authentication.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    requirements = LinesField(label=_("Documents and evidence"), required=False)
    legal_basis = PairsField(keys=("title", "url"), label=_("Legal basis"), required=False,
                             help_text=_("One per line: title | link"))  # fmt: skip
    languages = LinesField(label=_("Languages"), required=False, help_text=_("Language codes, one per line: uk, en…"))
    guide_steps = LinesField(
        label=_("Consultant's steps"), required=False, widget=LanguageMarkedTextarea(attrs={"rows": 8})
    )
    pitfalls = LinesField(label=_("Common pitfalls"), required=False)
    bring = LinesField(label=_("What the visitor must bring"), required=False)
    comment = forms.CharField(
        label=_("What did you change?"), required=False, max_length=300, help_text=_("Kept in the card's history.")
    )

    class Meta:
        model = ServiceCard
        fields = [
            "identifier", "name", "name_en", "name_pl", "short_description", "short_description_en",
            "short_description_pl", "description", "description_en", "description_pl", "kind", "level", "territory",
            "provider", "categories", "life_events", "audience", "keywords", "channels", "authentication",
            "requirements", "cost", "processing_time", "output", "legal_basis", "languages", "guide_steps",
            "pitfalls", "bring", "status", "popularity",
        ]  # fmt: skip
        widgets = {
            "categories": forms.CheckboxSelectMultiple,
            "life_events": forms.CheckboxSelectMultiple,
            "provider": LanguageMarkedSelect,
            "description": LanguageMarkedTextarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "description_pl": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.territory_id:
            self.initial["territory"] = self.instance.territory.code
        for name in ("categories", "life_events", "provider"):
            field = self.fields[name]
            if isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField):
                field.label_from_instance = lambda obj: obj.display_name  # type: ignore[method-assign]

    def clean_channels(self) -> list[dict[str, Any]]:
        channels = self.cleaned_data.get("channels") or []
        for number, channel in enumerate(channels, start=1):
            if channel["type"] not in ChannelType.values:
                raise ValidationError(
                    gettext(
                        "Line %(number)s: “%(type)s” is not a channel type (website, mobile_app, in_person, phone)."
                    ),
                    params={"number": number, "type": channel["type"]},
                )
            channel["historical"] = str(channel.get("historical", "")).lower() in {"1", "true", "yes", "так"}
        return channels

    def _post_clean(self) -> None:
        # The model is validated by the service (card_create / card_update), once.
        pass

    def service_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["categories"] = list(data["categories"])
        data["life_events"] = list(data["life_events"])
        return data


class SynonymForm(forms.Form):
    term = forms.CharField(
        label=_("What people type"),
        max_length=100,
        help_text=hint_with_examples(gettext_noop("e.g. %(words)s"), words="прописка, комуналка, ФЛП"),
    )
    expansion = forms.CharField(
        label=_("Search for"),
        max_length=250,
        help_text=hint_with_examples(
            gettext_noop("Words in the catalogue, e.g. %(words)s. Several may be separated by commas."),
            words="реєстрація місця проживання",
        ),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


#: Large enough for a national catalogue (the demo's 100 cards are about 0.5 MB of JSON).
MAX_IMPORT_BYTES = 20 * 1024 * 1024


class CatalogueImportForm(forms.Form):
    file = forms.FileField(
        label=_("Catalogue file"),
        help_text=_("JSON or CSV, as exported from this catalogue. Nothing is saved if any row has a problem."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".json", ".csv")):
            raise ValidationError(gettext("Choose a .json or .csv file."))
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(gettext("The file is larger than 20 MB."))
        return upload
