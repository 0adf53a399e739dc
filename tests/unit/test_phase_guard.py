"""From the first ballot on, the campaign only moves forward: every phase, every date field."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from campaign.calendar import PHASE_ORDER, PHASE_STARTS, Phase, phase_at
from campaign.calendar_changes import CALENDAR_FIELDS, CalendarChangeError, advance_moves, with_dates
from campaign.phase_guard import Lock, PhaseRuleError, check_moves, check_phase_target, earlier, held_calendar
from campaign.schema import Calendar, load_campaign

CAL = load_campaign(Path(__file__).parents[1] / "campaigns" / "town.toml").calendar
BALLOT = Lock(first_ballot_at=CAL.voting_open + timedelta(hours=1))
SEALED = Lock(first_ballot_at=CAL.voting_open + timedelta(hours=1), sealed_at=CAL.voting_close + timedelta(hours=1))


def inside(phase: Phase) -> datetime:
    """A moment an hour into `phase` (a day before the start for upcoming)."""
    if phase == Phase.UPCOMING:
        return CAL.proposals_open - timedelta(days=1)
    return getattr(CAL, PHASE_STARTS[phase]) + timedelta(hours=1)


def candidates(now: datetime) -> list[datetime]:
    """A date in every gap of the calendar, now, and just before and after now."""
    moments = [CAL.proposals_open - timedelta(days=3)]
    moments += [getattr(CAL, name) + timedelta(minutes=30) for name in CALENDAR_FIELDS]
    moments += [now, now - timedelta(minutes=1), now + timedelta(minutes=1), CAL.results + timedelta(days=30)]
    return moments


def verdict(calendar: Calendar, field: str, moment: datetime, now: datetime, lock: Lock) -> str | None:
    try:
        check_moves(calendar, {field: moment}, now, lock)
    except PhaseRuleError as error:
        return error.code
    return None


CASES = [(phase, field, moment) for phase in Phase for field in CALENDAR_FIELDS for moment in candidates(inside(phase))]


@pytest.mark.parametrize(("phase", "field", "moment"), CASES)
def test_with_ballots_an_allowed_move_never_goes_back(phase, field, moment):
    now = inside(phase)
    try:
        moved = with_dates(CAL, {field: moment})
    except CalendarChangeError:
        return  # out of order: refused before the phase rule is asked
    code = verdict(CAL, field, moment, now, BALLOT)
    if code is not None:
        assert code in {"voting_open_after_now", "close_outside_voting", "passed", "before_now"}
        return
    assert not earlier(phase_at(moved, now), phase)
    was = getattr(CAL, field)
    if was <= now:
        assert moment == was, "a date that has passed stays where it is"
    else:
        assert moment >= now, "a date still ahead is not moved into the past"
    if field == "voting_open":
        assert moment <= now
    if field == "voting_close" and moment != was:
        assert phase == Phase.VOTING


@pytest.mark.parametrize(("phase", "field", "moment"), CASES)
def test_before_the_first_ballot_the_phase_rule_allows_every_move(phase, field, moment):
    assert verdict(CAL, field, moment, inside(phase), Lock()) is None


@pytest.mark.parametrize(("phase", "field", "moment"), CASES)
def test_once_sealed_the_close_of_the_vote_never_moves(phase, field, moment):
    if field == "voting_close" and moment != CAL.voting_close:
        assert verdict(CAL, field, moment, inside(phase), SEALED) is not None


def test_the_attacks_of_the_issue_are_refused_with_their_reason():
    during_vote, after_results = inside(Phase.VOTING), inside(Phase.RESULTS)
    # Moving the opening of the vote later, with ballots cast: back to review.
    assert verdict(CAL, "voting_open", during_vote + timedelta(days=2), during_vote, BALLOT) == "voting_open_after_now"
    # Reopening the vote after the results by moving its close later.
    assert (
        verdict(CAL, "voting_close", after_results + timedelta(days=2), after_results, BALLOT) == "close_outside_voting"
    )
    assert (
        verdict(CAL, "voting_close", inside(Phase.COUNTING) + timedelta(days=1), inside(Phase.COUNTING), BALLOT)
        == "close_outside_voting"
    )
    # Results back to the future from the results phase.
    assert verdict(CAL, "results", after_results + timedelta(days=2), after_results, BALLOT) == "passed"
    # Closing the vote in the past, so that ballots already cast fall after its close.
    assert verdict(CAL, "voting_close", during_vote - timedelta(minutes=30), during_vote, BALLOT) == "before_now"


def test_extending_the_vote_while_it_is_open_is_allowed():
    now = inside(Phase.VOTING)
    assert verdict(CAL, "voting_close", CAL.voting_close + timedelta(days=3), now, BALLOT) is None
    assert verdict(CAL, "voting_close", now, now, BALLOT) is None


@pytest.mark.parametrize("phase", [p for p in Phase if p != Phase.RESULTS])
def test_advance_always_passes_the_rule(phase):
    now = inside(phase)
    moves = advance_moves(CAL, now)
    check_moves(CAL, moves, now, BALLOT)
    assert earlier(phase, phase_at(with_dates(CAL, moves), now))


@pytest.mark.parametrize("current", list(Phase))
@pytest.mark.parametrize("target", list(Phase))
def test_a_jump_to_a_phase_goes_back_only_before_the_first_ballot(current, target):
    check_phase_target(current, target, Lock())
    backwards = PHASE_ORDER.index(target) < PHASE_ORDER.index(current)
    try:
        check_phase_target(current, target, BALLOT)
    except PhaseRuleError as error:
        assert backwards and error.code == "earlier_phase"
    else:
        assert not backwards


def test_a_sealed_vote_cannot_be_jumped_back_into():
    with pytest.raises(PhaseRuleError):
        check_phase_target(Phase.VOTING, Phase.VOTING, SEALED)


def test_held_calendar_changes_nothing_without_ballots():
    assert held_calendar(CAL, Lock()) is CAL


moments = st.datetimes(min_value=datetime(2030, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda d: d.replace(tzinfo=CAL.voting_open.tzinfo)
)


@settings(max_examples=300, deadline=None)
@given(
    first=moments,
    sealed=st.one_of(st.none(), st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=90))),
    later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)),
)
def test_held_calendar_keeps_the_vote_open_from_the_first_ballot_and_closed_from_the_seal(first, sealed, later):
    """Whatever the file says (relative dates move on every restart), the vote counts as open
    from the first ballot, and as closed from the seal."""
    lock = Lock(first_ballot_at=first, sealed_at=None if sealed is None else first + sealed)
    held = held_calendar(CAL, lock)
    assert list(CALENDAR_FIELDS) == sorted(
        CALENDAR_FIELDS, key=lambda name: (getattr(held, name), CALENDAR_FIELDS.index(name))
    )
    assert not earlier(phase_at(held, first + later), Phase.VOTING)
    if lock.sealed_at is not None:
        assert not earlier(phase_at(held, lock.sealed_at + later), Phase.COUNTING)
    for name in CALENDAR_FIELDS:
        assert getattr(held, name) <= getattr(CAL, name), "holding only brings dates earlier"
