"""The phone register: `/import_register`, then a CSV document of the town's residents.

```mermaid
stateDiagram-v2
    [*] --> document: /import_register (a committee member)
    document --> document: anything but a document (asked again)
    document --> [*]: a CSV document (imported), or /cancel (nothing imported)
```
"""

from __future__ import annotations

import csv
import io

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _, ngettext

from pydantic import BaseModel

from campaign import verification as rules
from conversations.dialog_state import DialogState
from conversations.verification.numbers import PhoneError, region_of, typed_number
from conversations.filters import not_a_command
from conversations.context import Ctx
from conversations.scope import private_only


class ImportingRegister(StatesGroup):
    document = State()


class _Nothing(BaseModel):
    """The import keeps no data: the document comes in one message."""


# /cancel (conversations.dialog_state) ends the import and says this.
IMPORTING = DialogState(
    ImportingRegister, "register_import", _Nothing, stopped=lambda: _("Stopped. Nothing was imported.")
)


async def document(message: Message) -> bool:
    return message.document is not None


async def import_register(message: Message, ctx: Ctx, state: FSMContext) -> None:
    is_committee = ctx.is_committee
    if not is_committee:
        await message.answer(_("Only committee members can import the register."))
        return
    await state.set_state(ImportingRegister.document)
    await message.answer(
        _("Send the register as a CSV document: one phone number per line (first column). Or /cancel.")
    )


async def register_document(message: Message, ctx: Ctx, state: FSMContext) -> None:
    campaign, repos = ctx.campaign, ctx.repos
    if not ctx.is_committee:
        await state.set_state(None)
        return
    assert message.document is not None
    content = await ctx.bot.download(message.document.file_id)
    assert content is not None
    text = content.read().decode("utf-8-sig", errors="replace")
    region = region_of(campaign.verification.phone_prefixes)
    hashes: set[str] = set()
    bad: list[int] = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not row[0].strip():
            continue
        try:
            hashes.add(rules.phone_hash(ctx.secret_key, typed_number(row[0], region)))
        except PhoneError:
            if number > 1 or any(ch.isdigit() for ch in row[0]):
                bad.append(number)
    new = await repos.verification.import_register(campaign.id, hashes, ctx.clock.now())
    await repos.audit.record(
        campaign.id,
        message.from_user.id if message.from_user else None,
        "register_imported",
        ctx.clock.now(),
        count=len(hashes),
        new=new,
    )
    await state.set_state(None)
    reply = ngettext(
        "Register imported: {count} number read, {new} new.",
        "Register imported: {count} numbers read, {new} new.",
        len(hashes),
    ).format(count=len(hashes), new=new)
    if bad:
        shown = ", ".join(str(n) for n in bad[:20]) + ("…" if len(bad) > 20 else "")
        reply += "\n" + _("These lines could not be read as phone numbers: {lines}.").format(lines=shown)
    await message.answer(reply)


async def register_expected(message: Message) -> None:
    await message.answer(_("Please send a CSV document (📎 then File), or /cancel."))


def router() -> Router:
    r = private_only(Router(name="verification_register"))  # in a group: conversations.group
    r.message.register(import_register, Command("import_register"))
    r.message.register(register_document, ImportingRegister.document, document)
    r.message.register(register_expected, ImportingRegister.document, not_a_command)
    return r
