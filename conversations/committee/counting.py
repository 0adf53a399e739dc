"""/count: the committee opens the ballots, once (the key is made by /countingkey, counting_key.py).

| input                  | reply                                                                   |
|------------------------|-------------------------------------------------------------------------|
| /count                 | after voting closed: environment key: counts now; shares: how many     |
|                        | shares are in, and how to send one                                      |
| /count SHARE [SHARE…]  | private chat: the shares are checked and kept in memory; with K of     |
|                        | them the ballots are opened, shuffled, stored without any link, and    |
|                        | counted. Several in one message: one member who collected the sheets   |
|                        | (needed with several workers: each keeps its own memory)               |

Shares are kept only in this process's memory (never in the database, where they would add
up to the key), and forgotten after the count, after a wrong combination, or on restart:
then members send them again. A refused share, a count before voting closed, a share of
another campaign or key, a duplicate: a clear reply, nothing changed, an audit entry.
The count runs in one transaction: a crash before its commit leaves the sealed ballots
intact, and /count can be run again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _, ngettext

from campaign.calendar import Phase, phase_at
from campaign.schema import Campaign
from storage.secrecy import (
    SecrecyError,
    Share,
    combine_shares,
    fingerprint,
    parse_shares,
)
from conversations.committee.common import members_only
from conversations.committee.counted import count_ballots, describe_key, ensure_counted
from conversations.context import Ctx
from conversations.figures import number
from conversations.render import when
from storage.repositories import Repositories
from storage.repositories.counting import ENVIRONMENT
from storage.repositories.verification import utc

log = logging.getLogger(__name__)


@dataclass
class CountDesk:
    """Shares received for the count, per campaign, in memory only."""

    shares: dict[str, dict[int, Share]] = field(default_factory=dict)

    def add(self, share: Share) -> bool:
        held = self.shares.setdefault(share.campaign_id, {})
        if share.index in held:
            return False
        held[share.index] = share
        return True

    def indexes(self, campaign_id: str) -> set[int]:
        return set(self.shares.get(campaign_id, {}))

    def held(self, campaign_id: str) -> list[Share]:
        return list(self.shares.get(campaign_id, {}).values())

    def forget(self, campaign_id: str) -> None:
        self.shares.pop(campaign_id, None)


# --- the count itself ---------------------------------------------------------------------------


# --- /count -------------------------------------------------------------------------------------


def _share_problem(error: SecrecyError) -> str:
    return {
        "not_a_share": _(
            "This is not a key share: it starts with pbbot-share: (copy the whole text under the QR code)."
        ),
        "mistyped": _("This share has a typing mistake (its checksum does not match): copy it again from the sheet."),
    }.get(error.code, _("This share is not valid."))


async def count_command(
    message: Message, ctx: Ctx, command: CommandObject, count_desk: CountDesk, counting_key: object | None = None
) -> None:
    repos, campaign, clock, user = ctx.repos, ctx.campaign, ctx.clock, ctx.user
    now = utc(clock.now())
    args = (command.args or "").strip()
    if args and message.chat.type == ChatType.PRIVATE:
        try:
            await message.delete()  # the share is not left in the chat's history
        except TelegramAPIError:
            pass

    async def refuse(reason: str, text: str) -> None:
        await repos.audit.record(campaign.id, user.telegram_id, "count_refused", now, target="count", reason=reason)
        await repos.session.commit()
        await message.answer(text)

    stored = await repos.counting.get(campaign.id)
    phase = phase_at(campaign.calendar, clock.now())
    if stored is None:
        await refuse("no_key", describe_key(None))
        return
    if stored.counted_at is not None:
        await message.answer(counted_already_text(when(stored.counted_at, campaign), stored.ballots or 0))
        return
    if phase not in (Phase.COUNTING, Phase.RESULTS):
        await refuse(
            "too_early",
            _("Voting is not over: the ballots can be counted once it closes, on {date}.").format(
                date=when(campaign.calendar.voting_close, campaign)
            ),
        )
        return
    if args and message.chat.type != ChatType.PRIVATE:
        await refuse(
            "group",
            _(
                "Never send a share in a group: send it in a private chat with me. Ask the member to "
                "delete that message."
            ),
        )
        return
    if stored.mode == ENVIRONMENT:
        if await ensure_counted(repos, campaign, counting_key, clock, user.telegram_id) is None:
            await refuse(
                "no_environment_key", _("The bot does not hold the counting key (COUNTING_KEY): nothing was counted.")
            )
            return
        await _counted(message, repos, campaign)
        return
    threshold = stored.threshold or 1
    if not args:
        await message.answer(
            _(
                "{have} of the {need} shares needed are in. Each member sends /count followed by their "
                "share, in a private chat with me."
            ).format(have=len(count_desk.held(campaign.id)), need=threshold)
        )
        return
    try:
        shares = parse_shares(args)
    except SecrecyError as error:
        await refuse(error.code, _share_problem(error))
        return
    for share in shares:
        if share.campaign_id != campaign.id.lower():
            await refuse("other_campaign", _("This share belongs to another campaign: nothing changed."))
            return
        if share.key_fingerprint != fingerprint(stored.public_key):
            await refuse(
                "other_key",
                _("This share belongs to another counting key (not {fingerprint}): nothing changed.").format(
                    fingerprint=fingerprint(stored.public_key)
                ),
            )
            return
        if share.index in count_desk.indexes(campaign.id) or [s.index for s in shares].count(share.index) > 1:
            await refuse(
                "duplicate",
                _("Share {index} was already received: send another member's share.").format(index=share.index),
            )
            return
    for share in shares:  # all checked: only now is anything kept
        count_desk.add(share)
        await repos.audit.record(campaign.id, user.telegram_id, "count_share", now, target="count", index=share.index)
    await repos.session.commit()
    held = count_desk.held(campaign.id)
    if len(held) < threshold:
        await message.answer(
            _("Share {index} received: {have} of {need}.").format(
                index=", ".join(str(s.index) for s in shares), have=len(held), need=threshold
            )
        )
        return
    try:
        key = combine_shares(held, threshold, stored.public_key)
    except SecrecyError:
        count_desk.forget(campaign.id)
        await refuse(
            "wrong_key",
            _(
                "These shares do not make the counting key: one of them is wrong. They were "
                "forgotten: send them again, each from its sheet."
            ),
        )
        return
    count_desk.forget(campaign.id)
    await count_ballots(repos, campaign, key, clock, user.telegram_id)
    del key  # the bot forgets the key: only the shares can make it again
    await _counted(message, repos, campaign)


def counted_text(ballots: int, unreadable: int) -> str:
    """What the committee reads once the ballots are counted."""
    text = ngettext(
        "🗳 Counted: {count} ballot, stored with nothing that links it to a voter. "
        "/results shows the tally; /publish announces it.",
        "🗳 Counted: {count} ballots, shuffled and stored with nothing that links them to a voter. "
        "/results shows the tally; /publish announces it.",
        ballots,
    ).format(count=number(ballots))
    if unreadable:
        text += "\n" + ngettext(
            "⚠️ {count} sealed ballot could not be opened and is not counted.",
            "⚠️ {count} sealed ballots could not be opened and are not counted.",
            unreadable,
        ).format(count=number(unreadable))
    return text


def counted_already_text(date: str, ballots: int) -> str:
    return ngettext(
        "The ballots were counted on {date}: {count} ballot. /results shows the tally.",
        "The ballots were counted on {date}: {count} ballots. /results shows the tally.",
        ballots,
    ).format(date=date, count=number(ballots))


async def _counted(message: Message, repos: Repositories, campaign: Campaign) -> None:
    stored = await repos.counting.get(campaign.id)
    assert stored is not None and stored.counted
    await message.answer(counted_text(stored.ballots or 0, stored.unreadable or 0))


def router() -> Router:
    r = members_only(Router(name="committee_counting"))
    r.message.register(count_command, Command("count"))
    return r
