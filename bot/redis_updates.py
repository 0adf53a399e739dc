"""With Redis: the resident's lock, the update id and the conversation state in three round trips.

Done with aiogram's pieces (RedisEventIsolation, RedisStorage) plus an update-id key, one update
cost nine round trips, and the bench measured PostgreSQL + Redis slower than PostgreSQL alone:
lock, "handled already?", the state, the data two or three times, each write, "handled", unlock.
Here, under the same keys (so workers of the previous release share locks and state with these):

1. `claim` (one script): handled already? then skip, without waiting for the lock; else take the
   lock (SET NX PX, tried again every 0.1 s while another worker holds it, as redis-py's Lock
   does) and read the state and data with it;
2. the handlers read and write the conversation through `BufferedRedisStorage`, which serves the
   update's own key from what `claim` read and keeps the writes;
3. after the database commit, one script writes the conversation and marks the update handled
   (a day, as Telegram keeps an update for 24 hours): the state never runs ahead of a rolled-back
   transaction, as with the database storage;
4. after the replies, one script releases the lock if it is still ours (60 s expiry, as before).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import KeyBuilder, StateType, StorageKey
from aiogram.fsm.storage.redis import DEFAULT_REDIS_LOCK_KWARGS, RedisStorage
from redis.asyncio import Redis
from redis.exceptions import LockNotOwnedError, RedisError
from redis.typing import ExpiryT

from bot.recent_updates import DAY

log = logging.getLogger(__name__)

LOCK_MS = int(DEFAULT_REDIS_LOCK_KWARGS["timeout"] * 1000)  # what aiogram's RedisEventIsolation used
RETRY_SECONDS = 0.1  # redis-py Lock's default sleep between tries

# KEYS: lock, state, data[, update id]. ARGV: token, lock ms.
# Returns {2} handled already, {0} locked by another, {1, state, data} ours.
CLAIM = """
if KEYS[4] and redis.call('exists', KEYS[4]) == 1 then return {2} end
if not redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0} end
return {1, redis.call('get', KEYS[2]), redis.call('get', KEYS[3])}
"""
# KEYS: state, data[, update id]. ARGV: per conversation key an action ('' keep, 'set', 'del'), its
# value and its expiry in ms (0: none); then the update id's expiry in seconds. All or nothing,
# a full Redis included: it refuses a script only at its first write, never after one.
DONE = """
for i = 1, 2 do
  local action, value, ttl = ARGV[3 * i - 2], ARGV[3 * i - 1], ARGV[3 * i]
  if action == 'del' then redis.call('del', KEYS[i])
  elseif action == 'set' and ttl == '0' then redis.call('set', KEYS[i], value)
  elseif action == 'set' then redis.call('set', KEYS[i], value, 'PX', ttl) end
end
if KEYS[3] then redis.call('set', KEYS[3], '1', 'EX', ARGV[7]) end
return 1
"""
# KEYS: lock. ARGV: token. As redis-py's Lock: only the holder's token unlocks.
RELEASE = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('del', KEYS[1])
return 1
"""


@dataclass
class Conversation:
    """One update's view of its resident's state and data, and what it changed."""

    key: StorageKey
    state: str | None
    data: str | None  # JSON as stored: every get_data hands out a fresh dict
    state_changed: bool = False
    data_changed: bool = False
    open: bool = True  # False once written: a later write goes straight to Redis
    claimed: tuple[str | None, str | None] = field(init=False)  # as read: for a second attempt

    def __post_init__(self) -> None:
        self.claimed = (self.state, self.data)

    def rewind(self) -> None:
        self.state, self.data = self.claimed
        self.state_changed = self.data_changed = False


_current: ContextVar[Conversation | None] = ContextVar("redis_conversation", default=None)


def _write(changed: bool, value: str | None, ttl: ExpiryT | None) -> list[str | int]:
    """The DONE script's arguments for one key."""
    if not changed:
        return ["", "", 0]
    if value is None:
        return ["del", "", 0]
    milliseconds = (
        0
        if ttl is None
        else int((ttl if isinstance(ttl, timedelta) else timedelta(seconds=ttl)).total_seconds() * 1000)
    )
    return ["set", value, milliseconds]


def _text(value: bytes | str | None) -> str | None:
    return value.decode("utf-8") if isinstance(value, bytes) else value


class BufferedRedisStorage(RedisStorage):
    """aiogram's RedisStorage; within an update, its resident's key is read once and written at the commit."""

    def _buffered(self, key: StorageKey) -> Conversation | None:
        conversation = _current.get()
        if conversation is None or not conversation.open or conversation.key != key:
            return None
        return conversation

    async def get_state(self, key: StorageKey) -> str | None:
        if (conversation := self._buffered(key)) is None:
            return await super().get_state(key)
        return conversation.state

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        if (conversation := self._buffered(key)) is None:
            return await super().set_state(key, state)
        conversation.state = state.state if isinstance(state, State) else state
        conversation.state_changed = True

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        if (conversation := self._buffered(key)) is None:
            return await super().get_data(key)
        return {} if conversation.data is None else cast(dict[str, Any], self.json_loads(conversation.data))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if (conversation := self._buffered(key)) is None:
            return await super().set_data(key, data)
        if not isinstance(data, dict):  # as RedisStorage
            raise DataNotDictLikeError(f"Data must be a dict or dict-like object, got {type(data).__name__}")
        conversation.data = self.json_dumps(data) if data else None
        conversation.data_changed = True


class RedisGate:
    """One update at a time per resident across workers, and each update once (see the module)."""

    def __init__(
        self,
        storage: RedisStorage,
        key_builder: KeyBuilder,
        prefix: str,
        ttl: int = DAY,
        on_lost: Callable[[], object] | None = None,
    ) -> None:
        self.on_lost = on_lost  # told when `done` could not write (a metric)
        self.storage = storage
        self.redis: Redis = storage.redis
        self.keys = key_builder
        self.prefix = prefix
        self.ttl = ttl
        self._claim = self.redis.register_script(CLAIM)
        self._release = self.redis.register_script(RELEASE)
        self._done = self.redis.register_script(DONE)

    def _update_key(self, update_id: int) -> str:
        return f"{self.prefix}:update:{update_id}"

    async def _claim_when_free(self, keys: list[str], token: str) -> list[Any]:
        while True:  # while another worker has this resident's lock: polled, as redis-py's Lock does
            claimed = await self._claim(keys=keys, args=[token, LOCK_MS])
            if claimed[0] != 0:
                return cast(list[Any], claimed)
            await asyncio.sleep(RETRY_SECONDS)

    @asynccontextmanager
    async def admit(self, key: StorageKey | None, update_id: int | None) -> AsyncIterator[bool]:
        """True: handle the update (the lock is held until the block ends); False: handled already."""
        if key is None:  # no resident to order: only the update id
            yield update_id is None or not await self.redis.exists(self._update_key(update_id))
            return
        lock = self.keys.build(key, "lock")
        keys = [lock, self.keys.build(key, "state"), self.keys.build(key, "data")]
        if update_id is not None:
            keys.append(self._update_key(update_id))
        token = os.urandom(16).hex()  # unique to this holder (redis-py's Lock uses uuid1, dearer)
        claimed = await self._claim_when_free(keys, token)
        if claimed[0] == 2:
            yield False
            return
        conversation = Conversation(key, _text(claimed[1]), _text(claimed[2]))
        reset = _current.set(conversation)
        try:
            yield True
        finally:
            _current.reset(reset)
            try:
                released = await self._release(keys=[lock], args=[token])
            except RedisError:  # the update is done and said; the lock expires by itself
                log.warning("could not release the lock %s (it expires in %s ms)", lock, LOCK_MS, exc_info=True)
                released = True
            if not released:
                raise LockNotOwnedError("Cannot release a lock that's no longer owned")  # as aiogram's lock did

    def rewind(self) -> None:
        """The update is handled again: from the conversation as `claim` read it."""
        conversation = _current.get()
        if conversation is not None and conversation.open:
            conversation.rewind()

    async def done(self, update_id: int | None) -> None:
        """After the commit: the conversation's writes and "handled", in one script (atomic).

        If Redis fails here (redis-py has retried for a few seconds), what was committed stands
        and is said all the same; only the conversation stays where it was, and the update is
        not marked handled. The steps that write are made for that: a Submit pressed again on
        the sheet finds its project (conversations.proposal_review); a resident verified is told
        so; a second confirmation of a ballot is refused, or replaces it where votes may change.
        """
        try:
            await self._write_done(update_id)
        except RedisError:
            if self.on_lost is not None:
                self.on_lost()
            log.error(
                "update %s: committed, but Redis did not record the conversation's next step", update_id, exc_info=True
            )

    async def _write_done(self, update_id: int | None) -> None:
        conversation = _current.get()
        if conversation is None or not conversation.open:
            if update_id is not None:
                await self.redis.set(self._update_key(update_id), b"1", ex=self.ttl)
            return
        conversation.open = False
        keys = [self.keys.build(conversation.key, "state"), self.keys.build(conversation.key, "data")]
        if update_id is not None:
            keys.append(self._update_key(update_id))
        args = [
            *_write(conversation.state_changed, conversation.state, self.storage.state_ttl),
            *_write(conversation.data_changed, conversation.data, self.storage.data_ttl),
            self.ttl,
        ]
        await self._done(keys=keys, args=args)
