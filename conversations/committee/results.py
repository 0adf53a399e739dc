"""/results: the committee counts the vote (announcing it is /publish, publish.py).

| input               | reply                                                                  |
|---------------------|------------------------------------------------------------------------|
| /results            | before voting closes: when the tally can be seen (no partial results); |
|                     | then: votes per project, the winners under the campaign's rule, a      |
|                     | bar chart, and whether the results are published                       |

The ballots are sealed until counted (conversations.committee.counting): with the key in the
environment the first /results after voting closes counts them; with shares, /count does.
The tally is `campaign.results.compute_results` over the counted ballots, every time: it is
the same until someone moves the voting dates.
"""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _, ngettext

from campaign.calendar import Phase, phase_at
from campaign.clock import Clock
from campaign.freeze import ballot_settings, finalist_digest
from campaign.results import Results, compute_results
from campaign.schema import Campaign
from conversations.committee.counting import ensure_counted, sealed_reason
from conversations.committee.broadcasts import leave_dialogs
from conversations.committee.common import (
    members_only,
    person,
)
from conversations.context import Ctx
from conversations.figures import number, results_chart, results_lines, send_lines, send_png
from conversations.render import campaign_name, when
from conversations.results_explained import budget_chart, compare_lines, why_lines
from storage.repositories import Repositories
from storage.repositories.verification import utc

log = logging.getLogger(__name__)


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


# --- /results ---------------------------------------------------------------------------------


async def results_command(message: Message, ctx: Ctx, state: FSMContext, counting_key: object | None = None) -> None:
    await leave_dialogs(state)
    bot, chat_id, repos, campaign, clock = ctx.bot, ctx.chat_id, ctx.repos, ctx.campaign, ctx.clock
    problem = await too_early(repos, campaign, clock) or await still_sealed(
        repos, campaign, clock, ctx.user.telegram_id, counting_key
    )
    if problem:
        await bot.send_message(chat_id, problem)
        return
    results = await tally(repos, campaign, clock.now(), compare=True)
    publication = await repos.statistics.publication(campaign.id)
    lines = results_lines(
        results, campaign, heading=_("<b>Results — {campaign}</b>").format(campaign=campaign_name(campaign))
    )
    if results.ignored_choices:
        lines += [
            "",
            ngettext(
                "⚠️ {count} choice named a project no longer on the ballot; it is not counted.",
                "⚠️ {count} choices named projects no longer on the ballot; they are not counted.",
                results.ignored_choices,
            ).format(count=number(results.ignored_choices)),
        ]
    lines += ["", *why_lines(results, campaign), "", *compare_lines(results, campaign)]
    lines.append("")
    if publication is not None:
        lines.append(
            _("📣 Published on {date} by {name}.").format(
                date=when(publication.at, campaign), name=await person(repos, publication.by)
            )
        )
    else:
        lines.append(_("Not published yet: send /publish to announce the results to every resident."))
        # Who saw the tally before it was public is worth knowing.
        await repos.audit.record(
            campaign.id,
            ctx.user.telegram_id,
            "results_viewed",
            utc(clock.now()),
            target="results",
            count=results.ballots,
        )
    await send_lines(bot, chat_id, lines)
    await send_png(bot, chat_id, results_chart(results, campaign), "results.png")
    envelope = budget_chart(results, campaign)
    if envelope is not None:
        await send_png(bot, chat_id, envelope, "envelope.png")


def router() -> Router:
    r = members_only(Router(name="committee_results"))  # before the residents' /results (conversations.results)
    r.message.register(results_command, Command("results"))
    return r
