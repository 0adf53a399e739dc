"""Fake Telegram Bot API server and simulated users for tests and benchmarks."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .resident import Replies, Resident
    from .server import BotAPIEmulator, SentMessage

__all__ = ["BotAPIEmulator", "Replies", "Resident", "SentMessage"]

_HOMES = {"BotAPIEmulator": ".server", "SentMessage": ".server", "Resident": ".resident", "Replies": ".resident"}


def __getattr__(name: str) -> Any:
    # Lazy, so `python -m tests.emulator.server` does not import server.py twice.
    if name in _HOMES:
        return getattr(import_module(_HOMES[name], __name__), name)
    raise AttributeError(name)
