"""The campaign as the committee left it: the file's, with the dates moved by /calendar and /advance,
held where the votes put it (storage.phase_gate: the vote opened at the first ballot, closed at the seal).

Runs right after the database session and sets `data["campaign"]` for every handler
(`base_campaign` is the file's), and `data["committee_members"]` (added with /admins). Both are
kept between updates and read again only when a watched table changed (storage/changes.py: this
process's commits, and with PostgreSQL the other workers' too, pushed by NOTIFY) — so a moved
date takes effect at once, on every worker, and an ordinary update asks nothing. Without a
reliable watch, one cheap version query per update tells whether to read them again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

from campaign.calendar_changes import apply_calendar_changes
from campaign.phase_guard import Lock
from campaign.schema import Campaign
from storage.changes import ChangeWatch
from storage.phase_gate import held
from storage.repositories import Repositories
from storage.repositories.committee import ADMIN


# What the cache depends on: the writes to these tables make every worker read it again.
WATCHED_TABLES = ("calendar_changes", "campaign_locks", "committee_roles")


class EffectiveCampaign(BaseMiddleware):
    def __init__(self, base_campaign: Campaign, watch: ChangeWatch | None = None) -> None:
        self.base_campaign = base_campaign
        self.watch = watch
        self._version: tuple[int, int, Lock] = (0, 0, Lock())
        self._seen: int | None = None  # the watch's version when the cache was read
        self._campaign = base_campaign
        self._members: frozenset[int] = frozenset()

    async def current(self, repos: Repositories) -> Campaign:
        watch = self.watch
        if watch is not None and watch.reliable:
            if self._seen == watch.version:
                return self._campaign
            seen = watch.version  # taken first: a change while reading means reading again next time
            await self._read(repos, await repos.locks.lock(self.base_campaign.id))
            self._seen = seen
            return self._campaign
        self._seen = None
        lock = await repos.locks.lock(self.base_campaign.id)
        version = (*await repos.committee.calendar_version(self.base_campaign.id), lock)
        if version != self._version:
            await self._read(repos, lock)
            self._version = version
        return self._campaign

    async def committee_members(self, repos: Repositories) -> frozenset[int]:
        if self.watch is None or not self.watch.reliable:  # no push: ask each time
            return frozenset(m.telegram_id for m in await repos.committee.members(self.base_campaign.id, ADMIN))
        return self._members

    async def _read(self, repos: Repositories, lock: Lock) -> None:
        changes = await repos.committee.calendar_changes(self.base_campaign.id)
        self._campaign = held(apply_calendar_changes(self.base_campaign, changes), lock)
        self._members = frozenset(m.telegram_id for m in await repos.committee.members(self.base_campaign.id, ADMIN))

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        data["campaign"] = await self.current(data["repos"])
        data["committee_members"] = await self.committee_members(data["repos"])
        data["base_campaign"] = self.base_campaign  # the file's, to show what the committee moved
        return await handler(event, data)
