"""Verification by the committee: name and street, a card with approve/refuse buttons."""

from __future__ import annotations

import logging
from html import escape

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from conversations.keyboard import InlineKeyboardBuilder

from campaign import verification as rules
from conversations.context import Ctx
from conversations.filters import plain_text
from conversations.verification.methods import VerificationMethod, register
from conversations.filters import not_a_command
from conversations.verification.state import Verifying, forget_verifying, save_verifying, verifying
from conversations.scope import private_only

log = logging.getLogger(__name__)
# The committee's approve/refuse buttons, pressed on the cards in the committee group.

MAX_NAME = 100
MAX_STREET = 150


class CommitteeDecision(CallbackData, prefix="vreq"):
    request: int
    approve: bool


async def ask(ctx: Ctx, state: FSMContext, lead: str) -> None:
    await state.set_state(Verifying.name)
    await ctx.bot.send_message(
        ctx.chat_id,
        lead + _("The committee will check that you live in the town. What is your full name? (or /cancel)"),
    )


async def name_typed(message: Message, state: FSMContext) -> None:
    name = " ".join((message.text or "").split())
    if not 2 <= len(name) <= MAX_NAME:
        await message.answer(_("Please type your full name (2 to {maximum} characters).").format(maximum=MAX_NAME))
        return
    await save_verifying(state, name=name)
    await state.set_state(Verifying.street)
    await message.answer(_("In which street do you live? (the street is enough, no house number needed)"))


async def street_typed(message: Message, ctx: Ctx, state: FSMContext) -> None:
    campaign, user, repos = ctx.campaign, ctx.user, ctx.repos
    street = " ".join((message.text or "").split())
    if not 2 <= len(street) <= MAX_STREET:
        await message.answer(_("Please type your street (2 to {maximum} characters).").format(maximum=MAX_STREET))
        return
    data = await verifying(state)
    name = data.name or ""
    await state.set_state(None)
    await forget_verifying(state)
    if await repos.verification.is_verified(user.id):
        await message.answer(_("You are already verified as a resident. Thank you!"))
        return
    if await repos.verification.pending_request(campaign.id, user.id):
        await message.answer(_("Your request is already with the committee. I will tell you as soon as they answer."))
        return
    age, residency = data.attested_flags()
    key = rules.person_key(name, street)
    same = [
        r for r in await repos.verification.open_requests(campaign.id) if rules.person_key(r.full_name, r.street) == key
    ]
    request_id = await repos.verification.add_request(
        campaign.id, user.id, name, street, ctx.clock.now(), attested_age=age, attested_residency=residency
    )
    await message.answer(_("Thank you. The committee will check your request; I will tell you as soon as they answer."))
    if ctx.committee_chat_id is None:
        return
    builder = InlineKeyboardBuilder()
    with ctx.i18n.use_locale(campaign.default_language):
        builder.button(text=_("✅ Approve"), callback_data=CommitteeDecision(request=request_id, approve=True))
        builder.button(text=_("✖ Refuse"), callback_data=CommitteeDecision(request=request_id, approve=False))
        card = _(
            "Verification request #{number}\nName: {name}\nStreet: {street}\nDoes this person live in {town}?"
        ).format(number=request_id, name=escape(name), street=escape(street), town=escape(campaign.town))
        for other in same:
            # Two accounts asking as the same person: the committee sees both before deciding.
            card += "\n\n" + _(
                "⚠️ Same name and street as request #{number} ({status}), from another Telegram account:\n"
                "Name: {name}\nStreet: {street}"
            ).format(
                number=other.id,
                status=_("approved") if other.status == "approved" else _("pending"),
                name=escape(other.full_name),
                street=escape(other.street),
            )
    try:
        await ctx.bot.send_message(ctx.committee_chat_id, card, reply_markup=builder.as_markup())
    except TelegramAPIError:
        log.warning("could not post verification request #%s to the committee chat", request_id, exc_info=True)


async def text_expected(message: Message) -> None:
    await message.answer(_("Please answer with text, or /cancel."))


async def decide(query: CallbackQuery, callback_data: CommitteeDecision, ctx: Ctx) -> None:
    campaign, repos = ctx.campaign, ctx.repos
    if not ctx.is_committee:
        await query.answer(_("Only committee members can decide on requests."), show_alert=True)
        return
    if callback_data.approve:
        age, residency = await repos.verification.request_attestation(callback_data.request)
        if not rules.attested(campaign.eligibility.minimum_age, campaign.eligibility.residency, age, residency):
            await query.answer(
                _(
                    "This request does not carry the confirmation the campaign asks (age, residency): "
                    "refuse it, and the resident can ask again with /verify."
                ),
                show_alert=True,
            )
            return
    now = ctx.clock.now()
    decided = await repos.verification.decide_request(
        callback_data.request, callback_data.approve, query.from_user.id, now
    )
    if decided is None:
        await query.answer(_("This request has already been decided."), show_alert=True)
        return
    await repos.audit.record(
        campaign.id,
        query.from_user.id,
        "verification_approved" if callback_data.approve else "verification_refused",
        now,
        target=f"request:{decided.id}",
    )
    await query.answer(_("Done."))
    with ctx.i18n.use_locale(campaign.default_language):  # the card's language
        verdict = _("Approved by {name}.") if callback_data.approve else _("Refused by {name}.")
    if query.message is not None and isinstance(query.message, Message):
        try:
            await query.message.edit_text(
                (query.message.html_text or "")
                + "\n\n"
                + verdict.format(name=escape(query.from_user.first_name or "")),
                reply_markup=None,
            )
        except TelegramAPIError:
            log.warning("could not update request card #%s", decided.id, exc_info=True)
    resident = await repos.users.by_id(decided.user_id)
    language = resident.language if resident else campaign.default_language
    with ctx.i18n.use_locale(language):
        if callback_data.approve:
            text = _("✅ The committee confirmed that you live in {town}: you are now a verified resident.").format(
                town=escape(campaign.town)
            )
        else:
            text = _(
                "The committee could not confirm that you live in {town}. If this is a mistake, contact the town hall."
            ).format(town=escape(campaign.town))
    await repos.session.commit()
    try:
        await ctx.bot.send_message(decided.telegram_id, text)
    except TelegramAPIError:
        log.warning("could not tell the resident about request #%s", decided.id, exc_info=True)


COMMITTEE = register(
    VerificationMethod(
        name="committee",
        label=lambda: _("🏛 Ask the committee"),
        ask=ask,
        routers=lambda: [router(), committee_router()],
    )
)


def router() -> Router:
    r = private_only(Router(name="verification_approval"))  # in a group: conversations.group
    r.message.register(name_typed, Verifying.name, plain_text)
    r.message.register(street_typed, Verifying.street, plain_text)
    r.message.register(text_expected, StateFilter(Verifying.name, Verifying.street), not_a_command)
    return r


def committee_router() -> Router:
    r = Router(name="verification_approval_committee")
    r.callback_query.register(decide, CommitteeDecision.filter())
    return r
