"""DialogState keeps one dialog's typed data under its own key and leaves every other key alone."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from pydantic import BaseModel

from conversations.dialog_state import DialogState, current_dialog


class Sketching(StatesGroup):
    colour = State()

    class Details(StatesGroup):
        size = State()


class Sketch(BaseModel):
    colour: str | None = None
    sizes: list[int] = []


@dataclass
class Note:
    words: list[str] = field(default_factory=list)
    page: int = 1


class Noting(StatesGroup):
    page = State()


SKETCH = DialogState(Sketching, "sketch", Sketch, stopped=lambda: "Sketch dropped.")
NOTE = DialogState(Noting, "note", Note, stopped=lambda: "Note dropped.")


def context() -> FSMContext:
    return FSMContext(MemoryStorage(), StorageKey(bot_id=1, chat_id=2, user_id=2))


async def test_a_dialog_reads_its_defaults_then_what_it_saved() -> None:
    state = context()
    assert await SKETCH.load(state) == Sketch()
    await SKETCH.enter(state, Sketching.colour, Sketch(colour="red"))
    assert await state.get_state() == Sketching.colour.state
    assert await SKETCH.update(state, sizes=[3]) == Sketch(colour="red", sizes=[3])
    assert await SKETCH.load(state) == Sketch(colour="red", sizes=[3])
    assert (await state.get_data())["sketch"] == {"colour": "red", "sizes": [3]}


async def test_a_dataclass_works_as_well() -> None:
    state = context()
    assert await NOTE.update(state, words=["a"]) == Note(words=["a"])
    assert await NOTE.load(state) == Note(words=["a"], page=1)


async def test_ending_a_dialog_clears_its_key_and_state_and_nothing_else() -> None:
    state = context()
    await NOTE.save(state, Note(words=["kept"]))
    await state.update_data(elsewhere=1)
    await SKETCH.enter(state, Sketching.Details.size, Sketch(colour="blue"))
    await SKETCH.end(state)
    assert await state.get_state() is None
    assert await state.get_data() == {"note": {"words": ["kept"], "page": 1}, "elsewhere": 1}


async def test_ending_a_dialog_that_is_not_the_current_one_keeps_the_current_state() -> None:
    state = context()
    await SKETCH.save(state, Sketch(colour="green"))
    await NOTE.enter(state, Noting.page)
    await SKETCH.end(state)
    assert await state.get_state() == Noting.page.state
    assert "sketch" not in await state.get_data()


def test_the_current_dialog_is_found_from_the_state_nested_groups_included() -> None:
    assert current_dialog(Sketching.colour.state) is SKETCH
    assert current_dialog(Sketching.Details.size.state) is SKETCH
    assert current_dialog(Noting.page.state) is NOTE
    assert current_dialog(None) is None
    assert current_dialog("Elsewhere:step") is None


def test_two_dialogs_cannot_share_a_key_and_a_dialog_says_what_cancel_answers() -> None:
    class Other(StatesGroup):
        step = State()

    with pytest.raises(ValueError, match="another dialog's"):
        DialogState(Other, "sketch", Sketch, stopped=lambda: "")
    with pytest.raises(ValueError, match="what /cancel answers"):
        DialogState(Other, "other", Sketch)
