"""Forms of the queue's staff pages. They only parse input; the rules live in the services
(and, for the settings pages, in the models' validators), whose errors the views put back
next to the fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from cipnet.core.i18n import hint_with_examples, marked
from cipnet.core.widgets import LanguageMarkedSelect
from cipnet.equeue.models import Desk, PriorityCategory, QueueConfig, QueueTopic

#: The longest period the statistics page computes at once.
STATS_MAX_DAYS = 366


class TopicChoiceField(forms.ModelChoiceField):
    widget = LanguageMarkedSelect

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.prefix} — {obj.display_name}"


class CategoryChoiceField(forms.ModelChoiceField):
    widget = LanguageMarkedSelect

    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


class IssueForm(forms.Form):
    """A ticket for a visitor who phoned or walked up to the desk."""

    topic = TopicChoiceField(label=_("Topic"), queryset=QueueTopic.objects.none(), empty_label=None)
    priority = CategoryChoiceField(
        label=_("Priority"),
        queryset=PriorityCategory.objects.none(),
        required=False,
        empty_label=_("No priority"),
        help_text=_("Only if the visitor belongs to one of these groups."),
    )

    def __init__(
        self, *args: Any, topics: QuerySet[QueueTopic], categories: QuerySet[PriorityCategory], **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", "id_issue_%s")
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics  # type: ignore[attr-defined]
        self.fields["priority"].queryset = categories  # type: ignore[attr-defined]


class TransferForm(forms.Form):
    """Send the visitor back to the line, for another topic and/or to a particular desk."""

    topic = TopicChoiceField(
        label=_("Another topic"), queryset=QueueTopic.objects.none(), required=False, empty_label=_("Same topic")
    )
    desk = forms.ModelChoiceField(
        label=_("A particular desk"),
        queryset=Desk.objects.none(),
        required=False,
        empty_label=_("Any desk"),
        help_text=_("Only that desk will call the visitor."),
    )

    def __init__(self, *args: Any, topics: QuerySet[QueueTopic], desks: QuerySet[Desk], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics  # type: ignore[attr-defined]
        self.fields["desk"].queryset = desks  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        topic, desk = data.get("topic"), data.get("desk")
        if not self.errors and topic is None and desk is None:
            raise forms.ValidationError(_("Choose a topic or a desk to transfer to."))
        # Guard until services.ticket_transfer checks it: such a ticket would never be called.
        if topic is not None and desk is not None and not desk.topics.filter(pk=topic.pk).exists():
            self.add_error("desk", _("That desk does not serve the chosen topic. Choose another desk or topic."))
        return data


class QueueConfigForm(forms.ModelForm):
    class Meta:
        model = QueueConfig
        fields = ["is_enabled", "max_priority_streak", "booking_enabled", "slot_minutes"]
        help_texts = {
            "is_enabled": _("When off, the kiosk and the board stop and no tickets are issued."),
            "max_priority_streak": _("So that ordinary visitors are not kept waiting for ever. Usually 3."),
            "slot_minutes": _("Between 5 and 120 minutes."),
        }


class TopicForm(forms.ModelForm):
    class Meta:
        model = QueueTopic
        fields = ["prefix", "name", "name_en", "name_pl", "position", "is_active"]
        help_texts = {
            "prefix": hint_with_examples(
                gettext_noop("Starts the ticket number, e.g. %(code)s. One capital letter."), code="А-017"
            ),
            "position": _("Topics are listed by this number, smallest first."),
            "is_active": _("Untick to stop issuing tickets for this topic."),
        }

    def clean_prefix(self) -> str:
        return (self.cleaned_data.get("prefix") or "").strip().upper()


class DeskForm(forms.ModelForm):
    class Meta:
        model = Desk
        fields = ["name", "topics", "is_active"]
        widgets = {"topics": forms.CheckboxSelectMultiple}
        help_texts = {"is_active": _("Untick while nobody works at this desk.")}

    def __init__(self, *args: Any, topics: QuerySet[QueueTopic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["topics"]
        field.queryset = topics  # type: ignore[attr-defined]
        # Checkbox labels are HTML: the topic's Cyrillic letter (and a name kept only in Ukrainian) is
        # marked lang="uk" on English and Polish pages.
        field.label_from_instance = lambda t: format_html("{} — {}", marked(t.prefix), marked(t.display_name))  # type: ignore[attr-defined]
        field.help_text = _("The desk calls visitors of the ticked topics.")


class PriorityCategoryForm(forms.ModelForm):
    class Meta:
        model = PriorityCategory
        fields = ["name", "name_en", "name_pl", "position", "is_active"]
        labels = {"position": _("order")}
        help_texts = {"is_active": _("Untick to stop offering this category at the kiosk and the desk.")}


class StatsRangeForm(forms.Form):
    """`?from=&to=` (the field names are Python keywords, so they are added in __init__)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = forms.DateField(
            label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        )
        self.fields["to"] = forms.DateField(
            label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            raise forms.ValidationError(_("The first day is after the last day."))
        if start and end and (end - start).days >= STATS_MAX_DAYS:
            raise forms.ValidationError(_("Choose at most one year."))
        return data

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The chosen days; by default the last 30 days up to today."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("to") or today
        start = data.get("from") or min(end, today) - dt.timedelta(days=29)
        if start > end:
            start = end
        if (end - start).days >= STATS_MAX_DAYS:
            start = end - dt.timedelta(days=STATS_MAX_DAYS - 1)
        return start, end
