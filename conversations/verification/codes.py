"""Invitation codes: typed, in a `/start <code>` link, or `/code`; `/codes N` makes them."""

from __future__ import annotations

import asyncio
import csv
import io

from aiogram import Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _, ngettext

from campaign import verification as rules
from campaign.schema import pick
from conversations.context import Ctx
from conversations.code_sheet import code_sheet_pdf
from conversations.filters import plain_text
from conversations.render import when
from conversations.verification.methods import VerificationMethod, register
from conversations.filters import not_a_command
from conversations.verification.start import attest_first, begin, on_verified
from conversations.verification.state import Verifying, save_verifying, verifying
from conversations.scope import private_only, secrets_in_private
from storage.repositories.verification import CodeOutcome

# /codes: the committee's; the codes go to the member's private chat, even from the group.


async def ask(ctx: Ctx, state: FSMContext, lead: str) -> None:
    await state.set_state(Verifying.code)
    await ctx.bot.send_message(
        ctx.chat_id,
        lead + _("Type the invitation code you received from the town, for example ABCDE-23456. Or /cancel."),
    )


async def redeem(ctx: Ctx, state: FSMContext, code: str) -> None:
    bot, chat_id, campaign, user, repos = ctx.bot, ctx.chat_id, ctx.campaign, ctx.user, ctx.repos
    now = ctx.clock.now()
    await save_verifying(state, pending=None)
    failures, last = await repos.verification.code_failures(user.id)
    wait = rules.retry_wait(failures, last, now)
    if wait is not None:
        minutes = max(1, round(wait.total_seconds() / 60))
        await state.set_state(Verifying.code)
        await bot.send_message(
            chat_id, _("Too many wrong codes. Please wait {minutes} min before trying again.").format(minutes=minutes)
        )
        return
    if await attest_first(ctx, state, pending=("code", code)):
        return  # the code is redeemed once the resident has confirmed
    age, residency = (await verifying(state)).attested_flags()
    outcome = await repos.verification.redeem_code(
        campaign.id, rules.code_hash(ctx.secret_key, code), user.id, now, attested_age=age, attested_residency=residency
    )
    if outcome in (CodeOutcome.VERIFIED, CodeOutcome.ALREADY_VERIFIED):
        if outcome == CodeOutcome.ALREADY_VERIFIED:
            await state.set_state(None)
            await bot.send_message(chat_id, _("You are already verified as a resident. Thank you!"))
            return
        await on_verified(ctx, state)
        return
    await repos.verification.record_code_failure(user.id, now)
    await state.set_state(Verifying.code)
    replies = {
        CodeOutcome.UNKNOWN: _("I do not know this code. Check it letter by letter and type it again, or /cancel."),
        CodeOutcome.USED: _("This code has already been used. Each code works once: ask the town hall for a new one."),
        CodeOutcome.EXPIRED: _("This code has expired. Ask the town hall for a new one."),
    }
    await bot.send_message(chat_id, replies[outcome])


async def code_typed(message: Message, ctx: Ctx, state: FSMContext) -> None:
    code = rules.normalize_code(message.text or "")
    if code is None:
        await message.answer(
            _(
                "That does not look like a code: a code has 10 letters and digits, like ABCDE-23456. Type it again, or /cancel."
            )
        )
        return
    await redeem(ctx, state, code)


async def code_expected(message: Message) -> None:
    await message.answer(_("Please type the code as text, like ABCDE-23456, or /cancel."))


async def _code_from_link(message: Message, ctx: Ctx, state: FSMContext, text: str) -> None:
    code = rules.normalize_code(text)
    if code is None:
        await message.answer(
            _(
                "That does not look like a code: a code has 10 letters and digits, like ABCDE-23456. Type it again, or /cancel."
            )
        )
        return
    if await ctx.repos.verification.is_verified(ctx.user.id):
        await message.answer(_("You are already verified as a resident. Thank you!"))
        return
    eligibility = ctx.campaign.eligibility
    if rules.attestation_needed(eligibility.minimum_age, eligibility.residency):
        await begin(ctx, state, pending=("code", code))
        return
    await redeem(ctx, state, code)


async def start_with_code(message: Message, command: CommandObject, ctx: Ctx, state: FSMContext) -> None:
    if not CODE.offered_in(ctx.campaign) or rules.normalize_code(command.args or "") is None:
        raise SkipHandler
    await _code_from_link(message, ctx, state, command.args or "")


async def code_command(message: Message, command: CommandObject, ctx: Ctx, state: FSMContext) -> None:
    if not CODE.offered_in(ctx.campaign):
        await message.answer(_("This campaign does not use invitation codes. Send /verify to see how to verify."))
        return
    if not command.args:
        await save_verifying(state, then=None)
        await ask(ctx, state, "")
        return
    await _code_from_link(message, ctx, state, command.args)


async def make_codes(message: Message, command: CommandObject, ctx: Ctx, secret_chat_id: int) -> bool:
    """True once the codes are sent (to the member's private chat: conversations.scope)."""
    campaign, repos = ctx.campaign, ctx.repos
    if not ctx.is_committee:
        await message.answer(_("Only committee members can create invitation codes."))
        return False
    try:
        count = int((command.args or "").strip())
    except ValueError:
        count = 0
    if not 1 <= count <= rules.MAX_CODES_PER_REQUEST:
        await message.answer(
            _("Send /codes N with N between 1 and {maximum}, for example /codes 50.").format(
                maximum=rules.MAX_CODES_PER_REQUEST
            )
        )
        return False
    now = ctx.clock.now()
    codes = sorted({rules.new_code() for _ in range(count * 2)})[:count]
    expires = campaign.calendar.voting_close
    await repos.verification.add_codes(
        campaign.id,
        [rules.code_hash(ctx.secret_key, c) for c in codes],
        message.from_user.id if message.from_user else None,
        now,
        expires,
    )
    await repos.audit.record(
        campaign.id, message.from_user.id if message.from_user else None, "codes_created", now, count=count
    )
    username = (await ctx.bot.me()).username
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["code", "link"])
    rows = [(rules.display_code(code), f"https://t.me/{username}?start={code}") for code in codes]
    writer.writerows(rows)
    # The file is sent after the commit: the codes it lists exist by then.
    await repos.session.commit()
    await ctx.bot.send_document(
        secret_chat_id,
        BufferedInputFile(buffer.getvalue().encode("utf-8"), filename=f"codes-{now:%Y%m%d-%H%M%S}.csv"),
        caption=ngettext(
            "{count} single-use invitation code, valid until {date}. Only its hash is kept: this file and the printable slip are the only copies.",
            "{count} single-use invitation codes, valid until {date}. Only their hashes are kept: this file and the printable slips are the only copies.",
            len(codes),
        ).format(count=len(codes), date=when(expires, campaign)),
    )
    # Then the same codes as printable slips, built after the CSV is out (the CSV is the
    # list that counts) and in a thread: about 4 ms a code, 4 s for the maximum.
    sheet = await asyncio.to_thread(
        code_sheet_pdf,
        rows,
        title=pick(campaign.name, ctx.user.language, campaign.default_language),
        instructions=_("Scan this code with your phone's camera, or send /start to the bot and type the code."),
    )
    await ctx.bot.send_document(
        secret_chat_id,
        BufferedInputFile(sheet, filename=f"codes-{now:%Y%m%d-%H%M%S}.pdf"),
        caption=_("Printable slips: one QR code per code; residents scan it with their phone camera to open the bot."),
    )
    return True


CODE = register(
    VerificationMethod(
        name="code",
        label=lambda: _("🔑 I have an invitation code"),
        ask=ask,
        routers=lambda: [router(), committee_router()],
        resume=redeem,
    )
)


def router() -> Router:
    r = private_only(Router(name="verification_codes"))  # in a group: conversations.group
    r.message.register(code_typed, Verifying.code, plain_text)
    r.message.register(code_expected, Verifying.code, not_a_command)
    r.message.register(start_with_code, CommandStart(deep_link=True))
    r.message.register(code_command, Command("code"))
    return r


def committee_router() -> Router:
    r = secrets_in_private(Router(name="verification_codes_committee"))
    r.message.register(make_codes, Command("codes"))
    return r
