"""The dialogs, one router each; `get_routers` gives them in the order they are tried.

Each dialog module exposes `def router() -> Router`, which builds a fresh Router each call and
registers the module's handlers on it (the routing table in one place, at the module's end), so
each dispatcher gets its own routers. During the move to that convention, a module that still
has a module-level `router` object is taken as it is (`routers_of`).
"""

from __future__ import annotations

from types import ModuleType

from aiogram import Router


def routers_of(module: ModuleType, *extra: str) -> list[Router]:
    """`module.router()` if it is a function; else the module's Router objects `router` and `extra`
    (transitional: such a router belongs to one dispatcher, so it is detached from the last one)."""
    if not isinstance(module.router, Router):
        return [module.router()]
    routers = [module.router, *(getattr(module, name) for name in extra)]
    for router in routers:
        router._parent_router = None
    return routers


def get_routers() -> list[Router]:
    # Imported here so that importing `conversations` stays cheap (storage and bot import it).
    from conversations import dialog_state, fallback, my_proposals, onboarding, proposal_wizard, verification, voting
    from conversations import subscription
    from conversations import committee
    from conversations import group, receipts, results

    # /cancel in a dialog first; then commands that work in any state come before the wizard,
    # whose catch-alls take the rest.
    return [
        dialog_state.router(),
        *verification.get_routers(),
        *routers_of(voting),
        *routers_of(receipts),
        *routers_of(onboarding),
        *committee.get_routers(),
        *routers_of(results),
        *routers_of(subscription),
        *routers_of(my_proposals),
        *routers_of(proposal_wizard),
        *routers_of(group),
        *routers_of(fallback),
    ]
