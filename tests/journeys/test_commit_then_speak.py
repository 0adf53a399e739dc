"""Commit, then speak: no one is told anything the database does not hold, and no transaction
(nor SQLite's write lock) waits on Telegram.

The commit is made to fail by the database connection itself (an engine "commit" event that
raises, as a full disk or a lost server would), not by touching the bot's code.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from conversations.after_commit import after_commit
from storage.models import ProposalRow
from tests.conftest import COMMITTEE_CHAT_ID, COMMITTEE_ID
from tests.journeys.committee_steps import anne, propose, status_of  # noqa: F401
from tests.journeys.voting_helpers import make_finalists, open_voting, phone_of, verifications
from tests.journeys.wizard_steps import fill_until_cost

SORRY_FR = "Désolé, un problème est survenu de notre côté."
SORRY_EN = "Sorry, something went wrong on our side."
CAMPAIGNS = Path(__file__).resolve().parents[1] / "campaigns"


class DiskFull(Exception):
    """What the database answers to COMMIT in these tests."""


WRITE = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)


@pytest.fixture
def refuse_commit(app) -> Iterator[Callable[[str], None]]:
    """`refuse_commit("proposals")`: the next COMMIT of a transaction that wrote to that table fails."""
    armed: set[str] = set()
    engine = app.engine.sync_engine

    def on_execute(connection, _cursor, statement, *_args) -> None:
        if match := WRITE.match(statement):
            connection.info.setdefault("written", set()).add(match.group(1))

    def on_commit(connection) -> None:
        written = connection.info.pop("written", set())
        if hit := armed & written:
            armed.difference_update(hit)
            raise DiskFull("database or disk is full")

    def on_rollback(connection) -> None:
        connection.info.pop("written", None)

    listeners = (("before_cursor_execute", on_execute), ("commit", on_commit), ("rollback", on_rollback))
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield armed.add
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


class Watch:
    """Everything the bot said, to anyone, from now on."""

    def __init__(self, emulator) -> None:
        self.emulator = emulator
        self.events = len(emulator.events)
        self.answers = len(emulator.callback_answers)

    def said(self) -> list[tuple[str, int, str]]:
        return [(kind, m.chat_id, m.plain_text or "") for kind, m in self.emulator.events[self.events :]]

    def alerts(self) -> list[str]:
        return [answer.get("text") or "" for answer in self.emulator.callback_answers[self.answers :]]


async def proposals_in_database(app) -> int:
    async with app.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(ProposalRow))


async def test_a_refused_commit_of_the_wizard_tells_no_one_and_loses_nothing(app, marie, emulator, refuse_commit):
    await fill_until_cost(marie)
    await marie.send("1500")
    await marie.send("/skip")
    watch = Watch(emulator)
    refuse_commit("proposals")
    replies = await marie.press("✅")
    assert replies == [] and watch.said() == []  # neither Marie nor the committee chat heard of a project
    assert len(watch.alerts()) == 1 and watch.alerts()[0].startswith(SORRY_FR)  # the error handler's answer
    assert await proposals_in_database(app) == 0
    # Nothing was lost: the same button submits the project, under the number the database holds
    # (PostgreSQL does not give back a sequence number a failed transaction took).
    watch = Watch(emulator)
    replies = await marie.press("✅")
    async with app.sessionmaker() as session:
        (stored,) = await session.scalars(select(ProposalRow.id))
    assert f"n°{stored}</b>" in replies.text
    assert any(chat == COMMITTEE_CHAT_ID and f"n°{stored}" in text for _, chat, text in watch.said())


async def test_a_refused_commit_of_a_review_decision_tells_no_one(app, anne, marie, emulator, refuse_commit):
    number = await propose(marie)
    await anne.send("/review")
    watch = Watch(emulator)
    refuse_commit("proposals")
    replies = await anne.press("✅ Recevable")
    assert replies == [] and watch.said() == []  # no word to the author, the card keeps its buttons
    assert watch.alerts() and watch.alerts()[-1].startswith(SORRY_FR) and len(watch.alerts()) == 1
    assert await status_of(app, number) == "submitted"
    replies = await anne.press("✅ Recevable")
    assert f"Le projet n°{number} est recevable. Son auteur a été prévenu." in replies.text
    assert await status_of(app, number) == "eligible"


async def test_a_refused_commit_of_a_committee_command_changes_and_says_nothing(
    app, anne, john, emulator, refuse_commit
):
    watch = Watch(emulator)
    refuse_commit("calendar_changes")
    replies = await anne.send("/calendar set voting_open 2030-05-20 09:00")
    assert [text for _, _, text in watch.said()] == replies.plain_texts
    assert len(replies) == 1 and replies.plain_text.startswith(SORRY_FR)
    assert "Voting: 16 May 2030" in (await john.send("/start")).plain_text
    replies = await anne.send("/calendar set voting_open 2030-05-20 09:00")
    assert "C'est fait" in replies.text
    assert "Voting: 20 May 2030, 09:00" in (await john.send("/start")).plain_text


class TestVerification:
    @pytest.fixture
    def campaign_file(self) -> Path:
        return CAMPAIGNS / "verify-all.toml"

    @pytest.fixture
    def chair_in_group(self, resident_factory):
        return resident_factory(COMMITTEE_ID, "Chair", "en", chat_id=COMMITTEE_CHAT_ID)

    async def test_a_refused_commit_of_an_approval_tells_no_one(
        self, app, john, chair_in_group, emulator, refuse_commit
    ):
        await john.send("/verify")
        await john.press("✅ I confirm")
        await john.press("🏛 Ask the committee")
        await john.send("John Smith")
        await john.send("Rue de l'Église")
        watch = Watch(emulator)
        refuse_commit("verifications")
        await chair_in_group.press("✅ Approuver")
        assert watch.said() == []  # John is not told he is verified; the card keeps its buttons
        assert len(watch.alerts()) == 1 and watch.alerts()[0].startswith(SORRY_EN)
        assert await verifications(app) == []
        await chair_in_group.press("✅ Approuver")
        assert "you are now a verified resident" in john.last.text
        assert len(await verifications(app)) == 1

    async def test_a_refused_commit_of_a_phone_verification_says_nothing_but_sorry(
        self, app, john, emulator, refuse_commit
    ):
        await john.send("/verify")
        await john.press("✅ I confirm")
        await john.press("📱 With my phone number")
        watch = Watch(emulator)
        refuse_commit("verifications")
        replies = await john.share_contact("+32470123456")
        assert [text for _, _, text in watch.said()] == replies.plain_texts
        assert len(replies) == 1 and replies.plain_text.startswith(SORRY_EN)
        assert await verifications(app) == []


async def test_one_residents_slow_reply_does_not_hold_up_another_resident(app, marie, john, emulator):
    """On SQLite: while Telegram has not answered a reply to Marie, John's update (which writes:
    he is new) is handled to the end. Before, Marie's transaction held the write lock meanwhile."""
    held = emulator.hold("sendMessage", chat_id=marie.chat_id)
    marie_start = asyncio.create_task(marie.send("/start"))
    await held.reached.wait()  # Marie's reply is in flight, and stays so
    # The timeout only turns a deadlock into a failure; nothing here measures time.
    replies = await asyncio.wait_for(john.send("/start"), timeout=30)
    assert "Hello John!" in replies.plain_text
    assert not marie_start.done() and not held.released.is_set()
    held.release()
    assert "Bonjour Marie" in (await marie_start).plain_text


async def test_a_step_after_held_replies_gets_telegrams_whole_answer(app, marie):
    """Held calls are sent without turning Telegram's answer into objects (no one reads it:
    bot/outbox.py); a step sent after them still reads the message Telegram made."""
    answers = []

    async def reply_then_step(handler, message, data):
        await app.bot.send_message(message.chat.id, "held")

        async def remember(_transaction) -> None:
            sent = await app.bot.send_message(message.chat.id, "from the step")
            answers.append((sent.message_id, sent.text))

        after_commit(remember)
        return await handler(message, data)

    app.dispatcher.message.outer_middleware(reply_then_step)
    try:
        await marie.send("/start")
    finally:
        app.dispatcher.message.outer_middleware.unregister(reply_then_step)
    sent = {m.message_id: m.text for m in marie.inbox}
    assert "held" in sent.values()
    assert len(answers) == 1 and sent.get(answers[0][0]) == answers[0][1] == "from the step"


async def last_text_once_sent(emulator, resident, expected: str) -> str:
    """The resident's last message, once one holding `expected` has arrived (a few turns of the
    event loop: the reply is on its way, no clock is read), or whatever is last if none did."""
    for _ in range(100):
        last = emulator.last_message(resident.chat_id)
        if last is not None and expected in (last.text or ""):
            break
        await asyncio.sleep(0)
    last = emulator.last_message(resident.chat_id)
    return (last.text or "") if last is not None else ""


async def test_a_buttons_answer_goes_out_alongside_the_reply_not_before_it(app, john, emulator):
    """The answer to a pressed button (the spinner) is no message in the chat: while Telegram
    has not answered it, the wizard's next question is already in John's chat, in one round
    trip instead of two."""
    await john.send("/start")
    await john.press("Propose a project")
    await john.send("A bench for the square")
    await john.send("A wooden bench in front of the church.")
    await john.send("The elders walk to the square and have nowhere to sit there.")
    held = emulator.hold("answerCallbackQuery")
    pressing = asyncio.create_task(john.press("Mobility"))
    await asyncio.wait_for(held.reached.wait(), timeout=30)  # only turns a deadlock into a failure
    assert "Step 5 of 7" in await last_text_once_sent(emulator, john, "Step 5 of 7")
    assert not pressing.done()
    held.release()
    assert "Step 5 of 7" in (await pressing).text


async def test_the_next_voting_card_does_not_wait_for_the_old_one_to_be_deleted(app, john, clock, emulator):
    """Deleting a message leaves the chat the same whichever lands first: the next card is sent
    while Telegram has not yet answered the deletion of the old one."""
    await make_finalists(app, [("Bench on the square", 1500), ("Trees along the river", 4000)])
    open_voting(app, clock)
    await john.send("/start")
    await john.press("🗳 Vote")
    await john.press("📱 Share my phone number", phone=phone_of(john))
    held = emulator.hold("deleteMessage", chat_id=john.chat_id)
    pressing = asyncio.create_task(john.press("▶️"))
    await asyncio.wait_for(held.reached.wait(), timeout=30)  # only turns a deadlock into a failure
    card = await last_text_once_sent(emulator, john, "2 / 2")
    assert "2 / 2" in card and "Trees along the river" in card
    assert not pressing.done()
    held.release()
    assert "2 / 2" in (await pressing).text
