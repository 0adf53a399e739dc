"""The verification dialog's states (`Verifying`), its buttons (`VerifyAction`) and its data
(`VerifyState`, under its own key of the conversation data: nothing else is read or cleared)."""

from __future__ import annotations

from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _
from pydantic import BaseModel

from conversations.context import Ctx
from conversations.dialog_state import DialogState


class Verifying(StatesGroup):
    attest = State()
    method = State()
    phone = State()
    code = State()
    name = State()
    street = State()


IN_VERIFICATION = StateFilter(Verifying)


class VerifyAction(CallbackData, prefix="verify"):
    action: str  # attest_yes | attest_no | method | forget | keep
    value: str = ""


class VerifyState(BaseModel):
    then: str | None = None  # the caller's continuation, by name (start.when_verified)
    attested: bool = False  # the resident confirmed the campaign's age and residency
    pending: tuple[str, str] | None = None  # (method, value) given before the attestation: a code in a link
    name: str | None = None  # the committee method: the name typed, until the street comes

    def attested_flags(self) -> tuple[bool | None, bool | None]:
        """(age, residency) as recorded with the verification."""
        return (True, True) if self.attested else (None, None)


async def stop(message: Message, state: FSMContext) -> None:
    """/cancel (conversations.dialog_state) or the phone keyboard's ✖ Cancel: the dialog and its
    data end, nothing else; the phone keyboard goes away."""
    await state.set_state(None)
    await forget_verifying(state)
    await message.answer(_("Stopped. You can verify later with /verify."), reply_markup=ReplyKeyboardRemove())


async def _cancelled(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await stop(message, state)


VERIFY = DialogState(Verifying, "verification", VerifyState, on_cancel=_cancelled)


async def verifying(state: FSMContext) -> VerifyState:
    return await VERIFY.load(state)


async def save_verifying(state: FSMContext, **changes: object) -> VerifyState:
    return await VERIFY.update(state, **changes)


async def forget_verifying(state: FSMContext) -> None:
    """The dialog is over: its data goes, other dialogs' stays."""
    await VERIFY.clear(state)
