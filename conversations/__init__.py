"""The dialogs, one router each; `get_routers` gives them in the order they are tried."""

from __future__ import annotations

from aiogram import Router


def get_routers() -> list[Router]:
    # Imported here so that building a dispatcher twice (tests, console) gets fresh routers.
    from conversations import fallback, my_proposals, onboarding, proposal_wizard, verification, voting
    from conversations import subscription
    from conversations import committee
    from conversations import group, receipts, results

    # Commands that work in any state come before the wizard, whose catch-alls take the rest.
    routers = [
        *verification.get_routers(),
        voting.router,
        receipts.router,
        onboarding.router,
        *committee.get_routers(),
        results.router,
        subscription.router,
        my_proposals.router,
        proposal_wizard.router,
        group.router,
        fallback.router,
    ]
    for router in routers:
        # A router belongs to one dispatcher; tests and the console build one after another.
        router._parent_router = None
    return routers
