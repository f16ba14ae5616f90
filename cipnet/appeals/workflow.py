"""Which step may happen in which status, and who may take it. Pure: no database.

draft → submitted → registered → in progress → (forwarded | extended | clarification asked) →
answered → closed; withdrawn by the author while the case is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from cipnet.appeals.deadlines import Term
from cipnet.appeals.models import Appeal, Kind, Status
from cipnet.core.errors import InvalidTransition


class Party(StrEnum):
    """Who takes a step: the author (or the consultant who filed for them), or an official."""

    AUTHOR = "author"
    OFFICIAL = "official"
    HEAD = "head"  # an official who heads the authority


@dataclass(frozen=True)
class Step:
    name: str
    label: object
    sources: frozenset[str]
    target: str | None  # None: the status does not change
    parties: frozenset[Party]


def _step(name: str, label: object, sources: tuple[str, ...], target: str | None, *parties: Party) -> Step:
    return Step(name, label, frozenset(sources), target, frozenset(parties))


OFFICIALS = (Party.OFFICIAL, Party.HEAD)
#: Statuses in which the authority works on the case.
WORKING = (Status.REGISTERED, Status.IN_PROGRESS, Status.EXTENDED)

STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        _step("submit", _("Send"), (Status.DRAFT,), Status.SUBMITTED, Party.AUTHOR),
        _step("register", _("Register"), (Status.SUBMITTED,), Status.REGISTERED, *OFFICIALS),
        _step("take", _("Take into consideration"), (Status.REGISTERED,), Status.IN_PROGRESS, *OFFICIALS),
        _step("assign", _("Assign"), (Status.SUBMITTED, *WORKING, Status.CLARIFICATION), None, *OFFICIALS),
        _step("no_study", _("No additional study: 15 days"), WORKING, None, *OFFICIALS),
        _step("extend", _("Extend the term"), (Status.REGISTERED, Status.IN_PROGRESS), Status.EXTENDED, *OFFICIALS),
        _step(
            "forward", _("Forward to the competent body"), (Status.SUBMITTED, *WORKING), Status.FORWARDED, *OFFICIALS
        ),
        _step("ask", _("Ask for clarification"), WORKING, Status.CLARIFICATION, *OFFICIALS),
        _step("clarify", _("Give the clarification"), (Status.CLARIFICATION,), Status.IN_PROGRESS, Party.AUTHOR),
        _step("answer", _("Give the answer"), (*WORKING, Status.CLARIFICATION), Status.ANSWERED, *OFFICIALS),
        _step(
            "record_answer",
            _("Record an answer received by post or e-mail"),
            (Status.SUBMITTED, *WORKING, Status.CLARIFICATION, Status.FORWARDED),
            Status.ANSWERED,
            Party.AUTHOR,
            *OFFICIALS,
        ),
        _step("close", _("Close"), (Status.ANSWERED,), Status.CLOSED, Party.AUTHOR, *OFFICIALS),
        _step(
            "withdraw",
            _("Withdraw"),
            (Status.DRAFT, Status.SUBMITTED, *WORKING, Status.CLARIFICATION),
            Status.WITHDRAWN,
            Party.AUTHOR,
        ),
    )
}


def check(step_name: str, status: str, parties: set[Party]) -> Step:
    """The step, if `parties` may take it from `status`; else InvalidTransition with a clear message."""
    step = STEPS[step_name]
    if not parties & step.parties:
        raise InvalidTransition(str(_("“%(step)s” is not for you to do on this case.") % {"step": step.label}))
    if status not in step.sources:
        raise InvalidTransition(
            str(
                _("“%(step)s” is not possible while the case is “%(status)s”.")
                % {"step": step.label, "status": Status(status).label}
            )
        )
    return step


def allowed(status: str, parties: set[Party]) -> list[str]:
    """The steps `parties` may take now, in the table's order (to show as buttons)."""
    return [name for name, s in STEPS.items() if status in s.sources and parties & s.parties]


#: The steps as the API names them (its URL segment: POST /reception/cases/{id}/{step}/).
API_STEP_NAMES = {name: name.replace("_", "-") for name in STEPS}


def available_steps(appeal: Appeal, parties: set[Party]) -> list[str]:
    """The steps `parties` may take on the case now: what the staff and author pages show as buttons
    and the API lists as `actions` (`API_STEP_NAMES`). Narrower than `allowed`: "no study" only for
    an appeal with the one-month term, and an appeal's term is extended by the head alone."""
    steps = allowed(appeal.status, parties)
    if appeal.kind != Kind.APPEAL or appeal.term != Term.APPEAL_STANDARD:
        steps = [s for s in steps if s != "no_study"]
    if appeal.kind == Kind.APPEAL and Party.HEAD not in parties:
        steps = [s for s in steps if s != "extend"]
    return steps
