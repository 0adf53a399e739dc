"""What every dialog shares: one /cancel that ends the current dialog only (conversations.dialog_state),
the handler context (conversations.context), and fresh routers for each dispatcher."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.utils.i18n import gettext as _
from pydantic import BaseModel

from bot.app import build_app
from conversations.dialog_state import DialogState
from tests.conftest import deliver_to
from tests.emulator import Resident


class Painting(StatesGroup):
    colour = State()


class Canvas(BaseModel):
    colour: str | None = None


PAINTING = DialogState(Painting, "painting", Canvas, stopped=lambda: _("Stopped: nothing changed."))


def key_of(app, resident: Resident) -> StorageKey:
    return StorageKey(bot_id=app.bot.id, chat_id=resident.chat_id, user_id=resident.user_id)


async def test_cancel_ends_the_current_dialog_only_in_the_residents_language(app, marie) -> None:
    await marie.send("/start")
    key = key_of(app, marie)
    await app.dispatcher.storage.update_data(key, {"elsewhere": {"kept": True}, "painting": {"colour": "red"}})
    await app.dispatcher.storage.set_state(key, Painting.colour)
    replies = await marie.send("/cancel")
    assert replies.text == "Arrêté : rien n'a changé."
    assert await app.dispatcher.storage.get_state(key) is None
    assert await app.dispatcher.storage.get_data(key) == {"elsewhere": {"kept": True}}
    # Outside any dialog, /cancel has nothing to stop.
    assert (await marie.send("/cancel")).text == "Il n'y a rien à annuler. Envoyez /start pour le menu."


async def test_two_dispatchers_each_get_their_own_routers_and_both_answer(app, settings, clock, emulator) -> None:
    second = await build_app(settings, clock=clock)
    try:
        built, again = list(app.dispatcher.chain_tail)[1:], list(second.dispatcher.chain_tail)[1:]
        assert [r.name for r in built] == [r.name for r in again] and len(built) > 20
        assert not {id(r) for r in built} & {id(r) for r in again}  # every router, nested ones too
        first_john = Resident(emulator, deliver_to(app), 1002, "John", "en", None)
        second_john = Resident(emulator, deliver_to(second), 1002, "John", "en", None)
        await first_john.send("/start")
        # /stop reads the resident from the handler context: each dispatcher builds its own.
        assert (await second_john.send("/stop")).text.startswith("Done: you will no longer receive announcements")
        assert (await first_john.send("/stop")).text.startswith("You already receive no announcements.")
    finally:
        await second.close()
