"""What every handler is given: one `Ctx` instead of eight parameters.

A handler takes the event, `ctx` and, when it keeps a dialog, `state`:

    async def stop(message: Message, ctx: Ctx) -> None:
        await ctx.repos.users.set_subscribed(ctx.user.id, False)
        await ctx.bot.send_message(ctx.chat_id, _("Done."))

`bot.middlewares.context.HandlerContext` builds it once per update, after the resident's
record is read (bot.middlewares.resident), and puts it under the one data key `ctx`. What only a
few handlers need (`counting_key`, `count_desk`, `secret_chat_id` set by conversations.scope,
`callback_data`) is still asked for by name, as aiogram does for any data key.

`ctx.user` is the resident who sent the update; an update without one (an anonymous group
admin, another bot) has `ctx.resident` None, and `ctx.user` raises: only handlers that can run
for such a sender (group and refusal answers) must look at `ctx.resident` instead. `ctx.chat_id`
is the chat to answer in: the update's chat (for a button, its message's chat; a button too old
to carry its message, the presser's private chat, as `conversations.filters.chat_of`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.utils.i18n import I18n

from campaign.clock import Clock
from campaign.schema import Campaign
from storage.repositories import Repositories, User

# The data key under which handlers find it.
KEY = "ctx"


@dataclass(frozen=True, slots=True)
class Ctx:
    bot: Bot
    campaign: Campaign  # as the committee left it: the file's, with /calendar's dates (bot.middlewares.campaign)
    base_campaign: Campaign  # the campaign file's, to show what the committee moved
    clock: Clock
    repos: Repositories  # the update's one transaction
    i18n: I18n
    resident: User | None  # None: the sender is not a person (anonymous group admin, a bot)
    is_committee: bool
    committee_chat_id: int | None
    secret_key: bytes
    event_chat_id: int | None  # a button too old to carry its message: the presser's private chat

    @property
    def user(self) -> User:
        if self.resident is None:
            raise LookupError("this update has no resident sender; read ctx.resident")
        return self.resident

    @property
    def chat_id(self) -> int:
        if self.event_chat_id is None:
            raise LookupError("this update comes from no chat; read ctx.event_chat_id")
        return self.event_chat_id

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Ctx:
        """From aiogram's data for one update (what the dispatcher and the outer middlewares set)."""
        chat, sender = data.get("event_chat"), data.get("event_from_user")
        return cls(
            bot=data["bot"],
            campaign=data["campaign"],
            base_campaign=data.get("base_campaign", data["campaign"]),
            clock=data["clock"],
            repos=data["repos"],
            i18n=data["i18n"],
            resident=data.get("user"),
            is_committee=data.get("is_committee", False),
            committee_chat_id=data.get("committee_chat_id"),
            secret_key=data["secret_key"],
            event_chat_id=chat.id if chat is not None else sender.id if sender is not None else None,
        )
