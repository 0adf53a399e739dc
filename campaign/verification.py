"""Who is a resident: phone numbers, invitation codes, keyed hashes, retry delays.

Phone numbers and codes never reach the database in clear: they are stored as HMAC-SHA256
digests keyed with the deployment's SECRET_KEY, with a purpose label so that a digest of one
kind cannot be replayed as another.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

# E.164: a country code (no leading zero) and at most 15 digits in all.
E164_MIN_DIGITS = 8
E164_MAX_DIGITS = 15
_SEPARATORS = re.compile(r"[\s\-./()\u00a0]")

# Invitation codes: 10 characters without look-alikes (0/O, 1/I/L), shown as XXXXX-XXXXX.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
MAX_CODES_PER_REQUEST = 1000

# Wrong codes: the first few are free, then each one doubles the wait.
FREE_WRONG_CODES = 3
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)


class PhoneError(ValueError):
    """A phone number that cannot be read; `code` says why (empty, invalid, too_short, too_long, national)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


def normalize_phone(raw: str, default_prefix: str | None = None) -> str:
    """A phone number in E.164 form ("+32470123456").

    Accepts "+32 470 12 34 56", "0032470123456", "32470123456" (how Telegram sends a contact's
    number: digits without the plus), and, when `default_prefix` is given (e.g. "+32"), the
    national form "0470 12 34 56". Raises PhoneError otherwise.
    """
    text = _SEPARATORS.sub("", raw or "")
    if not text:
        raise PhoneError("empty")
    if text.startswith("+"):
        digits = text[1:]
    elif text.startswith("00"):
        digits = text[2:]
    elif text.startswith("0"):
        if not default_prefix:
            raise PhoneError("national")
        digits = default_prefix.lstrip("+") + text[1:]
    else:
        digits = text
    if not digits.isascii() or not digits.isdigit():
        raise PhoneError("invalid")
    if digits.startswith("0"):
        raise PhoneError("invalid")
    if len(digits) < E164_MIN_DIGITS:
        raise PhoneError("too_short")
    if len(digits) > E164_MAX_DIGITS:
        raise PhoneError("too_long")
    return "+" + digits


def has_allowed_prefix(e164: str, prefixes: list[str] | tuple[str, ...]) -> bool:
    """True when no prefix is required, or the number starts with one of them."""
    return not prefixes or any(e164.startswith(prefix) for prefix in prefixes)


def keyed_hash(secret: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value`, labelled with its purpose, as 64 hex digits."""
    if not secret:
        raise ValueError("a secret key is required")
    return hmac.new(secret, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def phone_hash(secret: bytes, e164: str) -> str:
    return keyed_hash(secret, "phone", e164)


def code_hash(secret: bytes, code: str) -> str:
    return keyed_hash(secret, "code", code)


def voter_key(secret: bytes, campaign_id: str, telegram_id: int) -> str:
    """What a ballot is stored under: the same for one person and campaign, meaningless without the key."""
    return keyed_hash(secret, "voter", f"{campaign_id}:{telegram_id}")


def new_code() -> str:
    """A fresh invitation code, without separators (normalised form)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def normalize_code(text: str) -> str | None:
    """The normalised code a resident typed ("abcde fghjk", "ABCDE-FGHJK"), or None if it
    cannot be a code at all (wrong length or characters)."""
    cleaned = re.sub(r"[\s\-_]", "", text or "").upper()
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def retry_wait(failures: int, last_failure_at: datetime | None, now: datetime) -> timedelta | None:
    """How long a resident must wait before trying another code, or None if they may try now."""
    if failures < FREE_WRONG_CODES or last_failure_at is None:
        return None
    delay = min(FIRST_DELAY * (2 ** (failures - FREE_WRONG_CODES)), MAX_DELAY)
    remaining = last_failure_at + delay - now
    return remaining if remaining > timedelta(0) else None


def attestation_needed(minimum_age: int | None, residency: str | None) -> bool:
    return minimum_age is not None or bool(residency)
