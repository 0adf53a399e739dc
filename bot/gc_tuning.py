"""The garbage collector's pace for a process that serves residents.

Every update builds a few hundred short-lived objects (aiogram's and pydantic's models, the
SQLAlchemy statements' results), so with CPython's default threshold (a young collection every
700 allocations, a full one every 100 young ones) the collector ran about 1,100 times over the
bench's 3,600 updates, and each full collection walked the whole heap: 8-15% of an update's CPU
(`python -m bench.profile_updates`, the same run with and without), and pauses of 0.1-0.25 s.
Almost everything an update builds is freed by reference counting as soon as the update ends;
the collector is only for reference cycles, which a young collection still finds. Collecting
the young generation every 10,000 allocations keeps that and does it about fourteen times less
often; the older generations keep their defaults relative to it.
"""

from __future__ import annotations

import gc

YOUNG_EVERY = 10_000  # allocations (less deallocations) between young collections; CPython's is 700


def pace_for_serving() -> None:
    """Called once per process, when the bot is built (bot/app.py `build_app`)."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_EVERY, middle, old)
