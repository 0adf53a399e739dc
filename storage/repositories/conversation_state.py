"""aiogram conversation state and data, in the update's own transaction.

Read once per key and update, kept in the session meanwhile, and written when the session
commits, once per key and only if it changed (an update that reads the state and sets it to
what it was writes nothing). A conversation back to nothing (no state, no data) deletes its
row, so the table holds only the conversations under way.

When this process is the only one that handles updates (no Redis: one worker, see
bot/app.py), it also keeps what it last committed for the most recent keys (`CommittedStates`),
and an update reads its state from there instead of asking the database: a key's reads and
writes all go through this process, one update at a time (the resident's lock), so what it
committed last is what the table holds.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from copy import deepcopy
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Delete, Select, Table, bindparam, delete, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.core_rows import first_row
from storage.models import ConversationStateRow

Value = tuple[str | None, dict[str, Any]]
EMPTY: Value = (None, {})
_INFO_KEY = "conversation_states"
_COMMITTED_KEY = "committed_conversation_states"

# Read and written on nearly every update: built once, on the table rather than the ORM class
# (no ORM bulk-insert machinery, and SQLAlchemy finds the compiled form by the statement's
# memoized cache key instead of walking a new statement each time).
_TABLE: Table = ConversationStateRow.__table__  # type: ignore[assignment]
_READ: Select[Any] = select(_TABLE.c.state, _TABLE.c.data).where(_TABLE.c.key == bindparam("key"))
_DELETE: Delete = delete(_TABLE).where(_TABLE.c.key == bindparam("key"))


def _upsert(dialect: Any) -> Any:
    statement = dialect.insert(_TABLE).values(
        key=bindparam("key"), state=bindparam("state"), data=bindparam("data"), updated_at=bindparam("updated_at")
    )
    return statement.on_conflict_do_update(
        index_elements=[_TABLE.c.key],
        set_={
            "state": statement.excluded.state,
            "data": statement.excluded.data,
            "updated_at": statement.excluded.updated_at,
        },
    )


_UPSERT = {"postgresql": _upsert(postgresql), "sqlite": _upsert(sqlite)}


# Values handed out as they are: immutable, and the exact types only (a subclass goes the long way).
_ATOMIC = frozenset({str, int, float, bool, type(None)})


def _copied(value: Any) -> Any:
    """A deep copy of JSON-like data (what the column holds), without copy.deepcopy's memo and
    dispatch: the wizard's draft is read several times per update. Plain values inside a dict or
    list are taken in place, without a call for each (two thirds of the time of a draft's copy)."""
    kind = type(value)
    if kind is dict:
        return {key: item if type(item) in _ATOMIC else _copied(item) for key, item in value.items()}
    if kind is list:
        return [item if type(item) in _ATOMIC else _copied(item) for item in value]
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_copied(item) for item in value)
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    return deepcopy(value)  # anything else a handler put there, as before


class CommittedStates:
    """What this process last committed for the most recent `size` keys (None: no row).

    Bounded, least recently used out first, so that memory stays flat however many residents
    come. The values are shared with the sessions and, like theirs, never changed in place.
    """

    def __init__(self, size: int = 5000) -> None:
        self.size = size
        self._values: OrderedDict[str, Value | None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: str) -> tuple[bool, Value | None]:
        """(known, value): known is False when the database must be asked."""
        if key not in self._values:
            return False, None
        self._values.move_to_end(key)
        return True, self._values[key]

    def put(self, key: str, value: Value | None) -> None:
        self._values[key] = value
        self._values.move_to_end(key)
        if len(self._values) > self.size:
            self._values.popitem(last=False)

    def discard(self, key: str) -> None:
        self._values.pop(key, None)

    def discard_prefix(self, prefix: str) -> None:
        for key in [k for k in self._values if k.startswith(prefix)]:
            del self._values[key]

    @staticmethod
    def install(sessionmaker: Any, size: int = 5000) -> CommittedStates:
        """The sessions of `sessionmaker` read and keep what is committed through them."""
        committed = CommittedStates(size)
        sessionmaker.configure(info={_COMMITTED_KEY: committed})
        return committed


class _Pending:
    """What the session read (`stored`) and what the update left (`now`), per key."""

    def __init__(self, committed: CommittedStates | None = None) -> None:
        self.stored: dict[str, Value | None] = {}  # None: no row
        self.now: dict[str, Value] = {}
        self.committed = committed

    def flush(self, session: Session) -> None:
        # The day only: a conversation is saved when a vote is confirmed, and a time written then
        # would date that resident's vote (README, "Who can learn what").
        now = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
        # On the session's connection (its transaction), past the ORM's execute: Core statements
        # on the table, nothing for the identity map.
        connection: Connection | None = None
        for key, value in self.now.items():
            stored = self.stored.get(key)
            if value == (stored or EMPTY):
                continue
            if self.committed is not None:
                # Until the commit is known to have succeeded, the database is asked (a commit
                # that fails, or whose answer is lost, must not leave the new value here).
                self.committed.discard(key)
            if connection is None:
                connection = session.connection()
            if value == EMPTY:
                connection.execute(_DELETE, {"key": key})
                self.stored[key] = None
                continue
            state, data = value
            upsert = _UPSERT[connection.dialect.name]
            connection.execute(upsert, {"key": key, "state": state, "data": data, "updated_at": now})
            self.stored[key] = value


@event.listens_for(Session, "before_commit")
def _write_states(session: Session) -> None:
    # Every commit writes what the conversations changed, whoever commits (the update's
    # middleware, or a handler that commits early), so the state never lags its data.
    pending: _Pending | None = session.info.get(_INFO_KEY)
    if pending is not None:
        pending.flush(session)


@event.listens_for(Session, "after_commit")
def _remember_committed(session: Session) -> None:
    pending: _Pending | None = session.info.get(_INFO_KEY)
    if pending is not None and pending.committed is not None:
        for key, value in pending.stored.items():  # read, or written by the flush: committed now
            pending.committed.put(key, value)


class ConversationStateRepository:
    """State and data of one conversation, under an opaque key.

    What the session holds for a key (`_Pending.now`) is never changed in place and never handed
    out: a read gives a copy, a write stores a copy. So a handler changing what it read changes
    nothing until it sets it, and what it sets does not change when it goes on using its dict.
    Reads that need no dict (the state alone, one entry) copy nothing, or only that entry.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        pending = session.info.get(_INFO_KEY)
        if pending is None:
            pending = session.info[_INFO_KEY] = _Pending(session.info.get(_COMMITTED_KEY))
        self._pending: _Pending = pending

    async def _current(self, key: str) -> Value:
        """What the update sees now, shared: not to be changed or handed out."""
        pending = self._pending
        value = pending.now.get(key)
        if value is None:
            known, stored = pending.committed.get(key) if pending.committed is not None else (False, None)
            if not known:
                row = await first_row(self.session, _READ, {"key": key})
                stored = (row.state, dict(row.data or {})) if row is not None else None
            pending.stored[key] = stored
            # Shared with `stored`: neither is ever changed in place (see the class).
            value = pending.now[key] = stored if stored is not None else EMPTY
        return value

    async def get(self, key: str) -> tuple[str | None, dict]:
        state, data = await self._current(key)
        return state, _copied(data)

    async def state(self, key: str) -> str | None:
        return (await self._current(key))[0]

    async def entry(self, key: str, name: str, default: Any = None) -> Any:
        """One entry of the data (a copy), as `get(key)[1].get(name, default)`."""
        data = (await self._current(key))[1]
        return _copied(data[name]) if name in data else default

    async def set_state(self, key: str, state: str | None) -> None:
        _, data = await self._current(key)
        self._pending.now[key] = (state, data)

    async def set_data(self, key: str, data: dict) -> None:
        state, _ = await self._current(key)
        self._pending.now[key] = (state, _copied(dict(data)))

    async def update_data(self, key: str, changes: Mapping[str, Any]) -> dict:
        """`data.update(changes)`; gives a copy of the new data."""
        state, data = await self._current(key)
        merged = {**data, **_copied(dict(changes))}  # the entries not changed are shared, and stay unchanged
        self._pending.now[key] = (state, merged)
        return _copied(merged)

    async def forget(self, key_prefix: str) -> None:
        pending = self._pending
        for key in [k for k in pending.now if k.startswith(key_prefix)]:
            del pending.now[key]
            pending.stored.pop(key, None)
        if pending.committed is not None:
            pending.committed.discard_prefix(key_prefix)
        await self.session.execute(delete(ConversationStateRow).where(ConversationStateRow.key.startswith(key_prefix)))
