"""The sealed ballots and their tally: what /count, /countingkey, /results, /export and
/publish share (the count itself, why there is no tally yet, the tally).

The tally is `campaign.results.compute_results` over the counted ballots, every time: it is
the same until someone moves the voting dates.
"""

from __future__ import annotations

import random
from datetime import datetime

from aiogram.utils.i18n import gettext as _

from campaign.calendar import Phase, phase_at
from campaign.clock import Clock
from campaign.freeze import ballot_settings, finalist_digest
from campaign.results import Results, compute_results
from campaign.schema import Campaign
from conversations.figures import number
from conversations.render import when
from storage.repositories import Repositories
from storage.repositories.counting import ENVIRONMENT, CountingKey
from storage.repositories.verification import utc
from storage.secrecy import fingerprint, open_ballots, public_hex

# --- the count ----------------------------------------------------------------------------------


async def count_ballots(repos: Repositories, campaign: Campaign, key, clock: Clock, by: int | None) -> bool:  # noqa: ANN001 (a nacl PrivateKey)
    """Open every sealed ballot, shuffle, store them with no link, mark the count done; commit.
    False if another member counted first (nothing written then)."""
    # From the count on, no ballot is accepted, whatever the calendar says (storage.repositories.locks).
    finalists = {str(p.id): finalist_digest(p) for p in await repos.ballots.finalists(campaign.id)}
    await repos.locks.seal(campaign.id, utc(clock.now()), ballot_settings(campaign), finalists)
    sealed = await repos.ballots.sealed(campaign.id)
    opened = open_ballots(key, campaign.id, [b.sealed for b in sealed])
    ballots = list(opened.ballots)
    random.SystemRandom().shuffle(ballots)
    now = utc(clock.now())
    if not await repos.counting.mark_counted(campaign.id, now, by, len(ballots), opened.unreadable):
        await repos.session.rollback()
        return False
    await repos.ballots.store_count(campaign.id, ballots, [b.tracker for b in sealed])
    await repos.audit.record(
        campaign.id, by, "ballots_counted", now, target="count", count=len(ballots), unreadable=opened.unreadable
    )
    await repos.session.commit()
    return True


async def ensure_counted(
    repos: Repositories, campaign: Campaign, counting_key, clock: Clock, by: int | None
) -> CountingKey | None:  # noqa: ANN001
    """The count, done if it can be without anyone's shares (the environment key, voting
    closed); None when the ballots are still sealed."""
    stored = await repos.counting.get(campaign.id)
    if stored is None:
        return None
    if stored.counted:
        return stored
    if counting_key is None or stored.mode != ENVIRONMENT or public_hex(counting_key) != stored.public_key:
        return None
    if phase_at(campaign.calendar, clock.now()) not in (Phase.COUNTING, Phase.RESULTS):
        return None
    await count_ballots(repos, campaign, counting_key, clock, by)
    return await repos.counting.get(campaign.id)


def describe_key(stored: CountingKey | None) -> str:
    if stored is None:
        return _(
            "No counting key yet: ballots cannot be recorded until there is one. In a private chat with me, send "
            "/countingkey K to make one and split it among the committee: any K members together can count."
        )
    if stored.mode == ENVIRONMENT:
        text = _("The counting key {fingerprint} is in the bot's environment (COUNTING_KEY).")
    else:
        text = _(
            "The counting key {fingerprint} is split among the committee: {threshold} of {shares} shares open the ballots."
        )
    return text.format(fingerprint=fingerprint(stored.public_key), threshold=stored.threshold, shares=stored.shares)


def sealed_reason() -> str:
    return _("The ballots are still sealed: a committee member must send /count to open and count them.")


# --- the tally ---------------------------------------------------------------------------------


async def seal_vote(repos: Repositories, campaign: Campaign, now: datetime) -> None:
    """From the first tally on, no ballot is accepted, whatever the calendar says later
    (storage.repositories.locks)."""
    finalists = {str(p.id): finalist_digest(p) for p in await repos.ballots.finalists(campaign.id)}
    await repos.locks.seal(campaign.id, now, ballot_settings(campaign), finalists)


async def sealed_choices(repos: Repositories, campaign: Campaign, now: datetime) -> list[tuple[int, ...]]:
    """Every ballot's choices, after sealing the vote."""
    await seal_vote(repos, campaign, now)
    return await repos.ballots.all_choices(campaign.id)


async def tally(repos: Repositories, campaign: Campaign, now: datetime, *, compare: bool = False) -> Results:
    on_ballot = await repos.statistics.on_ballot(campaign.id)
    await seal_vote(repos, campaign, now)
    # The ballots grouped by the database: the tally reads each distinct ballot once.
    return compute_results(campaign, on_ballot, await repos.ballots.choice_counts(campaign.id), compare=compare)


async def still_sealed(
    repos: Repositories, campaign: Campaign, clock: Clock, by: int | None, counting_key: object | None
) -> str | None:
    """Why there is no tally yet although voting closed: the ballots are not counted."""
    stored = await ensure_counted(repos, campaign, counting_key, clock, by)
    return None if stored is not None and stored.counted else sealed_reason()


async def too_early(repos: Repositories, campaign: Campaign, clock: Clock) -> str | None:
    """Why the tally cannot be seen yet: no partial results while people still vote."""
    phase = phase_at(campaign.calendar, clock.now())
    if phase in (Phase.COUNTING, Phase.RESULTS):
        return None
    if phase == Phase.VOTING:
        return _(
            "Voting is open until {date}: the tally is shown once it closes, so that no one sees partial results. "
            "Ballots so far: {count}."
        ).format(
            date=when(campaign.calendar.voting_close, campaign), count=number(await repos.ballots.count(campaign.id))
        )
    return _("Voting has not started yet: it opens on {date}.").format(
        date=when(campaign.calendar.voting_open, campaign)
    )
