"""/results for residents: the published results, or when they will be published.

| when                          | reply                                                        |
|-------------------------------|--------------------------------------------------------------|
| before the publication        | the date the results are announced (or "very soon" once it   |
|                               | has passed and the committee is still counting)              |
| after the committee's /publish| the winners and every project's votes, turnout, a bar chart  |

Committee members get the committee's /results (conversations.committee.results) instead.
What residents read is what was published (kept with the publication), not a new count.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _, ngettext

from campaign.clock import Clock
from campaign.results import from_snapshot
from campaign.schema import Campaign
from campaign.standing import VOTE_OVER, standing
from campaign.statistics import share
from conversations.context import Ctx
from conversations.figures import number, percent, results_chart, results_lines, send_lines, send_png
from conversations.render import campaign_name, language, results_news, standing_text, when


def not_yet(campaign: Campaign, clock: Clock) -> str:
    """Nothing is published: what the one rule (campaign.standing) says about the results."""
    where = standing(campaign.calendar, clock.now(), published=False)
    return standing_text(campaign, where) if where in VOTE_OVER else results_news(campaign, where)


async def results_command(message: Message, ctx: Ctx) -> None:
    bot, repos, campaign, clock = ctx.bot, ctx.repos, ctx.campaign, ctx.clock
    publication = await repos.statistics.publication(campaign.id)
    if publication is None:
        await bot.send_message(message.chat.id, not_yet(campaign, clock))
        return
    on_ballot = await repos.statistics.on_ballot(campaign.id)
    results = from_snapshot(campaign, on_ballot, publication.snapshot)
    lines = results_lines(
        results, campaign, heading=_("<b>Results — {campaign}</b>").format(campaign=campaign_name(campaign))
    )
    lines[1:1] = [
        ngettext(
            "{count} resident voted: {share} of the town's {population} inhabitants. Published on {date}.",
            "{count} residents voted: {share} of the town's {population} inhabitants. Published on {date}.",
            results.ballots,
        ).format(
            count=number(results.ballots),
            share=percent(share(results.ballots, campaign.population)),
            population=number(campaign.population),
            date=when(publication.at, campaign),
        )
    ]
    # The explanation as published, in the resident's language when the committee published it in that one.
    explained = publication.snapshot.get("explanation") or {}
    why = explained.get(language()) or explained.get(campaign.default_language) or []
    if why:
        lines += ["", *why]
    await send_lines(bot, message.chat.id, lines)
    await send_png(bot, message.chat.id, results_chart(results, campaign), "results.png")


def router() -> Router:
    r = Router(name="results")
    r.message.register(results_command, Command("results"))
    return r
