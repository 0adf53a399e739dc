"""The committee's decisions on proposals: which are allowed, from which status, in which phase.

Pure rules, no Telegram and no SQL; the dialogs ask `refusal(...)` before acting and the
repository applies the change only if the status is still the one checked (two committee
members pressing at once cannot both decide).

| action            | from status                                   | to status          | phases            |
|-------------------|-----------------------------------------------|--------------------|-------------------|
| eligible          | submitted, changes_requested, ineligible      | eligible           | proposals, review |
| ineligible        | submitted, changes_requested, eligible        | ineligible         | proposals, review |
| request_changes   | submitted, changes_requested, eligible        | changes_requested  | proposals, review |
| edit              | submitted, changes_requested, eligible, finalist | (unchanged)     | proposals, review |
| merge             | submitted, changes_requested, eligible, ineligible | merged         | proposals, review |
| finalist          | eligible                                      | finalist           | proposals, review |
| unfinalist        | finalist                                      | eligible           | proposals, review |

Once voting opens, nothing changes any more: the ballot shows the finalists as they are.
The author's side (resubmitting after changes were asked) is `campaign.proposal.author_may_edit`.
"""

from __future__ import annotations

from enum import StrEnum

from campaign.calendar import Phase
from campaign.proposal import ProposalStatus

S = ProposalStatus


class ReviewAction(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    REQUEST_CHANGES = "changes"
    EDIT = "edit"
    MERGE = "merge"
    FINALIST = "finalist"
    UNFINALIST = "unfinalist"


class Refusal(StrEnum):
    """Why an action is refused; the dialog turns it into a sentence."""

    NOT_YET = "not_yet"  # no proposals can exist before the proposals phase
    LOCKED = "locked"  # voting has opened: the list and the sheets are final
    WRONG_STATUS = "wrong_status"  # e.g. ticking a proposal that is not eligible
    SAME_PROPOSAL = "same_proposal"  # merging a proposal into itself
    BAD_TARGET = "bad_target"  # merging into a proposal that is not (or no longer) in the running


ALLOWED_FROM: dict[ReviewAction, frozenset[ProposalStatus]] = {
    ReviewAction.ELIGIBLE: frozenset({S.SUBMITTED, S.CHANGES_REQUESTED, S.INELIGIBLE}),
    ReviewAction.INELIGIBLE: frozenset({S.SUBMITTED, S.CHANGES_REQUESTED, S.ELIGIBLE}),
    ReviewAction.REQUEST_CHANGES: frozenset({S.SUBMITTED, S.CHANGES_REQUESTED, S.ELIGIBLE}),
    ReviewAction.EDIT: frozenset({S.SUBMITTED, S.CHANGES_REQUESTED, S.ELIGIBLE, S.FINALIST}),
    ReviewAction.MERGE: frozenset({S.SUBMITTED, S.CHANGES_REQUESTED, S.ELIGIBLE, S.INELIGIBLE}),
    ReviewAction.FINALIST: frozenset({S.ELIGIBLE}),
    ReviewAction.UNFINALIST: frozenset({S.FINALIST}),
}

RESULT: dict[ReviewAction, ProposalStatus | None] = {
    ReviewAction.ELIGIBLE: S.ELIGIBLE,
    ReviewAction.INELIGIBLE: S.INELIGIBLE,
    ReviewAction.REQUEST_CHANGES: S.CHANGES_REQUESTED,
    ReviewAction.EDIT: None,
    ReviewAction.MERGE: S.MERGED,
    ReviewAction.FINALIST: S.FINALIST,
    ReviewAction.UNFINALIST: S.ELIGIBLE,
}

# Phases in which the committee may change proposals.
OPEN_PHASES: frozenset[Phase] = frozenset({Phase.PROPOSALS, Phase.REVIEW})
# What a proposal may be merged into: a proposal still in the running.
MERGE_TARGETS: frozenset[ProposalStatus] = frozenset({S.SUBMITTED, S.CHANGES_REQUESTED, S.ELIGIBLE, S.FINALIST})
# What /review shows, oldest first.
WAITING: frozenset[ProposalStatus] = frozenset({S.SUBMITTED})


def phase_refusal(phase: Phase) -> Refusal | None:
    if phase == Phase.UPCOMING:
        return Refusal.NOT_YET
    if phase not in OPEN_PHASES:
        return Refusal.LOCKED
    return None


def refusal(action: ReviewAction, status: ProposalStatus, phase: Phase) -> Refusal | None:
    """None if the committee may take `action` on a proposal in `status` during `phase`."""
    by_phase = phase_refusal(phase)
    if by_phase is not None:
        return by_phase
    if status not in ALLOWED_FROM[action]:
        return Refusal.WRONG_STATUS
    return None


def may(action: ReviewAction, status: ProposalStatus, phase: Phase) -> bool:
    return refusal(action, status, phase) is None


def new_status(action: ReviewAction, status: ProposalStatus) -> ProposalStatus:
    """The status after `action` (an edit keeps the status)."""
    result = RESULT[action]
    return status if result is None else result


def merge_refusal(
    source_id: int, source_status: ProposalStatus, target_id: int, target_status: ProposalStatus | None, phase: Phase
) -> Refusal | None:
    """Merging proposal `source_id` into `target_id` (target_status None: no such proposal)."""
    first = refusal(ReviewAction.MERGE, source_status, phase)
    if first is not None:
        return first
    if source_id == target_id:
        return Refusal.SAME_PROPOSAL
    if target_status is None or target_status not in MERGE_TARGETS:
        return Refusal.BAD_TARGET
    return None


def finalist_toggle(status: ProposalStatus) -> ReviewAction | None:
    """Ticking a proposal on /finalists: eligible -> finalist, finalist -> eligible."""
    if status == S.ELIGIBLE:
        return ReviewAction.FINALIST
    if status == S.FINALIST:
        return ReviewAction.UNFINALIST
    return None


def finalists_locked(phase: Phase) -> bool:
    """The list of finalists is final once voting opens."""
    return phase not in OPEN_PHASES and phase != Phase.UPCOMING


def decisions(status: ProposalStatus, phase: Phase) -> list[ReviewAction]:
    """The review buttons to show for a proposal (finalist ticking lives on /finalists)."""
    shown = (
        ReviewAction.ELIGIBLE,
        ReviewAction.INELIGIBLE,
        ReviewAction.REQUEST_CHANGES,
        ReviewAction.EDIT,
        ReviewAction.MERGE,
    )
    return [action for action in shown if may(action, status, phase)]
