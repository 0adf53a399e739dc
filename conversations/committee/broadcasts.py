"""/broadcast: the committee writes to residents (how the sending goes: /broadcasts, broadcast_progress.py).

| input                            | then                                                          |
|----------------------------------|---------------------------------------------------------------|
| /broadcast                       | asks for the text (state `text`), in the member's language    |
| the text                         | asks for the same text in each other language of the campaign |
|                                  | (state `translation`; /skip: they get the first text)         |
| a translation, or /skip          | asks for an optional photo (state `photo`)                    |
| a photo, or /skip                | the audiences with their numbers of recipients (`audience`)   |
| an audience button               | a preview in each language, the number of recipients, and     |
|                                  | ✅ Send / ✖ Cancel (state `confirm`)                           |
| ✅ Send                           | queued, one delivery per recipient (the broadcaster sends it  |
|                                  | at its pace); the audit log records it                        |
| /cancel, ✖ Cancel                | nothing is sent                                               |

The text keeps the formatting the member typed (bold, italics, links: Telegram's own), and
anything that looks like HTML is shown as typed. Every resident gets it in their language,
with the line saying how to stop announcements.

```mermaid
stateDiagram-v2
    [*] --> text: /broadcast
    text --> translation: the text (the campaign has other languages)
    text --> photo: the text (one language)
    translation --> translation: a translation or /skip (more languages to go)
    translation --> photo: the last translation or /skip
    photo --> audience: a photo or /skip
    audience --> confirm: an audience button
    confirm --> [*]: ✅ Send or ✖ Cancel
    text --> [*]: /cancel
    translation --> [*]: /cancel
    photo --> [*]: /cancel
    audience --> [*]: /cancel
    confirm --> [*]: /cancel
```
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ForceReply, Message
from aiogram.utils.i18n import I18n, gettext as _, ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from campaign.clock import Clock
from campaign.schema import AUDIENCES, Campaign
from conversations.committee.broadcast_texts import audience_label, language_name, texts_for, visible_length
from conversations.committee.common import (
    chat_of,
    committee_button,
    drop_buttons,
    leave_dialog,
    members_only,
    not_a_command,
)
from conversations.figures import number
from conversations.filters import photo as a_photo, plain_text
from storage.repositories import Repositories, User
from storage.repositories.verification import utc

log = logging.getLogger(__name__)
router = members_only(Router(name="committee_broadcasts"))

MAX_TEXT = 3500  # characters typed; Telegram takes 4096 with the formatting and our last line
CAPTION_LIMIT = 1024  # a photo's caption


class BroadcastDialog(StatesGroup):
    text = State()  # the message, in the member's language
    translation = State()  # the same message in another language of the campaign
    photo = State()  # an optional photo
    audience = State()  # who gets it
    confirm = State()  # the preview, before sending


@committee_button
class AudienceChoice(CallbackData, prefix="cbaud"):
    audience: str


@committee_button
class BroadcastConfirm(CallbackData, prefix="cbok"):
    action: str  # send | cancel


async def leave_dialogs(state: FSMContext) -> None:
    """A committee command drops a question in progress: the review's, or a broadcast being written."""
    await leave_dialog(state)
    if (await state.get_state() or "").startswith("BroadcastDialog:"):
        await state.set_state(None)
        await state.update_data(broadcast=None)


# --- writing the message ------------------------------------------------------------------------


async def _draft(state: FSMContext) -> dict:
    return dict((await state.get_data()).get("broadcast") or {})


async def _save(state: FSMContext, draft: dict) -> None:
    await state.update_data(broadcast=draft)


def _ask(text: str) -> dict:
    # ForceReply: in the committee group, the bot (in privacy mode) only sees replies to it.
    return {"text": text + "\n" + _("Or /cancel."), "reply_markup": ForceReply(selective=True)}


@router.message(Command("broadcast"))
async def broadcast_command(message: Message, bot: Bot, state: FSMContext, user: User) -> None:
    await leave_dialogs(state)
    await state.set_state(BroadcastDialog.text)
    await _save(state, {"first": user.language, "texts": {}, "pending": [], "photo": None, "audience": None})
    await bot.send_message(
        message.chat.id,
        **_ask(
            _(
                "Type the message for residents, in {language} (up to {maximum} characters). "
                "Bold, italics and links are kept as you format them."
            ).format(language=language_name(user.language), maximum=number(MAX_TEXT))
        ),
    )


def _too_long(message: Message) -> bool:
    return len(message.text or "") > MAX_TEXT


@router.message(BroadcastDialog.text, plain_text)
async def text_typed(message: Message, bot: Bot, state: FSMContext, campaign: Campaign) -> None:
    if _too_long(message):
        await bot.send_message(
            message.chat.id,
            _("That is {length} characters: at most {maximum}, please. Type it again, or /cancel.").format(
                length=number(len(message.text or "")), maximum=number(MAX_TEXT)
            ),
        )
        return
    draft = await _draft(state)
    first = draft.get("first") or campaign.default_language
    draft["texts"] = {first: message.html_text}
    draft["pending"] = [code for code in campaign.languages if code != first]
    await _save(state, draft)
    await _next_question(bot, message.chat.id, state, draft)


async def _next_question(bot: Bot, chat_id: int, state: FSMContext, draft: dict) -> None:
    pending = draft.get("pending") or []
    if pending:
        await state.set_state(BroadcastDialog.translation)
        await bot.send_message(
            chat_id,
            **_ask(
                _(
                    "The same message in {language}, for residents who use the bot in {language}? Type it, "
                    "or /skip to send them the text above."
                ).format(language=language_name(pending[0]))
            ),
        )
        return
    await state.set_state(BroadcastDialog.photo)
    await bot.send_message(chat_id, **_ask(_("Add a photo? Send it, or /skip to send the message without a photo.")))


@router.message(BroadcastDialog.translation, plain_text)
async def translation_typed(message: Message, bot: Bot, state: FSMContext) -> None:
    if _too_long(message):
        await bot.send_message(
            message.chat.id,
            _("That is {length} characters: at most {maximum}, please. Type it again, or /cancel.").format(
                length=number(len(message.text or "")), maximum=number(MAX_TEXT)
            ),
        )
        return
    draft = await _draft(state)
    pending = list(draft.get("pending") or [])
    if not pending:
        await _next_question(bot, message.chat.id, state, draft)
        return
    draft["texts"] = {**(draft.get("texts") or {}), pending[0]: message.html_text}
    draft["pending"] = pending[1:]
    await _save(state, draft)
    await _next_question(bot, message.chat.id, state, draft)


@router.message(BroadcastDialog.translation, Command("skip"))
async def translation_skipped(message: Message, bot: Bot, state: FSMContext) -> None:
    draft = await _draft(state)
    draft["pending"] = list(draft.get("pending") or [])[1:]
    await _save(state, draft)
    await _next_question(bot, message.chat.id, state, draft)


@router.message(BroadcastDialog.photo, a_photo)
async def photo_sent(
    message: Message, bot: Bot, state: FSMContext, repos: Repositories, campaign: Campaign, i18n: I18n
) -> None:
    draft = await _draft(state)
    longest = max((visible_length(text) for text in texts_for(draft, campaign, i18n).values()), default=0)
    if longest > CAPTION_LIMIT:
        await bot.send_message(
            message.chat.id,
            _(
                "Under a photo Telegram shows at most {maximum} characters, and this message has {length}. "
                "Send /skip to send it without the photo, or /cancel and write a shorter one."
            ).format(maximum=number(CAPTION_LIMIT), length=number(longest)),
        )
        return
    assert message.photo
    draft["photo"] = message.photo[-1].file_id
    await _save(state, draft)
    await _ask_audience(bot, message.chat.id, state, repos, campaign)


@router.message(BroadcastDialog.photo, Command("skip"))
async def photo_skipped(message: Message, bot: Bot, state: FSMContext, repos: Repositories, campaign: Campaign) -> None:
    draft = await _draft(state)
    draft["photo"] = None
    await _save(state, draft)
    await _ask_audience(bot, message.chat.id, state, repos, campaign)


async def _ask_audience(bot: Bot, chat_id: int, state: FSMContext, repos: Repositories, campaign: Campaign) -> None:
    await state.set_state(BroadcastDialog.audience)
    builder = InlineKeyboardBuilder()
    for audience in AUDIENCES:
        count = await repos.statistics.recipients(campaign.id, audience)
        builder.button(
            text=_("{audience} ({count})").format(audience=audience_label(audience).capitalize(), count=number(count)),
            callback_data=AudienceChoice(audience=audience),
        )
    builder.adjust(1)
    await bot.send_message(
        chat_id,
        _("Who should receive it? (In brackets: how many residents, among those who accept announcements.)"),
        reply_markup=builder.as_markup(),
    )


@router.callback_query(AudienceChoice.filter(F.audience.in_(AUDIENCES)))
async def audience_chosen(
    query: CallbackQuery,
    callback_data: AudienceChoice,
    bot: Bot,
    state: FSMContext,
    repos: Repositories,
    campaign: Campaign,
    i18n: I18n,
) -> None:
    if await state.get_state() not in (BroadcastDialog.audience.state, BroadcastDialog.confirm.state):
        await query.answer(
            _("This message is no longer being prepared. Send /broadcast to write one."), show_alert=True
        )
        await drop_buttons(query)
        return
    await query.answer()
    draft = await _draft(state)
    draft["audience"] = callback_data.audience
    await _save(state, draft)
    await state.set_state(BroadcastDialog.confirm)
    chat_id = chat_of(query)
    for code, text in texts_for(draft, campaign, i18n).items():
        await bot.send_message(chat_id, _("Preview — {language}:").format(language=language_name(code)))
        if draft.get("photo"):
            await bot.send_photo(chat_id, draft["photo"], caption=text)
        else:
            await bot.send_message(chat_id, text)
    count = await repos.statistics.recipients(campaign.id, callback_data.audience)
    builder = InlineKeyboardBuilder()
    builder.button(
        text=ngettext("✅ Send to {count} resident", "✅ Send to {count} residents", count).format(count=number(count)),
        callback_data=BroadcastConfirm(action="send"),
    )
    builder.button(text=_("✖ Cancel"), callback_data=BroadcastConfirm(action="cancel"))
    builder.adjust(1)
    await bot.send_message(
        chat_id,
        ngettext(
            "This message goes to {count} resident: {audience}. They get it in their language. Send it?",
            "This message goes to {count} residents: {audience}. Each gets it in their language. Send it?",
            count,
        ).format(count=number(count), audience=audience_label(callback_data.audience)),
        reply_markup=builder.as_markup(),
    )


@router.callback_query(BroadcastConfirm.filter(F.action == "cancel"))
async def cancel_pressed(query: CallbackQuery, state: FSMContext) -> None:
    if (await state.get_state() or "").startswith("BroadcastDialog:"):
        await state.set_state(None)
        await state.update_data(broadcast=None)
    await query.answer(_("Nothing was sent."))
    await drop_buttons(query)


@router.callback_query(BroadcastConfirm.filter(F.action == "send"))
async def send_pressed(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    user: User,
    repos: Repositories,
    campaign: Campaign,
    clock: Clock,
    i18n: I18n,
    broadcaster: object | None = None,
) -> None:
    draft = await _draft(state)
    if (
        await state.get_state() != BroadcastDialog.confirm.state
        or draft.get("audience") not in AUDIENCES
        or not draft.get("texts")
    ):
        await query.answer(
            _("This message is no longer being prepared. Send /broadcast to write one."), show_alert=True
        )
        await drop_buttons(query)
        return
    now = utc(clock.now())
    broadcast = await repos.broadcasts.queue(
        campaign.id,
        kind="message",
        audience=draft["audience"],
        text=texts_for(draft, campaign, i18n),
        now=now,
        photo=draft.get("photo"),
        created_by=user.telegram_id,
    )
    assert broadcast is not None  # only keyed broadcasts can be refused
    await repos.audit.record(
        campaign.id,
        user.telegram_id,
        "broadcast_queued",
        now,
        target=f"broadcast:{broadcast.id}",
        audience=broadcast.audience,
        count=broadcast.recipients,
    )
    await state.set_state(None)
    await state.update_data(broadcast=None)
    await repos.session.commit()  # queued for good before the broadcaster looks
    wake(broadcaster)
    await query.answer(_("Queued."))
    await drop_buttons(query)
    await bot.send_message(
        chat_of(query),
        ngettext(
            "Queued as broadcast #{number} for {count} resident; it is sent at a steady pace. Send /broadcasts to follow it.",
            "Queued as broadcast #{number} for {count} residents; it is sent at a steady pace. Send /broadcasts to follow it.",
            broadcast.recipients,
        ).format(number=broadcast.id, count=number(broadcast.recipients)),
    )


def wake(broadcaster: object | None) -> None:
    """Tell the broadcaster (when this process runs one) that something is queued."""
    wake_up = getattr(broadcaster, "wake", None)
    if callable(wake_up):
        wake_up()


# --- leaving, and answers that do not fit ------------------------------------------------------------


@router.message(StateFilter(BroadcastDialog), Command("cancel"))
async def cancel(message: Message, bot: Bot, state: FSMContext) -> None:
    await state.set_state(None)
    await state.update_data(broadcast=None)
    await bot.send_message(message.chat.id, _("Stopped: nothing was sent."))


@router.message(BroadcastDialog.text, not_a_command)
@router.message(BroadcastDialog.translation, not_a_command)
async def not_text(message: Message, bot: Bot) -> None:
    await bot.send_message(
        message.chat.id, _("Please type the message as text (you can add a photo next), or /cancel.")
    )


@router.message(BroadcastDialog.photo, not_a_command)
async def not_a_photo(message: Message, bot: Bot) -> None:
    await bot.send_message(
        message.chat.id, _("Please send a photo, or /skip to send the message without one, or /cancel.")
    )


@router.message(StateFilter(BroadcastDialog.audience, BroadcastDialog.confirm), not_a_command)
async def use_the_buttons(message: Message, bot: Bot) -> None:
    await bot.send_message(message.chat.id, _("Please answer with the buttons above, or /cancel."))
