"""Fake Telegram Bot API server and simulated users for tests and benchmarks."""

from bot.fake_telegram import SentMessage

from .resident import Replies, Resident
from .server import BotAPIEmulator

__all__ = ["BotAPIEmulator", "Replies", "Resident", "SentMessage"]
