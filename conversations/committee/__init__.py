"""The committee's dialogs: /admin, /review, /proposals, /proposal, /finalists, /calendar,
/advance, /audit, /admins, /ambassadors, /chatid, /countingkey, /count, and /propose_for for ambassadors.

Each module has its own `router()` (see conversations/__init__.py); every committee router only takes updates from committee
members (`is_committee`, from bot.middlewares.resident), and `refusal` comes last to answer
everybody else. `get_routers()` gives them in order.
"""

from __future__ import annotations

from aiogram import Router

from conversations import routers_of


def get_routers() -> list[Router]:
    from conversations.committee import (
        ambassadors,
        audit,
        calendar,
        edit,
        finalists,
        menu,
        proposals,
        refusal,
        review,
        team,
    )
    from conversations.committee import (
        broadcast_progress,
        broadcasts,
        chat_id,
        counting,
        counting_key,
        exports,
        publish,
        results,
        stats,
    )

    return [
        *routers_of(menu),
        *routers_of(edit),
        *routers_of(review),
        *routers_of(proposals),
        *routers_of(finalists),
        *routers_of(calendar),
        *routers_of(audit),
        *routers_of(team),
        *routers_of(ambassadors),
        *routers_of(stats),
        *routers_of(counting),
        *routers_of(counting_key),
        *routers_of(results),
        *routers_of(publish),
        *routers_of(exports),
        *routers_of(broadcasts),
        *routers_of(broadcast_progress),
        *routers_of(chat_id),
        *routers_of(refusal),
    ]
