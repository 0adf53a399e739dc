"""The conversation data a handler reads is its own copy: what it changes in it is kept only if it
sets it, and what it set does not change when it goes on using its dict
(storage/repositories/conversation_state.py, which no longer copies on every read)."""

from __future__ import annotations

from storage.repositories.conversation_state import ConversationStateRepository

KEY = "test:conversation"


async def test_changing_what_was_read_changes_nothing_until_it_is_set(app):
    async with app.sessionmaker() as session:
        states = ConversationStateRepository(session)
        mine = {"draft": {"tags": ["a"]}, "other": {"n": 1}}
        await states.set_data(KEY, mine)
        mine["draft"]["tags"].append("set, then changed")
        _, data = await states.get(KEY)
        data["draft"]["tags"].append("read, then changed")
        (await states.entry(KEY, "draft"))["tags"].append("one entry read, then changed")
        changes = {"more": [1]}
        merged = await states.update_data(KEY, changes)
        changes["more"].append("updated with, then changed")
        merged["more"].append(2)
        merged["draft"]["tags"].append("updated, then changed")
        await states.set_state(KEY, "Dialog:step")
        assert await states.get(KEY) == ("Dialog:step", {"draft": {"tags": ["a"]}, "other": {"n": 1}, "more": [1]})
        assert await states.state(KEY) == "Dialog:step"
        assert await states.entry(KEY, "missing", "default") == "default"
        await session.commit()

    # Read back from the database in a new session: the same, and a change not set is not written.
    async with app.sessionmaker() as session:
        states = ConversationStateRepository(session)
        _, data = await states.get(KEY)
        assert data == {"draft": {"tags": ["a"]}, "other": {"n": 1}, "more": [1]}
        data["other"]["n"] = 2
        (await states.entry(KEY, "more")).append(3)
        assert (await states.get(KEY))[1]["other"] == {"n": 1}
        await states.set_state(KEY, "Dialog:next")
        await session.commit()
    async with app.sessionmaker() as session:
        assert await ConversationStateRepository(session).get(KEY) == (
            "Dialog:next",
            {"draft": {"tags": ["a"]}, "other": {"n": 1}, "more": [1]},
        )
