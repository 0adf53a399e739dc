"""One typed state per dialog, under its own key, and the one /cancel.

A dialog declares its data once, beside its `StatesGroup`:

    class Voting(StatesGroup):
        choosing = State()

    class VoteDraft(BaseModel):          # or a dataclass
        choices: list[int] = []

    VOTE = DialogState(Voting, "vote", VoteDraft, stopped=lambda: _("Stopped. Nothing was recorded."))

and reads and writes it only through that object: `await VOTE.load(state)` (the model's
defaults when there is nothing yet), `VOTE.save(state, draft)`, `VOTE.update(state, card=2)`,
`VOTE.enter(state, Voting.choosing, VoteDraft())`, and `VOTE.end(state)` when it is over — which
removes its key and leaves its state, and never touches another dialog's key (no
`state.set_data({})`).

Declaring it also registers the `StatesGroup` here, so that one `/cancel` (this module's
`router()`, tried before every dialog) stops whichever registered dialog the person is in: it
ends that dialog only and replies with its `stopped()` text, in the person's language (or runs
its `on_cancel`, for a dialog that does more, such as keeping a draft). Outside a registered
dialog, /cancel goes on to the other routers (the fallback says there is nothing to cancel).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message
from pydantic import BaseModel, TypeAdapter

from conversations.context import Ctx

T = TypeVar("T")

CancelHook = Callable[[Message, Ctx, FSMContext], Awaitable[None]]

# Every declared dialog, by its StatesGroup's full name ("Voting", "Outer.Inner").
_DIALOGS: dict[str, DialogState[Any]] = {}


class DialogState(Generic[T]):
    def __init__(
        self,
        group: type[StatesGroup],
        key: str,
        model: type[T],
        *,
        stopped: Callable[[], str] | None = None,
        on_cancel: CancelHook | None = None,
    ) -> None:
        """`stopped()` is /cancel's reply (called in the person's language); `on_cancel`, if
        given, does the whole /cancel instead (it must end the dialog itself)."""
        if stopped is None and on_cancel is None:
            raise ValueError("a dialog says what /cancel answers: stopped or on_cancel")
        self.group = group
        self.key = key
        self.model = model
        self.stopped = stopped
        self.on_cancel = on_cancel
        self._adapter: TypeAdapter[T] = TypeAdapter(model)
        name = group.__full_group_name__
        taken = _DIALOGS.get(name)
        if taken is not None and taken.key != key:
            raise ValueError(f"{name} already keeps its data under {taken.key!r}")
        if any(other.key == key and other.group is not group for other in _DIALOGS.values()):
            raise ValueError(f"the key {key!r} is another dialog's")
        _DIALOGS[name] = self

    def __repr__(self) -> str:
        return f"DialogState({self.group.__full_group_name__}, {self.key!r})"

    # --- the data ----------------------------------------------------------------------------

    async def load(self, state: FSMContext) -> T:
        raw = await state.get_value(self.key)  # this dialog's entry only: the others are not copied
        return self._adapter.validate_python(raw if raw is not None else {})

    async def save(self, state: FSMContext, value: T) -> None:
        await state.update_data({self.key: self._adapter.dump_python(value, mode="json")})

    async def update(self, state: FSMContext, **changes: Any) -> T:
        """Load, change these fields, save; gives the new value."""
        value = await self.load(state)
        if isinstance(value, BaseModel):
            value = value.model_copy(update=changes)
        else:
            value = dataclasses.replace(value, **changes)  # type: ignore[type-var]
        await self.save(state, value)
        return value

    async def clear(self, state: FSMContext) -> None:
        """Remove this dialog's data; the state and every other key stay."""
        data = await state.get_data()
        if self.key in data:
            data.pop(self.key)
            await state.set_data(data)

    # --- the states --------------------------------------------------------------------------

    def owns(self, raw_state: str | None) -> bool:
        return raw_state is not None and raw_state in self.group.__all_states_names__

    async def enter(self, state: FSMContext, step: State, value: T | None = None) -> None:
        """Go to `step` of this dialog, with `value` as its data if given."""
        if value is not None:
            await self.save(state, value)
        await state.set_state(step)

    async def end(self, state: FSMContext) -> None:
        """Leave the dialog: its data is removed, and its state if it is the current one."""
        await self.clear(state)
        if self.owns(await state.get_state()):
            await state.set_state(None)


def current_dialog(raw_state: str | None) -> DialogState[Any] | None:
    """The registered dialog that `raw_state` ("Voting:choosing") belongs to, if any."""
    if not raw_state:
        return None
    group = raw_state.split(":", 1)[0]
    while True:
        found = _DIALOGS.get(group)
        if found is not None or "." not in group:
            return found
        group = group.rsplit(".", 1)[0]  # a nested StatesGroup belongs to its parent's dialog


def dialogs() -> list[DialogState[Any]]:
    return list(_DIALOGS.values())


# --- the one /cancel ----------------------------------------------------------------------------


async def in_a_dialog(message: Message, raw_state: str | None = None) -> bool | dict[str, Any]:
    dialog = current_dialog(raw_state)
    return False if dialog is None else {"dialog": dialog}


async def cancel(message: Message, ctx: Ctx, state: FSMContext, dialog: DialogState[Any]) -> None:
    if dialog.on_cancel is not None:
        await dialog.on_cancel(message, ctx, state)
        return
    await dialog.clear(state)
    await state.set_state(None)
    assert dialog.stopped is not None  # one of the two, checked when declared
    await ctx.bot.send_message(message.chat.id, dialog.stopped())


def router() -> Router:
    """Tried first: /cancel in a registered dialog, in any chat (committee questions live in the group)."""
    r = Router(name="cancel")
    r.message.register(cancel, Command("cancel"), in_a_dialog)
    return r
