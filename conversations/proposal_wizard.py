"""The proposal wizard: one question per field, then the sheet to check and submit.

| state        | valid input                      | then                                 |
|--------------|----------------------------------|--------------------------------------|
| title        | text, 5-80 characters            | summary                              |
| summary      | text, 20-300 characters          | description                          |
| description  | text, 50-3000 characters         | category                             |
| category     | a category button (or its name)  | location                             |
| location     | text, or a map pin in the town   | cost                                 |
| cost         | an amount within the bounds      | photo                                |
| photo        | a photo, or /skip                | review                               |
| review       | "Change <field>" / Submit        | that field, then review / submitted  |

Anywhere: /back (previous question), /skip (optional question, or keep the current
answer), /cancel (leave; the draft is kept and /start offers to continue). Anything else
gets a short reply saying what is expected, and the question again.

The draft lives in the conversation data (database or Redis), so it survives a restart.

Here: entering, the answers, /back, /skip (/cancel: the one of conversations.dialog_state,
which calls proposal_screens.stop). The sheet's buttons (change a field, submit,
edit a submitted project) are conversations.proposal_review; the states and the two screens every
step returns to (a question, the sheet) are conversations.proposal_screens.

```mermaid
stateDiagram-v2
    [*] --> title: /propose (or continue a kept draft: its first unanswered question)
    title --> summary
    summary --> description
    description --> category
    category --> location
    location --> cost
    cost --> photo
    photo --> review: a photo or /skip
    review --> title: Change (any field), then back to review
    review --> [*]: Submit
    summary --> title: /back
    title --> [*]: /cancel (the draft is kept), likewise from every state
```
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from campaign import fields
from campaign.calendar import Phase, phase_at
from campaign.proposal import FIELD_ORDER, OPTIONAL_FIELDS, ProposalDraft, previous_field
from conversations import proposal_review, verification
from conversations.context import Ctx
from conversations.filters import map_pin, photo, plain_text
from conversations.menu import MenuAction, main_menu
from conversations.proposal_questions import CategoryChoice, WizardAction
from conversations.proposal_screens import (
    ASKING,
    IN_WIZARD,
    WIZARD,
    ProposalWizard,
    ask,
    current_field,
    go_on,
    save_draft,
    show_review,
    stop,
    update_wizard,
    wizard_data,
)
from conversations.render import field_error, proposals_closed_reason
from conversations.scope import private_only
from conversations.standing import is_published

__all__ = ["WIZARD", "ProposalWizard", "resume", "router"]


# --- entering the wizard -----------------------------------------------------------------


@verification.when_verified("propose")
async def resume(ctx: Ctx, state: FSMContext) -> None:
    """/propose, the menu's button, /propose_for, and back from verification."""
    campaign, clock = ctx.campaign, ctx.clock
    data = await wizard_data(state)
    if not data.editing_id and phase_at(campaign.calendar, clock.now()) != Phase.PROPOSALS:
        published = await is_published(ctx.repos, campaign)
        await ctx.bot.send_message(ctx.chat_id, proposals_closed_reason(campaign, clock.now(), published=published))
        return
    if campaign.eligibility.verify_to_propose and not await ctx.repos.verification.is_verified(ctx.user.id):
        await verification.begin(ctx, state, then="propose")
        return
    draft = data.proposal
    missing = draft.first_missing()
    if data.editing_id or missing is None:
        await show_review(ctx.bot, ctx.chat_id, state, campaign, data)
        return
    if draft.is_empty:
        await ctx.bot.send_message(
            ctx.chat_id,
            _(
                "Let's write your project together: {count} short questions. You can stop at any time with /cancel; your draft is kept."
            ).format(count=len(FIELD_ORDER)),
        )
    else:
        await ctx.bot.send_message(ctx.chat_id, _("Let's continue your draft where you stopped."))
    await ask(ctx, state, missing, draft=draft)


async def propose_command(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await resume(ctx, state)


async def propose_button(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    await query.answer()
    await resume(ctx, state)


async def discard_draft(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    await state.set_state(None)
    await update_wizard(state, draft=None, return_to_review=False)
    await query.answer(_("Draft discarded."))
    if isinstance(query.message, Message):
        await query.message.answer(
            _("Your draft is discarded."), reply_markup=main_menu(ctx.campaign, ctx.clock.now(), ProposalDraft())
        )


# --- answers ------------------------------------------------------------------------------


async def _accept(ctx: Ctx, state: FSMContext, name: str, **values: object) -> None:
    data = await wizard_data(state)
    data = await save_draft(state, data.proposal.with_values(**values), data)
    await go_on(ctx, state, name, data)


TEXT_PARSERS = {
    "title": fields.parse_title,
    "summary": fields.parse_summary,
    "description": fields.parse_description,
}


async def text_answer(message: Message, ctx: Ctx, state: FSMContext) -> None:
    name = await current_field(state)
    assert name in TEXT_PARSERS
    try:
        value = TEXT_PARSERS[name](message.text or "")
    except fields.FieldError as error:
        await ask(ctx, state, name, problem=field_error(error, ctx.campaign))
        return
    await _accept(ctx, state, name, **{name: value})


async def category_button(query: CallbackQuery, callback_data: CategoryChoice, ctx: Ctx, state: FSMContext) -> None:
    try:
        category = fields.validate_category(callback_data.category, [c.id for c in ctx.campaign.categories])
    except fields.FieldError:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    await query.answer()
    await _accept(ctx, state, "category", category=category)


async def category_typed(message: Message, ctx: Ctx, state: FSMContext) -> None:
    typed = fields.clean_text(message.text or "").casefold()
    for category in ctx.campaign.categories:
        if typed in {name.casefold() for name in category.names.values()} | {category.id}:
            await _accept(ctx, state, "category", category=category.id)
            return
    await ask(ctx, state, "category", problem=_("Please choose one of the categories with the buttons."))


async def location_typed(message: Message, ctx: Ctx, state: FSMContext) -> None:
    try:
        place = fields.parse_location_text(message.text or "")
    except fields.FieldError as error:
        await ask(ctx, state, "location", problem=field_error(error, ctx.campaign))
        return
    await _accept(ctx, state, "location", location_text=place, latitude=None, longitude=None)


async def location_pinned(message: Message, ctx: Ctx, state: FSMContext) -> None:
    point = message.location or (message.venue.location if message.venue else None)
    assert point is not None
    area = ctx.campaign.area
    bbox = (area.min_lat, area.min_lon, area.max_lat, area.max_lon) if area else None
    try:
        fields.validate_coordinates(point.latitude, point.longitude, bbox=bbox)
    except fields.FieldError as error:
        await ask(ctx, state, "location", problem=field_error(error, ctx.campaign))
        return
    label = fields.clean_text(message.venue.title)[:200] if message.venue else None
    await _accept(ctx, state, "location", location_text=label, latitude=point.latitude, longitude=point.longitude)


async def cost_typed(message: Message, ctx: Ctx, state: FSMContext) -> None:
    campaign = ctx.campaign
    try:
        cost = fields.parse_cost(
            message.text or "", minimum=campaign.cost.minimum, maximum=campaign.max_cost, currency=campaign.currency
        )
    except fields.FieldError as error:
        await ask(ctx, state, "cost", problem=field_error(error, campaign))
        return
    await _accept(ctx, state, "cost", cost=cost)


async def photo_sent(message: Message, ctx: Ctx, state: FSMContext) -> None:
    largest = max(message.photo or [], key=lambda size: size.width * size.height)
    await _accept(ctx, state, "photo", photo_file_id=largest.file_id, photo_skipped=False)


# --- moving around: /back, /skip and the buttons (/cancel: proposal_screens.stop) -------------


async def _back(ctx: Ctx, state: FSMContext) -> None:
    current = await current_field(state)
    if current is None:  # on the sheet: back to the last question
        await ask(ctx, state, FIELD_ORDER[-1])
        return
    earlier = previous_field(current)
    if earlier is None:
        await ask(ctx, state, current, problem=_("This is the first question."))
        return
    await update_wizard(state, return_to_review=False)
    await ask(ctx, state, earlier)


async def _skip(ctx: Ctx, state: FSMContext) -> None:
    current = await current_field(state)
    if current is None:
        await show_review(ctx.bot, ctx.chat_id, state, ctx.campaign)
        return
    data = await wizard_data(state)
    draft = data.proposal
    if current in OPTIONAL_FIELDS and not draft.has(current):
        data = await save_draft(state, draft.with_values(photo_skipped=True), data)
    elif not draft.has(current):
        await ask(ctx, state, current, problem=_("This question cannot be skipped."), draft=draft)
        return
    await go_on(ctx, state, current, data)


async def back_command(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await _back(ctx, state)


async def skip_command(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await _skip(ctx, state)


async def _button_is_current(query: CallbackQuery, callback_data: WizardAction, state: FSMContext) -> bool:
    """A button from an earlier question must not act on the current one."""
    current = await current_field(state) or (
        "review" if await state.get_state() == ProposalWizard.review.state else None
    )
    if current is None or callback_data.field != current:
        await query.answer(_("This button is from an earlier message. Use the latest one."), show_alert=True)
        return False
    return True


async def move_button(query: CallbackQuery, callback_data: WizardAction, ctx: Ctx, state: FSMContext) -> None:
    if not await _button_is_current(query, callback_data, state):
        return
    await query.answer()
    if callback_data.action == "back":
        await _back(ctx, state)
    elif callback_data.action == "skip":
        await _skip(ctx, state)
    else:
        await stop(ctx, state)


# --- anything else while in the wizard: say what is expected, ask again ---------------------


async def unexpected_answer(message: Message, ctx: Ctx, state: FSMContext) -> None:
    name = await current_field(state)
    assert name is not None
    if message.text and message.text.startswith("/"):
        problem = _("That command does not work here. You can use /back, /skip or /cancel.")
    elif name == "category":
        problem = _("Please choose one of the categories with the buttons.")
    elif name == "location":
        problem = _("Please type the place as text, or send a map pin.")
    elif name == "photo":
        problem = _("Please send a photo (not a file), or /skip.")
    elif name == "cost":
        problem = _("Please type the cost as a number, for example 12500.")
    else:
        problem = _("Please answer with text.")
    await ask(ctx, state, name, problem=problem)


def router() -> Router:
    r = private_only(Router(name="proposal_wizard"))  # in a group: conversations.group
    r.message.register(propose_command, Command("propose"))
    r.callback_query.register(propose_button, MenuAction.filter(F.action == "propose"))
    r.callback_query.register(discard_draft, MenuAction.filter(F.action == "discard"))
    text_states = StateFilter(ProposalWizard.title, ProposalWizard.summary, ProposalWizard.description)
    r.message.register(text_answer, text_states, plain_text)
    r.callback_query.register(category_button, ProposalWizard.category, CategoryChoice.filter())
    r.message.register(category_typed, ProposalWizard.category, plain_text)
    r.message.register(location_typed, ProposalWizard.location, plain_text)
    r.message.register(location_pinned, ProposalWizard.location, map_pin)
    r.message.register(cost_typed, ProposalWizard.cost, plain_text)
    r.message.register(photo_sent, ProposalWizard.photo, photo)
    r.message.register(back_command, IN_WIZARD, Command("back"))
    r.message.register(skip_command, IN_WIZARD, Command("skip"))
    r.callback_query.register(move_button, IN_WIZARD, WizardAction.filter(F.action.in_({"back", "skip", "cancel"})))
    r.message.register(unexpected_answer, ASKING)
    r.include_router(proposal_review.router())  # the sheet's buttons, after the steps' handlers
    return r
