"""Secret ballots: the counting key, sealed ballots, trackers and key shares.

No hand-made cryptography: a ballot is sealed with libsodium's anonymous public-key
encryption (PyNaCl `SealedBox`: X25519 + XSalsa20-Poly1305, a fresh ephemeral key per
ballot), so the bot needs only the public key to record a vote and nobody can read one
without the private counting key. That private key (32 bytes) is either given to the bot in
the environment (`COUNTING_KEY`, the simple mode) or split k-of-n with Shamir's secret
sharing (pycryptodome's `Crypto.Protocol.SecretSharing.Shamir`, which shares 16-byte
secrets: the key is shared as two halves, both split with the same k, n and share indices).

A share travels as text (typed, pasted, or read from its QR code):
`pbbot-share:<campaign>:<key fingerprint>:<index>:<32 bytes hex>:<checksum>`; the checksum
catches a mistyped share alone, the fingerprint a share of another key, and the public key
the bot holds tells whether k shares combine into the right private key.

Pure (no Telegram, no SQL), but in storage/ rather than campaign/: encryption at rest is
storage's concern, and campaign/ imports only the standard library and pydantic.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from Crypto.Protocol.SecretSharing import Shamir
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

SHARE_PREFIX = "pbbot-share"
TRACKER_LENGTH = 12  # hex digits shown as three groups of four: 48 bits


class SecrecyError(ValueError):
    """Bad input about keys or shares; `code` says which, for the reply."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# --- the counting key -------------------------------------------------------------------------


def new_private_key() -> PrivateKey:
    return PrivateKey.generate()


def private_key_hex(key: PrivateKey) -> str:
    return bytes(key).hex()


def parse_private_key(text: str) -> PrivateKey:
    """COUNTING_KEY as 64 hex digits."""
    cleaned = text.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", cleaned):
        raise SecrecyError("bad_key")
    return PrivateKey(bytes.fromhex(cleaned))


def public_hex(key: PrivateKey) -> str:
    return bytes(key.public_key).hex()


def fingerprint(public_key_hex: str) -> str:
    """A short name of a key pair, printed on every share of it."""
    return hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:8]


# --- ballots ----------------------------------------------------------------------------------


def seal(public_key_hex: str, campaign_id: str, choices: Sequence[int]) -> bytes:
    """The ballot as stored: only the counting key opens it. The campaign is inside, so a
    ballot copied into another campaign's table is not counted there."""
    plain = json.dumps({"campaign": campaign_id, "choices": sorted(int(c) for c in choices)}, separators=(",", ":"))
    return SealedBox(PublicKey(bytes.fromhex(public_key_hex))).encrypt(plain.encode())


def tracker(sealed: bytes) -> str:
    """What the voter keeps to find their ballot among the counted ones: a hash of the
    ciphertext, which says nothing of the choices."""
    digest = hashlib.sha256(sealed).hexdigest()[:TRACKER_LENGTH].upper()
    return "-".join(digest[i : i + 4] for i in range(0, TRACKER_LENGTH, 4))


def normalize_tracker(text: str) -> str | None:
    cleaned = re.sub(r"[\s\-]", "", text or "").upper()
    if not re.fullmatch(rf"[0-9A-F]{{{TRACKER_LENGTH}}}", cleaned):
        return None
    return "-".join(cleaned[i : i + 4] for i in range(0, TRACKER_LENGTH, 4))


@dataclass(frozen=True)
class Opened:
    ballots: list[tuple[int, ...]]
    unreadable: int  # sealed to another key, damaged, or of another campaign


def open_ballots(key: PrivateKey, campaign_id: str, sealed: Iterable[bytes]) -> Opened:
    box = SealedBox(key)
    ballots: list[tuple[int, ...]] = []
    unreadable = 0
    for ciphertext in sealed:
        try:
            data = json.loads(box.decrypt(ciphertext))
            if data.get("campaign") != campaign_id:
                raise ValueError("another campaign")
            ballots.append(tuple(int(c) for c in data["choices"]))
        except (CryptoError, ValueError, KeyError, TypeError):
            unreadable += 1
    return Opened(ballots, unreadable)


# --- shares -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    campaign_id: str
    key_fingerprint: str
    index: int
    value: bytes  # 32 bytes: the share of the first half, then of the second

    def text(self) -> str:
        body = f"{SHARE_PREFIX}:{self.campaign_id}:{self.key_fingerprint}:{self.index}:{self.value.hex()}"
        return f"{body}:{_checksum(body)}"


def _checksum(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:6]


def split_key(key: PrivateKey, campaign_id: str, threshold: int, count: int) -> list[Share]:
    if not 1 <= threshold <= count:
        raise SecrecyError("bad_threshold", threshold=threshold, count=count)
    secret = bytes(key)
    if threshold == 1:
        # Shamir needs k >= 2; with k = 1 every member simply holds the key.
        halves = [[(i, secret[:16]) for i in range(1, count + 1)], [(i, secret[16:]) for i in range(1, count + 1)]]
    else:
        halves = [Shamir.split(threshold, count, secret[:16]), Shamir.split(threshold, count, secret[16:])]
    mark = fingerprint(public_hex(key))
    return [Share(campaign_id, mark, a[0], a[1] + b[1]) for a, b in zip(*halves)]


_SHARE = re.compile(
    rf"{SHARE_PREFIX}:(?P<campaign>[^:\s]+):(?P<mark>[0-9a-f]{{8}}):(?P<index>\d{{1,3}}):(?P<value>[0-9a-f]{{64}}):(?P<check>[0-9a-f]{{6}})"
)


def parse_share(text: str) -> Share:
    match = _SHARE.search((text or "").strip().lower().replace(" ", ""))
    if match is None:
        raise SecrecyError("not_a_share")
    if _checksum(match.group(0).rsplit(":", 1)[0]) != match.group("check"):
        raise SecrecyError("mistyped")
    index = int(match.group("index"))
    if index < 1:
        raise SecrecyError("not_a_share")
    return Share(match.group("campaign"), match.group("mark"), index, bytes.fromhex(match.group("value")))


def parse_shares(text: str) -> list[Share]:
    """Every share in a message (one member collecting the sheets may send several at once)."""
    starts = [m.start() for m in re.finditer(SHARE_PREFIX, (text or "").lower())]
    if not starts:
        raise SecrecyError("not_a_share")
    bounds = [*starts, len(text)]
    return [parse_share(text[a:b]) for a, b in zip(bounds, bounds[1:])]


def combine_shares(shares: Sequence[Share], threshold: int, public_key_hex: str) -> PrivateKey:
    """The private key from `threshold` shares, checked against the public key."""
    if len(shares) < threshold:
        raise SecrecyError("too_few", have=len(shares), need=threshold)
    chosen = list(shares)[:threshold]
    if threshold == 1:
        secret = chosen[0].value
    else:
        first = Shamir.combine([(s.index, s.value[:16]) for s in chosen])
        second = Shamir.combine([(s.index, s.value[16:]) for s in chosen])
        secret = first + second
    key = PrivateKey(secret)
    if public_hex(key) != public_key_hex:
        raise SecrecyError("wrong_key")
    return key
