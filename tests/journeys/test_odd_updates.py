"""Odd updates get no reply or a clear one, never an exception (issue 8)."""

from __future__ import annotations

import logging

import aiohttp

from tests.journeys.test_webhook import HOOK_PATH, SECRET, USER_ID, hook_settings, http, start_message  # noqa: F401

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


async def test_a_malformed_webhook_body_gets_400_and_one_log_line(
    http: aiohttp.ClientSession, emulator, caplog
) -> None:
    caplog.set_level(logging.WARNING)
    for body in (b"{not json", b"[1, 2]", b'{"update_id": "x"}', b'{"message": {"text": 1}}'):
        async with http.post(HOOK_PATH, data=body, headers={**HEADERS, "Content-Type": "application/json"}) as response:
            assert response.status == 400, body
    refused = [r for r in caplog.records if r.name == "bot.webhook_input"]
    assert len(refused) == 4 and all("not an update" in r.getMessage() for r in refused)
    assert not any(r.levelno >= logging.ERROR for r in caplog.records)
    # Without the secret it is still 401, and a good update still works.
    async with http.post(HOOK_PATH, data=b"{not json") as response:
        assert response.status == 401
    async with http.post(HOOK_PATH, json=start_message(7), headers=HEADERS) as response:
        assert response.status == 200
    assert "Bonjour" in (await emulator.wait_for_messages(USER_ID, 1))[0].text


async def test_a_button_with_a_20_digit_number_gets_a_clear_answer(app, marie, john, emulator, caplog):
    for data in (
        "vpick:12345678901234567890",
        "myprop:99999999999",
        "crev:eligible:12345678901234567890:1",
        "vnav:-99999999999",
    ):
        await john.press_data(data)
        assert emulator.callback_answers[-1]["text"] == "This button is no longer active. Send /start for the menu."
    await marie.press_data("cfin:12345678901234567890:0")
    assert emulator.callback_answers[-1]["text"] == "Ce bouton n'est plus actif. Envoyez /start pour le menu."
    assert not [r for r in caplog.records if r.name == "bot.errors"]


async def test_edited_messages_channel_posts_and_senderless_messages_raise_nothing(app, emulator, caplog):
    from tests.conftest import deliver_to

    deliver = deliver_to(app)
    chat = {"id": USER_ID, "type": "private", "first_name": "Marie"}
    user = {"id": USER_ID, "is_bot": False, "first_name": "Marie", "language_code": "fr"}
    channel = {"id": -1001234, "type": "channel", "title": "Town news"}
    group = {"id": -1009000, "type": "supergroup", "title": "Committee"}
    anonymous_admin = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
    await deliver(
        {
            "update_id": 1,
            "edited_message": {"message_id": 1, "date": 1, "edit_date": 2, "chat": chat, "from": user, "text": "/vote"},
        }
    )
    await deliver(
        {
            "update_id": 2,
            "channel_post": {"message_id": 1, "date": 1, "chat": channel, "sender_chat": channel, "text": "/start"},
        }
    )
    await deliver(
        {
            "update_id": 3,
            "message": {
                "message_id": 2,
                "date": 1,
                "chat": group,
                "sender_chat": group,
                "from": anonymous_admin,
                "text": "/codes 3",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
    )
    await deliver(
        {"update_id": 4, "message": {"message_id": 3, "date": 1, "chat": group, "sender_chat": group, "text": "hello"}}
    )
    assert not [r for r in caplog.records if r.name == "bot.errors"]
    assert emulator.messages(USER_ID) == [] and emulator.messages(-1001234) == []
    # The anonymous admin is not known as a committee member: a clear refusal, no codes.
    assert [m.text for m in emulator.messages(-1009000)] == [
        "Seuls les membres du comité peuvent créer des codes d'invitation."
    ]
