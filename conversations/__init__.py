"""The dialogs, one router each; `get_routers` gives them in the order they are tried.

Each dialog module exposes `def router() -> Router`, which builds a fresh Router each call and
registers the module's handlers on it (the routing table in one place, at the module's end), so
each dispatcher gets its own routers (a Router belongs to one dispatcher). No module keeps a
Router object (tests/unit/test_router_functions.py).
"""

from __future__ import annotations

from aiogram import Router


def get_routers() -> list[Router]:
    # Imported here so that importing `conversations` stays cheap (storage and bot import it).
    from conversations import dialog_state, fallback, my_proposals, onboarding, proposal_wizard, verification, voting
    from conversations import subscription
    from conversations import committee
    from conversations import group, receipts, results

    # /cancel in a dialog first; then commands that work in any state come before the wizard,
    # whose catch-alls take the rest. (bot/app.py indexes them once included: conversations/routing_index.py.)
    return [
        dialog_state.router(),
        *verification.get_routers(),
        voting.router(),
        receipts.router(),
        onboarding.router(),
        *committee.get_routers(),
        results.router(),
        subscription.router(),
        my_proposals.router(),
        proposal_wizard.router(),
        group.router(),
        fallback.router(),
    ]
