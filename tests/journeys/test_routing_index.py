"""The routing index (conversations/routing_index.py) only skips routers: with it, every update is
taken by the handler aiogram's full walk picks. Compared on the real app's dispatcher, for a
resident and a committee member, in private and in groups, in every conversation state: each
command of the routers, a button of every CallbackData prefix, photos, contacts, typos.

One real update per sender opens the update's transaction and middlewares; inside it, a middleware
feeds the dispatcher the whole grid of that sender's updates, each with the conversation state of
the grid, with the data the middlewares gave (the committee flag, the handler context...). A probe,
an inner middleware on the dispatcher (so the outermost), records the handler chosen and stops
there: no handler runs. The grid runs with the index, then without it (`remove_index`)."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import StatesGroup
from aiogram.types import TelegramObject, Update

from conversations.routing_index import remove_index
from tests.conftest import COMMITTEE_CHAT_ID, COMMITTEE_ID
from tests.emulator import Resident

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
Chosen = tuple[str, str] | None
Act = Callable[[Resident], Awaitable[Any]]


class ChosenHandler(BaseMiddleware):
    """Inner: the handler the walk chose (None: no handler took the update); it does not run."""

    def __init__(self) -> None:
        self.chosen: Chosen = None

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        callback = data["handler"].callback
        self.chosen = (data["event_router"].name, f"{callback.__module__}.{callback.__qualname__}")
        return None


class Grid(BaseMiddleware):
    """Outer, on messages: inside the carrier update, feeds the dispatcher each (update, state)."""

    def __init__(self, app, probe: ChosenHandler) -> None:
        self.app, self.probe = app, probe
        self.cases: list[tuple[str, str | None, Update]] = []
        self.chosen: dict[tuple[str, str | None], Chosen] = {}
        self.busy = False

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if self.busy:  # one of the grid's own updates
            return await handler(event, data)
        self.busy = True
        try:
            for label, state, update in self.cases:
                self.probe.chosen = None
                kind = update.event_type
                await self.app.dispatcher.propagate_event(kind, update.event, **{**data, "raw_state": state})
                self.chosen[(label, state)] = self.probe.chosen
        finally:
            self.busy = False
        return None  # the carrier itself goes no further


def _subclasses(cls: type) -> list[Any]:
    found = [sub for sub in cls.__subclasses__() if sub.__module__.startswith("conversations")]
    return found + [deeper for sub in cls.__subclasses__() for deeper in _subclasses(sub)]


def _states() -> list[str | None]:
    return [None, "Unknown:step", *sorted({name for g in _subclasses(StatesGroup) for name in g.__all_states_names__})]


def _commands(app) -> list[str]:
    found: set[str] = set()
    for router in app.dispatcher.chain_tail:
        for observer in router.observers.values():
            for handler in observer.handlers:
                for command in handler.flags.get("commands", []):
                    found |= {name for name in command.commands if isinstance(name, str)}
    return sorted(found)


def _button_data() -> list[str]:
    data = ["garbage", "x:1", "crev:eligible:1", "menu:", "menu:vote", "menu:propose", "menu:mine", "menu:about"]
    for cls in _subclasses(CallbackData):
        fields = len(cls.model_fields)
        data += [cls.__prefix__ + ":1" * fields, cls.__prefix__ + ":x" * (fields + 1)]
    return data


def _inline_button(data: str) -> Act:
    """A button under an inline-mode message: the query has no message, hence no chat."""

    async def press(who: Resident) -> Any:
        query = {"id": "77", "from": who.user, "chat_instance": "ci", "inline_message_id": "im1", "data": data}
        return await who._act({"callback_query": query})

    return press


def _text(value: str) -> Act:
    return lambda who: who.send(value)


def _button(data: str) -> Act:
    return lambda who: who.press_data(data)


# What may depend on the conversation state: tried in every state in private.
IN_EVERY_STATE: dict[str, Act] = {
    **{value: _text(value) for value in ["hello", "/skip", "/back", "/cancel", "/start", "/HELP"]},
    "photo": lambda who: who.send_photo(),
    "photo captioned /skip": lambda who: who.send_photo(caption="/skip"),
    "own contact": lambda who: who.share_contact("32470001001"),
    "another's contact": lambda who: who.share_contact("32470001002", user_id=None),
    "location": lambda who: who.send_location(50.85, 4.35),
    "document": lambda who: who.send_document("numbers.csv", b"32470001001\n"),
    "sticker": lambda who: who.send_sticker(),
    "button menu:vote": _button("menu:vote"),
    "button crev": _button("crev:next:1:0"),
    "button wiz": _button("wiz:skip"),
}
WORDS = ["12500", "/unknown", "/", "  /help", "/help@pbbot_test_bot", "/help@another_bot", "/start ABCDE-FGHJK"]
# Commands and buttons: outside any dialog, in a resident's and in a committee member's.
SOME_STATES = [None, "ProposalWizard:title", "CommitteeDialog:reason"]


async def _updates(who: Resident, acts: dict[str, Act], app) -> dict[str, Update]:
    """What `who` would send, captured instead of delivered."""
    captured: list[dict[str, Any]] = []

    async def capture(update: dict[str, Any]) -> None:
        captured.append(update)

    sender = Resident(who.emulator, capture, who.user_id, who.first_name, "en", who.chat_id)
    updates = {}
    for label, act in acts.items():
        await act(sender)
        updates[label] = Update.model_validate(captured.pop(), context={"bot": app.bot})
    return updates


async def _route_all(app, senders: dict[str, Resident], grids: dict[str, Grid]) -> dict:
    chosen = {}
    for name, who in senders.items():
        grid = grids[name]
        grid.chosen = {}
        app.dispatcher.message.outer_middleware(grid)
        try:
            await who.send("carrier")
        finally:
            app.dispatcher.message.outer_middleware.unregister(grid)
        chosen |= {(name, *key): value for key, value in grid.chosen.items()}
    return chosen


async def test_the_index_chooses_the_handler_the_full_walk_chooses(app, resident_factory) -> None:
    senders = {
        "resident": resident_factory(1001, "Marie", "fr"),
        "member": resident_factory(COMMITTEE_ID, "Ada", "en"),
        "resident in a group": resident_factory(1002, "John", "en", chat_id=-100777),
        "member in the committee chat": resident_factory(COMMITTEE_ID, "Ada", "en", chat_id=COMMITTEE_CHAT_ID),
    }
    await senders["member"].send("/start")  # known to the bot, as a member is when the grid runs
    states, commands, button_data = _states(), _commands(app), _button_data()
    assert len(states) > 20 and len(commands) > 30 and len(button_data) > 40
    everything: dict[str, Act] = {
        **{f"/{command}": _text(f"/{command}") for command in commands},
        **{word: _text(word) for word in WORDS},
        **{f"button {data}": _button(data) for data in button_data},
        "inline button": _inline_button("menu:vote"),
    }
    probe = ChosenHandler()
    app.dispatcher.message.middleware(probe)
    app.dispatcher.callback_query.middleware(probe)
    grids = {}
    for name, who in senders.items():
        grids[name] = grid = Grid(app, probe)
        # In a group, resident dialogs do not answer: a few states suffice.
        for label, update in (await _updates(who, IN_EVERY_STATE, app)).items():
            grid.cases += [(label, state, update) for state in (states if who.chat_id > 0 else SOME_STATES)]
        for label, update in (await _updates(who, everything, app)).items():
            grid.cases += [(label, state, update) for state in SOME_STATES]

    indexed = await _route_all(app, senders, grids)
    remove_index(app.dispatcher)
    walked = await _route_all(app, senders, grids)

    assert len(walked) > 2000 and indexed.keys() == walked.keys()
    differ = {key: (indexed[key], walked[key]) for key in walked if indexed[key] != walked[key]}
    shown = dict(itertools.islice(differ.items(), 10))
    assert not differ, f"{len(differ)} updates routed otherwise with the index (index, full walk): {shown}"
    # The grid reaches the dialogs (a probe that saw no handler would agree trivially).
    taken = {chosen[0] for chosen in walked.values() if chosen is not None}
    expected = {"onboarding", "proposal_wizard", "proposal_review", "voting", "committee_review", "group", "fallback"}
    assert expected <= taken, taken
