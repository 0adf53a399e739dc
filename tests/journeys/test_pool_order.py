"""Residents get the database in the order they asked for it (storage/fair_pool.py).

When every connection is in use, an update waits for one. A connection given back goes to the
update that has waited longest, even when a new update reaches the pool in the same turn of the
event loop, before the waiting one wakes up (the way a new update from Telegram arrives while
another is committing). Otherwise a busy bot leaves a few residents waiting for seconds.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from storage.models import UserRow


async def test_a_connection_given_back_goes_to_the_update_that_waited_first(app, marie, john):
    pool = app.engine.pool
    held = [await app.engine.connect() for _ in range(pool.size() - pool.checkedout())]
    for connection in held:
        await connection.exec_driver_sql("SELECT 1")  # each one really taken from the pool
    try:
        first = asyncio.create_task(marie.send("/start"))
        for _ in range(50):  # Marie's update runs until it waits for a connection
            await asyncio.sleep(0)
        assert not first.done()

        second = asyncio.create_task(john.send("/start"))  # John's is ready to run...
        await held.pop().close()  # ...when a connection is given back, in the same turn
        await asyncio.wait_for(first, 30)
        await asyncio.wait_for(second, 30)
    finally:
        for connection in held:
            await connection.close()

    # Both first contacts were registered; Marie's first, since she asked first.
    async with app.sessionmaker() as session:
        registered = (await session.scalars(select(UserRow.telegram_id).order_by(UserRow.id))).all()
    assert registered == [marie.user_id, john.user_id]
