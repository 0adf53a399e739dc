"""/broadcasts: how the sending of the latest broadcasts goes (sent, pending, unreachable,
failed, unknown), with a 🔄 Refresh button. Writing one is /broadcast (broadcasts.py)."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _, ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from conversations.committee.broadcast_texts import audience_label, excerpt, kind_label
from conversations.committee.common import committee_button, leave_dialogs, members_only, person, short_when
from conversations.context import Ctx
from conversations.figures import number

log = logging.getLogger(__name__)

RECENT = 8


@committee_button
class BroadcastsRefresh(CallbackData, prefix="cbls"):
    limit: int


async def progress_text(ctx: Ctx, limit: int = RECENT) -> str:
    repos, campaign = ctx.repos, ctx.campaign
    broadcasts = await repos.statistics.recent_broadcasts(campaign.id, limit)
    if not broadcasts:
        return _("No broadcast yet. Send /broadcast to write one.")
    lines = [_("<b>Latest broadcasts</b> (most recent first):")]
    for sent in broadcasts:
        broadcast = sent.broadcast
        counts = await repos.broadcasts.progress(broadcast.id)
        by = await person(repos, sent.created_by) if sent.created_by is not None else _("the calendar")
        lines += [
            "",
            ngettext(
                "<b>#{number}</b> · {date} · {kind} by {by} · {audience} · {count} recipient",
                "<b>#{number}</b> · {date} · {kind} by {by} · {audience} · {count} recipients",
                broadcast.recipients,
            ).format(
                number=broadcast.id,
                date=short_when(broadcast.created_at, campaign),
                kind=kind_label(broadcast),
                by=by,
                audience=audience_label(broadcast.audience),
                count=number(broadcast.recipients),
            ),
            _(
                "✅ sent {sent} · ⏳ pending {pending} · 🚫 unreachable {unreachable} · ⚠️ failed {failed} · ❓ unknown {unknown}"
            ).format(
                sent=number(counts["sent"]),
                pending=number(counts["pending"] + counts["sending"]),
                unreachable=number(counts["unreachable"]),
                failed=number(counts["failed"]),
                unknown=number(counts["unknown"]),
            ),
            f"<i>{excerpt(broadcast, ctx.user.language)}</i>",
        ]
    return "\n".join(lines)


def _refresh_markup(limit: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🔄 Refresh"), callback_data=BroadcastsRefresh(limit=limit))
    return builder.as_markup()


async def broadcasts_command(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await leave_dialogs(state)
    await ctx.bot.send_message(ctx.chat_id, await progress_text(ctx), reply_markup=_refresh_markup(RECENT))


async def refresh(query: CallbackQuery, ctx: Ctx, callback_data: BroadcastsRefresh) -> None:
    limit = min(max(callback_data.limit, 1), 20)
    text = await progress_text(ctx, limit)
    if isinstance(query.message, Message):
        try:
            await query.message.edit_text(text, reply_markup=_refresh_markup(limit))
        except TelegramAPIError:  # "message is not modified": nothing new
            log.debug("could not refresh the broadcasts", exc_info=True)
    await query.answer(_("Up to date."))


def router() -> Router:
    r = members_only(Router(name="committee_broadcast_progress"))
    r.message.register(broadcasts_command, Command("broadcasts"))
    r.callback_query.register(refresh, BroadcastsRefresh.filter())
    return r
