"""The Bot API emulator against aiogram's real HTTP session, with a tiny throw-away bot."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from tests.emulator import BotAPIEmulator, Resident

TOKEN = "123456:TEST-emulator-token"
PNG = b"\x89PNG\r\n\x1a\nfake-chart"


def build_dispatcher() -> Dispatcher:
    router = Router()

    @router.message(Command("start"))
    async def start(message: Message, command: CommandObject) -> None:
        name = html.escape(message.from_user.first_name if message.from_user else "")
        args = html.escape(command.args or "")  # user input: unescaped "<" is a Bad Request
        await message.answer(f"Bonjour <b>{name}</b> ({args})", parse_mode="HTML")

    @router.message(Command("menu"))
    async def menu(message: Message) -> None:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text="Vote pour A", callback_data="vote:a")],
                [InlineKeyboardButton(text="Site", url="https://example.org")],
            ]
        )
        await message.answer("Choisissez", reply_markup=keyboard)

    @router.callback_query(F.data.startswith("vote:"))
    async def vote(query: CallbackQuery) -> None:
        if isinstance(query.message, Message):
            await query.message.edit_text(f"Vote enregistré: {query.data}")
        else:
            await query.answer("Message trop ancien", show_alert=True)
            return
        await query.answer("Merci")

    @router.message(Command("photo"))
    async def photo(message: Message) -> None:
        await message.answer_photo(BufferedInputFile(PNG, "chart.png"), caption="Résultats")

    @router.message(Command("phone"))
    async def ask_phone(message: Message) -> None:
        keyboard = ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text="📱 Partager mon numéro", request_contact=True)]], resize_keyboard=True
        )
        await message.answer("Partagez votre numéro", reply_markup=keyboard)

    @router.message(F.contact)
    async def contact(message: Message) -> None:
        assert message.contact and message.from_user
        own = message.contact.user_id == message.from_user.id
        verdict = "vérifié" if own else "refusé"
        await message.answer(f"{message.contact.phone_number} {verdict}", reply_markup=ReplyKeyboardRemove())

    @router.message(F.document)
    async def document(message: Message, bot: Bot) -> None:
        assert message.document
        data = await bot.download(message.document)
        assert data is not None
        await message.answer(f"Reçu {message.document.file_name}: {data.read().decode()}")

    @router.message(Command("temp"))
    async def temp(message: Message) -> None:
        note = await message.answer("Un instant…")
        await note.delete()
        await message.answer("Fini")

    @router.message(Command("where"))
    async def where(message: Message) -> None:
        await message.answer_location(48.8566, 2.3522)

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dp = Dispatcher()
    dp.include_router(router)
    return dp


async def close_quickly(bot: Bot) -> None:
    # AiohttpSession.close() sleeps 250 ms so TLS connections can shut down; plain HTTP to
    # the emulator does not need it, and those sleeps were most of this file's runtime.
    client = getattr(bot.session, "_session", None)
    if client is not None:
        await client.close()


@pytest.fixture
async def emulator() -> AsyncIterator[BotAPIEmulator]:
    async with BotAPIEmulator() as emu:
        yield emu


@pytest.fixture
async def bot(emulator: BotAPIEmulator) -> AsyncIterator[Bot]:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url)))
    yield bot
    await close_quickly(bot)


@pytest.fixture
def dp() -> Dispatcher:
    return build_dispatcher()


@pytest.fixture
def marie(emulator: BotAPIEmulator, bot: Bot, dp: Dispatcher) -> Resident:
    async def deliver(update: dict) -> None:
        await dp.feed_update(bot, Update.model_validate(update, context={"bot": bot}))

    return Resident(emulator, deliver, user_id=1001)


async def test_get_me_returns_the_bot_identity(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (424242, "pbbot_test_bot", "pbbot", True)


async def test_command_gets_entity_and_reply_is_recorded(marie: Resident, emulator: BotAPIEmulator) -> None:
    replies = await marie.send("/start abc")
    assert replies.texts == ["Bonjour <b>Marie</b> (abc)"]
    sent = replies[0]
    assert (sent.chat_id, sent.method, sent.parse_mode, sent.plain_text) == (
        1001,
        "sendMessage",
        "HTML",
        "Bonjour Marie (abc)",
    )
    # Message ids are per chat and shared with the user's own message (#1).
    assert sent.message_id == 2
    assert marie.last is sent and emulator.messages(1001) == [sent] and emulator.sent_count == 1
    assert emulator.calls[-1][0] == "sendMessage" and emulator.calls[-1][1]["chat_id"] == 1001


async def test_text_that_looks_like_json_stays_a_string(marie: Resident) -> None:
    replies = await marie.send("42")
    assert replies.texts == ["42"]


async def test_inline_button_edits_message_and_answers_callback(marie: Resident, emulator: BotAPIEmulator) -> None:
    (menu,) = await marie.send("/menu")
    assert menu.button_labels() == ["Vote pour A", "Site"]
    assert menu.buttons[0][0]["callback_data"] == "vote:a"
    with pytest.raises(AssertionError, match="no callback_data"):
        await marie.press("Site")

    replies = await marie.press("Vote")  # substring match when no exact label
    assert replies.new == [] and replies.edited == [menu]
    assert menu.text == "Vote enregistré: vote:a" and menu.edited
    # edit_text without reply_markup drops the inline keyboard, as on Telegram.
    assert menu.buttons == [] and menu.edits[0].old_text == "Choisissez"
    assert emulator.callback_answers[-1]["text"] == "Merci"


async def test_press_unknown_label_lists_available_buttons(marie: Resident) -> None:
    await marie.send("/menu")
    with pytest.raises(AssertionError, match=r"no button 'Voter B'.*Vote pour A.*Site"):
        await marie.press("Voter B")


async def test_press_data_on_unknown_message_is_inaccessible(marie: Resident, emulator: BotAPIEmulator) -> None:
    await marie.press_data("vote:z", message_id=999)
    assert emulator.callback_answers[-1]["show_alert"] is True


async def test_editing_with_same_content_is_refused(bot: Bot, emulator: BotAPIEmulator) -> None:
    message = await bot.send_message(1001, "Hello")
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(text="Hello", chat_id=1001, message_id=message.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="Hi", chat_id=1001, message_id=77)


async def test_photo_upload_is_stored_and_served(marie: Resident, bot: Bot, emulator: BotAPIEmulator) -> None:
    (sent,) = await marie.send("/photo")
    assert (sent.method, sent.photo, sent.filename, sent.caption) == ("sendPhoto", PNG, "chart.png", "Résultats")
    assert sent.file_id
    downloaded = await bot.download(sent.file_id)
    assert downloaded is not None and downloaded.read() == PNG
    # The bot can send the same photo again by file_id.
    again = await bot.send_photo(1001, sent.file_id)
    assert again.photo and again.photo[-1].file_id == sent.file_id
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(1001, "not-a-known-file-id")


async def test_document_download_via_get_file(marie: Resident) -> None:
    replies = await marie.send_document("idee.txt", "Un banc au parc".encode())
    assert replies.texts == ["Reçu idee.txt: Un banc au parc"]


async def test_reply_keyboard_contact_button(marie: Resident) -> None:
    (ask,) = await marie.send("/phone")
    assert ask.reply_keyboard == [[{"text": "📱 Partager mon numéro", "request_contact": True}]]
    with pytest.raises(AssertionError, match="phone="):
        await marie.press("Partager")
    (answer,) = await marie.press("Partager", phone="+33612345678")
    assert answer.text == "+33612345678 vérifié" and answer.removes_keyboard
    assert marie.reply_keyboard() is None
    (answer,) = await marie.share_contact("+33700000000", user_id=None)
    assert answer.text == "+33700000000 refusé"


async def test_delete_is_recorded(marie: Resident, bot: Bot) -> None:
    replies = await marie.send("/temp")
    first, second = replies.new
    assert first.deleted and replies.deleted == [first] and not second.deleted
    assert marie.last is second
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(1001, first.message_id)


async def test_unparsable_html_is_rejected(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(1001, "3 < 4", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match='Unsupported start tag "br"'):
        await bot.send_message(1001, "a<br>b", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="unsupported parse_mode"):  # the bot speaks HTML only
        await bot.send_message(1001, "*Fin*", parse_mode="MarkdownV2")
    sent = await bot.send_message(1001, "<b>3 &lt; 4</b>", parse_mode="HTML")
    assert sent.text == "3 < 4"


async def test_oversized_callback_data_is_rejected(bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="d" * 65)]])
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(1001, "hi", reply_markup=keyboard)


async def test_rate_limit_answers_429_retry_after(bot: Bot, emulator: BotAPIEmulator) -> None:
    emulator.rate_limit_per_second = 2
    await bot.send_message(1001, "one")
    await bot.send_message(1001, "two")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(1001, "three")
    assert caught.value.retry_after == 1 and emulator.too_many_requests == 1 and emulator.sent_count == 2


async def test_blocked_chat_is_forbidden(bot: Bot, emulator: BotAPIEmulator) -> None:
    emulator.blocked_chats.add(2002)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(2002, "hello?")
    assert emulator.messages(2002) == []


async def test_fail_next_injects_errors_once(bot: Bot, emulator: BotAPIEmulator) -> None:
    emulator.fail_next("sendMessage", 429, retry_after=7)
    emulator.fail_next("sendMessage", 400, "Bad Request: chat not found")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(1001, "a")
    assert caught.value.retry_after == 7
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(1001, "a")
    await bot.send_message(1001, "a")
    assert emulator.sent_count == 1


async def test_get_updates_long_polls_and_confirms_by_offset(bot: Bot, emulator: BotAPIEmulator) -> None:
    first = emulator.push_update(
        {"message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "a"}}
    )
    second = emulator.push_update(
        {"message": {"message_id": 2, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "b"}}
    )
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [first["update_id"], second["update_id"]]
    assert [u.update_id for u in await bot.get_updates(offset=second["update_id"], timeout=0)] == [second["update_id"]]

    polling = asyncio.create_task(bot.get_updates(offset=second["update_id"] + 1, timeout=5))
    await asyncio.sleep(0.05)
    assert not polling.done()  # the request is held open until an update arrives
    third = emulator.push_update(
        {"message": {"message_id": 3, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "c"}}
    )
    updates = await asyncio.wait_for(polling, 2)
    assert [u.update_id for u in updates] == [third["update_id"]]
    assert emulator.pending_updates() == [third]


async def test_dispatcher_polling_handles_pushed_update(bot: Bot, dp: Dispatcher, emulator: BotAPIEmulator) -> None:
    async def push(update: dict) -> None:
        emulator.push_update(update)

    paul = Resident(emulator, push, user_id=3003, first_name="Paul")
    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=1)
    )
    try:
        await paul.send("/start polling")
        (reply,) = await emulator.wait_for_messages(3003, 1, timeout=5)
        assert reply.plain_text == "Bonjour Paul (polling)"
    finally:
        await asyncio.wait_for(dp.stop_polling(), 5)
        await asyncio.wait_for(polling, 5)


async def test_raw_http_unknown_method_and_json_body(emulator: BotAPIEmulator) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{emulator.base_url}/bot{TOKEN}/frobnicate") as resp:
            assert resp.status == 404
            assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        body = {
            "chat_id": 1001,
            "text": "json body",
            "reply_markup": {"inline_keyboard": [[{"text": "k", "callback_data": "k"}]]},
        }
        async with http.post(f"{emulator.base_url}/bot{TOKEN}/sendMessage", json=body) as resp:
            payload = await resp.json()
    assert payload["ok"] and payload["result"]["text"] == "json body"
    assert emulator.last_message(1001).button_labels() == ["k"]  # type: ignore[union-attr]


async def test_answering_a_callback_twice_is_refused(marie: Resident, bot: Bot, emulator: BotAPIEmulator) -> None:
    await marie.send("/menu")
    await marie.press("Vote pour A")
    query_id = emulator.callback_answers[-1]["callback_query_id"]
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)


async def test_keep_messages_false_only_counts() -> None:
    async with BotAPIEmulator(keep_messages=False) as emu:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))
        try:
            for i in range(5):
                await bot.send_message(1000 + i, f"n{i}")
        finally:
            await close_quickly(bot)
    assert emu.sent_count == 5 and emu.messages() == [] and emu.events == []


async def test_group_resident_location_and_get_chat(
    emulator: BotAPIEmulator, bot: Bot, dp: Dispatcher, marie: Resident
) -> None:
    async def deliver(update: dict) -> None:
        await dp.feed_update(bot, Update.model_validate(update, context={"bot": bot}))

    luc = Resident(emulator, deliver, user_id=7007, first_name="Luc", chat_id=-100123)
    (located,) = await luc.send("/where@pbbot_test_bot")
    assert (located.chat_id, located.method, located.location) == (-100123, "sendLocation", (48.8566, 2.3522))
    assert (await bot.get_chat(-100123)).type == "group"
    await marie.send("/start")
    assert (await bot.get_chat(1001)).first_name == "Marie"  # learned from her updates
    replies = await marie.send("/start <x>")
    assert replies.plain_text == "Bonjour Marie (<x>)"


async def test_bench_mode_accepts_media_without_storing() -> None:
    async with BotAPIEmulator(keep_messages=False) as emu:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))
        try:
            sent = await bot.send_photo(1, BufferedInputFile(PNG, "p.png"))
            await bot.send_photo(2, "some-file-id-from-production")
            edited = await bot.edit_message_text(text="x", chat_id=1, message_id=sent.message_id)
        finally:
            await close_quickly(bot)
    assert emu.sent_count == 2 and emu.files == {} and isinstance(edited, Message)


def test_inaccessible_message_shape_validates() -> None:
    # press_data on an unknown message relies on aiogram reading date=0 as InaccessibleMessage.
    query = CallbackQuery.model_validate(
        {
            "id": "1",
            "from": {"id": 1, "is_bot": False, "first_name": "M"},
            "chat_instance": "c",
            "message": {"message_id": 9, "date": 0, "chat": {"id": 1, "type": "private"}},
            "data": "x",
        }
    )
    assert isinstance(query.message, InaccessibleMessage)
