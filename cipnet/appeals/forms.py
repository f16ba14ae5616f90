"""Forms of the virtual reception. They parse input; the rules live in `services.validate` and the
step services, whose errors the views put back next to the fields (what was typed stays)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import groupby
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import ModelChoiceIterator
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cipnet.accounts.models import User
from cipnet.appeals import selectors
from cipnet.appeals.attachments import ALLOWED_LABEL, MAX_BYTES, MAX_FILES
from cipnet.appeals.models import ANSWER_CHANNELS, AnswerForm, Appeal, AppealType, Authority, Kind, Outcome
from cipnet.appeals.services import AppealInput
from cipnet.core.clock import KYIV
from cipnet.core.widgets import LanguageMarkedSelect, LanguageMarkedTextarea
from cipnet.directory.models import Centre


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def _attachments_help() -> str:
    return gettext("Up to %(n)d files, %(mb)d MB each: %(kinds)s.") % {
        "n": MAX_FILES,
        "mb": MAX_BYTES // (1024 * 1024),
        "kinds": ALLOWED_LABEL,
    }


#: Lazy: formatted in the language of each request, not once at import (in the default language).
ATTACHMENTS_HELP = lazy(_attachments_help, str)()


class _AuthoritiesByRegion(ModelChoiceIterator):
    """The authorities in one <optgroup> per region (`selectors.authorities_for_choice` orders them so)."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for region, authorities in groupby(self.queryset, key=lambda a: a.region):
            yield (region.display_name, [self.choice(a) for a in authorities])


class AuthorityChoiceField(forms.ModelChoiceField):
    iterator = _AuthoritiesByRegion

    def label_from_instance(self, obj: Authority) -> str:
        return obj.display_name


class CaseForm(forms.Form):
    """An appeal or an information request: the same form, fields shown by kind."""

    authority = AuthorityChoiceField(
        label=_("To which authority"),
        queryset=Authority.objects.none(),
        required=False,
        empty_label=_("Choose the authority"),
        widget=LanguageMarkedSelect,
    )
    appeal_type = forms.ChoiceField(
        label=_("What is it"),
        choices=AppealType.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "A proposal suggests how to improve something; an application asks for a right to be "
            "exercised; a complaint asks to restore a right that was violated."
        ),
    )
    author_name = forms.CharField(
        label=_("Full name"), max_length=200, required=False, help_text=_("Surname, first name and patronymic.")
    )
    author_address = forms.CharField(label=_("Postal address"), max_length=300, required=False)
    author_email = forms.EmailField(label=_("E-mail"), required=False)
    author_phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False, help_text=_("In a few words."))
    text = forms.CharField(
        label=_("Text"),
        max_length=10000,
        required=False,
        widget=LanguageMarkedTextarea(attrs={"rows": 10}),
    )
    answer_form = forms.ChoiceField(
        label=_("How do you want the answer"), choices=AnswerForm.choices, widget=forms.RadioSelect, required=False
    )
    urgent = forms.BooleanField(
        label=_("It is urgent: life or liberty, the environment, food quality, an accident or an emergency"),
        required=False,
    )
    urgency_reason = forms.CharField(
        label=_("Why it is urgent"), max_length=2000, required=False, widget=LanguageMarkedTextarea(attrs={"rows": 3})
    )
    attachments = MultipleFileField(label=_("Attach documents (optional)"), required=False, help_text=ATTACHMENTS_HELP)
    publish_consent = forms.BooleanField(
        label=_("The question and the answer may be published in the public register, without my personal data"),
        required=False,
    )
    #: A field people never see (hidden by CSS and from assistive technology); bots fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    #: Drafts may be saved half-filled, so no field is "required" to the form; what sending needs is
    #: said by `services.validate`, and the labels mark what is optional.
    show_optional = False

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: The draft this form's POST saved (`views_public.save_case`), even when errors came after.
        self.draft: Appeal | None = None
        self.kind = kind
        qs = selectors.authorities_for_choice()
        if kind == Kind.INFO_REQUEST:
            qs = qs.filter(accepts_info_requests=True)
            for name in ("appeal_type",):
                del self.fields[name]
            self.fields["text"].label = _("What information do you want")
            self.fields["text"].help_text = _(
                "Describe the documents or facts; you do not have to say why you want them."
            )
            self.fields["author_email"].help_text = _("Needed for an answer by e-mail. Give at least one contact.")
        else:
            for name in ("answer_form", "urgent", "urgency_reason"):
                del self.fields[name]
            self.fields["author_email"].label = _("E-mail (optional)")
            self.fields["author_address"].help_text = _(
                "The law requires it: an appeal without the author's name and postal address is not considered."
            )
        self.fields["authority"].queryset = qs  # type: ignore[attr-defined]

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def to_input(self) -> AppealInput:
        d = self.cleaned_data
        return AppealInput(
            kind=self.kind,
            authority=d.get("authority"),
            author_name=d.get("author_name", ""),
            subject=d.get("subject", ""),
            text=d.get("text", ""),
            appeal_type=d.get("appeal_type", ""),
            author_address=d.get("author_address", ""),
            author_email=d.get("author_email", ""),
            author_phone=d.get("author_phone", ""),
            answer_form=d.get("answer_form") or AnswerForm.EMAIL,
            urgent=bool(d.get("urgent")),
            urgency_reason=d.get("urgency_reason", ""),
            publish_consent=bool(d.get("publish_consent")),
        )

    @classmethod
    def initial_from(cls, appeal: Appeal) -> dict[str, Any]:
        return {
            "authority": appeal.authority_id,
            "appeal_type": appeal.appeal_type,
            "author_name": appeal.author_name,
            "author_address": appeal.author_address,
            "author_email": appeal.author_email,
            "author_phone": appeal.author_phone,
            "subject": appeal.subject,
            "text": appeal.text,
            "answer_form": appeal.answer_form,
            "urgent": appeal.urgent,
            "urgency_reason": appeal.urgency_reason,
            "publish_consent": appeal.publish_consent,
        }


class OnBehalfForm(forms.Form):
    """A consultant files for a visitor: which centre, and the visitor's consent."""

    centre: forms.ModelChoiceField[Centre] = forms.ModelChoiceField(label=_("Centre"), queryset=Centre.objects.none())
    consent = forms.BooleanField(
        label=_("The visitor agrees that I write and send this on their behalf and follow the answer for them"),
        required=False,
    )

    def __init__(self, *args: Any, centres: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres  # type: ignore[attr-defined]
        if centres.count() == 1:
            self.fields["centre"].initial = centres.first().pk
            self.fields["centre"].widget = forms.HiddenInput()


class TextForm(forms.Form):
    text = forms.CharField(label=_("Text"), max_length=10000, widget=LanguageMarkedTextarea(attrs={"rows": 5}))


class RegisterForm(forms.Form):
    registration_number = forms.CharField(label=_("Registration number"), max_length=40)
    registered_on = forms.DateField(
        label=_("Registered on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class AssignForm(forms.Form):
    assignee: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Official"), queryset=User.objects.none(), widget=LanguageMarkedSelect
    )

    def __init__(self, *args: Any, officials: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = officials  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Justification (the author will read it)"),
        max_length=5000,
        widget=LanguageMarkedTextarea(attrs={"rows": 4}),
    )


class ForwardForm(forms.Form):
    to = AuthorityChoiceField(label=_("Competent authority"), queryset=Authority.objects.none())
    reason = forms.CharField(
        label=_("Why that body is competent (the author will read it)"),
        max_length=5000,
        widget=LanguageMarkedTextarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, appeal: Appeal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = (  # type: ignore[attr-defined]
            selectors.authorities_for_choice().exclude(pk=appeal.authority_id)
        )


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("What should the author clarify"), max_length=5000, widget=LanguageMarkedTextarea(attrs={"rows": 4})
    )


class OfficialAnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Answer"),
        max_length=20000,
        widget=LanguageMarkedTextarea(attrs={"rows": 8}),
        help_text=_("A refusal must give its reason."),
    )
    attachments = MultipleFileField(label=_("Attach documents"), required=False, help_text=ATTACHMENTS_HELP)


#: How an answer recorded by staff came (outside CIPnet).


class RecordAnswerForm(OfficialAnswerForm):
    channel = forms.ChoiceField(
        label=_("How the answer came"),
        choices=ANSWER_CHANNELS,
        widget=forms.RadioSelect,
    )
    attachments = MultipleFileField(
        label=_("Scanned answer"),
        required=True,
        help_text=format_lazy("{}{}", _("Scan or photograph the answer letter. "), ATTACHMENTS_HELP),
    )


class CalculatorForm(forms.Form):
    KIND_CHOICES = [
        ("appeal", _("Citizen's appeal: within one month")),
        ("appeal_no_study", _("Citizen's appeal that needs no additional study: 15 days")),
        ("appeal_extended", _("Citizen's appeal, extended by the head: 45 days in all")),
        ("info", _("Request for public information: 5 working days")),
        ("info_urgent", _("Urgent request for public information: 48 hours")),
        ("info_extended", _("Request for public information, extended: 20 working days")),
        ("forward", _("Forwarding to the competent body: 5 days")),
    ]
    kind = forms.ChoiceField(label=_("What was sent"), choices=KIND_CHOICES, widget=forms.RadioSelect, initial="appeal")
    received_on = forms.DateField(
        label=_("Day the authority received it"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    received_time = forms.TimeField(
        label=_("Time (for the 48-hour term)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        initial=dt.time(9, 0),
    )

    def received_at(self) -> dt.datetime:
        time = self.cleaned_data.get("received_time") or dt.time(9, 0)
        return dt.datetime.combine(self.cleaned_data["received_on"], time, tzinfo=KYIV)
