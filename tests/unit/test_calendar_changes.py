"""The committee moves dates: the effective calendar, /calendar set and /advance."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from campaign.calendar import Phase, phase_at
from campaign.calendar_changes import (
    CALENDAR_FIELDS,
    CalendarChange,
    CalendarChangeError,
    advance_moves,
    apply_calendar_changes,
    parse_local,
    with_date,
    with_dates,
)
from campaign.schema import load_campaign

TOWN = load_campaign(Path(__file__).parents[1] / "campaigns" / "town.toml")
CAL = TOWN.calendar
BRUSSELS = ZoneInfo("Europe/Brussels")


def test_the_fields_are_the_calendar_in_order():
    assert CALENDAR_FIELDS == (
        "proposals_open",
        "proposals_close",
        "review_close",
        "voting_open",
        "voting_close",
        "results",
    )


def test_a_date_moves_when_the_order_stays_valid():
    moved = with_date(CAL, "voting_open", datetime(2030, 5, 20, 9, 0, tzinfo=BRUSSELS))
    assert moved.voting_open == datetime(2030, 5, 20, 9, 0, tzinfo=BRUSSELS)
    assert moved.voting_close == CAL.voting_close


def test_a_date_out_of_order_is_refused_naming_both_dates():
    with pytest.raises(CalendarChangeError) as error:
        with_date(CAL, "voting_open", datetime(2030, 4, 10, tzinfo=BRUSSELS))
    assert error.value.code == "out_of_order"
    assert error.value.params == {"earlier": "review_close", "later": "voting_open"}


def test_an_unknown_field_is_refused():
    with pytest.raises(CalendarChangeError) as error:
        with_dates(CAL, {"vote": datetime(2030, 5, 20, tzinfo=BRUSSELS)})
    assert error.value.code == "unknown_field"


def test_changes_are_replayed_in_order_over_the_file():
    changes = [
        CalendarChange("voting_open", datetime(2030, 5, 20, 9, 0, tzinfo=timezone.utc)),
        CalendarChange("voting_open", datetime(2030, 5, 21, 9, 0, tzinfo=timezone.utc)),
    ]
    effective = apply_calendar_changes(TOWN, changes)
    assert effective.calendar.voting_open == datetime(2030, 5, 21, 9, 0, tzinfo=timezone.utc)
    assert effective.name == TOWN.name and TOWN.calendar == CAL  # the file's campaign is untouched


def test_a_change_that_no_longer_fits_is_skipped_not_fatal():
    # A campaign file with relative dates moves on restart: an old change may not fit any more.
    changes = [
        CalendarChange("proposals_close", datetime(2031, 1, 1, tzinfo=timezone.utc)),
        CalendarChange("results", datetime(2030, 6, 12, tzinfo=timezone.utc)),
    ]
    effective = apply_calendar_changes(TOWN, changes)
    assert effective.calendar.proposals_close == CAL.proposals_close
    assert effective.calendar.results == datetime(2030, 6, 12, tzinfo=timezone.utc)


def test_no_changes_gives_the_same_campaign():
    assert apply_calendar_changes(TOWN, []) is TOWN


def test_advance_moves_the_next_boundary_to_now():
    now = CAL.proposals_open + timedelta(days=3)
    moves = advance_moves(CAL, now)
    assert moves == {"proposals_close": now}
    assert phase_at(with_dates(CAL, moves), now) == Phase.REVIEW


def test_advancing_to_the_vote_also_ends_the_review():
    now = CAL.proposals_close + timedelta(days=1)
    moves = advance_moves(CAL, now)
    assert moves == {"review_close": now, "voting_open": now}
    assert phase_at(with_dates(CAL, moves), now) == Phase.VOTING


def test_advance_from_each_phase_reaches_the_next():
    now = CAL.proposals_open - timedelta(days=1)
    calendar = CAL
    seen = [phase_at(calendar, now)]
    for _ in range(5):
        calendar = with_dates(calendar, advance_moves(calendar, now))
        seen.append(phase_at(calendar, now))
    assert seen == list(Phase)
    with pytest.raises(CalendarChangeError) as error:
        advance_moves(calendar, now)
    assert error.value.code == "nothing_to_advance"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2030-05-20 09:00", datetime(2030, 5, 20, 9, 0, tzinfo=BRUSSELS)),
        ("2030-05-20T09:30", datetime(2030, 5, 20, 9, 30, tzinfo=BRUSSELS)),
        (" 2030-5-2 ", datetime(2030, 5, 2, 0, 0, tzinfo=BRUSSELS)),
    ],
)
def test_dates_are_read_in_the_campaign_time_zone(text, expected):
    assert parse_local(text, BRUSSELS) == expected


@pytest.mark.parametrize(
    "text", ["", "tomorrow", "20/05/2030 09:00", "2030-02-30 10:00", "2030-05-20 25:00", "2030-05-20 09:00 extra"]
)
def test_bad_dates_are_refused(text):
    with pytest.raises(CalendarChangeError) as error:
        parse_local(text, BRUSSELS)
    assert error.value.code == "bad_format"
