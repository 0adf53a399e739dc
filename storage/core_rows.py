"""The first row of a Core statement read on every update, in one step.

`AsyncSession.execute` enters SQLAlchemy's greenlet, goes through the ORM's execute (options,
events, bind lookup), buffers the rows, then checks the result on the way out. For a statement on
a table (no ORM entity, nothing for the identity map) the session's own connection gives the
same row in the same transaction: one greenlet, the row fetched inside it, nothing buffered.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Executable, Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session


def _first(session: Session, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
    return session.connection().execute(statement, params).first()


async def first_row(session: AsyncSession, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
    return await session.run_sync(_first, statement, params)
