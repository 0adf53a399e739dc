"""/checkmyvote and /ballots: a resident checks that their ballot was counted, and anyone
gets what they need to recount.

| input                 | reply                                                                   |
|-----------------------|-------------------------------------------------------------------------|
| /checkmyvote          | how to use it (the tracker is in the vote's confirmation message)       |
| /checkmyvote TRACKER  | before the count: whether a sealed ballot has it; after: whether it is  |
|                       | among the counted ballots (a replaced ballot's old tracker is not)      |
| /ballots              | after the results are published: the anonymous ballot file (Pabulib)   |
|                       | with its SHA-256, and the list of counted trackers                      |

A tracker names a ballot, never a person, and says nothing of its choices: anyone may ask
about any tracker. An unknown or malformed tracker is a clear answer, and is audited.
"""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _

from storage.secrecy import normalize_tracker
from conversations.context import Ctx
from conversations.ballot_file import ballot_file, digest, tracker_file
from conversations.render import when
from storage.repositories.verification import utc


async def check_my_vote(message: Message, command: CommandObject, ctx: Ctx) -> None:
    repos, campaign = ctx.repos, ctx.campaign
    raw = (command.args or "").strip()
    if not raw:
        await message.answer(
            _(
                "Send /checkmyvote followed by the tracker from your vote's confirmation message, "
                "for example /checkmyvote 3F9A-2C71-B0D4."
            )
        )
        return
    tracker = normalize_tracker(raw)
    stored = await repos.counting.get(campaign.id)
    if (
        tracker is not None
        and stored is not None
        and stored.counted_at is not None
        and await repos.ballots.is_counted_tracker(campaign.id, tracker)
    ):
        await message.answer(
            _("✅ The ballot with tracker <code>{tracker}</code> was counted on {date}.").format(
                tracker=tracker, date=when(stored.counted_at, campaign)
            )
        )
        return
    if (
        tracker is not None
        and (stored is None or not stored.counted)
        and await repos.ballots.sealed_tracker(campaign.id, tracker)
    ):
        await message.answer(
            _("✅ A sealed ballot with tracker <code>{tracker}</code> is waiting for the count.").format(
                tracker=tracker
            )
        )
        return
    await repos.audit.record(
        campaign.id,
        ctx.resident.telegram_id if ctx.resident else None,
        "tracker_not_found",
        utc(ctx.clock.now()),
        target="tracker",
        valid=tracker is not None,
    )
    if tracker is None:
        await message.answer(
            _("“{text}” is not a tracker: a tracker is 12 letters and digits, like 3F9A-2C71-B0D4.").format(
                text=escape(raw[:40])
            )
        )
    elif stored is not None and stored.counted:
        await message.answer(
            _(
                "❌ No counted ballot has the tracker <code>{tracker}</code>. Check it against your confirmation "
                "message; if you changed your vote, only the last tracker counts."
            ).format(tracker=tracker)
        )
    else:
        await message.answer(
            _(
                "❌ No ballot has the tracker <code>{tracker}</code>. Check it against your confirmation "
                "message; if you changed your vote, only the last tracker counts."
            ).format(tracker=tracker)
        )


async def ballots_command(message: Message, ctx: Ctx) -> None:
    bot, repos, campaign = ctx.bot, ctx.repos, ctx.campaign
    publication = await repos.statistics.publication(campaign.id)
    if publication is None:
        await message.answer(_("The anonymous ballots are published with the results."))
        return
    selected = [int(w) for w in publication.snapshot.get("winners", [])]
    data = await ballot_file(repos, campaign, selected)
    file_digest = digest(data)
    caption = _("Every counted ballot, under a random number (Pabulib format). SHA-256: {digest}").format(
        digest=file_digest
    )
    if publication.snapshot.get("ballot_file_sha256") not in (None, file_digest):
        caption += "\n" + _("⚠️ This is not the file announced with the results (SHA-256 {digest}).").format(
            digest=publication.snapshot["ballot_file_sha256"]
        )
    await bot.send_document(message.chat.id, BufferedInputFile(data, f"{campaign.id}.pb"), caption=caption)
    await bot.send_document(
        message.chat.id,
        BufferedInputFile(await tracker_file(repos, campaign), f"{campaign.id}-trackers.txt"),
        caption=_("The trackers of the counted ballots, sorted: /checkmyvote finds yours."),
    )


def router() -> Router:
    r = Router(name="receipts")
    r.message.register(check_my_vote, Command("checkmyvote"))
    r.message.register(ballots_command, Command("ballots"))
    return r
