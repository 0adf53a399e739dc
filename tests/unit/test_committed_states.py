"""What a worker without Redis keeps of the conversations it committed (storage/repositories/conversation_state.py)."""

from __future__ import annotations

from storage.repositories.conversation_state import CommittedStates


def test_without_redis_the_committed_conversations_kept_are_bounded():
    committed = CommittedStates(size=3)
    for n in range(10):
        committed.put(f"key{n}", (f"State:{n}", {}))
    assert len(committed) == 3
    assert committed.get("key0") == (False, None)  # the oldest went first
    assert committed.get("key9") == (True, ("State:9", {}))
    committed.put("gone", None)  # no row: known, and nothing to read
    assert committed.get("gone") == (True, None)
