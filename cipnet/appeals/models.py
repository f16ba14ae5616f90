"""The virtual reception: authorities, and the cases residents send them.

A case is a citizen's appeal (Law "On Citizens' Appeals") or a request for public information
(Law "On Access to Public Information"). Its status only changes through `services` (one service per
transition, see `workflow`), each writing an `AppealEvent` in the same transaction.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cipnet.appeals.deadlines import Term
from cipnet.core.i18n import localized
from cipnet.core.models import BaseModel

#: How an answer that came outside CIPnet reached the author or the authority (recorded answers).
ANSWER_CHANNELS = [("post", _("By post")), ("email", _("By e-mail")), ("in_person", _("Handed over in person"))]


class AuthorityKind(models.TextChoices):
    CITY_COUNCIL = "city_council", _("City council")
    HROMADA_COUNCIL = "hromada_council", _("Village or settlement council")
    MAYOR = "mayor", _("Mayor's office")
    DEPARTMENT = "department", _("Department of a council")
    RAION_ADMINISTRATION = "raion_admin", _("Raion administration")
    OBLAST_ADMINISTRATION = "oblast_admin", _("Oblast administration")
    STATE_BODY = "state_body", _("State body")


class Topic(models.Model):
    """What an authority deals with (housing, land, social protection…)."""

    slug = models.SlugField(_("identifier"), max_length=80, unique=True)
    name = models.CharField(_("name (Ukrainian)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    name_pl = models.CharField(_("name (Polish)"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")


class Authority(BaseModel):
    slug = models.SlugField(_("identifier"), max_length=80, unique=True)
    name = models.CharField(_("name (Ukrainian)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    name_pl = models.CharField(_("name (Polish)"), max_length=250, blank=True)
    kind = models.CharField(_("type"), max_length=16, choices=AuthorityKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="units", verbose_name=_("part of")
    )
    region = models.ForeignKey(
        "directory.Region", on_delete=models.PROTECT, related_name="authorities", verbose_name=_("region")
    )
    territory = models.ForeignKey(
        "directory.Territory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territory (KATOTTG)"),
    )
    address = models.CharField(_("postal address"), max_length=300)
    email = models.EmailField(_("e-mail for appeals"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="authorities", verbose_name=_("topics"))
    accepts_info_requests = models.BooleanField(_("answers requests for public information"), default=True)
    is_active = models.BooleanField(_("receives cases through CIPnet"), default=True)

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")


class AuthorityOfficial(BaseModel):
    """A user who answers the authority's cases; the head may extend appeals to 45 days."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="officials")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authority_posts")
    is_head = models.BooleanField(_("head (may extend terms)"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        constraints = [models.UniqueConstraint(fields=["authority", "user"], name="authority_official_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.authority_id}"


class Kind(models.TextChoices):
    APPEAL = "appeal", _("Citizen's appeal")
    INFO_REQUEST = "info_request", _("Request for public information")


class AppealType(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal (suggestion)")
    APPLICATION = "application", _("Application or petition")
    COMPLAINT = "complaint", _("Complaint")


class AnswerForm(models.TextChoices):
    EMAIL = "email", _("By e-mail")
    POST = "post", _("By post")
    PICKUP = "pickup", _("I will collect it")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Sent")
    REGISTERED = "registered", _("Registered")
    IN_PROGRESS = "in_progress", _("Being considered")
    FORWARDED = "forwarded", _("Forwarded to another body")
    EXTENDED = "extended", _("Term extended")
    CLARIFICATION = "clarification", _("Clarification asked")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", pgettext_lazy("case", "Withdrawn")


#: The authority still owes an answer in these statuses; its term runs.
OPEN_STATUSES = (Status.SUBMITTED, Status.REGISTERED, Status.IN_PROGRESS, Status.EXTENDED, Status.CLARIFICATION)


class Outcome(models.TextChoices):
    POSITIVE = "positive", _("Resolved positively")
    EXPLAINED = "explained", _("Explained")
    PARTLY = "partly", _("Partly resolved")
    REFUSED = "refused", _("Refused")


class Publication(models.TextChoices):
    PRIVATE = "private", _("Not to be published")
    PENDING = "pending", _("Waiting for a moderator")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not published by the moderator")


def _token() -> str:
    return secrets.token_urlsafe(18)


def _reply_token() -> str:
    # Lower-case letters and digits only: it becomes part of an e-mail address.
    return secrets.token_hex(10)


class AppealQuerySet(models.QuerySet["Appeal"]):
    def overdue(self, moment: object) -> AppealQuerySet:
        """Still owed an answer and past the due moment ("overdue" is derived, never stored)."""
        return self.filter(status__in=OPEN_STATUSES, due_at__lt=moment)

    def due_between(self, start: object, end: object) -> AppealQuerySet:
        return self.filter(status__in=OPEN_STATUSES, due_at__gte=start, due_at__lte=end)


class Appeal(BaseModel):
    """One case: an appeal or an information request, from draft to closed."""

    kind = models.CharField(pgettext_lazy("case", "kind"), max_length=16, choices=Kind.choices)
    appeal_type = models.CharField(_("type of appeal"), max_length=16, choices=AppealType.choices, blank=True)
    #: Public reference shown to the author, given on submission (e.g. "ЗВ-2026-00017").
    number = models.CharField(_("number"), max_length=24, unique=True, null=True, blank=True)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="cases", verbose_name=_("to"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)

    # The author. The law requires the full name and postal address; anonymous appeals are not considered.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="appeals"
    )
    author_name = models.CharField(_("full name"), max_length=200)
    author_address = models.CharField(_("postal address"), max_length=300, blank=True)
    author_email = models.EmailField(_("e-mail"), blank=True)
    author_phone = models.CharField(_("phone"), max_length=40, blank=True)
    #: Filed at a library by a consultant on the visitor's behalf, with the visitor's consent.
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="appeals_filed"
    )
    centre = models.ForeignKey(
        "directory.Centre", on_delete=models.SET_NULL, null=True, blank=True, related_name="appeals"
    )
    consent_at = models.DateTimeField(_("visitor's consent recorded"), null=True, blank=True)

    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"), max_length=10000)
    answer_form = models.CharField(
        _("answer wanted"), max_length=8, choices=AnswerForm.choices, default=AnswerForm.EMAIL
    )
    urgent = models.BooleanField(_("urgent (48 hours)"), default=False)
    urgency_reason = models.TextField(_("why it is urgent"), max_length=2000, blank=True)

    # Receipt and term. `received_at` starts the clock (a forwarded case: the new body's receipt).
    submitted_at = models.DateTimeField(_("sent"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=40, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    term = models.CharField(_("term"), max_length=16, choices=[(t.value, t.value) for t in Term], blank=True)
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appeals_assigned",
        verbose_name=_("handled by"),
    )
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    forwarded_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="forwarded_to"
    )

    # The answer.
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    answer_text = models.TextField(_("answer"), blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("case", "closed"), null=True, blank=True)

    # Publication in the public register (redacted, after a moderator's review).
    publish_consent = models.BooleanField(_("the question and answer may be published"), default=False)
    publication = models.CharField(
        _("publication"), max_length=12, choices=Publication.choices, default=Publication.PRIVATE
    )
    public_subject = models.CharField(_("published subject"), max_length=200, blank=True)
    public_text = models.TextField(_("published text"), blank=True)
    public_answer = models.TextField(_("published answer"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    #: The published number, subject, question and answer as `core.text.search_key` folds them.
    public_search = models.TextField(blank=True, editable=False)

    # Follow without an account; confirm an e-mail address; file e-mail replies to the case.
    follow_token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    reply_token = models.CharField(max_length=24, unique=True, default=_reply_token, editable=False)
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False, unique=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["authority", "status", "due_at"], name="appeal_inbox"),
            models.Index(fields=["publication", "-published_at"], name="appeal_register"),
            # Cases filed at centres by when they were answered, with the columns programme results count
            # (appeals.selectors.answered_by_centre): read from the index, not the cases' text.
            models.Index(
                fields=["answered_at", "centre", "outcome"],
                name="appeal_answered_at_centre",
                condition=Q(centre__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="appeal") | Q(appeal_type=""),
                name="appeal_type_only_for_appeals",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def get_term_explanation(self) -> str:
        explanation = TERM_EXPLANATIONS.get(Term(self.term)) if self.term else None
        return str(explanation) if explanation is not None else ""


TERM_EXPLANATIONS = {
    Term.INFO_STANDARD: _("Term: 5 working days, counted from the day after receipt."),
    Term.INFO_URGENT: _("Term: 48 hours from receipt (urgent request)."),
    Term.INFO_EXTENDED: _("Term extended to 20 working days for a large volume of information."),
    Term.APPEAL_STANDARD: _("Term: one month from receipt."),
    Term.APPEAL_NO_STUDY: _("Term: 15 days from receipt (no additional study needed)."),
    Term.APPEAL_EXTENDED: _("Term extended by the head: 45 days from receipt in all."),
    Term.FORWARD: _("Forwarding: 5 days."),
}


class EventKind(models.TextChoices):
    CREATED = "created", _("Draft saved")
    SUBMITTED = "submitted", _("Sent to the authority")
    REGISTERED = "registered", _("Registered")
    TAKEN = "taken", _("Taken into consideration")
    ASSIGNED = "assigned", _("Assigned to an official")
    NO_STUDY = "no_study", _("No additional study needed: 15 days")
    EXTENDED = "extended", _("Term extended")
    FORWARDED = "forwarded", _("Forwarded to another body")
    RECEIVED_BY_FORWARDING = "received_fwd", _("Received from another body")
    CLARIFICATION_ASKED = "clarify_asked", _("Clarification asked")
    CLARIFICATION_GIVEN = "clarify_given", _("Clarification given")
    ANSWERED = "answered", _("Answered")
    ANSWER_RECORDED = "answer_recorded", _("Answer received outside CIPnet recorded")
    MESSAGE_RECEIVED = "message", _("E-mail received")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn by the author")
    PUBLICATION = "publication", _("Publication decided")
    REMINDER = "reminder", _("Reminder sent")
    ESCALATED = "escalated", _("Overdue: escalated")


class AppealEvent(models.Model):
    """Append-only history of a case: who did what, when, and what changed."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField()
    status_from = models.CharField(max_length=16, choices=Status.choices, blank=True)
    status_to = models.CharField(max_length=16, choices=Status.choices, blank=True)
    #: Shown to the author and the authority (a question, a justification, an answer).
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    #: False for internal steps the author does not see (assignment, reminders).
    public = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["appeal", "at"], name="appeal_event_case_at")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


def private_storage() -> Storage:
    return storages["private"]


class AttachmentSource(models.TextChoices):
    AUTHOR = "author", _("From the author")
    AUTHORITY = "authority", _("From the authority")
    SCAN = "scan", _("Scanned paper document")
    EMAIL = "email", _("Received by e-mail")


class Attachment(models.Model):
    """A file of a case, stored outside the web root and served only to those allowed."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(AppealEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to="appeals/%Y/%m/", max_length=200)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    source = models.CharField(max_length=12, choices=AttachmentSource.choices)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """One e-mail a case caused: the outbox is the source of truth. `key` makes sending idempotent
    (a retried task finds the row sent); `claimed_at` is a sender's lease on the row (`outbox`)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=24)
    to = models.EmailField()
    subject = models.CharField(max_length=250)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["created_at"], name="appeals_notification_unsent", condition=Q(sent_at__isnull=True))
        ]

    def __str__(self) -> str:
        return self.key


class CaseStart(models.Model):
    """One new case started by an account or from an address, kept for the hour `limits` counts
    (written in the case's transaction, so a refused case uses up nothing). `who` is
    "account:<id>" or "address:<keyed hash>": no address is stored in clear."""

    who = models.CharField(max_length=80)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["who", "created_at"], name="appeals_casestart_who_at")]

    def __str__(self) -> str:
        return f"{self.who} {self.created_at:%Y-%m-%d %H:%M}"
