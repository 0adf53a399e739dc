"""🖊 Edit, from a /review sheet: the committee rewrites one field of a project.

| input                  | then                                                                  |
|------------------------|-----------------------------------------------------------------------|
| 🖊 Edit                 | a button per field                                                    |
| a field button         | its new value (state `value`), or a category button                   |
| the value / a category | a new revision, the author is told what changed, the sheet again      |
| /cancel                | nothing changes (conversations.dialog_state)                          |

```mermaid
stateDiagram-v2
    [*] --> value: 🖊 Edit, then a field's button (the category: its buttons instead)
    value --> value: a value that is not valid
    value --> [*]: a valid value (a new revision, the author is told)
    value --> [*]: /cancel, or another committee command
```
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from campaign import fields
from campaign.proposal import Proposal
from campaign.review import ReviewAction
from campaign.schema import Campaign, pick
from conversations.committee.common import (
    EDITABLE_FIELDS,
    EditDialog,
    committee_button,
    drop_buttons,
    field_label,
    leave_dialog,
    members_only,
    not_a_command,
    shorten,
    tell_author,
)
from conversations.committee.decisions import ask, decided, not_text
from conversations.committee.revisions import allowed_in_chat, allowed_on_button, decidable
from conversations.committee.sheet import ReviewButton, send_sheet
from conversations.context import Ctx
from conversations.dialog_state import DialogState
from conversations.filters import plain_text
from conversations.render import category_name, field_error, location_text, money


@dataclass
class FieldEdit:
    """Which field of which project the committee is rewriting."""

    proposal: int = 0
    field: str = ""


EDIT = DialogState(EditDialog, "committee_edit", FieldEdit, stopped=lambda: _("Stopped: nothing changed."))


@committee_button
class EditField(CallbackData, prefix="cedit"):
    proposal: int
    field: str


@committee_button
class EditCategory(CallbackData, prefix="ccat"):
    proposal: int
    category: str


async def edit_button(query: CallbackQuery, ctx: Ctx, callback_data: ReviewButton, state: FSMContext) -> None:
    await leave_dialog(state)
    proposal = await decidable(query, ctx, callback_data)
    if proposal is None:
        return
    await query.answer()
    builder = InlineKeyboardBuilder()
    for name in EDITABLE_FIELDS:
        builder.button(text=field_label(name).capitalize(), callback_data=EditField(proposal=proposal.id, field=name))
    builder.adjust(2)
    await ctx.bot.send_message(
        ctx.chat_id,
        _("Which field of project #{number} do you want to rewrite?").format(number=proposal.id),
        reply_markup=builder.as_markup(),
    )


def _current_value(name: str, proposal: Proposal, campaign: Campaign) -> str:
    draft = proposal.as_draft()
    if name == "category":
        return category_name(campaign, draft.category)
    if name == "location":
        return location_text(draft)
    if name == "cost":
        return money(proposal.cost, campaign)
    # A description is up to 3000 characters: before and after must fit in one message.
    return escape(shorten(str(getattr(proposal, name)), 1500))


async def edit_field(query: CallbackQuery, ctx: Ctx, callback_data: EditField, state: FSMContext) -> None:
    if callback_data.field not in EDITABLE_FIELDS:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    proposal = await allowed_on_button(query, ctx, ReviewAction.EDIT, callback_data.proposal)
    if proposal is None:
        return
    campaign = ctx.campaign
    if callback_data.field == "category":
        await query.answer()
        builder = InlineKeyboardBuilder()
        for category in campaign.categories:
            builder.button(
                text=pick(category.names, ctx.user.language, campaign.default_language),
                callback_data=EditCategory(proposal=proposal.id, category=category.id),
            )
        builder.adjust(1)
        await ctx.bot.send_message(
            ctx.chat_id,
            _("The new category of project #{number}:").format(number=proposal.id),
            reply_markup=builder.as_markup(),
        )
        return
    current = _current_value(callback_data.field, proposal, campaign)
    await leave_dialog(state)  # another committee question in progress is dropped
    await EDIT.enter(state, EditDialog.value, FieldEdit(proposal=proposal.id, field=callback_data.field))
    await ask(
        query,
        ctx,
        _("Type the new {field} of project #{number}. Now: {current}").format(
            field=field_label(callback_data.field), number=proposal.id, current=current
        ),
    )


def _parse(name: str, text: str, campaign: Campaign) -> dict[str, object]:
    """The new value(s) of the draft for field `name`; FieldError if it is not valid."""
    if name == "title":
        return {"title": fields.parse_title(text)}
    if name == "summary":
        return {"summary": fields.parse_summary(text)}
    if name == "description":
        return {"description": fields.parse_description(text)}
    if name == "location":
        return {"location_text": fields.parse_location_text(text), "latitude": None, "longitude": None}
    if name == "cost":
        return {
            "cost": fields.parse_cost(
                text, minimum=campaign.cost.minimum, maximum=campaign.max_cost, currency=campaign.currency
            )
        }
    raise AssertionError(name)


async def value_typed(message: Message, ctx: Ctx, state: FSMContext) -> None:
    edit = await EDIT.load(state)
    if edit.field not in EDITABLE_FIELDS or edit.field == "category":
        await EDIT.end(state)
        await ctx.bot.send_message(ctx.chat_id, _("This question is no longer active. Send /review."))
        return
    try:
        values = _parse(edit.field, message.text or "", ctx.campaign)
    except fields.FieldError as error:
        await ctx.bot.send_message(
            ctx.chat_id, field_error(error, ctx.campaign) + " " + _("Type it again, or /cancel.")
        )
        return
    await EDIT.end(state)
    await _save_edit(ctx, edit.proposal, edit.field, values)


async def edit_category(query: CallbackQuery, ctx: Ctx, callback_data: EditCategory, state: FSMContext) -> None:
    try:
        category = fields.validate_category(callback_data.category, [c.id for c in ctx.campaign.categories])
    except fields.FieldError:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    await query.answer()
    await drop_buttons(query)
    await leave_dialog(state)
    await _save_edit(ctx, callback_data.proposal, "category", {"category": category})


async def _save_edit(ctx: Ctx, number: int, name: str, values: dict[str, object]) -> None:
    proposal = await allowed_in_chat(ctx, ReviewAction.EDIT, number)
    if proposal is None:
        return
    draft = proposal.as_draft().with_values(**values)
    if draft == proposal.as_draft():
        await ctx.bot.send_message(ctx.chat_id, _("That is the same as before: nothing changed."))
        return
    campaign, now = ctx.campaign, ctx.clock.now()
    revised = await ctx.repos.proposals.revise(
        proposal.id, draft, ctx.user.id, now, note=f"edited by the committee: {name}"
    )
    await ctx.repos.audit.record(
        campaign.id, ctx.user.telegram_id, "proposal_edited", now, target=f"proposal:{proposal.id}", field=name
    )
    told = await tell_author(
        ctx.bot,
        ctx.i18n,
        ctx.repos,
        proposal,
        lambda: _(
            "The committee rewrote the {field} of your project #{number}.\nBefore: {before}\nNow: {after}"
        ).format(
            field=field_label(name),
            number=proposal.id,
            before=_current_value(name, proposal, campaign),
            after=_current_value(name, revised, campaign),
        ),
    )
    await send_sheet(
        ctx,
        ctx.chat_id,
        revised,
        with_next=False,
        intro=lambda: decided(
            _(
                "Saved: the {field} of project #{number} is rewritten; the previous version is kept in its history."
            ).format(field=field_label(name), number=proposal.id),
            told.reached,
        ),
    )


def router() -> Router:
    r = members_only(Router(name="committee_edit"))
    r.callback_query.register(edit_button, ReviewButton.filter(F.action == ReviewAction.EDIT.value))
    r.callback_query.register(edit_field, EditField.filter())
    r.callback_query.register(edit_category, EditCategory.filter())
    r.message.register(value_typed, EditDialog.value, plain_text)
    r.message.register(not_text, EditDialog.value, not_a_command)
    return r
