"""/countingkey and /count: the committee makes the counting key, and opens the ballots once.

| input                  | reply                                                                   |
|------------------------|-------------------------------------------------------------------------|
| /countingkey           | how the key is held (environment, or k of n shares), or how to make it  |
| /countingkey K         | private chat, shares mode, no ballot yet: a new key pair, split K of n  |
|                        | among the committee; each member gets their share privately, as text   |
|                        | and as a printable sheet with a QR code; the public key is kept        |
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
import random
from dataclasses import dataclass, field

from aiogram import Bot, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _, ngettext

from campaign.calendar import Phase, phase_at
from campaign.clock import Clock
from campaign.freeze import ballot_settings, finalist_digest
from campaign.schema import Campaign
from storage.secrecy import (
    SecrecyError,
    Share,
    combine_shares,
    fingerprint,
    new_private_key,
    open_ballots,
    parse_shares,
    public_hex,
    split_key,
)
from conversations.after_commit import after_commit, say_later
from conversations.committee.common import members_only
from conversations.figures import number
from conversations.key_sheet import key_share_sheet
from conversations.render import campaign_name, when
from storage.repositories import Repositories, User
from storage.repositories.counting import ENVIRONMENT, SHARES, CountingKey
from storage.repositories.verification import utc

log = logging.getLogger(__name__)
router = members_only(Router(name="committee_counting"))


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


def sealed_reason() -> str:
    return _("The ballots are still sealed: a committee member must send /count to open and count them.")


# --- /countingkey -------------------------------------------------------------------------------


def _describe(stored: CountingKey | None) -> str:
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


async def _committee_ids(repos: Repositories, campaign: Campaign, admin_ids: frozenset[int]) -> list[int]:
    added = [m.telegram_id for m in await repos.committee.members(campaign.id, "admin")]
    return sorted(set(admin_ids) | set(added))


@router.message(Command("countingkey"))
async def counting_key_command(
    message: Message,
    command: CommandObject,
    bot: Bot,
    user: User,
    repos: Repositories,
    campaign: Campaign,
    clock: Clock,
    admin_ids: frozenset[int] = frozenset(),
) -> None:
    stored = await repos.counting.get(campaign.id)
    args = (command.args or "").strip()
    if not args:
        await message.answer(_describe(stored))
        return
    now = utc(clock.now())
    problem = None
    members = await _committee_ids(repos, campaign, admin_ids)
    if message.chat.type != ChatType.PRIVATE:
        problem = _("Make the counting key in a private chat with me, not in a group.")
    elif stored is not None and stored.mode == ENVIRONMENT:
        problem = _describe(stored)
    elif stored is not None and (stored.counted or await repos.ballots.count(campaign.id)):
        problem = _("Ballots are already sealed to the counting key {fingerprint}: it cannot be replaced.").format(
            fingerprint=fingerprint(stored.public_key)
        )
    elif not args.isdigit() or not 1 <= int(args) <= len(members):
        problem = _(
            "Send /countingkey K, where K is how many of the {count} committee members must come together to count "
            "(between 1 and {count})."
        ).format(count=len(members))
    if problem:
        await repos.audit.record(campaign.id, user.telegram_id, "counting_key_refused", now, target="count")
        await repos.session.commit()
        await message.answer(problem)
        return
    threshold = int(args)
    key = new_private_key()
    shares = split_key(key, campaign.id, threshold, len(members))
    public = public_hex(key)
    del key  # from here on only the shares can make it again
    if stored is not None:
        await repos.counting.replace(campaign.id, public, threshold, len(members), user.telegram_id, now)
    else:
        await repos.counting.create(
            campaign.id, public, SHARES, now, threshold=threshold, shares=len(members), by=user.telegram_id
        )
    await repos.audit.record(
        campaign.id,
        user.telegram_id,
        "counting_key_made",
        now,
        target="count",
        threshold=threshold,
        shares=len(members),
        fingerprint=fingerprint(public),
    )
    await repos.session.commit()  # the public key is kept before any share leaves
    delivered: list[int] = []
    for member, share in zip(members, shares):
        # Each share goes privately to its member once the key is committed (after_commit): the bot
        # keeps no copy; a member it cannot reach is named in the summary below.
        text, sheet = _share_message(share, campaign, threshold, len(members))
        after_commit(_deliver(bot, member, share, text, sheet, campaign, delivered))
    count, mark = len(members), fingerprint(public)

    def summary() -> str:
        text = _(
            "Counting key {fingerprint} made: {threshold} of {count} shares open the ballots. Shares delivered: {delivered}."
        ).format(fingerprint=mark, threshold=threshold, count=count, delivered=len(delivered))
        unreached = [str(m) for m in members if m not in delivered]
        if unreached:
            text += "\n" + _(
                "Not delivered (they must start a chat with me first): {ids}. Until the first ballot, "
                "/countingkey {threshold} makes a new key for everyone."
            ).format(ids=", ".join(unreached), threshold=threshold)
        return text

    say_later(bot, message.chat.id, summary)


def _share_message(share: Share, campaign: Campaign, threshold: int, count: int) -> tuple[str, bytes]:
    text = _(
        "🔑 Your share of the counting key for {campaign} (share {index} of {count}; any {threshold} open the ballots).\n\n"
        "<code>{share}</code>\n\n"
        "Print the sheet below and keep it somewhere safe, then delete this message. After voting closes, "
        "send /count followed by this text (or scan the QR code) in a private chat with me. "
        "A lost share cannot be made again: with fewer than {threshold} shares the ballots can never be opened."
    ).format(campaign=campaign_name(campaign), index=share.index, count=count, threshold=threshold, share=share.text())
    sheet = key_share_sheet(
        share.text(),
        title=campaign_name(campaign),
        lines=[
            _("Share {index} of {count} of the counting key {fingerprint}.").format(
                index=share.index, count=count, fingerprint=share.key_fingerprint
            ),
            _("Any {threshold} shares together open the ballots after voting closes.").format(threshold=threshold),
            _("Keep this sheet safe and private. To count: send /count and this text to the bot."),
        ],
    )
    return text, sheet


def _deliver(bot: Bot, member: int, share: Share, text: str, sheet: bytes, campaign: Campaign, delivered: list[int]):  # noqa: ANN202 (an after-commit step)
    async def send(_transaction: object) -> None:
        try:
            await bot.send_message(member, text)
            await bot.send_document(member, BufferedInputFile(sheet, f"{campaign.id}-share-{share.index}.png"))
        except TelegramAPIError:
            log.info("share %s could not be delivered", share.index)
            return
        delivered.append(member)

    return send


# --- /count -------------------------------------------------------------------------------------


def _share_problem(error: SecrecyError) -> str:
    return {
        "not_a_share": _(
            "This is not a key share: it starts with pbbot-share: (copy the whole text under the QR code)."
        ),
        "mistyped": _("This share has a typing mistake (its checksum does not match): copy it again from the sheet."),
    }.get(error.code, _("This share is not valid."))


@router.message(Command("count"))
async def count_command(
    message: Message,
    command: CommandObject,
    bot: Bot,
    user: User,
    repos: Repositories,
    campaign: Campaign,
    clock: Clock,
    count_desk: CountDesk,
    counting_key: object | None = None,
) -> None:
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
        await refuse("no_key", _describe(None))
        return
    if stored.counted_at is not None:
        await message.answer(
            ngettext(
                "The ballots were counted on {date}: {count} ballot. /results shows the tally.",
                "The ballots were counted on {date}: {count} ballots. /results shows the tally.",
                stored.ballots or 0,
            ).format(date=when(stored.counted_at, campaign), count=number(stored.ballots or 0))
        )
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


async def _counted(message: Message, repos: Repositories, campaign: Campaign) -> None:
    stored = await repos.counting.get(campaign.id)
    assert stored is not None and stored.counted
    text = ngettext(
        "🗳 Counted: {count} ballot, stored with nothing that links it to a voter. "
        "/results shows the tally; /publish announces it.",
        "🗳 Counted: {count} ballots, shuffled and stored with nothing that links them to a voter. "
        "/results shows the tally; /publish announces it.",
        stored.ballots or 0,
    ).format(count=number(stored.ballots or 0))
    if stored.unreadable:
        text += "\n" + ngettext(
            "⚠️ {count} sealed ballot could not be opened and is not counted.",
            "⚠️ {count} sealed ballots could not be opened and are not counted.",
            stored.unreadable,
        ).format(count=number(stored.unreadable))
    await message.answer(text)
