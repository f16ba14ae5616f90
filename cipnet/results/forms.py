from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cipnet.results.models import REPORT_LANGUAGES
from cipnet.results.selectors import ScopeChoice


class FiguresForm(forms.Form):
    """Whose figures (the network, a region, a centre) and for which days; defaults: the widest scope
    the user has and the whole programme."""

    scope = forms.ChoiceField(label=_("Figures of"), required=False)
    period = forms.ChoiceField(label=_("Period"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(
        self, *args: Any, scopes: list[ScopeChoice], spans: list[tuple[dt.date, dt.date]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = {"network": _("The whole network")}
        scope_field, period_field = self.fields["scope"], self.fields["period"]
        assert isinstance(scope_field, forms.ChoiceField) and isinstance(period_field, forms.ChoiceField)  # noqa: S101
        scope_field.choices = [(c.key, labels.get(c.key, c.label)) for c in scopes]
        period_field.choices = [
            (f"{a:%Y-%m-%d}_{b:%Y-%m-%d}", _("The whole programme") if i == 0 else f"{a:%d.%m.%Y} – {b:%d.%m.%Y}")
            for i, (a, b) in enumerate(spans)
        ] + [("custom", _("Other dates (below)"))]
        self.spans = spans

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        period = data.get("period") or ""
        start, end = data.get("start"), data.get("end")
        if period == "custom" or (not period and (start or end)):
            if not (start and end):
                raise forms.ValidationError(_("Give both the first and the last day."))
            if start > end:
                raise forms.ValidationError(_("The first day is after the last day."))
            data["span"] = (start, end)
        elif period:
            first, last = period.split("_")
            data["span"] = (dt.date.fromisoformat(first), dt.date.fromisoformat(last))
        else:
            data["span"] = self.spans[0]
        return data


class ReturnForm(forms.Form):
    """Why a submitted month goes back to the centre."""

    reason = forms.CharField(
        label=_("What should the centre check or change?"),
        help_text=_("The centre's manager sees this. For example: October has no entries for the 14th–18th."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReportForm(FiguresForm):
    """The days of a donor report and the language of its narrative PDF (Ukrainian unless chosen)."""

    language = forms.ChoiceField(label=_("Language of the PDF report"), choices=REPORT_LANGUAGES, required=False)

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or "uk"
