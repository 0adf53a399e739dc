"""🖊 Edit, from a /review sheet: the committee rewrites one field of a project.

| input                  | then                                                                  |
|------------------------|-----------------------------------------------------------------------|
| 🖊 Edit                 | a button per field                                                    |
| a field button         | its new value (state `edit_value`), or a category button              |
| the value / a category | a new revision, the author is told what changed, the sheet again      |

The question's state is review's `CommitteeDialog.edit_value`: /cancel and the catch-all for
it are in review.py, so this router is tried before review's.
"""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n, gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from campaign import fields
from campaign.clock import Clock
from campaign.proposal import Proposal
from campaign.review import ReviewAction
from campaign.schema import Campaign, pick
from conversations.committee.common import (
    chat_of,
    committee_button,
    drop_buttons,
    field_label,
    leave_dialog,
    members_only,
    shorten,
    tell_author,
)
from conversations.committee.review import CommitteeDialog, ask, decided, dialog_proposal
from conversations.committee.revisions import allowed_in_chat, allowed_on_button, decidable
from conversations.committee.sheet import ReviewButton, send_sheet
from conversations.filters import plain_text
from conversations.render import category_name, field_error, location_text, money
from storage.repositories import Repositories, User

router = members_only(Router(name="committee_edit"))

EDITABLE_FIELDS = ("title", "summary", "description", "category", "location", "cost")


@committee_button
class EditField(CallbackData, prefix="cedit"):
    proposal: int
    field: str


@committee_button
class EditCategory(CallbackData, prefix="ccat"):
    proposal: int
    category: str


@router.callback_query(ReviewButton.filter(F.action == ReviewAction.EDIT.value))
async def edit_button(
    query: CallbackQuery,
    callback_data: ReviewButton,
    bot: Bot,
    state: FSMContext,
    user: User,
    repos: Repositories,
    campaign: Campaign,
    clock: Clock,
) -> None:
    await leave_dialog(state)
    proposal = await decidable(query, callback_data, bot, user, repos, campaign, clock)
    if proposal is None:
        return
    await query.answer()
    builder = InlineKeyboardBuilder()
    for name in EDITABLE_FIELDS:
        builder.button(text=field_label(name).capitalize(), callback_data=EditField(proposal=proposal.id, field=name))
    builder.adjust(2)
    await bot.send_message(
        chat_of(query),
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


@router.callback_query(EditField.filter())
async def edit_field(
    query: CallbackQuery,
    callback_data: EditField,
    bot: Bot,
    state: FSMContext,
    user: User,
    repos: Repositories,
    campaign: Campaign,
    clock: Clock,
) -> None:
    if callback_data.field not in EDITABLE_FIELDS:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    proposal = await allowed_on_button(query, ReviewAction.EDIT, callback_data.proposal, user, repos, campaign, clock)
    if proposal is None:
        return
    if callback_data.field == "category":
        await query.answer()
        builder = InlineKeyboardBuilder()
        for category in campaign.categories:
            builder.button(
                text=pick(category.names, user.language, campaign.default_language),
                callback_data=EditCategory(proposal=proposal.id, category=category.id),
            )
        builder.adjust(1)
        await bot.send_message(
            chat_of(query),
            _("The new category of project #{number}:").format(number=proposal.id),
            reply_markup=builder.as_markup(),
        )
        return
    current = _current_value(callback_data.field, proposal, campaign)
    await ask(
        query,
        bot,
        state,
        CommitteeDialog.edit_value,
        proposal,
        _("Type the new {field} of project #{number}. Now: {current}").format(
            field=field_label(callback_data.field), number=proposal.id, current=current
        ),
        field=callback_data.field,
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


@router.message(CommitteeDialog.edit_value, plain_text)
async def edit_value_typed(
    message: Message,
    bot: Bot,
    state: FSMContext,
    user: User,
    repos: Repositories,
    campaign: Campaign,
    clock: Clock,
    i18n: I18n,
) -> None:
    dialog = await dialog_proposal(state)
    name = str(dialog.get("field") or "")
    if name not in EDITABLE_FIELDS or name == "category":
        await state.set_state(None)
        await bot.send_message(message.chat.id, _("This question is no longer active. Send /review."))
        return
    try:
        values = _parse(name, message.text or "", campaign)
    except fields.FieldError as error:
        await bot.send_message(message.chat.id, field_error(error, campaign) + " " + _("Type it again, or /cancel."))
        return
    await state.set_state(None)
    await state.update_data(committee=None)
    await _save_edit(
        bot,
        message.chat.id,
        int(dialog.get("proposal") or 0),
        name,
        values,
        user.telegram_id,
        user,
        repos,
        campaign,
        clock,
        i18n,
    )


@router.callback_query(EditCategory.filter())
async def edit_category(
    query: CallbackQuery,
    callback_data: EditCategory,
    bot: Bot,
    state: FSMContext,
    user: User,
    repos: Repositories,
    campaign: Campaign,
    clock: Clock,
    i18n: I18n,
) -> None:
    try:
        category = fields.validate_category(callback_data.category, [c.id for c in campaign.categories])
    except fields.FieldError:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    await query.answer()
    await drop_buttons(query)
    await leave_dialog(state)
    await _save_edit(
        bot,
        chat_of(query),
        callback_data.proposal,
        "category",
        {"category": category},
        user.telegram_id,
        user,
        repos,
        campaign,
        clock,
        i18n,
    )


async def _save_edit(
    bot: Bot,
    chat_id: int,
    number: int,
    name: str,
    values: dict[str, object],
    actor: int,
    user: User,
    repos: Repositories,
    campaign: Campaign,
    clock: Clock,
    i18n: I18n,
) -> None:
    proposal = await allowed_in_chat(bot, chat_id, ReviewAction.EDIT, number, user, repos, campaign, clock)
    if proposal is None:
        return
    draft = proposal.as_draft().with_values(**values)
    if draft == proposal.as_draft():
        await bot.send_message(chat_id, _("That is the same as before: nothing changed."))
        return
    now = clock.now()
    revised = await repos.proposals.revise(proposal.id, draft, user.id, now, note=f"edited by the committee: {name}")
    await repos.audit.record(campaign.id, actor, "proposal_edited", now, target=f"proposal:{proposal.id}", field=name)
    told = await tell_author(
        bot,
        i18n,
        repos,
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
        bot,
        chat_id,
        revised,
        campaign,
        repos,
        clock,
        with_next=False,
        intro=lambda: decided(
            _(
                "Saved: the {field} of project #{number} is rewritten; the previous version is kept in its history."
            ).format(field=field_label(name), number=proposal.id),
            told.reached,
        ),
    )
