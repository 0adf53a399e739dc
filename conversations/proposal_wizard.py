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

Here: entering, the answers, /back, /skip, /cancel. The sheet's buttons (change a field, submit,
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

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from campaign import fields
from campaign.calendar import Phase, phase_at
from campaign.clock import Clock
from campaign.proposal import FIELD_ORDER, OPTIONAL_FIELDS, ProposalDraft, previous_field
from campaign.schema import Campaign
from conversations import proposal_review, verification
from conversations.filters import chat_of, map_pin, photo, plain_text
from conversations.menu import MenuAction, main_menu
from conversations.proposal_questions import CategoryChoice, WizardAction
from conversations.proposal_review import begin_edit
from conversations.proposal_screens import (
    ASKING,
    IN_WIZARD,
    ProposalWizard,
    ask,
    current_field,
    end_wizard,
    go_on,
    load_draft,
    save_draft,
    show_review,
)
from conversations.render import field_error, proposals_closed_reason
from conversations.scope import private_only
from conversations.standing import is_published
from storage.repositories import Repositories, User

__all__ = ["ProposalWizard", "begin_edit", "resume", "router"]

router = private_only(Router(name="proposal_wizard"))  # in a group: conversations.group
router.include_router(proposal_review.router)  # the sheet's buttons, after the steps' handlers


# --- entering the wizard -----------------------------------------------------------------


async def _proposals_open(campaign: Campaign, clock: Clock) -> bool:
    return phase_at(campaign.calendar, clock.now()) == Phase.PROPOSALS


@verification.when_verified("propose")
async def _propose_once_verified(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    campaign: Campaign,
    user: User,
    repos: Repositories,
    clock: Clock,
    secret_key: bytes,
) -> None:
    await resume(bot, chat_id, state, campaign, clock, user, repos)


async def resume(
    bot: Bot, chat_id: int, state: FSMContext, campaign: Campaign, clock: Clock, user: User, repos: Repositories
) -> None:
    language = user.language
    data = await state.get_data()
    if not data.get("editing_id") and not await _proposals_open(campaign, clock):
        await bot.send_message(
            chat_id, proposals_closed_reason(campaign, clock.now(), published=await is_published(repos, campaign))
        )
        return
    if campaign.eligibility.verify_to_propose and not await repos.verification.is_verified(user.id):
        await verification.begin(bot, chat_id, state, campaign, user, repos, then="propose")
        return
    draft = ProposalDraft.from_data(data.get("draft"))
    missing = draft.first_missing()
    if data.get("editing_id") or missing is None:
        await show_review(bot, chat_id, state, campaign)
        return
    if draft.is_empty:
        await bot.send_message(
            chat_id,
            _(
                "Let's write your project together: {count} short questions. You can stop at any time with /cancel; your draft is kept."
            ).format(count=len(FIELD_ORDER)),
        )
    else:
        await bot.send_message(chat_id, _("Let's continue your draft where you stopped."))
    await ask(bot, chat_id, state, missing, campaign, language)


@router.message(Command("propose"))
async def propose_command(
    message: Message, bot: Bot, state: FSMContext, campaign: Campaign, clock: Clock, user: User, repos: Repositories
) -> None:
    await resume(bot, message.chat.id, state, campaign, clock, user, repos)


@router.callback_query(MenuAction.filter(F.action == "propose"))
async def propose_button(
    query: CallbackQuery, bot: Bot, state: FSMContext, campaign: Campaign, clock: Clock, user: User, repos: Repositories
) -> None:
    await query.answer()
    await resume(bot, chat_of(query), state, campaign, clock, user, repos)


@router.callback_query(MenuAction.filter(F.action == "discard"))
async def discard_draft(query: CallbackQuery, state: FSMContext, campaign: Campaign, clock: Clock) -> None:
    await state.set_state(None)
    await state.update_data(draft=None, return_to_review=False)
    await query.answer(_("Draft discarded."))
    if isinstance(query.message, Message):
        await query.message.answer(
            _("Your draft is discarded."), reply_markup=main_menu(campaign, clock.now(), ProposalDraft())
        )


# --- answers ------------------------------------------------------------------------------


async def _accept(
    message: Message, bot: Bot, state: FSMContext, name: str, campaign: Campaign, user: User, **values: object
) -> None:
    draft = (await load_draft(state)).with_values(**values)
    await save_draft(state, draft)
    await go_on(bot, message.chat.id, state, name, campaign, user.language)


async def _refuse(
    message: Message, bot: Bot, state: FSMContext, name: str, campaign: Campaign, user: User, problem: str
) -> None:
    await ask(bot, message.chat.id, state, name, campaign, user.language, problem=problem)


TEXT_PARSERS = {
    "title": fields.parse_title,
    "summary": fields.parse_summary,
    "description": fields.parse_description,
}


@router.message(StateFilter(ProposalWizard.title, ProposalWizard.summary, ProposalWizard.description), plain_text)
async def text_answer(message: Message, bot: Bot, state: FSMContext, campaign: Campaign, user: User) -> None:
    name = await current_field(state)
    assert name in TEXT_PARSERS
    try:
        value = TEXT_PARSERS[name](message.text or "")
    except fields.FieldError as error:
        await _refuse(message, bot, state, name, campaign, user, field_error(error, campaign))
        return
    await _accept(message, bot, state, name, campaign, user, **{name: value})


@router.callback_query(ProposalWizard.category, CategoryChoice.filter())
async def category_button(
    query: CallbackQuery, callback_data: CategoryChoice, bot: Bot, state: FSMContext, campaign: Campaign, user: User
) -> None:
    try:
        category = fields.validate_category(callback_data.category, [c.id for c in campaign.categories])
    except fields.FieldError:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    await query.answer()
    draft = (await load_draft(state)).with_values(category=category)
    await save_draft(state, draft)
    await go_on(bot, query.from_user.id, state, "category", campaign, user.language)


@router.message(ProposalWizard.category, plain_text)
async def category_typed(message: Message, bot: Bot, state: FSMContext, campaign: Campaign, user: User) -> None:
    typed = fields.clean_text(message.text or "").casefold()
    for category in campaign.categories:
        if typed in {name.casefold() for name in category.names.values()} | {category.id}:
            await _accept(message, bot, state, "category", campaign, user, category=category.id)
            return
    await _refuse(
        message, bot, state, "category", campaign, user, _("Please choose one of the categories with the buttons.")
    )


@router.message(ProposalWizard.location, plain_text)
async def location_typed(message: Message, bot: Bot, state: FSMContext, campaign: Campaign, user: User) -> None:
    try:
        place = fields.parse_location_text(message.text or "")
    except fields.FieldError as error:
        await _refuse(message, bot, state, "location", campaign, user, field_error(error, campaign))
        return
    await _accept(message, bot, state, "location", campaign, user, location_text=place, latitude=None, longitude=None)


@router.message(ProposalWizard.location, map_pin)
async def location_pinned(message: Message, bot: Bot, state: FSMContext, campaign: Campaign, user: User) -> None:
    point = message.location or (message.venue.location if message.venue else None)
    assert point is not None
    area = campaign.area
    bbox = (area.min_lat, area.min_lon, area.max_lat, area.max_lon) if area else None
    try:
        fields.validate_coordinates(point.latitude, point.longitude, bbox=bbox)
    except fields.FieldError as error:
        await _refuse(message, bot, state, "location", campaign, user, field_error(error, campaign))
        return
    label = fields.clean_text(message.venue.title)[:200] if message.venue else None
    await _accept(
        message,
        bot,
        state,
        "location",
        campaign,
        user,
        location_text=label,
        latitude=point.latitude,
        longitude=point.longitude,
    )


@router.message(ProposalWizard.cost, plain_text)
async def cost_typed(message: Message, bot: Bot, state: FSMContext, campaign: Campaign, user: User) -> None:
    try:
        cost = fields.parse_cost(
            message.text or "", minimum=campaign.cost.minimum, maximum=campaign.max_cost, currency=campaign.currency
        )
    except fields.FieldError as error:
        await _refuse(message, bot, state, "cost", campaign, user, field_error(error, campaign))
        return
    await _accept(message, bot, state, "cost", campaign, user, cost=cost)


@router.message(ProposalWizard.photo, photo)
async def photo_sent(message: Message, bot: Bot, state: FSMContext, campaign: Campaign, user: User) -> None:
    largest = max(message.photo or [], key=lambda size: size.width * size.height)
    await _accept(message, bot, state, "photo", campaign, user, photo_file_id=largest.file_id, photo_skipped=False)


# --- moving around: /back, /skip, /cancel and their buttons ---------------------------------


async def _back(bot: Bot, chat_id: int, state: FSMContext, campaign: Campaign, user: User) -> None:
    current = await current_field(state)
    if current is None:  # on the sheet: back to the last question
        await ask(bot, chat_id, state, FIELD_ORDER[-1], campaign, user.language)
        return
    earlier = previous_field(current)
    if earlier is None:
        await ask(bot, chat_id, state, current, campaign, user.language, problem=_("This is the first question."))
        return
    await state.update_data(return_to_review=False)
    await ask(bot, chat_id, state, earlier, campaign, user.language)


async def _skip(bot: Bot, chat_id: int, state: FSMContext, campaign: Campaign, user: User) -> None:
    current = await current_field(state)
    if current is None:
        await show_review(bot, chat_id, state, campaign)
        return
    draft = await load_draft(state)
    if current in OPTIONAL_FIELDS and not draft.has(current):
        draft = draft.with_values(photo_skipped=True)
        await save_draft(state, draft)
    elif not draft.has(current):
        await ask(bot, chat_id, state, current, campaign, user.language, problem=_("This question cannot be skipped."))
        return
    await go_on(bot, chat_id, state, current, campaign, user.language)


async def _stop(bot: Bot, chat_id: int, state: FSMContext, campaign: Campaign, clock: Clock) -> None:
    data = await state.get_data()
    await state.set_state(None)
    if data.get("editing_id"):
        # An edit not submitted changes nothing; the new-project draft set aside comes back.
        await end_wizard(state, draft=data.get("stashed_draft"))
        await bot.send_message(chat_id, _("Stopped. Project #{number} is unchanged.").format(number=data["editing_id"]))
        return
    await state.update_data(return_to_review=False)
    draft = ProposalDraft.from_data(data.get("draft"))
    await bot.send_message(
        chat_id,
        _("Stopped. Your draft is kept: send /start and choose Continue my draft to go on."),
        reply_markup=main_menu(campaign, clock.now(), draft),
    )


@router.message(IN_WIZARD, Command("back"))
async def back_command(message: Message, bot: Bot, state: FSMContext, campaign: Campaign, user: User) -> None:
    await _back(bot, message.chat.id, state, campaign, user)


@router.message(IN_WIZARD, Command("skip"))
async def skip_command(message: Message, bot: Bot, state: FSMContext, campaign: Campaign, user: User) -> None:
    await _skip(bot, message.chat.id, state, campaign, user)


@router.message(IN_WIZARD, Command("cancel"))
async def cancel_command(message: Message, bot: Bot, state: FSMContext, campaign: Campaign, clock: Clock) -> None:
    await _stop(bot, message.chat.id, state, campaign, clock)


async def _button_is_current(query: CallbackQuery, callback_data: WizardAction, state: FSMContext) -> bool:
    """A button from an earlier question must not act on the current one."""
    current = await current_field(state) or (
        "review" if await state.get_state() == ProposalWizard.review.state else None
    )
    if current is None or callback_data.field != current:
        await query.answer(_("This button is from an earlier message. Use the latest one."), show_alert=True)
        return False
    return True


@router.callback_query(IN_WIZARD, WizardAction.filter(F.action.in_({"back", "skip", "cancel"})))
async def move_button(
    query: CallbackQuery,
    callback_data: WizardAction,
    bot: Bot,
    state: FSMContext,
    campaign: Campaign,
    clock: Clock,
    user: User,
) -> None:
    if not await _button_is_current(query, callback_data, state):
        return
    await query.answer()
    chat_id = chat_of(query)
    if callback_data.action == "back":
        await _back(bot, chat_id, state, campaign, user)
    elif callback_data.action == "skip":
        await _skip(bot, chat_id, state, campaign, user)
    else:
        await _stop(bot, chat_id, state, campaign, clock)


# --- anything else while in the wizard: say what is expected, ask again ---------------------


@router.message(ASKING)
async def unexpected_answer(message: Message, bot: Bot, state: FSMContext, campaign: Campaign, user: User) -> None:
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
    await _refuse(message, bot, state, name, campaign, user, problem)
