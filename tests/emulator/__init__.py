"""Fake Telegram Bot API server and simulated users for tests and benchmarks."""

from .resident import Replies, Resident
from .server import BotAPIEmulator, SentMessage

__all__ = ["BotAPIEmulator", "Replies", "Resident", "SentMessage"]
