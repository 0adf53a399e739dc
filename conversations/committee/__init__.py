"""The committee's dialogs: /admin, /review, /proposals, /proposal, /finalists, /calendar,
/advance, /audit, /admins, /ambassadors, /chatid, /countingkey, /count, and /propose_for for ambassadors.

Each module builds its routers in `router()` (see conversations/__init__.py); every committee
router only takes updates from committee members (`is_committee`, from bot.middlewares.resident),
and `refusal` comes last to answer everybody else. `get_routers()` gives them in order.
"""

from __future__ import annotations

from aiogram import Router


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
        menu.router(),
        edit.router(),
        review.router(),
        proposals.router(),
        finalists.router(),
        calendar.router(),
        audit.router(),
        team.router(),
        ambassadors.router(),
        stats.router(),
        counting.router(),
        counting_key.router(),
        results.router(),
        publish.router(),
        exports.router(),
        broadcasts.router(),
        broadcast_progress.router(),
        chat_id.router(),
        refusal.router(),
    ]
