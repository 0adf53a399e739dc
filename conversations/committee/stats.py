"""/stats: where participation stands — residents, projects, ballots and turnout — and a chart
of new residents and ballots per day.

Ages: verification records no birth date, only that a resident confirmed the campaign's minimum
age; so there are no age bands, and the figures say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from campaign.calendar import phase_at
from campaign.clock import Clock
from campaign.proposal import ProposalStatus
from campaign.schema import Campaign
from campaign.statistics import Turnout, daily_counts, day_range, series, share
from conversations.committee.broadcasts import leave_dialogs
from conversations.committee.common import members_only, phase_label
from conversations.figures import activity_chart, number, percent, send_lines, send_png
from conversations.render import campaign_name, category_name, phase_summary, status_label
from conversations.standing import is_published
from storage.repositories import Repositories

router = members_only(Router(name="committee_stats"))

STATUS_ORDER = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.CHANGES_REQUESTED,
    ProposalStatus.ELIGIBLE,
    ProposalStatus.INELIGIBLE,
    ProposalStatus.MERGED,
    ProposalStatus.FINALIST,
    ProposalStatus.WINNER,
)


@dataclass(frozen=True)
class Figures:
    registered: int
    verified: int
    attested_age: int
    by_status: dict[ProposalStatus, int]
    by_category: dict[str, int]
    turnout: Turnout
    days: list[date]
    registrations: list[int]  # per day of `days`
    ballots: list[int]

    @property
    def proposals(self) -> int:
        return sum(count for status, count in self.by_status.items() if status != ProposalStatus.DRAFT)


async def gather(repos: Repositories, campaign: Campaign, now: datetime) -> Figures:
    zone = campaign.zone
    registrations = daily_counts(await repos.statistics.registrations_per_hour(), zone)
    # Ballots carry no time; only first ballots per local day are counted (see storage.models.secrecy).
    ballots = dict(await repos.ballots.per_day(campaign.id))
    start = campaign.calendar.proposals_open.astimezone(zone).date()
    end = min(max(now.astimezone(zone).date(), start), campaign.calendar.results.astimezone(zone).date())
    days = day_range(start, end, [registrations, ballots])
    verified = await repos.verification.count()
    return Figures(
        registered=await repos.statistics.registered(),
        verified=verified,
        attested_age=await repos.statistics.attested_age(),
        by_status=await repos.proposals.count_by_status(campaign.id),
        by_category=await repos.statistics.proposals_by_category(campaign.id),
        turnout=Turnout(await repos.ballots.count(campaign.id), campaign.population, verified),
        days=days,
        registrations=series(registrations, days),
        ballots=series(ballots, days),
    )


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


async def show_stats(bot: Bot, chat_id: int, repos: Repositories, campaign: Campaign, clock: Clock) -> None:
    now = clock.now()
    figures = await gather(repos, campaign, now)
    await send_lines(bot, chat_id, stats_lines(figures, campaign, now, published=await is_published(repos, campaign)))
    png = activity_chart(campaign, figures.days, figures.registrations, figures.ballots)
    await send_png(bot, chat_id, png, "stats.png", caption=_("New residents and ballots cast per day."))


@router.message(Command("stats"))
async def stats_command(
    message: Message, bot: Bot, state: FSMContext, repos: Repositories, campaign: Campaign, clock: Clock
) -> None:
    await leave_dialogs(state)
    await show_stats(bot, message.chat.id, repos, campaign, clock)
