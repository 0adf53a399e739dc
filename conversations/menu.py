"""The main menu: what a resident can do now, as buttons."""

from __future__ import annotations

from datetime import datetime

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from conversations.keyboard import InlineKeyboardBuilder

from campaign.calendar import Phase, phase_at
from campaign.proposal import ProposalDraft
from campaign.schema import Campaign


class MenuAction(CallbackData, prefix="menu"):
    action: str


def main_menu(campaign: Campaign, now: datetime, draft: ProposalDraft) -> InlineKeyboardMarkup:
    phase = phase_at(campaign.calendar, now)
    builder = InlineKeyboardBuilder()
    if phase == Phase.PROPOSALS:
        if draft.is_empty:
            builder.button(text=_("📝 Propose a project"), callback_data=MenuAction(action="propose"))
        else:
            builder.button(text=_("📝 Continue my draft"), callback_data=MenuAction(action="propose"))
            builder.button(text=_("🗑 Discard the draft"), callback_data=MenuAction(action="discard"))
    if phase == Phase.VOTING:
        builder.button(text=_("🗳 Vote"), callback_data=MenuAction(action="vote"))
    if phase != Phase.UPCOMING:
        builder.button(text=_("📂 My proposals"), callback_data=MenuAction(action="mine"))
    if campaign.articles:
        builder.button(text=_("ℹ️ How it works"), callback_data=MenuAction(action="about"))
    builder.button(text=_("🌐 Language"), callback_data=MenuAction(action="language"))
    builder.adjust(1)
    return builder.as_markup()
