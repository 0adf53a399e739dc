"""One update, one short transaction, then the replies (commit, then speak).

`UpdateTransaction` is the first of our outer middlewares and replaces aiogram's FSM middleware
(the dispatcher is built with `disable_fsm=True`), so that for each update, in this order:

1. the resident's lock is taken (their updates are handled one at a time, across workers with
   Redis), and an update handled already (Telegram sends it again when our answer was late) is
   skipped (the gate: bot/recent_updates.py, bot/redis_updates.py);
2. one database session opens; the conversation state is read through it (aiogram's own FSM
   middleware would read it before any session existed, in a transaction of its own);
3. the handlers run; what they say to Telegram is held in the update's `Outbox` (bot/outbox.py);
4. the session commits (once) and closes, giving its connection, and on SQLite the write lock,
   back; the gate marks the update handled (with Redis, writing the conversation with it);
5. the outbox is sent, still under the resident's lock so that their replies keep their order.

If the handler or the commit fails, the outbox is dropped and the exception goes on to the
error handler, which answers outside any transaction. Except once: when the database connection
was found lost before a commit was tried (storage/db.py, `lost_before_commit`), steps 2-4 run
again on a fresh connection, from the conversation as the gate read it. If a message to the
sender could not be sent after the commit, `RepliesFailed` goes to the error handler too (what
was committed stays).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.fsm.context import FSMContext
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox import Outbox, current_outbox
from bot.recent_updates import LocalGate, UpdateGate
from conversations import after_commit
from storage.db import Session, lost_before_commit
from storage.repositories import Repositories

log = logging.getLogger(__name__)

# The conversation-state storage writes through the update's own transaction when there is
# one, so that "proposal saved" and "wizard finished" commit together or not at all.
current_repositories: ContextVar[Repositories | None] = ContextVar("current_repositories", default=None)


class UpdateTransaction(BaseMiddleware):
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        fsm: FSMContextMiddleware,
        gate: UpdateGate | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.fsm = fsm
        self.gate = gate if gate is not None else LocalGate(fsm.events_isolation)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        bot: Bot = data["bot"]
        context = self.fsm.resolve_event_context(bot, data)
        data["fsm_storage"] = self.fsm.storage
        update_id = event.update_id if isinstance(event, Update) else None
        async with self.gate.admit(context.key if context is not None else None, update_id) as admitted:
            if not admitted:
                log.info("update %s was handled already (Telegram sent it again): skipped", update_id)
                return UNHANDLED
            chat = data.get("event_chat")
            chat_id = chat.id if chat is not None else None
            given = dict(data)  # what the inner middlewares add, a second attempt must not find
            session = self.sessionmaker()
            try:
                result, outbox = await self._attempt(handler, event, data, context, session, chat_id)
            except DBAPIError as error:
                if not lost_before_commit(error, session):
                    raise
                # PostgreSQL dropped the connection (restart, idle timeout...) before anything
                # was committed, so nothing was said either (the outbox was dropped): the
                # update is handled again, once, on a fresh connection, from the conversation
                # as it was. The gate has not marked it handled.
                log.warning("update %s: its database connection was lost; handled again", update_id)
                self.gate.rewind()
                data.clear()
                data.update(given)
                result, outbox = await self._attempt(handler, event, data, context, self.sessionmaker(), chat_id)
            await self.gate.done(update_id)
            await outbox.send()
            return result

    async def _attempt(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
        context: FSMContext | None,
        session: AsyncSession,
        chat_id: int | None,
    ) -> tuple[Any, Outbox]:
        """The handlers in one transaction, committed; what they said, not sent yet."""
        outbox = Outbox(self.sessionmaker, chat_id)
        async with session:  # closed in place once committed (storage/db.py)
            repos = Repositories(session)
            tokens = (
                current_repositories.set(repos),
                current_outbox.set(outbox),
                after_commit.hook.set(outbox.after_commit),
            )
            try:
                data["repos"] = repos
                if context is not None:
                    data.update(state=context, raw_state=await context.get_state())
                result = await handler(event, data)
                if isinstance(session, Session):
                    await session.commit_and_close()
                else:
                    await session.commit()
            except BaseException:
                outbox.drop()
                raise
            finally:
                after_commit.hook.reset(tokens[2])
                current_outbox.reset(tokens[1])
                current_repositories.reset(tokens[0])
        return result, outbox
