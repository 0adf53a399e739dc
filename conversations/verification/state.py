"""The verification dialog's states (`Verifying`), its buttons (`VerifyAction`) and its data
(`VerifyState`, under its own key of the conversation data: nothing else is read or cleared)."""

from __future__ import annotations

from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from pydantic import BaseModel


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


KEY = "verification"


async def verifying(state: FSMContext) -> VerifyState:
    return VerifyState.model_validate((await state.get_data()).get(KEY) or {})


async def save_verifying(state: FSMContext, **changes: object) -> VerifyState:
    data = (await verifying(state)).model_copy(update=changes)
    await state.update_data({KEY: data.model_dump(mode="json")})
    return data


async def forget_verifying(state: FSMContext) -> None:
    """The dialog is over: its data goes, other dialogs' stays."""
    data = await state.get_data()
    if KEY in data:
        await state.set_data({k: v for k, v in data.items() if k != KEY})
