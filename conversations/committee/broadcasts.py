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
| /cancel, ✖ Cancel                | nothing is sent (/cancel: conversations.dialog_state)         |

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

from pydantic import BaseModel

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ForceReply, Message
from aiogram.utils.i18n import gettext as _, ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from campaign.schema import AUDIENCES
from conversations.committee.broadcast_texts import audience_label, language_name, texts_for, visible_length
from conversations.committee.common import (
    BROADCAST_KEY,
    committee_button,
    drop_buttons,
    leave_dialogs,
    members_only,
    not_a_command,
    wake,
)
from conversations.context import Ctx
from conversations.dialog_state import DialogState
from conversations.figures import number
from conversations.filters import photo as a_photo, plain_text
from storage.repositories.verification import utc

MAX_TEXT = 3500  # characters typed; Telegram takes 4096 with the formatting and our last line
CAPTION_LIMIT = 1024  # a photo's caption


class BroadcastDialog(StatesGroup):
    text = State()  # the message, in the member's language
    translation = State()  # the same message in another language of the campaign
    photo = State()  # an optional photo
    audience = State()  # who gets it
    confirm = State()  # the preview, before sending


class BroadcastDraft(BaseModel):
    """The message being written: its text in each language typed so far, and what is left."""

    first: str = ""  # the language typed first (the member's)
    texts: dict[str, str] = {}  # language -> the text as typed (Telegram's HTML)
    pending: list[str] = []  # the languages still to ask a translation for
    photo: str | None = None  # a file id
    audience: str | None = None

    def texts_for(self, ctx: Ctx) -> dict[str, str]:
        return texts_for(self.texts, self.first or ctx.campaign.default_language, ctx.campaign, ctx.i18n)


DRAFT = DialogState(BroadcastDialog, BROADCAST_KEY, BroadcastDraft, stopped=lambda: _("Stopped: nothing was sent."))


@committee_button
class AudienceChoice(CallbackData, prefix="cbaud"):
    audience: str


@committee_button
class BroadcastConfirm(CallbackData, prefix="cbok"):
    action: str  # send | cancel


# --- writing the message ------------------------------------------------------------------------


def _ask(text: str) -> dict:
    # ForceReply: in the committee group, the bot (in privacy mode) only sees replies to it.
    return {"text": text + "\n" + _("Or /cancel."), "reply_markup": ForceReply(selective=True)}


async def broadcast_command(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await leave_dialogs(state)
    await DRAFT.enter(state, BroadcastDialog.text, BroadcastDraft(first=ctx.user.language))
    await ctx.bot.send_message(
        ctx.chat_id,
        **_ask(
            _(
                "Type the message for residents, in {language} (up to {maximum} characters). "
                "Bold, italics and links are kept as you format them."
            ).format(language=language_name(ctx.user.language), maximum=number(MAX_TEXT))
        ),
    )


async def _too_long(message: Message, ctx: Ctx) -> bool:
    """Says so if the message is longer than a broadcast may be."""
    length = len(message.text or "")
    if length <= MAX_TEXT:
        return False
    await ctx.bot.send_message(
        ctx.chat_id,
        _("That is {length} characters: at most {maximum}, please. Type it again, or /cancel.").format(
            length=number(length), maximum=number(MAX_TEXT)
        ),
    )
    return True


async def text_typed(message: Message, ctx: Ctx, state: FSMContext) -> None:
    if await _too_long(message, ctx):
        return
    draft = await DRAFT.load(state)
    first = draft.first or ctx.campaign.default_language
    draft.texts = {first: message.html_text}
    draft.pending = [code for code in ctx.campaign.languages if code != first]
    await DRAFT.save(state, draft)
    await _next_question(ctx, state, draft)


async def _next_question(ctx: Ctx, state: FSMContext, draft: BroadcastDraft) -> None:
    if draft.pending:
        await state.set_state(BroadcastDialog.translation)
        await ctx.bot.send_message(
            ctx.chat_id,
            **_ask(
                _(
                    "The same message in {language}, for residents who use the bot in {language}? Type it, "
                    "or /skip to send them the text above."
                ).format(language=language_name(draft.pending[0]))
            ),
        )
        return
    await state.set_state(BroadcastDialog.photo)
    await ctx.bot.send_message(
        ctx.chat_id, **_ask(_("Add a photo? Send it, or /skip to send the message without a photo."))
    )


async def translation_typed(message: Message, ctx: Ctx, state: FSMContext) -> None:
    if await _too_long(message, ctx):
        return
    draft = await DRAFT.load(state)
    if draft.pending:
        draft.texts = {**draft.texts, draft.pending[0]: message.html_text}
        draft.pending = draft.pending[1:]
        await DRAFT.save(state, draft)
    await _next_question(ctx, state, draft)


async def translation_skipped(message: Message, ctx: Ctx, state: FSMContext) -> None:
    draft = await DRAFT.update(state, pending=(await DRAFT.load(state)).pending[1:])
    await _next_question(ctx, state, draft)


async def photo_sent(message: Message, ctx: Ctx, state: FSMContext) -> None:
    draft = await DRAFT.load(state)
    longest = max((visible_length(text) for text in draft.texts_for(ctx).values()), default=0)
    if longest > CAPTION_LIMIT:
        await ctx.bot.send_message(
            ctx.chat_id,
            _(
                "Under a photo Telegram shows at most {maximum} characters, and this message has {length}. "
                "Send /skip to send it without the photo, or /cancel and write a shorter one."
            ).format(maximum=number(CAPTION_LIMIT), length=number(longest)),
        )
        return
    assert message.photo
    await DRAFT.update(state, photo=message.photo[-1].file_id)
    await _ask_audience(ctx, state)


async def photo_skipped(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await DRAFT.update(state, photo=None)
    await _ask_audience(ctx, state)


async def _ask_audience(ctx: Ctx, state: FSMContext) -> None:
    await state.set_state(BroadcastDialog.audience)
    builder = InlineKeyboardBuilder()
    for audience in AUDIENCES:
        count = await ctx.repos.statistics.recipients(ctx.campaign.id, audience)
        builder.button(
            text=_("{audience} ({count})").format(audience=audience_label(audience).capitalize(), count=number(count)),
            callback_data=AudienceChoice(audience=audience),
        )
    builder.adjust(1)
    await ctx.bot.send_message(
        ctx.chat_id,
        _("Who should receive it? (In brackets: how many residents, among those who accept announcements.)"),
        reply_markup=builder.as_markup(),
    )


async def _no_longer_prepared(query: CallbackQuery) -> None:
    await query.answer(_("This message is no longer being prepared. Send /broadcast to write one."), show_alert=True)
    await drop_buttons(query)


async def audience_chosen(query: CallbackQuery, ctx: Ctx, callback_data: AudienceChoice, state: FSMContext) -> None:
    if await state.get_state() not in (BroadcastDialog.audience.state, BroadcastDialog.confirm.state):
        await _no_longer_prepared(query)
        return
    await query.answer()
    draft = await DRAFT.update(state, audience=callback_data.audience)
    await state.set_state(BroadcastDialog.confirm)
    for code, text in draft.texts_for(ctx).items():
        await ctx.bot.send_message(ctx.chat_id, _("Preview — {language}:").format(language=language_name(code)))
        if draft.photo:
            await ctx.bot.send_photo(ctx.chat_id, draft.photo, caption=text)
        else:
            await ctx.bot.send_message(ctx.chat_id, text)
    count = await ctx.repos.statistics.recipients(ctx.campaign.id, callback_data.audience)
    builder = InlineKeyboardBuilder()
    builder.button(
        text=ngettext("✅ Send to {count} resident", "✅ Send to {count} residents", count).format(count=number(count)),
        callback_data=BroadcastConfirm(action="send"),
    )
    builder.button(text=_("✖ Cancel"), callback_data=BroadcastConfirm(action="cancel"))
    builder.adjust(1)
    await ctx.bot.send_message(
        ctx.chat_id,
        ngettext(
            "This message goes to {count} resident: {audience}. They get it in their language. Send it?",
            "This message goes to {count} residents: {audience}. Each gets it in their language. Send it?",
            count,
        ).format(count=number(count), audience=audience_label(callback_data.audience)),
        reply_markup=builder.as_markup(),
    )


async def cancel_pressed(query: CallbackQuery, state: FSMContext) -> None:
    if DRAFT.owns(await state.get_state()):
        await DRAFT.end(state)
    await query.answer(_("Nothing was sent."))
    await drop_buttons(query)


async def send_pressed(query: CallbackQuery, ctx: Ctx, state: FSMContext, broadcaster: object | None = None) -> None:
    draft = await DRAFT.load(state)
    if await state.get_state() != BroadcastDialog.confirm.state or draft.audience not in AUDIENCES or not draft.texts:
        await _no_longer_prepared(query)
        return
    campaign, who = ctx.campaign, ctx.user.telegram_id
    now = utc(ctx.clock.now())
    broadcast = await ctx.repos.broadcasts.queue(
        campaign.id,
        kind="message",
        audience=draft.audience,
        text=draft.texts_for(ctx),
        now=now,
        photo=draft.photo,
        created_by=who,
    )
    assert broadcast is not None  # only keyed broadcasts can be refused
    await ctx.repos.audit.record(
        campaign.id,
        who,
        "broadcast_queued",
        now,
        target=f"broadcast:{broadcast.id}",
        audience=broadcast.audience,
        count=broadcast.recipients,
    )
    await DRAFT.end(state)
    await ctx.repos.session.commit()  # queued for good before the broadcaster looks
    wake(broadcaster)
    await query.answer(_("Queued."))
    await drop_buttons(query)
    await ctx.bot.send_message(
        ctx.chat_id,
        ngettext(
            "Queued as broadcast #{number} for {count} resident; it is sent at a steady pace. Send /broadcasts to follow it.",
            "Queued as broadcast #{number} for {count} residents; it is sent at a steady pace. Send /broadcasts to follow it.",
            broadcast.recipients,
        ).format(number=broadcast.id, count=number(broadcast.recipients)),
    )


# --- answers that do not fit ---------------------------------------------------------------------


async def not_text(message: Message, ctx: Ctx) -> None:
    await ctx.bot.send_message(
        ctx.chat_id, _("Please type the message as text (you can add a photo next), or /cancel.")
    )


async def not_a_photo(message: Message, ctx: Ctx) -> None:
    await ctx.bot.send_message(
        ctx.chat_id, _("Please send a photo, or /skip to send the message without one, or /cancel.")
    )


async def use_the_buttons(message: Message, ctx: Ctx) -> None:
    await ctx.bot.send_message(ctx.chat_id, _("Please answer with the buttons above, or /cancel."))


def router() -> Router:
    r = members_only(Router(name="committee_broadcasts"))
    r.message.register(broadcast_command, Command("broadcast"))
    r.message.register(text_typed, BroadcastDialog.text, plain_text)
    r.message.register(translation_typed, BroadcastDialog.translation, plain_text)
    r.message.register(translation_skipped, BroadcastDialog.translation, Command("skip"))
    r.message.register(photo_sent, BroadcastDialog.photo, a_photo)
    r.message.register(photo_skipped, BroadcastDialog.photo, Command("skip"))
    r.callback_query.register(audience_chosen, AudienceChoice.filter(F.audience.in_(AUDIENCES)))
    r.callback_query.register(cancel_pressed, BroadcastConfirm.filter(F.action == "cancel"))
    r.callback_query.register(send_pressed, BroadcastConfirm.filter(F.action == "send"))
    r.message.register(not_text, StateFilter(BroadcastDialog.text, BroadcastDialog.translation), not_a_command)
    r.message.register(not_a_photo, BroadcastDialog.photo, not_a_command)
    r.message.register(use_the_buttons, StateFilter(BroadcastDialog.audience, BroadcastDialog.confirm), not_a_command)
    return r
