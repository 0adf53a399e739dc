"""The participation figures — residents, projects by status and category, ballots, turnout,
and the counts per day — as data, for /stats (conversations.committee.stats) and
/export stats (conversations.committee.exports). Not a router: it only reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from campaign.proposal import ProposalStatus
from campaign.schema import Campaign
from campaign.statistics import Turnout, daily_counts, day_range, series
from storage.repositories import Repositories

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
