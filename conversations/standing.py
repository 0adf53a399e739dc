"""Where the campaign stands for a handler: the calendar at `now` and whether the committee
has published the results (campaign.standing has the rule; conversations.render the words)."""

from __future__ import annotations

from datetime import datetime

from campaign.schema import Campaign
from campaign.standing import Standing, standing
from storage.repositories import Repositories


async def is_published(repos: Repositories, campaign: Campaign) -> bool:
    return await repos.statistics.publication(campaign.id) is not None


async def standing_now(repos: Repositories, campaign: Campaign, now: datetime) -> Standing:
    return standing(campaign.calendar, now, published=await is_published(repos, campaign))
