"""/countingkey: the committee makes the counting key (opening the ballots with it: /count, counting.py).

| input                  | reply                                                                   |
|------------------------|-------------------------------------------------------------------------|
| /countingkey           | how the key is held (environment, or k of n shares), or how to make it  |
| /countingkey K         | private chat, shares mode, no ballot yet: a new key pair, split K of n  |
|                        | among the committee; each member gets their share privately, as text   |
|                        | and as a printable sheet with a QR code; the public key is kept        |

The bot keeps no copy of the private key nor of any share: only the public key is stored, and
each share is sent to its member after the commit. A member it cannot reach is named.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _

from campaign.schema import Campaign
from conversations.after_commit import after_commit, say_later
from conversations.committee.common import members_only
from conversations.committee.counted import describe_key
from conversations.context import Ctx
from conversations.key_sheet import key_share_sheet
from conversations.render import campaign_name
from storage.repositories import Repositories
from storage.repositories.counting import ENVIRONMENT, SHARES
from storage.repositories.verification import utc
from storage.secrecy import Share, fingerprint, new_private_key, public_hex, split_key

log = logging.getLogger(__name__)


async def _committee_ids(repos: Repositories, campaign: Campaign, admin_ids: frozenset[int]) -> list[int]:
    added = [m.telegram_id for m in await repos.committee.members(campaign.id, "admin")]
    return sorted(set(admin_ids) | set(added))


async def counting_key_command(
    message: Message, ctx: Ctx, command: CommandObject, admin_ids: frozenset[int] = frozenset()
) -> None:
    bot, repos, campaign, clock, user = ctx.bot, ctx.repos, ctx.campaign, ctx.clock, ctx.user
    stored = await repos.counting.get(campaign.id)
    args = (command.args or "").strip()
    if not args:
        await message.answer(describe_key(stored))
        return
    now = utc(clock.now())
    problem = None
    members = await _committee_ids(repos, campaign, admin_ids)
    if message.chat.type != ChatType.PRIVATE:
        problem = _("Make the counting key in a private chat with me, not in a group.")
    elif stored is not None and stored.mode == ENVIRONMENT:
        problem = describe_key(stored)
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


def router() -> Router:
    r = members_only(Router(name="committee_counting_key"))
    r.message.register(counting_key_command, Command("countingkey"))
    return r
