"""Skip, in O(1), the routers that cannot take an update; the others are tried as before.

aiogram tries the routers of `conversations.get_routers()` one after the other (37 with their
sub-routers): for each it wraps the router's middlewares (functools.update_wrapper), runs its
router-level filters, then each handler's filters, until one matches. A resident's answer in the
wizard went through some thirty routers and forty filters before the one that takes it.

`index(dispatcher)`, once the routers are included, gives each router a bit, and the routers that
have sub-routers (the dispatcher first) pass over, without calling it, each sub-router that cannot
take the update (`_skipping`). What a router can take is read
from its handlers' filters, at the first update of each kind (every handler is registered by then):
a NECESSARY condition, derived from the filters whose meaning is known:

| filter | the update must have |
|---|---|
| Command("x"), CommandStart() (string commands) | first word of text or caption "/x" or "/x@bot" (case-folded with ignore_case) |
| SomeCallbackData.filter(...), committee_callback | callback data starting with the class's prefix and separator |
| a State, StateFilter(...) (not "*") | the conversation's raw_state among those named |
| in_private, in_group, committee_member on the router | the chat's type; is_committee |

A handler counts by one of its filters (a command, else a button prefix, else states); a handler
with none of these (a catch-all such as fallback's), an outer middleware on the router, or a
router added after `index` ran makes the router (and the routers leading to it) always tried. For
an update, the routers that may take it are one bitmask: OR-ed from dict lookups (command name,
button prefix, raw_state) and the catch-alls, AND-ed with the router-level conditions; it is
computed once per update, by the dispatcher's walk, and each sub-router's bit is tested there.

The walk only skips routers whose filters would all fail: the routers tried are tried in the same
order with the same filters and middlewares, so the handler chosen is the one the full walk chooses
(tests/journeys/test_routing_index.py compares the two on every command, button and state).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from inspect import isclass
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.bases import REJECTED, UNHANDLED
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.dispatcher.event.telegram import TelegramEventObserver
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandStart, StateFilter
from aiogram.filters.callback_data import CallbackData, CallbackQueryFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, TelegramObject

from conversations.committee.common import COMMITTEE_PREFIXES, committee_callback, committee_member
from conversations.scope import chat_type, in_group, in_private

_GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)


@dataclass(frozen=True)
class _Condition:
    """What one handler needs of an update: a key among `keys`, of one kind."""

    kind: str  # "command", "button" or "state", in the order a handler is indexed by
    keys: frozenset[Any]
    detail: str = ""  # a command's prefix characters; a button's separator
    folded: bool = False  # a command compared case-folded (ignore_case)


_KINDS = ("command", "button", "state")


class _InlineState(StateFilter):
    """StateFilter(state), put by `index` where a handler had the State itself as a filter."""

    def __init__(self, replaced: FilterObject, state: State) -> None:
        super().__init__(state)
        self.replaced = replaced


@dataclass
class _Plan:
    """For one kind of update: the routers (a bitmask) each key may lead to."""

    always: int = 0
    commands: dict[str, int] = field(default_factory=dict)
    folded_commands: dict[str, int] = field(default_factory=dict)
    command_prefixes: str = ""
    buttons: dict[str, dict[str, int]] = field(default_factory=dict)  # separator -> prefix -> routers
    states: dict[str | None, int] = field(default_factory=dict)
    private_only: int = 0
    group_only: int = 0
    committee_only: int = 0

    def add(self, condition: _Condition | None, routers: int) -> None:
        if condition is None:
            self.always |= routers
            return
        table: dict[Any, int]
        if condition.kind == "command":
            table = self.folded_commands if condition.folded else self.commands
            self.command_prefixes += "".join(set(condition.detail) - set(self.command_prefixes))
        elif condition.kind == "button":
            table = self.buttons.setdefault(condition.detail, {})
        else:
            table = self.states
        for key in condition.keys:
            table[key] = table.get(key, 0) | routers

    def routers_for(self, event: TelegramObject, data: dict[str, Any]) -> int:
        found = self.always
        if isinstance(event, Message) and (self.commands or self.folded_commands):
            name = _command_name(event, self.command_prefixes)
            if name is not None:
                found |= self.commands.get(name, 0)
                if self.folded_commands:
                    found |= self.folded_commands.get(name.casefold(), 0)
        if isinstance(event, CallbackQuery) and event.data and self.buttons:
            for separator, by_prefix in self.buttons.items():
                found |= by_prefix.get(event.data.split(separator, 1)[0], 0)
        if self.states:
            found |= self.states.get(data.get("raw_state"), 0)
        if self.private_only or self.group_only:
            kind = chat_type(event)
            if kind != ChatType.PRIVATE:
                found &= ~self.private_only
            if kind not in _GROUPS:
                found &= ~self.group_only
        if self.committee_only and not data.get("is_committee", False):
            found &= ~self.committee_only
        return found


def _command_name(message: Message, prefixes: str) -> str | None:
    """The command as aiogram's Command filter reads it (Command.extract_command), if any."""
    text = message.text or message.caption
    if not text:
        return None
    words = text.split(maxsplit=1)
    if not words or words[0][0] not in prefixes:
        return None
    return words[0][1:].partition("@")[0]


def _state_names(allowed: Any) -> frozenset[str | None] | None:
    """The raw states one entry of StateFilter lets through (as StateFilter.__call__ reads it);
    None when any state may pass or the entry's meaning is not known."""
    if isinstance(allowed, str) or allowed is None:
        return None if allowed == "*" else frozenset({allowed})
    if type(allowed) is State:
        return None if allowed.state == "*" else frozenset({allowed.state})
    if isinstance(allowed, StatesGroup):
        group: Any = type(allowed)
    elif isclass(allowed) and issubclass(allowed, StatesGroup):
        group = allowed
    elif isinstance(allowed, State):
        return None  # a State subclass may decide otherwise
    else:
        return frozenset()  # StateFilter lets nothing through for it
    if group.__call__ is not StatesGroup.__call__:
        return None
    return frozenset(group.__all_states_names__)


def _condition(check: Any, update_type: str) -> _Condition | None:
    """What the filter `check` needs of an update, if that is known."""
    if type(check) in (Command, CommandStart):
        if all(isinstance(command, str) for command in check.commands):
            return _Condition("command", frozenset(check.commands), check.prefix, check.ignore_case)
        return None
    if type(check) is CallbackQueryFilter:
        button = check.callback_data
        if button.unpack.__func__ is not CallbackData.unpack.__func__:  # type: ignore[attr-defined]
            return None  # its own way of reading the data
        return _Condition("button", frozenset({button.__prefix__}), button.__separator__)
    if check is committee_callback and update_type == "callback_query" and "" not in COMMITTEE_PREFIXES:
        return _Condition("button", frozenset(COMMITTEE_PREFIXES), ":")
    entries: Sequence[Any]
    if type(check) is State:
        entries = (check,)
    elif type(check) in (StateFilter, _InlineState):
        entries = check.states
    else:
        return None
    names: set[str | None] = set()
    for entry in entries:
        allowed = _state_names(entry)
        if allowed is None:
            return None
        names |= allowed
    return _Condition("state", frozenset(names))


def _handler_condition(filters: Iterable[FilterObject], update_type: str) -> _Condition | None:
    """A handler's filters must all pass: any one known condition is necessary; the most selective."""
    known = [c for c in (_condition(f.callback, update_type) for f in filters) if c is not None]
    return min(known, key=lambda c: _KINDS.index(c.kind), default=None)


def _router_filters(observer: TelegramEventObserver) -> list[FilterObject]:
    # aiogram keeps the filters of `router.message.filter(...)` on a private handler object; if a
    # later version moves them, the routers are only tried more often.
    root = getattr(observer, "_handler", None)
    return list(getattr(root, "filters", None) or [])


class RoutingIndex:
    def __init__(self, routers: Sequence[Router]) -> None:
        self.tops = list(routers)
        self.bits: dict[int, int] = {}
        for top in self.tops:
            for router in top.chain_tail:
                self.bits[id(router)] = 1 << len(self.bits)
        self._plans: dict[str, _Plan] = {}
        self._last: tuple[Any, ...] = ()

    def routers_for(self, update_type: str, event: TelegramObject, data: dict[str, Any]) -> int:
        """The routers (bitmask) that may take `event`: the same for every gate of one walk."""
        raw_state, committee = data.get("raw_state"), data.get("is_committee", False)
        last = self._last
        if last and last[0] is event and last[1] == update_type and last[2] == raw_state and last[3] == committee:
            return int(last[4])
        plan = self._plans.get(update_type)
        if plan is None:
            plan = self._plans[update_type] = self._plan(update_type)
        found = plan.routers_for(event, data)
        self._last = (event, update_type, raw_state, committee, found)
        return found

    def _plan(self, update_type: str) -> _Plan:
        plan = _Plan()
        for top in self.tops:
            self._add(plan, top, update_type, 0)
        return plan

    def _add(self, plan: _Plan, router: Router, update_type: str, above: int) -> None:
        bit = self.bits.get(id(router), 0)  # 0: included after `index` ran, never skipped
        reach = above | bit  # a handler here needs this router and those leading to it tried
        observer = router.observers.get(update_type)
        if observer is not None:
            if len(observer.outer_middleware):
                plan.always |= reach  # it may do anything before the filters
            for handler in observer.handlers:
                plan.add(_handler_condition(handler.filters or (), update_type), reach)
            for check in _router_filters(observer):
                if check.callback is in_private:
                    plan.private_only |= bit
                elif check.callback is in_group:
                    plan.group_only |= bit
                elif check.callback is committee_member:
                    plan.committee_only |= bit
        for sub in router.sub_routers:
            self._add(plan, sub, update_type, reach)


def _skipping(router: Router, routing: RoutingIndex) -> Any:
    """`router._propagate_event` (aiogram's Router._propagate_event, aiogram 3.20 to 3.31) that
    passes over the sub-routers which cannot take the update: not called at all, rather than
    called to answer UNHANDLED (a coroutine and a copy of the update's data, some twenty
    entries, for each of the ~35 routers an update does not reach: ~5% of an update's CPU)."""

    async def _propagate_event(
        observer: TelegramEventObserver | None, update_type: str, event: TelegramObject, **kwargs: Any
    ) -> Any:
        response = UNHANDLED
        if observer:
            result, data = await observer.check_root_filters(event, **kwargs)
            if not result:
                return UNHANDLED
            kwargs.update(data)
            response = await observer.trigger(event, **kwargs)
            if response is REJECTED:
                return UNHANDLED
            if response is not UNHANDLED:
                return response
        may_take = routing.routers_for(update_type, event, kwargs) if router.sub_routers else 0
        bits = routing.bits
        for sub in router.sub_routers:
            bit = bits.get(id(sub))  # None: included after `index` ran, never skipped
            if bit is not None and not may_take & bit:
                continue
            response = await sub.propagate_event(update_type=update_type, event=event, **kwargs)
            if response is not UNHANDLED:
                break
        return response

    return _propagate_event


def _inline_states(router: Router) -> None:
    """A State used as a filter (`register(handler, Dialog.step, ...)`) is a plain callable, which
    aiogram runs in a worker thread (asyncio.to_thread): a thread round trip per check, some ten
    for an answer in the wizard. StateFilter(state) gives the same answer (it calls the State) as
    a coroutine, in the event loop."""
    for observer in router.observers.values():
        for handler in observer.handlers:
            for i, check in enumerate(handler.filters or ()):
                if type(check.callback) is State and not check.awaitable:
                    handler.filters[i] = FilterObject(_InlineState(check, check.callback))  # type: ignore[index]


def index(parent: Router) -> None:
    """Indexes the routers under `parent` (the dispatcher, once they are included; see the
    module's docstring)."""
    routing = RoutingIndex(parent.sub_routers)
    for router in [parent, *(router for top in parent.sub_routers for router in top.chain_tail)]:
        if router is not parent:
            _inline_states(router)
        if router.sub_routers:
            router._propagate_event = _skipping(router, routing)  # type: ignore[method-assign]


def remove_index(parent: Router) -> None:
    """Back to aiogram's full walk, States in threads included (for the test that compares)."""
    for router in parent.chain_tail:
        vars(router).pop("_propagate_event", None)
        for observer in router.observers.values():
            for handler in observer.handlers:
                for i, check in enumerate(handler.filters or ()):
                    if type(check.callback) is _InlineState:
                        handler.filters[i] = check.callback.replaced  # type: ignore[index]
