"""/stats: where participation stands — residents, projects, ballots and turnout — and a chart
of new residents and ballots per day.

Ages: verification records no birth date, only that a resident confirmed the campaign's minimum
age; so there are no age bands, and the figures say so.
"""

from __future__ import annotations

from datetime import datetime

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from campaign.calendar import phase_at
from campaign.schema import Campaign
from campaign.statistics import share
from conversations.committee.common import leave_dialogs, members_only, phase_label
from conversations.committee.participation import STATUS_ORDER, Figures, gather
from conversations.context import Ctx
from conversations.figures import activity_chart, number, percent, send_lines, send_png
from conversations.render import campaign_name, category_name, phase_summary, status_label
from conversations.standing import is_published


def stats_lines(figures: Figures, campaign: Campaign, now: datetime, *, published: bool) -> list[str]:
    population = campaign.population
    lines = [
        _("<b>Figures — {campaign}</b>").format(campaign=campaign_name(campaign)),
        _("Phase: {phase}. {summary}").format(
            phase=phase_label(phase_at(campaign.calendar, now)),
            summary=phase_summary(campaign, now, published=published),
        ),
        "",
        _("<b>Residents</b> (the town has {population} inhabitants)").format(population=number(population)),
        _("👤 Registered with the bot: {count} ({share} of the population)").format(
            count=number(figures.registered), share=percent(share(figures.registered, population))
        ),
        _("✅ Verified residents: {count} ({share} of the population)").format(
            count=number(figures.verified), share=percent(share(figures.verified, population))
        ),
        "",
        _("<b>Projects</b>: {count} submitted").format(count=number(figures.proposals)),
    ]
    statuses = [f"{status_label(s)}: {number(figures.by_status[s])}" for s in STATUS_ORDER if figures.by_status.get(s)]
    lines.append(_("By status: {list}").format(list=" · ".join(statuses) if statuses else _("none yet")))
    known = [c.id for c in campaign.categories]
    categories = [f"{category_name(campaign, c)}: {number(figures.by_category.get(c, 0))}" for c in known]
    categories += [f"{c}: {number(n)}" for c, n in sorted(figures.by_category.items()) if c not in known]
    lines.append(_("By category: {list}").format(list=" · ".join(categories)))
    turnout = figures.turnout
    lines += [
        "",
        _("<b>Vote</b>"),
        _("🗳 Ballots cast: {count}").format(count=number(turnout.ballots)),
        _("Turnout: {population} of the population, {verified} of verified residents").format(
            population=percent(turnout.of_population), verified=percent(turnout.of_verified)
        ),
        "",
        _("<b>Ages</b>"),
    ]
    minimum = campaign.eligibility.minimum_age
    if minimum is None:
        lines.append(_("Ages are not collected: the campaign sets no minimum age, and no age bands can be shown."))
    else:
        lines.append(
            _(
                "Ages are not recorded: residents only confirm they are at least {age} ({count} did), so there are no age bands."
            ).format(age=minimum, count=number(figures.attested_age))
        )
    return lines


async def show_stats(ctx: Ctx, chat_id: int) -> None:
    bot, repos, campaign, now = ctx.bot, ctx.repos, ctx.campaign, ctx.clock.now()
    figures = await gather(repos, campaign, now)
    await send_lines(bot, chat_id, stats_lines(figures, campaign, now, published=await is_published(repos, campaign)))
    png = activity_chart(campaign, figures.days, figures.registrations, figures.ballots)
    await send_png(bot, chat_id, png, "stats.png", caption=_("New residents and ballots cast per day."))


async def stats_command(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await leave_dialogs(state)
    await show_stats(ctx, message.chat.id)


def router() -> Router:
    r = members_only(Router(name="committee_stats"))
    r.message.register(stats_command, Command("stats"))
    return r
