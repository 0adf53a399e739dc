"""/results: the committee counts the vote (announcing it is /publish, publish.py).

| input               | reply                                                                  |
|---------------------|------------------------------------------------------------------------|
| /results            | before voting closes: when the tally can be seen (no partial results); |
|                     | then: votes per project, the winners under the campaign's rule, a      |
|                     | bar chart, and whether the results are published                       |

The ballots are sealed until counted (conversations.committee.counting): with the key in the
environment the first /results after voting closes counts them; with shares, /count does.
The tally: conversations.committee.counted.
"""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _, ngettext

from conversations.committee.common import leave_dialogs, members_only, person
from conversations.committee.counted import still_sealed, tally, too_early
from conversations.context import Ctx
from conversations.figures import number, results_chart, results_lines, send_lines, send_png
from conversations.render import campaign_name, when
from conversations.results_explained import budget_chart, compare_lines, why_lines
from storage.repositories.verification import utc

log = logging.getLogger(__name__)


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
