"""A resident proposes a project, field by field, through the real dispatcher."""

from __future__ import annotations

from datetime import timedelta

from bot.app import build_app
import pytest

from tests.conftest import COMMITTEE_CHAT_ID, TESTS, deliver_to
from tests.emulator import Resident
from tests.journeys.wizard_steps import DESCRIPTION, SUMMARY, TITLE, fill_until_cost, submit_project


async def test_start_says_what_the_campaign_is_and_what_can_be_done(john):
    replies = await john.send("/start")
    assert "Testville participatory budget" in replies.text
    assert "€20,000" in replies.text
    assert "Proposals are open until 30 April 2030, 23:59" in replies.text
    assert "📝 Propose a project" in replies[-1].button_labels()


async def test_start_speaks_the_residents_telegram_language(marie):
    replies = await marie.send("/start")
    assert "Bonjour Marie" in replies.text
    assert "20 000 €" in replies.text
    assert "📝 Proposer un projet" in replies[-1].button_labels()


async def test_language_can_be_switched_and_is_remembered(marie):
    await marie.send("/language")
    replies = await marie.press("English")
    assert "in English" in replies.text
    replies = await marie.send("/start")
    assert "Hello Marie" in replies.text


async def test_help_and_about_are_always_there(john, clock):
    assert "/propose" in (await john.send("/help")).text
    await john.send("/about")
    replies = await john.press("How does it work?")
    assert "Propose, then vote." in replies.text
    clock.set(clock.now() + timedelta(days=365))
    assert "/myproposals" in (await john.send("/help")).text


async def test_a_project_is_proposed_field_by_field_and_submitted(john, emulator):
    await john.send("/start")
    replies = await john.press("Propose a project")
    assert "Step 1 of 7" in replies.text
    assert "Step 2 of 7" in (await john.send(TITLE)).text
    assert "Step 3 of 7" in (await john.send(SUMMARY)).text
    replies = await john.send(DESCRIPTION)
    assert "Step 4 of 7" in replies.text
    assert {"Environment", "Mobility"} <= set(replies[-1].button_labels())
    assert "Step 5 of 7" in (await john.press("Mobility")).text
    assert "Step 6 of 7" in (await john.send_location(50.5, 4.5)).text
    assert "Step 7 of 7" in (await john.send("12.500,50")).text
    replies = await john.send_photo()
    sheet = replies.text
    for expected in (TITLE, SUMMARY, "Mobility", "map pin (50.50000, 4.50000)", "€12,500.50", "Photo:</b> yes"):
        assert expected in sheet
    replies = await john.press("✅ Submit")
    assert "registered as <b>#1</b>" in replies.text
    assert "15 May 2030" in replies.text  # when the committee has checked
    assert "16 May 2030" in replies.text  # when voting opens
    committee = emulator.messages(COMMITTEE_CHAT_ID)
    assert any("Nouveau projet n°1 de John" in m.text for m in committee if m.text)
    assert any(m.method == "sendPhoto" for m in committee)
    listing = await john.send("/myproposals")
    assert "#1" in listing.text and TITLE in listing.text and "waiting for review" in listing.text


async def test_the_committee_chat_gets_the_sheet_in_the_campaign_language(john, emulator):
    await submit_project(john)
    sheet = next(m.text for m in emulator.messages(COMMITTEE_CHAT_ID) if m.text)
    assert "Nouveau projet n°1 de John" in sheet
    assert "1\u202f500\xa0€" in sheet


async def test_costs_are_read_as_people_type_them(john):
    await fill_until_cost(john)
    replies = await john.send("-5")
    assert "cannot be negative" in replies.text and "Step 6 of 7" in replies.text
    replies = await john.send("25 000 €")
    assert "above the maximum of €20,000" in replies.text
    replies = await john.send("50")
    assert "below the minimum of €100" in replies.text
    replies = await john.send("a lot")
    assert "could not read an amount" in replies.text
    await john.send("20 000 €")
    replies = await john.send("/back")
    assert "Current answer: €20,000" in replies.text


async def test_wrong_kinds_of_answer_get_a_reply_and_lose_nothing(john):
    await fill_until_cost(john)
    replies = await john.send_sticker()
    assert "Please type the cost as a number" in replies.text
    assert "Step 6 of 7" in replies.text
    replies = await john.send_document("photo.jpg", b"\xff\xd8\xff not really")
    assert "Step 6 of 7" in replies.text
    await john.send("1500")
    replies = await john.send_document("photo.jpg", b"\xff\xd8\xff")
    assert "Please send a photo (not a file)" in replies.text
    replies = await john.send("/skip")
    for kept in (TITLE, SUMMARY, DESCRIPTION[:40], "Environment", "Place de l&#x27;Église", "€1,500"):
        assert kept in replies.text


async def test_overlong_and_html_text_is_refused_or_escaped(john):
    await john.send("/propose")
    replies = await john.send("x" * 10_000)
    assert "too long (10000 characters): at most 80" in replies.text
    assert "Step 1 of 7" in replies.text
    await john.send("<b>Bench</b> & <script>alert(1)</script>")
    await john.send(SUMMARY)
    replies = await john.send("y" * 10_000)
    assert "at most 3000" in replies.text
    await john.send("/back")
    replies = await john.send("/back")
    assert "&lt;b&gt;Bench&lt;/b&gt; &amp; &lt;script&gt;" in replies.text
    assert "<script>" not in replies.text


async def test_a_map_pin_outside_the_town_is_refused(john):
    await john.send("/propose")
    for answer in (TITLE, SUMMARY, DESCRIPTION):
        await john.send(answer)
    await john.press("Environment")
    replies = await john.send_location(-33.86, 151.2)
    assert "outside Testville" in replies.text and "Step 5 of 7" in replies.text


async def test_back_skip_and_cancel_keep_the_draft(john):
    await john.send("/propose")
    await john.send(TITLE)
    replies = await john.send("/back")
    assert "Step 1 of 7" in replies.text and f"Current answer: {TITLE}" in replies.text
    replies = await john.send("/skip")  # keeps the title
    assert "Step 2 of 7" in replies.text
    replies = await john.send("/skip")  # the summary is required
    assert "cannot be skipped" in replies.text and "Step 2 of 7" in replies.text
    await john.send(SUMMARY)
    replies = await john.send("/cancel")
    assert "Your draft is kept" in replies.text
    replies = await john.send("/start")
    assert "📝 Continue my draft" in replies[-1].button_labels()
    replies = await john.press("Continue my draft")
    assert "Step 3 of 7" in replies.text


async def test_a_discarded_draft_is_gone(john):
    await john.send("/propose")
    await john.send(TITLE)
    await john.send("/start")
    await john.press("Discard the draft")
    replies = await john.press("Propose a project")
    assert "Step 1 of 7" in replies.text and "Current answer" not in replies.text


async def test_a_draft_survives_a_restart_of_the_bot(john, settings, clock, emulator, app):
    await john.send("/propose")
    await john.send(TITLE)
    await john.send(SUMMARY)
    await app.close()  # the bot goes down in the middle of the wizard

    restarted = await build_app(settings, clock=clock)
    try:
        john_again = Resident(emulator, deliver_to(restarted), john.user_id, "John", "en")
        replies = await john_again.send(DESCRIPTION)  # the answer to the question asked before the restart
        assert "Step 4 of 7" in replies.text
        await john_again.send("/start")
        replies = await john_again.press("Continue my draft")
        assert "Step 4 of 7" in replies.text
    finally:
        await restarted.close()


async def test_buttons_from_an_earlier_question_do_nothing(john, emulator):
    await john.send("/propose")
    first_question = john.last
    await john.send(TITLE)
    replies = await john.press("✖ Stop", in_message=first_question)
    assert replies.new == []
    assert "earlier message" in emulator.callback_answers[-1]["text"]
    replies = await john.send(SUMMARY)
    assert "Step 3 of 7" in replies.text


async def test_crafted_callbacks_are_refused(john, emulator):
    await john.send("/propose")
    await john.send(TITLE)
    for data in ("wiz:submit:", "cat:swimming-pool", "myprop:99", "garbage", "wiz:edit:title"):
        await john.press_data(data)
        assert emulator.callback_answers[-1]["show_alert"] is True
    replies = await john.send(SUMMARY)
    assert "Step 3 of 7" in replies.text


async def test_unknown_commands_and_chatter_get_an_answer(john):
    assert "/help" in (await john.send("/frobnicate")).text
    assert "/start" in (await john.send("hello?")).text
    await john.send("/propose")
    replies = await john.send("/frobnicate")
    assert "does not work here" in replies.text and "Step 1 of 7" in replies.text


async def test_outside_the_proposals_phase_the_wizard_does_not_start(john, clock, app):
    calendar = app.campaign.calendar
    clock.set(calendar.proposals_open - timedelta(days=2))
    replies = await john.send("/propose")
    assert "they open on 1 April 2030" in replies.text
    assert "Propose a project" not in (await john.send("/start"))[-1].button_labels()
    clock.set(calendar.proposals_close + timedelta(days=1))
    replies = await john.send("/propose")
    assert "Proposals closed on 30 April 2030" in replies.text and "Voting opens on 16 May 2030" in replies.text


async def test_a_draft_finished_after_the_deadline_is_kept_not_submitted(john, clock, app):
    await fill_until_cost(john)
    await john.send("1500")
    await john.send("/skip")
    clock.set(app.campaign.calendar.proposals_close + timedelta(minutes=1))
    replies = await john.press("✅ Submit")
    assert "Proposals closed" in replies.text and "Your draft is kept" in replies.text
    assert "You have not submitted" in (await john.send("/myproposals")).text


async def test_an_author_edits_a_submitted_project_while_proposals_are_open(john, app):
    number = await submit_project(john)
    await john.send("/myproposals")
    replies = await john.press(f"Change #{number}")
    assert f"project #{number}" in replies.text
    await john.press("✏️ Cost")
    replies = await john.send("2 500")
    assert "€2,500" in replies.text  # back on the sheet
    replies = await john.press("✅ Submit")
    assert f"changes to project #{number} are saved" in replies.text
    async with app.sessionmaker() as session:
        from storage.repositories import Repositories

        revisions = await Repositories(session).proposals.revisions(number)
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[0].fields["cost"] == "1500" and revisions[1].fields["cost"] == "2500"


async def test_editing_is_refused_after_proposals_close_and_for_others(john, resident_factory, clock, app, emulator):
    number = await submit_project(john)
    await john.send("/myproposals")
    edit_button = john.last
    intruder = resident_factory(1003, "Eve", "en")
    await intruder.press_data(f"myprop:{number}")
    assert "not one of your projects" in emulator.callback_answers[-1]["text"]
    clock.set(app.campaign.calendar.proposals_close + timedelta(hours=1))
    replies = await john.press(f"Change #{number}", in_message=edit_button)
    assert replies.new == []
    assert "can no longer be changed" in emulator.callback_answers[-1]["text"]
    assert "Change" not in " ".join((await john.send("/myproposals"))[-1].button_labels())


class TestWhenAuthorsMustBeVerified:
    @pytest.fixture
    def campaign_file(self):
        return TESTS / "campaigns" / "verify-to-propose.toml"

    async def test_a_resident_verifies_then_goes_straight_to_the_first_question(self, john):
        replies = await john.send("/propose")
        assert "Only residents may take part" in replies.text
        assert "Step 1 of 7" not in replies.text
        replies = await john.press("Share my phone number", phone="+32470123456")
        assert "verified resident" in replies.text
        assert "Step 1 of 7" in replies.text

    async def test_a_forwarded_contact_does_not_open_the_wizard(self, john):
        await john.send("/propose")
        replies = await john.share_contact("+32470123456", user_id=4242)
        assert "Step 1 of 7" not in replies.text


async def test_a_failure_gets_a_reply_in_the_residents_chosen_language_and_loses_nothing(marie, emulator):
    await marie.send("/language")
    await marie.press("English")
    await marie.send("/propose")
    await marie.send(TITLE)
    emulator.fail_next("sendMessage", 400, "Bad Request: something Telegram refused")
    # The summary is committed first; then Telegram refuses the bot's next question.
    replies = await marie.send(SUMMARY)
    assert "Sorry, something went wrong on our side" in replies.text
    assert "Step 3 of 7" not in replies.text
    replies = await marie.send("/back")  # the summary was kept, and so was the title
    assert "Step 2 of 7" in replies.text
    assert f"Current answer: {SUMMARY}" in replies.text
    replies = await marie.send("/back")
    assert f"Current answer: {TITLE}" in replies.text


async def test_submitting_clears_the_wizards_data_and_only_it(john, app):
    """The wizard ends by forgetting its own keys (draft, editing...), not another dialog's data."""
    from aiogram.fsm.storage.base import StorageKey

    key = StorageKey(bot_id=app.bot.id, chat_id=john.chat_id, user_id=john.user_id)
    await fill_until_cost(john)
    await app.dispatcher.storage.update_data(key, {"elsewhere": {"kept": True}})
    await john.send("1500")
    await john.send("/skip")
    await john.press("✅")
    data = await app.dispatcher.storage.get_data(key)
    assert data.get("elsewhere") == {"kept": True}
    assert not {"proposal", "draft", "editing_id", "stashed_draft", "return_to_review", "on_behalf"} & set(data)


async def test_cancel_keeps_the_draft_under_the_wizards_key_and_leaves_other_data(john, app):
    from aiogram.fsm.storage.base import StorageKey

    key = StorageKey(bot_id=app.bot.id, chat_id=john.chat_id, user_id=john.user_id)
    await john.send("/propose")
    await john.send(TITLE)
    await app.dispatcher.storage.update_data(key, {"elsewhere": {"kept": True}})
    replies = await john.send("/cancel")
    assert "Your draft is kept" in replies.text
    data = await app.dispatcher.storage.get_data(key)
    assert data["elsewhere"] == {"kept": True}
    assert data["proposal"]["draft"]["title"] == TITLE
    replies = await john.send("/propose")
    assert "Let's continue your draft" in replies.text and "Step 2 of 7" in replies.text


async def test_a_draft_saved_before_the_typed_state_is_continued(john, app):
    """Conversations stored by an earlier version kept the draft under loose keys."""
    from aiogram.fsm.storage.base import StorageKey

    key = StorageKey(bot_id=app.bot.id, chat_id=john.chat_id, user_id=john.user_id)
    await john.send("/start")
    await app.dispatcher.storage.set_data(key, {"draft": {"title": TITLE}, "return_to_review": False})
    replies = await john.send("/propose")
    assert "Let's continue your draft" in replies.text and "Step 2 of 7" in replies.text
    await john.send(SUMMARY)
    data = await app.dispatcher.storage.get_data(key)
    assert data["proposal"]["draft"]["title"] == TITLE and data["proposal"]["draft"]["summary"] == SUMMARY


async def test_residents_at_the_same_step_see_the_buttons_in_their_own_language(john, marie):
    # The wizard's keyboards are made once and shared (conversations.keyboard.inline_markup):
    # one resident's language must not leak into another's at the same step.
    for resident in (john, marie, john):
        await resident.send("/propose")
        await resident.send(TITLE)
        await resident.send(SUMMARY)
        replies = await resident.send(DESCRIPTION)
        labels = replies[-1].button_labels()
        if resident is john:
            assert labels == ["Environment", "Mobility", "⬅️ Back", "✖ Stop"]
        else:
            assert labels == ["Environnement", "Mobilité", "⬅️ Retour", "✖ Arrêter"]
        await resident.send("/cancel")
