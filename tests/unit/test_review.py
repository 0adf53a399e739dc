"""The committee's decisions on proposals: from which status, in which phase, to what."""

from __future__ import annotations

import pytest

from campaign.calendar import Phase
from campaign.proposal import ProposalStatus as S
from campaign.review import (
    ALLOWED_FROM,
    Refusal,
    ReviewAction as A,
    decisions,
    finalist_toggle,
    finalists_locked,
    may,
    merge_refusal,
    new_status,
    refusal,
)

OPEN = (Phase.PROPOSALS, Phase.REVIEW)
CLOSED = (Phase.VOTING, Phase.COUNTING, Phase.RESULTS)


@pytest.mark.parametrize("phase", OPEN)
@pytest.mark.parametrize(
    ("action", "status", "after"),
    [
        (A.ELIGIBLE, S.SUBMITTED, S.ELIGIBLE),
        (A.ELIGIBLE, S.CHANGES_REQUESTED, S.ELIGIBLE),
        (A.ELIGIBLE, S.INELIGIBLE, S.ELIGIBLE),  # the committee may reconsider
        (A.INELIGIBLE, S.SUBMITTED, S.INELIGIBLE),
        (A.INELIGIBLE, S.ELIGIBLE, S.INELIGIBLE),
        (A.REQUEST_CHANGES, S.SUBMITTED, S.CHANGES_REQUESTED),
        (A.REQUEST_CHANGES, S.ELIGIBLE, S.CHANGES_REQUESTED),
        (A.MERGE, S.SUBMITTED, S.MERGED),
        (A.MERGE, S.INELIGIBLE, S.MERGED),
        (A.EDIT, S.SUBMITTED, S.SUBMITTED),
        (A.EDIT, S.FINALIST, S.FINALIST),
        (A.FINALIST, S.ELIGIBLE, S.FINALIST),
        (A.UNFINALIST, S.FINALIST, S.ELIGIBLE),
    ],
)
def test_allowed_decisions_and_where_they_lead(action, status, after, phase):
    assert refusal(action, status, phase) is None
    assert new_status(action, status) == after


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (A.ELIGIBLE, S.ELIGIBLE),
        (A.ELIGIBLE, S.MERGED),
        (A.ELIGIBLE, S.FINALIST),  # untick it on /finalists first
        (A.INELIGIBLE, S.INELIGIBLE),
        (A.INELIGIBLE, S.DRAFT),
        (A.REQUEST_CHANGES, S.INELIGIBLE),
        (A.MERGE, S.MERGED),
        (A.MERGE, S.FINALIST),
        (A.EDIT, S.MERGED),
        (A.EDIT, S.INELIGIBLE),
        (A.FINALIST, S.SUBMITTED),
        (A.FINALIST, S.INELIGIBLE),
        (A.UNFINALIST, S.ELIGIBLE),
    ],
)
def test_wrong_status_is_refused(action, status):
    assert refusal(action, status, Phase.REVIEW) == Refusal.WRONG_STATUS


@pytest.mark.parametrize("phase", CLOSED)
@pytest.mark.parametrize("action", list(A))
def test_nothing_changes_once_voting_opened(action, phase):
    for status in ALLOWED_FROM[action]:
        assert refusal(action, status, phase) == Refusal.LOCKED
        assert not may(action, status, phase)


def test_nothing_to_decide_before_proposals_open():
    assert refusal(A.ELIGIBLE, S.SUBMITTED, Phase.UPCOMING) == Refusal.NOT_YET


def test_no_decision_leads_to_draft_or_winner():
    # Winners come from the tally, drafts never leave the wizard.
    for action in A:
        for status in ALLOWED_FROM[action]:
            assert new_status(action, status) not in (S.DRAFT, S.WINNER)


def test_merge_needs_another_project_still_in_the_running():
    assert merge_refusal(1, S.SUBMITTED, 2, S.ELIGIBLE, Phase.REVIEW) is None
    assert merge_refusal(1, S.SUBMITTED, 2, S.FINALIST, Phase.REVIEW) is None
    assert merge_refusal(1, S.SUBMITTED, 1, S.SUBMITTED, Phase.REVIEW) == Refusal.SAME_PROPOSAL
    assert merge_refusal(1, S.SUBMITTED, 9, None, Phase.REVIEW) == Refusal.BAD_TARGET
    assert merge_refusal(1, S.SUBMITTED, 2, S.MERGED, Phase.REVIEW) == Refusal.BAD_TARGET
    assert merge_refusal(1, S.SUBMITTED, 2, S.INELIGIBLE, Phase.REVIEW) == Refusal.BAD_TARGET
    assert merge_refusal(1, S.MERGED, 2, S.ELIGIBLE, Phase.REVIEW) == Refusal.WRONG_STATUS
    assert merge_refusal(1, S.SUBMITTED, 2, S.ELIGIBLE, Phase.VOTING) == Refusal.LOCKED


def test_finalists_are_ticked_among_eligible_projects_until_voting_opens():
    assert finalist_toggle(S.ELIGIBLE) == A.FINALIST
    assert finalist_toggle(S.FINALIST) == A.UNFINALIST
    assert finalist_toggle(S.SUBMITTED) is None
    assert not finalists_locked(Phase.PROPOSALS)
    assert not finalists_locked(Phase.REVIEW)
    assert all(finalists_locked(phase) for phase in CLOSED)


def test_the_review_buttons_follow_the_rules():
    assert decisions(S.SUBMITTED, Phase.REVIEW) == [A.ELIGIBLE, A.INELIGIBLE, A.REQUEST_CHANGES, A.EDIT, A.MERGE]
    assert decisions(S.ELIGIBLE, Phase.REVIEW) == [A.INELIGIBLE, A.REQUEST_CHANGES, A.EDIT, A.MERGE]
    assert decisions(S.MERGED, Phase.REVIEW) == []
    assert decisions(S.SUBMITTED, Phase.VOTING) == []
