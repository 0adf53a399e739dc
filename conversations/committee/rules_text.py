"""What the committee reads when the campaign's rules refuse an action (campaign.phase_guard,
campaign.freeze), how the audit log names those refusals, and the calendar dates' names."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.utils.i18n import gettext as _

from campaign.calendar import Phase
from campaign.phase_guard import PhaseRuleError
from conversations.committee.common import phase_label


def calendar_field_label(name: str) -> str:
    """A calendar date's name (/calendar, the audit log)."""
    return {
        "proposals_open": _("Proposals open"),
        "proposals_close": _("Proposals close"),
        "review_close": _("Review ends, finalists chosen"),
        "voting_open": _("Voting opens"),
        "voting_close": _("Voting closes"),
        "results": _("Results announced"),
    }[name]


def phase_rule_text(error: PhaseRuleError, field_label: Callable[[str], str]) -> str:
    """Why a date move (or a jump to a phase) is refused, in the committee's language;
    `field_label` names a calendar field (calendar_field_label)."""
    field = str(error.params.get("field", ""))
    phase = error.params.get("phase")
    now = phase_label(Phase(str(phase))) if phase else ""
    intro = _("Refused: ballots have been cast, and from the first ballot on the campaign only moves forward.")
    if error.code == "voting_open_after_now":
        why = _("“{field}” cannot move after now: residents have already voted, it would close the vote they used.")
    elif error.code == "close_outside_voting":
        why = _(
            "“{field}” can be moved only while voting is open; it is over (now: {phase}), and reopening it would let ballots in after the count."
        )
    elif error.code == "passed":
        why = _("“{field}” has passed: what has happened stays as it happened.")
    elif error.code == "before_now":
        why = _("“{field}” can be moved to now or later, not into the past.")
    else:
        why = _("The campaign cannot go back from {phase} to {target}.")
    target = error.params.get("target")
    return (
        intro
        + " "
        + why.format(
            field=field_label(field) if field else "",
            phase=now,
            target=phase_label(Phase(str(target))) if target else "",
        )
    )


def refused_reason_label(why: str) -> str:
    """The audit log's words for the rule that refused an attempt."""
    return {
        "voting_open_after_now": _("voting opening after now, with ballots cast"),
        "close_outside_voting": _("moving the close of a vote that is over"),
        "passed": _("moving a date that has passed, with ballots cast"),
        "before_now": _("moving a date into the past, with ballots cast"),
        "earlier_phase": _("going back to an earlier phase, with ballots cast"),
        "finalists_frozen": _("changing a finalist after voting opened"),
        "stale_revision": _("deciding on a version the author has since changed"),
    }.get(why, why.replace("_", " "))
