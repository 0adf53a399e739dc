"""Sealed ballots, trackers and key shares (storage.secrecy), and the audit chain."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from campaign.audit_chain import ChainedEntry, chain_hash, content_hash, first_broken
from storage.secrecy import (
    SecrecyError,
    combine_shares,
    fingerprint,
    new_private_key,
    normalize_tracker,
    open_ballots,
    parse_private_key,
    parse_share,
    private_key_hex,
    public_hex,
    seal,
    split_key,
    tracker,
)


def test_a_sealed_ballot_opens_only_with_the_counting_key():
    key, other = new_private_key(), new_private_key()
    sealed = seal(public_hex(key), "town", (3, 1))
    assert sealed != seal(public_hex(key), "town", (3, 1)), "a fresh ciphertext each time"
    assert open_ballots(key, "town", [sealed]).ballots == [(1, 3)]
    assert open_ballots(other, "town", [sealed]).unreadable == 1
    # A ballot copied into another campaign is not counted there.
    assert open_ballots(key, "village", [sealed]).unreadable == 1
    assert open_ballots(key, "town", [b"garbage"]).unreadable == 1


def test_trackers_are_short_and_typed_back_in_any_case():
    sealed = seal(public_hex(new_private_key()), "town", (1,))
    mark = tracker(sealed)
    assert len(mark) == 14 and mark.count("-") == 2
    assert normalize_tracker(mark.lower().replace("-", " ")) == mark
    assert normalize_tracker("not a tracker") is None and normalize_tracker("") is None


def test_the_private_key_round_trips_as_hex():
    key = new_private_key()
    assert parse_private_key(private_key_hex(key)) == key
    with pytest.raises(SecrecyError):
        parse_private_key("too short")


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=1, max_value=6).flatmap(
        lambda n: st.tuples(st.integers(min_value=1, max_value=n), st.just(n))
    )
)
def test_any_k_of_n_shares_make_the_key_and_fewer_do_not(kn):
    threshold, count = kn
    key = new_private_key()
    shares = [parse_share(s.text()) for s in split_key(key, "town", threshold, count)]
    assert {s.index for s in shares} == set(range(1, count + 1))
    for chosen in itertools.islice(itertools.combinations(shares, threshold), 10):
        assert combine_shares(list(chosen), threshold, public_hex(key)) == key
    with pytest.raises(SecrecyError) as too_few:
        combine_shares(shares[: threshold - 1], threshold, public_hex(key))
    assert too_few.value.code == "too_few"


def test_a_wrong_share_is_caught_by_the_public_key():
    key = new_private_key()
    shares = split_key(key, "town", 2, 3)
    foreign = split_key(new_private_key(), "town", 2, 3)
    with pytest.raises(SecrecyError) as wrong:
        combine_shares([shares[0], foreign[1]], 2, public_hex(key))
    assert wrong.value.code == "wrong_key"
    assert shares[0].key_fingerprint == fingerprint(public_hex(key)) != foreign[0].key_fingerprint


def test_a_mistyped_share_is_refused_alone():
    text = split_key(new_private_key(), "town", 2, 3)[0].text()
    digit = text[30]
    with pytest.raises(SecrecyError) as typo:
        parse_share(text[:30] + ("0" if digit != "0" else "1") + text[31:])
    assert typo.value.code == "mistyped"
    with pytest.raises(SecrecyError) as other:
        parse_share("hello")
    assert other.value.code == "not_a_share"


# --- the audit chain ---------------------------------------------------------------------------


def _chain(count: int) -> list[ChainedEntry]:
    entries, prev = [], None
    start = datetime(2030, 6, 1, 9, 30, 12, 345678, tzinfo=timezone.utc)
    for i in range(count):
        details = {"count": i, "winners": [1, 2]}
        at = start + timedelta(minutes=i)
        entry_hash = chain_hash(prev, content_hash("town", 9000, f"action{i}", None, details, at))
        entries.append(ChainedEntry(i + 1, "town", 9000, f"action{i}", None, details, at, prev, entry_hash))
        prev = entry_hash
    return entries


def test_an_intact_chain_is_reported_with_its_head():
    entries = _chain(5)
    report = first_broken(entries)
    assert report.broken_at is None and report.checked == 5 and report.head == entries[-1].entry_hash


@given(st.integers(min_value=0, max_value=5), st.sampled_from(["edit", "delete", "insert", "reorder"]))
def test_any_edit_delete_or_insert_is_found_where_it_happened(position, change):
    entries = _chain(6)
    target = entries[position]
    if change == "edit":
        entries[position] = ChainedEntry(**{**target.__dict__, "details": {"count": 999, "winners": [1, 2]}})
        expected = target.id
    elif change == "delete":
        del entries[position]
        expected = entries[position].id if position < len(entries) else None
    elif change == "insert":
        entries.insert(position, ChainedEntry(99, "town", 1, "forged", None, {}, target.at, target.prev_hash, "0" * 64))
        expected = 99
    else:
        if position == 5:
            return
        entries[position], entries[position + 1] = entries[position + 1], entries[position]
        expected = entries[position].id
    report = first_broken(entries)
    if change == "delete" and expected is None:
        assert report.broken_at is None, "a cut tail is what the published digests are for"
    else:
        assert report.broken_at == expected
