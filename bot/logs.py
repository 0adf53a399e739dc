"""Logging, configured once by the entry point: text for a terminal, JSON lines (LOG_FORMAT=json)
for a log collector. Each update adds one line (`bot.updates`) with its id, kind, a hash of the
sender's id (never the id itself: logs travel further than the database) and its duration."""

from __future__ import annotations

import hashlib
import hmac
import logging
import sys

from pythonjsonlogger.json import JsonFormatter

NOISY = ("aiogram.event", "aiosqlite", "sqlalchemy.engine", "alembic.runtime.migration")
TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str, fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)


def hashed_user(secret_key: bytes, telegram_id: int) -> str:
    """The same resident gives the same 16 hex digits in every log line, and no one without the
    SECRET_KEY can tell which Telegram account it is."""
    return hmac.new(secret_key, b"log-user:%d" % telegram_id, hashlib.sha256).hexdigest()[:16]
