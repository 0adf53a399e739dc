"""Random updates in every phase and state (hypothesis): no exception reaches the error handler,
and every private message gets a reply (at least one: the wizard's first step deliberately comes
as an introduction and the question, two messages)."""

from __future__ import annotations

import logging
from datetime import timedelta

from hypothesis import HealthCheck, given, settings, strategies as st

from campaign.calendar import PHASE_STARTS, Phase
from tests.journeys.voting_helpers import make_finalists

TEXTS = [
    "/start",
    "/help",
    "/propose",
    "/verify",
    "/code",
    "/code ABCDE-FGHJK",
    "/vote",
    "/myvote",
    "/myproposals",
    "/forgetme",
    "/cancel",
    "/skip",
    "/results",
    "/about",
    "/language",
    "/stop",
    "/unknown",
    "/review",
    "/codes 3",
    "hello",
    "12,50 €",
    "<b>bold</b>",
    "x" * 5000,
    "Place de l'Église",
    "✅ I confirm",
    "",
]
ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("text"), st.sampled_from(TEXTS)),
        st.tuples(st.just("text"), st.text(max_size=30)),
        st.tuples(st.just("sticker"), st.just("")),
        st.tuples(st.just("contact"), st.sampled_from(["32470001001", "33612345678", "1"])),
        st.tuples(st.just("press"), st.integers(min_value=0, max_value=5)),
        st.tuples(
            st.just("data"),
            st.sampled_from(["vpick:1", "vok:zz", "myprop:1", "wiz:back", "menu:vote", "lang:fr", "garbage"]),
        ),
    ),
    min_size=1,
    max_size=8,
)


def inside(app, phase: Phase):
    cal = app.campaign.calendar
    if phase == Phase.UPCOMING:
        return cal.proposals_open - timedelta(days=1)
    return getattr(cal, PHASE_STARTS[phase]) + timedelta(hours=1)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(phase=st.sampled_from(list(Phase)), actions=ACTIONS, user=st.integers(min_value=2000, max_value=2004))
async def test_random_updates_raise_nothing_and_every_message_gets_a_reply(
    app, resident_factory, emulator, clock, caplog, phase, actions, user
):
    caplog.set_level(logging.WARNING)
    if not getattr(app, "fuzz_seeded", False):  # once per app: a few finalists to vote on
        await make_finalists(app, [("Bench", 1500), ("Trees", 4000)])
        app.fuzz_seeded = True
    clock.set(inside(app, phase))
    resident = resident_factory(user, "Fuzz", "en")
    for kind, value in actions:
        before = len(emulator.messages(resident.chat_id))
        if kind == "text":
            if not value:
                continue
            await resident.send(value)
        elif kind == "sticker":
            await resident.send_sticker()
        elif kind == "contact":
            await resident.share_contact(value)
        elif kind == "press":
            buttons = [
                b
                for m in emulator.messages(resident.chat_id)[-1:]
                for row in ((m.reply_markup or {}).get("inline_keyboard") or [])
                for b in row
            ]
            if not buttons:
                continue
            await resident.press(buttons[value % len(buttons)]["text"])
            continue  # a press may answer with an alert, a new message or an edit
        else:
            await resident.press_data(value)
            continue
        replies = len(emulator.messages(resident.chat_id)) - before
        assert replies >= 1, (
            f"{kind} {value!r} in {phase}: {replies} replies: {[m.text for m in emulator.messages(resident.chat_id)[before:]]}"
        )
    errors = [r.getMessage() for r in caplog.records if r.name == "bot.errors" or r.levelno >= logging.ERROR]
    assert errors == []
