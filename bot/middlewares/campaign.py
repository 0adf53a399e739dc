"""The campaign as the committee left it: the file's, with the dates moved by /calendar and /advance,
held where the votes put it (storage.phase_gate: the vote opened at the first ballot, closed at the seal).

Runs right after the database session: one cheap version query per update, the changes read
again only when they changed (another worker may have moved a date), and `data["campaign"]` set
for every handler (`base_campaign` is the file's) — so a moved date takes effect at once, on every worker.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

from campaign.calendar_changes import apply_calendar_changes
from campaign.phase_guard import Lock
from campaign.schema import Campaign
from storage.phase_gate import held
from storage.repositories import Repositories


class EffectiveCampaign(BaseMiddleware):
    def __init__(self, base_campaign: Campaign) -> None:
        self.base_campaign = base_campaign
        self._version: tuple[int, int, Lock] = (0, 0, Lock())
        self._campaign = base_campaign

    async def current(self, repos: Repositories) -> Campaign:
        lock = await repos.locks.lock(self.base_campaign.id)
        version = (*await repos.committee.calendar_version(self.base_campaign.id), lock)
        if version != self._version:
            changes = await repos.committee.calendar_changes(self.base_campaign.id)
            self._campaign = held(apply_calendar_changes(self.base_campaign, changes), lock)
            self._version = version
        return self._campaign

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        data["campaign"] = await self.current(data["repos"])
        data["base_campaign"] = self.base_campaign  # the file's, to show what the committee moved
        return await handler(event, data)
