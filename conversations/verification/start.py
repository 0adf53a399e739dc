"""Where verification starts: /verify, the attestation, the choice of method.

Also what the method modules share: `on_verified` (what happens once a resident is verified,
including the caller's continuation, `when_verified`) and `attest_first`. The methods
themselves are the table in `methods`: this module asks the one chosen and never names one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _
from conversations.keyboard import InlineKeyboardBuilder

from campaign import verification as rules
from campaign.schema import Campaign
from conversations.context import Ctx
from conversations.filters import not_a_command as not_a_command  # the verification modules find it here
from conversations.scope import private_only
from conversations.verification.methods import METHODS, offered
from conversations.verification.state import (
    Verifying,
    VerifyAction,
    forget_verifying,
    save_verifying,
    verifying,
)


def _attestation_text(campaign: Campaign) -> str:
    eligibility = campaign.eligibility
    parts = []
    if eligibility.minimum_age is not None:
        parts.append(_("I am at least {age} years old.").format(age=eligibility.minimum_age))
    if eligibility.residency:
        parts.append(_("I live in {place}.").format(place=escape(eligibility.residency)))
    return "\n".join(f"• {part}" for part in parts)


async def begin(
    ctx: Ctx, state: FSMContext, *, then: str | None = None, pending: tuple[str, str] | None = None
) -> None:
    """Ask a resident to verify; `then` ("vote") says what to do once they are, `pending`
    (method, value) what the resident already gave (a code in a link), used once they confirm."""
    if await ctx.repos.verification.is_verified(ctx.user.id):
        await ctx.bot.send_message(ctx.chat_id, _("You are already verified as a resident. Thank you!"))
        return
    await forget_verifying(state)
    await save_verifying(state, then=then, pending=pending)
    eligibility = ctx.campaign.eligibility
    if rules.attestation_needed(eligibility.minimum_age, eligibility.residency):
        await state.set_state(Verifying.attest)
        builder = InlineKeyboardBuilder()
        builder.button(text=_("✅ I confirm"), callback_data=VerifyAction(action="attest_yes"))
        builder.button(text=_("✖ No"), callback_data=VerifyAction(action="attest_no"))
        await ctx.bot.send_message(
            ctx.chat_id,
            _("Only residents may take part, so I need to check who you are first. Please confirm:")
            + "\n"
            + _attestation_text(ctx.campaign),
            reply_markup=builder.as_markup(),
        )
        return
    await _after_attestation(ctx, state, attested_now=False)


async def _after_attestation(ctx: Ctx, state: FSMContext, *, attested_now: bool) -> None:
    data = await verifying(state)
    if data.pending and attested_now:
        method = METHODS[data.pending[0]]
        if method.resume is not None:
            await save_verifying(state, pending=None)
            await method.resume(ctx, state, data.pending[1])
            return
    methods = offered(ctx.campaign)
    if len(methods) == 1:
        # Not yet told why we ask (no attestation question came first): say it in the same message.
        intro = "" if data.attested else _("Only residents may take part, so I need to check who you are first.")
        await ask_method(ctx, state, methods[0].name, intro=intro)
        return
    await state.set_state(Verifying.method)
    builder = InlineKeyboardBuilder()
    for method in methods:
        builder.button(text=method.label(), callback_data=VerifyAction(action="method", value=method.name))
    builder.adjust(1)
    await ctx.bot.send_message(
        ctx.chat_id,
        _("Only residents may take part, so I need to check who you are first. How would you like to do it?"),
        reply_markup=builder.as_markup(),
    )


async def ask_method(ctx: Ctx, state: FSMContext, method: str, *, intro: str = "") -> None:
    """Ask for `method`; `intro` (why we ask) goes in the same message: one reply per message."""
    await METHODS[method].ask(ctx, state, intro + "\n\n" if intro else "")


# What to do once a resident is verified, by name ("vote", "propose"): the dialogs that send
# residents here register their continuation (`when_verified`), so that verification imports
# none of them and begin(then=...) carries only the name, which the FSM data can hold.
Continuation = Callable[[Ctx, FSMContext], Awaitable[None]]
CONTINUATIONS: dict[str, Continuation] = {}


def when_verified(name: str) -> Callable[[Continuation], Continuation]:
    """Decorator: `name`'s continuation, run by on_verified for a begin(then=name)."""

    def register(continuation: Continuation) -> Continuation:
        CONTINUATIONS[name] = continuation
        return continuation

    return register


async def on_verified(ctx: Ctx, state: FSMContext) -> None:
    then = (await verifying(state)).then
    await state.set_state(None)
    await forget_verifying(state)
    await ctx.bot.send_message(
        ctx.chat_id, _("✅ Thank you, you are now a verified resident."), reply_markup=ReplyKeyboardRemove()
    )
    continuation = CONTINUATIONS.get(then) if then else None
    if continuation is not None:
        await continuation(ctx, state)


async def attest_first(ctx: Ctx, state: FSMContext, *, pending: tuple[str, str] | None = None) -> bool:
    """True if the resident has not yet confirmed what the campaign asks (age, residency): the
    confirmation is asked now and nothing is verified. Every route to "verified" checks it, so
    that a contact sent without /verify or a bare /code cannot skip the attestation."""
    age, residency = (await verifying(state)).attested_flags()
    eligibility = ctx.campaign.eligibility
    if rules.attested(eligibility.minimum_age, eligibility.residency, age, residency):
        return False
    await begin(ctx, state, pending=pending)
    return True


async def verify_command(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await begin(ctx, state)


async def attest(query: CallbackQuery, callback_data: VerifyAction, ctx: Ctx, state: FSMContext) -> None:
    await query.answer()
    if callback_data.action == "attest_no":
        await state.set_state(None)
        await forget_verifying(state)
        await ctx.bot.send_message(
            ctx.chat_id,
            _("Then I am sorry: only residents who meet these conditions can vote. Thank you for your interest!"),
        )
        return
    await save_verifying(state, attested=True)
    await _after_attestation(ctx, state, attested_now=True)


async def choose_method(query: CallbackQuery, callback_data: VerifyAction, ctx: Ctx, state: FSMContext) -> None:
    if callback_data.value not in {method.name for method in offered(ctx.campaign)}:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    await query.answer()
    await ask_method(ctx, state, callback_data.value)


async def stale_verify_button(query: CallbackQuery) -> None:
    await query.answer(_("This button is from an earlier message. Send /verify to start again."), show_alert=True)


def router() -> Router:
    r = private_only(Router(name="verification"))  # in a group: conversations.group
    r.message.register(verify_command, Command("verify"))
    r.callback_query.register(attest, Verifying.attest, VerifyAction.filter(F.action.in_({"attest_yes", "attest_no"})))
    r.callback_query.register(choose_method, Verifying.method, VerifyAction.filter(F.action == "method"))
    r.callback_query.register(
        stale_verify_button, VerifyAction.filter(F.action.in_({"attest_yes", "attest_no", "method"}))
    )
    return r
