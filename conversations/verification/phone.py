"""Verification by phone: the resident shares their own contact with the 📱 button."""

from __future__ import annotations

from functools import lru_cache
from html import escape

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import KeyboardButton, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _

from campaign import verification as rules
from campaign.schema import Campaign
from conversations.context import Ctx
from conversations.verification.numbers import PhoneError, contact_number
from conversations.verification.methods import VerificationMethod, register
from conversations.filters import not_a_command
from conversations.verification.start import attest_first, on_verified
from conversations.verification.state import Verifying, stop, verifying
from conversations.scope import private_only
from storage.repositories.verification import VerifyOutcome


def phone_keyboard() -> ReplyKeyboardMarkup:
    return _phone_keyboard(_("📱 Share my phone number"), _("✖ Cancel"))


@lru_cache(maxsize=64)  # one per language; shared like conversations.keyboard.inline_markup's
def _phone_keyboard(share: str, cancel: str) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=share, request_contact=True)], [KeyboardButton(text=cancel)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


async def ask(ctx: Ctx, state: FSMContext, lead: str) -> None:
    campaign = ctx.campaign
    await state.set_state(Verifying.phone)
    text = lead + _(
        "Press the button <b>📱 Share my phone number</b> below. Telegram sends me your own number, "
        "so I know it is yours. It is stored only in a scrambled form, never shown to anyone, and one "
        "number can verify only one account."
    )
    if campaign.verification.phone_prefixes:
        text += "\n\n" + _("Accepted numbers start with {prefixes}.").format(
            prefixes=", ".join(campaign.verification.phone_prefixes)
        )
    await ctx.bot.send_message(ctx.chat_id, text, reply_markup=phone_keyboard())


async def contact(message: Message) -> bool:
    return message.contact is not None


async def contact_shared(message: Message, ctx: Ctx, state: FSMContext) -> None:
    campaign, user, repos = ctx.campaign, ctx.user, ctx.repos
    shared = message.contact
    assert shared is not None and message.from_user is not None
    if not PHONE.offered_in(campaign):
        await message.answer(_("This campaign does not verify residents by phone. Send /verify to see how."))
        return
    if shared.user_id != message.from_user.id:
        await message.answer(
            _(
                "This is not your own contact: I can only accept your own number, sent with the button "
                "<b>📱 Share my phone number</b> (a forwarded contact or a typed number cannot be checked)."
            ),
            reply_markup=phone_keyboard(),
        )
        await state.set_state(Verifying.phone)
        return
    if await repos.verification.is_verified(user.id):
        await state.set_state(None)
        await message.answer(
            _("You are already verified as a resident. Thank you!"), reply_markup=ReplyKeyboardRemove()
        )
        return
    if await attest_first(ctx, state):
        return  # the contact is asked again once the resident has confirmed
    prefixes = campaign.verification.phone_prefixes
    try:
        phone = contact_number(shared.phone_number)
    except PhoneError:
        await message.answer(
            _("I could not read this phone number. Please try again with the button, or /cancel."),
            reply_markup=phone_keyboard(),
        )
        return
    if not rules.has_allowed_prefix(phone, prefixes):
        await state.set_state(None)
        await message.answer(
            _("Sorry, only phone numbers starting with {prefixes} can be used for {town}.").format(
                prefixes=", ".join(prefixes), town=escape(campaign.town)
            )
            + _other_methods(campaign, "phone"),
            reply_markup=ReplyKeyboardRemove(),
        )
        return
    digest = rules.phone_hash(ctx.secret_key, phone)
    if campaign.verification.use_register and not await repos.verification.in_register(campaign.id, digest):
        await state.set_state(None)
        await message.answer(
            _("Sorry, this number is not in the list of residents the town gave us.")
            + _other_methods(campaign, "phone"),
            reply_markup=ReplyKeyboardRemove(),
        )
        return
    age, residency = (await verifying(state)).attested_flags()
    outcome = await repos.verification.verify(
        user.id, "phone", ctx.clock.now(), phone_hash=digest, attested_age=age, attested_residency=residency
    )
    if outcome == VerifyOutcome.PHONE_TAKEN:
        await state.set_state(None)
        await message.answer(
            _("This phone number already verifies another Telegram account. One number can verify only one account.")
            + _other_methods(campaign, "phone"),
            reply_markup=ReplyKeyboardRemove(),
        )
        return
    await on_verified(ctx, state)


def _other_methods(campaign: Campaign, tried: str) -> str:
    others = [m for m in campaign.verification.methods if m != tried]
    if not others:
        return "\n" + _("If you think this is a mistake, contact the town hall.")
    return "\n" + _("You can verify another way: send /verify.")


async def phone_expected(message: Message, state: FSMContext) -> None:
    if message.text == _("✖ Cancel"):
        await stop(message, state)
        return
    await message.answer(
        _(
            "Please press the button <b>📱 Share my phone number</b> below; typing the number does not work. Or /cancel."
        ),
        reply_markup=phone_keyboard(),
    )


PHONE = register(
    VerificationMethod(name="phone", label=lambda: _("📱 With my phone number"), ask=ask, routers=lambda: [router()])
)


def router() -> Router:
    r = private_only(Router(name="verification_phone"))  # in a group: conversations.group
    r.message.register(contact_shared, StateFilter(Verifying.phone, None), contact)
    r.message.register(phone_expected, Verifying.phone, not_a_command)
    return r
