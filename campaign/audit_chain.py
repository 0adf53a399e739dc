"""The audit log's hash chain: each entry carries the previous entry's hash and its own, a
SHA-256 over that previous hash and the entry's content (canonical JSON). Editing, deleting
or inserting a row in the middle breaks the chain at that row; `first_broken` finds it.

What a chain cannot show on its own is a cut tail (the latest entries deleted): the head hash
(`/audit verify` prints it) and the ballot file's digest in the published results are what
outsiders hold to compare. Pure: no SQL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone


def content_hash(
    campaign_id: str, actor: int | None, action: str, target: str | None, details: Mapping, at: datetime
) -> str:
    moment = at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)
    content = {
        "campaign": campaign_id,
        "actor": actor,
        "action": action,
        "target": target,
        "details": details,
        "at": moment.astimezone(timezone.utc).isoformat(timespec="microseconds"),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def chain_hash(prev_hash: str | None, content: str) -> str:
    return hashlib.sha256(f"{prev_hash or ''}:{content}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainedEntry:
    id: int
    campaign_id: str
    actor: int | None
    action: str
    target: str | None
    details: Mapping
    at: datetime
    prev_hash: str | None
    entry_hash: str | None


@dataclass(frozen=True)
class ChainReport:
    checked: int
    unchained: int  # entries written before the chain existed (no hash), at the start
    broken_at: int | None  # id of the first entry that does not fit
    reason: str | None  # "edited" | "link"
    head: str | None  # the last good hash


def first_broken(entries: Iterable[ChainedEntry]) -> ChainReport:
    prev: str | None = None
    checked = unchained = 0
    started = False
    for entry in entries:
        if entry.entry_hash is None and not started:
            unchained += 1
            continue
        started = True
        if entry.prev_hash != prev:
            return ChainReport(checked, unchained, entry.id, "link", prev)
        expected = chain_hash(
            prev, content_hash(entry.campaign_id, entry.actor, entry.action, entry.target, entry.details, entry.at)
        )
        if entry.entry_hash != expected:
            return ChainReport(checked, unchained, entry.id, "edited", prev)
        prev = entry.entry_hash
        checked += 1
    return ChainReport(checked, unchained, None, None, prev)
