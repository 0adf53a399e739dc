"""Who is talking: the resident's record, language and role, for every handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User as TelegramUser

from bot.i18n import pick_language
from campaign.clock import Clock
from campaign.schema import Campaign
from storage.repositories import Repositories


class ResidentMiddleware(BaseMiddleware):
    def __init__(self, campaign: Campaign, clock: Clock, admin_ids: frozenset[int]) -> None:
        self.campaign = campaign
        self.clock = clock
        self.admin_ids = admin_ids

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        sender: TelegramUser | None = data.get("event_from_user")
        repos: Repositories = data["repos"]
        data["user"] = None
        data["is_committee"] = False
        if sender is not None and not sender.is_bot:
            language = pick_language(
                sender.language_code, list(self.campaign.languages), self.campaign.default_language
            )
            data["user"] = await repos.users.seen(sender.id, sender.first_name or "", language, self.clock.now())
            # ADMIN_IDS from the settings, and members added with /admins.
            members = data.get("committee_members")
            data["is_committee"] = sender.id in self.admin_ids or (
                sender.id in members
                if members is not None
                else await repos.committee.is_admin(self.campaign.id, sender.id)
            )
        return await handler(event, data)
