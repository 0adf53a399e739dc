"""The one place the forward-only rule is enforced (the rule itself is campaign.phase_guard).

Every path that changes which phase the campaign is in goes through here:
- writing: `/calendar set` and `/advance` (conversations.committee.calendar) call
  `guard_calendar_moves`, the console's phase jump calls `guard_phase_jump`; a refusal is
  written to the audit log, with the rule's code, before it is raised;
- reading: `effective_campaign` is what the dialogs (bot.middlewares.campaign), the scheduler
  and the console see: the file's calendar, the committee's changes replayed, then held by the
  lock (the vote opened by the first ballot and closed by the seal, whatever the dates say).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from campaign.calendar import Phase, phase_at
from campaign.calendar_changes import apply_calendar_changes
from campaign.phase_guard import Lock, PhaseRuleError, check_moves, check_phase_target, held_calendar
from campaign.freeze import ballot_settings, changed_settings
from campaign.schema import Campaign, CampaignError

if TYPE_CHECKING:
    from storage.repositories import Repositories

REFUSED = "refused"


def held(campaign: Campaign, lock: Lock) -> Campaign:
    calendar = held_calendar(campaign.calendar, lock)
    return campaign if calendar is campaign.calendar else campaign.model_copy(update={"calendar": calendar})


async def effective_campaign(repos: "Repositories", base_campaign: Campaign) -> Campaign:
    """The campaign as the committee left it, held where the votes put it."""
    changes = await repos.committee.calendar_changes(base_campaign.id)
    lock = await repos.locks.lock(base_campaign.id)
    return held(apply_calendar_changes(base_campaign, changes), lock)


async def record_refusal(
    repos: "Repositories",
    campaign: Campaign,
    actor: int | None,
    attempt: str,
    why: str,
    now: datetime,
    target: str | None = None,
    **details: object,
) -> None:
    await repos.audit.record(campaign.id, actor, REFUSED, now, target=target, attempt=attempt, why=why, **details)


async def guard_calendar_moves(
    repos: "Repositories",
    campaign: Campaign,
    moves: dict[str, datetime],
    now: datetime,
    actor: int | None,
    attempt: str,
) -> None:
    """Raise PhaseRuleError (after auditing it) if these date moves would go back."""
    lock = await repos.locks.lock(campaign.id)
    try:
        check_moves(campaign.calendar, moves, now, lock)
    except PhaseRuleError as error:
        field = str(error.params.get("field") or next(iter(moves)))
        await record_refusal(
            repos,
            campaign,
            actor,
            attempt,
            error.code,
            now,
            target=f"calendar:{field}",
            to=moves.get(field, now).isoformat(),
        )
        raise


async def guard_phase_jump(
    repos: "Repositories", campaign: Campaign, target: Phase, now: datetime, actor: int | None
) -> None:
    lock = await repos.locks.lock(campaign.id)
    try:
        check_phase_target(phase_at(campaign.calendar, now), target, lock)
    except PhaseRuleError as error:
        await record_refusal(repos, campaign, actor, "phase_jump", error.code, now, target=f"phase:{target}")
        raise


async def check_ballot_settings(repos: "Repositories", campaign: Campaign) -> None:
    """At start: the campaign file must count ballots under the settings in force at the first
    ballot; CampaignError naming each changed field otherwise (the bot does not start)."""
    found = await repos.locks.get(campaign.id)
    if found is None:
        return
    changed = changed_settings(found.ballot_settings, ballot_settings(campaign))
    if changed:
        raise CampaignError(
            [
                f"{field}: the campaign file says {now}, but ballots were cast with {was}; the same ballots would be "
                f"counted under other rules. Put {field} back to {was} (or run a new campaign with another id)."
                for field, was, now in changed
            ]
        )
