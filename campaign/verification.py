"""Who is a resident: phone prefixes, invitation codes, keyed hashes, retry delays.

Reading a phone number is conversations/verification/numbers.py's job (it needs the phonenumbers
library, and this package imports only the standard library and pydantic).

Phone numbers and codes never reach the database in clear: they are stored as HMAC-SHA256
digests keyed with the deployment's SECRET_KEY, with a purpose label so that a digest of one
kind cannot be replayed as another.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

# Invitation codes: 10 characters without look-alikes (0/O, 1/I/L), shown as XXXXX-XXXXX.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
MAX_CODES_PER_REQUEST = 1000

# Wrong codes: the first few are free, then each one doubles the wait.
FREE_WRONG_CODES = 3
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)


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


def attested(
    minimum_age: int | None, residency: str | None, attested_age: bool | None, attested_residency: bool | None
) -> bool:
    """Whether what the resident confirmed covers what the campaign asks: every route to
    "verified" (contact, code, committee approval, register) checks this."""
    return (minimum_age is None or attested_age is True) and (not residency or attested_residency is True)


def person_key(full_name: str, street: str) -> str:
    """Name and street as the committee would compare them: accents, case, punctuation and
    spacing do not matter ("Jean  Dupont", "rue Haute" and "JEAN DUPONT", "Rue-Haute" match)."""

    def fold(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text)
        letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
        return " ".join(re.sub(r"[^\w]+", " ", letters).split())

    return f"{fold(full_name)}|{fold(street)}"
