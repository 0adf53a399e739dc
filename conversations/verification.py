"""Verification: who is a resident of the town, by the methods the campaign file enables.

| state         | valid input                                   | then                                   |
|---------------|-----------------------------------------------|----------------------------------------|
| (any) /verify | —                                             | attest (if required), else method      |
| attest        | "I confirm" / "No" buttons                    | method (or the code given in the link) |
| method        | a method button (when several are enabled)   | phone / code / name                    |
| phone         | own contact from the 📱 button                | verified (then the ballot, if asked)   |
| code          | a code (ABCDE-23456), also `/start <code>`    | verified                               |
| name, street  | text                                          | a card in the committee chat           |

Refused with an explanation: a contact that is not the sender's (forwarded card, typed
number), a number outside the campaign's prefixes or register, a number that already
verifies another account; unknown, used and expired codes (distinct replies; after a few
wrong codes the resident must wait, doubling each time).

Committee: `/codes N` (CSV document of N single-use codes with their t.me deep links, then a
PDF of printable slips with one QR code per code),
`/import_register` (then a CSV document: one phone number per line), approve/refuse buttons
on request cards. Anyone: `/forgetme` erases their personal data after a confirmation.
"""
from __future__ import annotations

import asyncio
import csv
import io
import logging
from html import escape

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.utils.i18n import I18n, gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from campaign import verification as rules
from campaign.clock import Clock
from campaign.schema import Campaign, pick
from conversations.code_sheet import code_sheet_pdf
from conversations.filters import plain_text
from conversations.render import when
from storage.repositories import Repositories, User
from storage.repositories.verification import CodeOutcome, VerifyOutcome

log = logging.getLogger(__name__)
router = Router(name="verification")

MAX_NAME = 100
MAX_STREET = 150


class Verifying(StatesGroup):
    attest = State()
    method = State()
    phone = State()
    code = State()
    name = State()
    street = State()


class ImportingRegister(StatesGroup):
    document = State()


class VerifyAction(CallbackData, prefix="verify"):
    action: str  # attest_yes | attest_no | method | forget | keep
    value: str = ""


class CommitteeDecision(CallbackData, prefix="vreq"):
    request: int
    approve: bool


IN_VERIFICATION = StateFilter(Verifying)


async def contact(message: Message) -> bool:
    return message.contact is not None


async def document(message: Message) -> bool:
    return message.document is not None


async def not_a_command(message: Message) -> bool:
    """Catch-alls let commands through, so /start or /help work in the middle of a step."""
    return not (message.text or "").startswith("/")


# --- where it starts ------------------------------------------------------------------------


def _method_label(method: str) -> str:
    labels = {
        "phone": _("📱 With my phone number"),
        "code": _("🔑 I have an invitation code"),
        "committee": _("🏛 Ask the committee"),
    }
    return labels[method]


def _attestation_text(campaign: Campaign) -> str:
    eligibility = campaign.eligibility
    parts = []
    if eligibility.minimum_age is not None:
        parts.append(_("I am at least {age} years old.").format(age=eligibility.minimum_age))
    if eligibility.residency:
        parts.append(_("I live in {place}.").format(place=escape(eligibility.residency)))
    return "\n".join(f"• {part}" for part in parts)


async def begin(
    bot: Bot, chat_id: int, state: FSMContext, campaign: Campaign, user: User, repos: Repositories,
    *, then: str | None = None, pending_code: str | None = None,
) -> None:
    """Ask a resident to verify; `then` ("vote") says what to do once they are."""
    if await repos.verification.is_verified(user.id):
        await bot.send_message(chat_id, _("You are already verified as a resident. Thank you!"))
        return
    await state.update_data(verify_then=then, verify_attested=None, verify_code=pending_code)
    eligibility = campaign.eligibility
    if rules.attestation_needed(eligibility.minimum_age, eligibility.residency):
        await state.set_state(Verifying.attest)
        builder = InlineKeyboardBuilder()
        builder.button(text=_("✅ I confirm"), callback_data=VerifyAction(action="attest_yes"))
        builder.button(text=_("✖ No"), callback_data=VerifyAction(action="attest_no"))
        await bot.send_message(
            chat_id,
            _("Only residents may take part, so I need to check who you are first. Please confirm:") + "\n" + _attestation_text(campaign),
            reply_markup=builder.as_markup(),
        )
        return
    await _after_attestation(bot, chat_id, state, campaign, user, repos, None)


async def _after_attestation(
    bot: Bot, chat_id: int, state: FSMContext, campaign: Campaign, user: User, repos: Repositories, clock: Clock | None,
    *, secret_key: bytes | None = None,
) -> None:
    data = await state.get_data()
    if data.get("verify_code") and clock is not None and secret_key is not None:
        await _redeem(bot, chat_id, state, campaign, user, repos, clock, secret_key, data["verify_code"])
        return
    methods = list(campaign.verification.methods)
    if len(methods) == 1:
        if not data.get("verify_attested"):  # not yet told why we ask
            await bot.send_message(chat_id, _("Only residents may take part, so I need to check who you are first."))
        await _ask_method(bot, chat_id, state, campaign, methods[0])
        return
    await state.set_state(Verifying.method)
    builder = InlineKeyboardBuilder()
    for method in methods:
        builder.button(text=_method_label(method), callback_data=VerifyAction(action="method", value=method))
    builder.adjust(1)
    await bot.send_message(
        chat_id,
        _("Only residents may take part, so I need to check who you are first. How would you like to do it?"),
        reply_markup=builder.as_markup(),
    )


def _phone_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=_("📱 Share my phone number"), request_contact=True)],
            [KeyboardButton(text=_("✖ Cancel"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


async def _ask_method(bot: Bot, chat_id: int, state: FSMContext, campaign: Campaign, method: str) -> None:
    if method == "phone":
        await state.set_state(Verifying.phone)
        text = _(
            "Press the button <b>📱 Share my phone number</b> below. Telegram sends me your own number, "
            "so I know it is yours. It is stored only in a scrambled form, never shown to anyone, and one "
            "number can verify only one account."
        )
        if campaign.verification.phone_prefixes:
            text += "\n\n" + _("Accepted numbers start with {prefixes}.").format(prefixes=", ".join(campaign.verification.phone_prefixes))
        await bot.send_message(chat_id, text, reply_markup=_phone_keyboard())
    elif method == "code":
        await state.set_state(Verifying.code)
        await bot.send_message(
            chat_id,
            _("Type the invitation code you received from the town, for example ABCDE-23456. Or /cancel."),
        )
    else:
        await state.set_state(Verifying.name)
        await bot.send_message(
            chat_id,
            _("The committee will check that you live in the town. What is your full name? (or /cancel)"),
        )


async def _verified(
    bot: Bot, chat_id: int, state: FSMContext, campaign: Campaign, user: User, repos: Repositories,
    clock: Clock, secret_key: bytes,
) -> None:
    data = await state.get_data()
    then = data.get("verify_then")
    await state.set_state(None)
    await state.update_data(verify_then=None, verify_attested=None, verify_code=None)
    await bot.send_message(chat_id, _("✅ Thank you, you are now a verified resident."), reply_markup=ReplyKeyboardRemove())
    if then == "vote":
        from conversations.voting import open_ballot  # the ballot needs verification, not the other way round

        await open_ballot(bot, chat_id, state, campaign, clock, user, repos, secret_key)
    elif then == "propose":
        from conversations.proposal_wizard import resume  # likewise for proposing

        await resume(bot, chat_id, state, campaign, clock, user, repos)


def _attested(data: dict) -> tuple[bool | None, bool | None]:
    attested = data.get("verify_attested")
    return (True, True) if attested else (None, None)


@router.message(Command("verify"))
async def verify_command(message: Message, bot: Bot, state: FSMContext, campaign: Campaign, user: User, repos: Repositories) -> None:
    await begin(bot, message.chat.id, state, campaign, user, repos)


@router.callback_query(Verifying.attest, VerifyAction.filter(F.action.in_({"attest_yes", "attest_no"})))
async def attest(
    query: CallbackQuery, callback_data: VerifyAction, bot: Bot, state: FSMContext, campaign: Campaign,
    user: User, repos: Repositories, clock: Clock, secret_key: bytes,
) -> None:
    await query.answer()
    if callback_data.action == "attest_no":
        await state.set_state(None)
        await state.update_data(verify_then=None, verify_code=None)
        await bot.send_message(
            query.from_user.id,
            _("Then I am sorry: only residents who meet these conditions can vote. Thank you for your interest!"),
        )
        return
    await state.update_data(verify_attested=True)
    await _after_attestation(bot, query.from_user.id, state, campaign, user, repos, clock, secret_key=secret_key)


@router.callback_query(Verifying.method, VerifyAction.filter(F.action == "method"))
async def choose_method(query: CallbackQuery, callback_data: VerifyAction, bot: Bot, state: FSMContext, campaign: Campaign) -> None:
    if callback_data.value not in campaign.verification.methods:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    await query.answer()
    await _ask_method(bot, query.from_user.id, state, campaign, callback_data.value)


@router.callback_query(VerifyAction.filter(F.action.in_({"attest_yes", "attest_no", "method"})))
async def stale_verify_button(query: CallbackQuery) -> None:
    await query.answer(_("This button is from an earlier message. Send /verify to start again."), show_alert=True)


@router.message(IN_VERIFICATION, Command("cancel"))
async def cancel(message: Message, state: FSMContext) -> None:
    await state.set_state(None)
    await state.update_data(verify_then=None, verify_code=None)
    await message.answer(_("Stopped. You can verify later with /verify."), reply_markup=ReplyKeyboardRemove())


# --- phone -----------------------------------------------------------------------------------


@router.message(StateFilter(Verifying.phone, None), contact)
async def contact_shared(
    message: Message, bot: Bot, state: FSMContext, campaign: Campaign, user: User,
    repos: Repositories, clock: Clock, secret_key: bytes,
) -> None:
    shared = message.contact
    assert shared is not None and message.from_user is not None
    if "phone" not in campaign.verification.methods:
        await message.answer(_("This campaign does not verify residents by phone. Send /verify to see how."))
        return
    if shared.user_id != message.from_user.id:
        await message.answer(
            _(
                "This is not your own contact: I can only accept your own number, sent with the button "
                "<b>📱 Share my phone number</b> (a forwarded contact or a typed number cannot be checked)."
            ),
            reply_markup=_phone_keyboard(),
        )
        await state.set_state(Verifying.phone)
        return
    if await repos.verification.is_verified(user.id):
        await state.set_state(None)
        await message.answer(_("You are already verified as a resident. Thank you!"), reply_markup=ReplyKeyboardRemove())
        return
    prefixes = campaign.verification.phone_prefixes
    try:
        phone = rules.normalize_phone(shared.phone_number, prefixes[0] if prefixes else None)
    except rules.PhoneError:
        await message.answer(_("I could not read this phone number. Please try again with the button, or /cancel."), reply_markup=_phone_keyboard())
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
    digest = rules.phone_hash(secret_key, phone)
    if campaign.verification.use_register and not await repos.verification.in_register(campaign.id, digest):
        await state.set_state(None)
        await message.answer(
            _("Sorry, this number is not in the list of residents the town gave us.") + _other_methods(campaign, "phone"),
            reply_markup=ReplyKeyboardRemove(),
        )
        return
    age, residency = _attested(await state.get_data())
    outcome = await repos.verification.verify(
        user.id, "phone", clock.now(), phone_hash=digest, attested_age=age, attested_residency=residency
    )
    if outcome == VerifyOutcome.PHONE_TAKEN:
        await state.set_state(None)
        await message.answer(
            _("This phone number already verifies another Telegram account. One number can verify only one account.")
            + _other_methods(campaign, "phone"),
            reply_markup=ReplyKeyboardRemove(),
        )
        return
    await _verified(bot, message.chat.id, state, campaign, user, repos, clock, secret_key)


def _other_methods(campaign: Campaign, tried: str) -> str:
    others = [m for m in campaign.verification.methods if m != tried]
    if not others:
        return "\n" + _("If you think this is a mistake, contact the town hall.")
    return "\n" + _("You can verify another way: send /verify.")


@router.message(Verifying.phone, not_a_command)
async def phone_expected(message: Message, state: FSMContext) -> None:
    if message.text == _("✖ Cancel"):
        await state.set_state(None)
        await state.update_data(verify_then=None, verify_code=None)
        await message.answer(_("Stopped. You can verify later with /verify."), reply_markup=ReplyKeyboardRemove())
        return
    await message.answer(
        _("Please press the button <b>📱 Share my phone number</b> below; typing the number does not work. Or /cancel."),
        reply_markup=_phone_keyboard(),
    )


# --- invitation codes ------------------------------------------------------------------------


async def _redeem(
    bot: Bot, chat_id: int, state: FSMContext, campaign: Campaign, user: User, repos: Repositories,
    clock: Clock, secret_key: bytes, code: str,
) -> None:
    now = clock.now()
    await state.update_data(verify_code=None)
    failures, last = await repos.verification.code_failures(user.id)
    wait = rules.retry_wait(failures, last, now)
    if wait is not None:
        minutes = max(1, round(wait.total_seconds() / 60))
        await state.set_state(Verifying.code)
        await bot.send_message(chat_id, _("Too many wrong codes. Please wait {minutes} min before trying again.").format(minutes=minutes))
        return
    age, residency = _attested(await state.get_data())
    outcome = await repos.verification.redeem_code(
        campaign.id, rules.code_hash(secret_key, code), user.id, now, attested_age=age, attested_residency=residency
    )
    if outcome in (CodeOutcome.VERIFIED, CodeOutcome.ALREADY_VERIFIED):
        if outcome == CodeOutcome.ALREADY_VERIFIED:
            await state.set_state(None)
            await bot.send_message(chat_id, _("You are already verified as a resident. Thank you!"))
            return
        await _verified(bot, chat_id, state, campaign, user, repos, clock, secret_key)
        return
    await repos.verification.record_code_failure(user.id, now)
    await state.set_state(Verifying.code)
    replies = {
        CodeOutcome.UNKNOWN: _("I do not know this code. Check it letter by letter and type it again, or /cancel."),
        CodeOutcome.USED: _("This code has already been used. Each code works once: ask the town hall for a new one."),
        CodeOutcome.EXPIRED: _("This code has expired. Ask the town hall for a new one."),
    }
    await bot.send_message(chat_id, replies[outcome])


@router.message(Verifying.code, plain_text)
async def code_typed(
    message: Message, bot: Bot, state: FSMContext, campaign: Campaign, user: User,
    repos: Repositories, clock: Clock, secret_key: bytes,
) -> None:
    code = rules.normalize_code(message.text or "")
    if code is None:
        await message.answer(_("That does not look like a code: a code has 10 letters and digits, like ABCDE-23456. Type it again, or /cancel."))
        return
    await _redeem(bot, message.chat.id, state, campaign, user, repos, clock, secret_key, code)


@router.message(Verifying.code, not_a_command)
async def code_expected(message: Message) -> None:
    await message.answer(_("Please type the code as text, like ABCDE-23456, or /cancel."))


async def _code_from_link(
    message: Message, bot: Bot, state: FSMContext, campaign: Campaign, user: User,
    repos: Repositories, clock: Clock, secret_key: bytes, text: str,
) -> None:
    code = rules.normalize_code(text)
    if code is None:
        await message.answer(_("That does not look like a code: a code has 10 letters and digits, like ABCDE-23456. Type it again, or /cancel."))
        return
    if await repos.verification.is_verified(user.id):
        await message.answer(_("You are already verified as a resident. Thank you!"))
        return
    eligibility = campaign.eligibility
    if rules.attestation_needed(eligibility.minimum_age, eligibility.residency):
        await begin(bot, message.chat.id, state, campaign, user, repos, pending_code=code)
        return
    await _redeem(bot, message.chat.id, state, campaign, user, repos, clock, secret_key, code)


@router.message(CommandStart(deep_link=True))
async def start_with_code(
    message: Message, command: CommandObject, bot: Bot, state: FSMContext, campaign: Campaign,
    user: User, repos: Repositories, clock: Clock, secret_key: bytes,
) -> None:
    # t.me/<bot>?start=<code>: anything that is not a code goes on to the ordinary /start.
    if "code" not in campaign.verification.methods or rules.normalize_code(command.args or "") is None:
        raise SkipHandler
    await _code_from_link(message, bot, state, campaign, user, repos, clock, secret_key, command.args or "")


@router.message(Command("code"))
async def code_command(
    message: Message, command: CommandObject, bot: Bot, state: FSMContext, campaign: Campaign,
    user: User, repos: Repositories, clock: Clock, secret_key: bytes,
) -> None:
    if "code" not in campaign.verification.methods:
        await message.answer(_("This campaign does not use invitation codes. Send /verify to see how to verify."))
        return
    if not command.args:
        await state.update_data(verify_then=None)
        await _ask_method(bot, message.chat.id, state, campaign, "code")
        return
    await _code_from_link(message, bot, state, campaign, user, repos, clock, secret_key, command.args)


@router.message(Command("codes"))
async def make_codes(
    message: Message, command: CommandObject, bot: Bot, campaign: Campaign, user: User, repos: Repositories,
    clock: Clock, secret_key: bytes, is_committee: bool,
) -> None:
    if not is_committee:
        await message.answer(_("Only committee members can create invitation codes."))
        return
    try:
        count = int((command.args or "").strip())
    except ValueError:
        count = 0
    if not 1 <= count <= rules.MAX_CODES_PER_REQUEST:
        await message.answer(_("Send /codes N with N between 1 and {maximum}, for example /codes 50.").format(maximum=rules.MAX_CODES_PER_REQUEST))
        return
    now = clock.now()
    codes = sorted({rules.new_code() for _ in range(count * 2)})[:count]
    expires = campaign.calendar.voting_close
    await repos.verification.add_codes(campaign.id, [rules.code_hash(secret_key, c) for c in codes], message.from_user.id if message.from_user else None, now, expires)
    await repos.audit.record(campaign.id, message.from_user.id if message.from_user else None, "codes_created", now, count=count)
    username = (await bot.me()).username
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["code", "link"])
    rows = [(rules.display_code(code), f"https://t.me/{username}?start={code}") for code in codes]
    writer.writerows(rows)
    # The file is sent after the commit: the codes it lists exist by then.
    await repos.session.commit()
    await bot.send_document(
        message.chat.id,
        BufferedInputFile(buffer.getvalue().encode("utf-8"), filename=f"codes-{now:%Y%m%d-%H%M%S}.csv"),
        caption=_("{count} single-use invitation codes, valid until {date}. Only their hashes are kept: this file and the printable slips are the only copies.").format(
            count=len(codes), date=when(expires, campaign)
        ),
    )
    # Then the same codes as printable slips, built after the CSV is out (the CSV is the
    # list that counts) and in a thread: about 4 ms a code, 4 s for the maximum.
    sheet = await asyncio.to_thread(
        code_sheet_pdf,
        rows,
        title=pick(campaign.name, user.language, campaign.default_language),
        instructions=_("Scan this code with your phone's camera, or send /start to the bot and type the code."),
    )
    await bot.send_document(
        message.chat.id,
        BufferedInputFile(sheet, filename=f"codes-{now:%Y%m%d-%H%M%S}.pdf"),
        caption=_("Printable slips: one QR code per code; residents scan it with their phone camera to open the bot."),
    )


# --- the phone register ------------------------------------------------------------------


@router.message(Command("import_register"))
async def import_register(message: Message, state: FSMContext, is_committee: bool) -> None:
    if not is_committee:
        await message.answer(_("Only committee members can import the register."))
        return
    await state.set_state(ImportingRegister.document)
    await message.answer(_("Send the register as a CSV document: one phone number per line (first column). Or /cancel."))


@router.message(ImportingRegister.document, document)
async def register_document(
    message: Message, bot: Bot, state: FSMContext, campaign: Campaign, repos: Repositories,
    clock: Clock, secret_key: bytes, is_committee: bool,
) -> None:
    if not is_committee:
        await state.set_state(None)
        return
    assert message.document is not None
    content = await bot.download(message.document.file_id)
    assert content is not None
    text = content.read().decode("utf-8-sig", errors="replace")
    prefixes = campaign.verification.phone_prefixes
    hashes: set[str] = set()
    bad: list[int] = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not row[0].strip():
            continue
        try:
            hashes.add(rules.phone_hash(secret_key, rules.normalize_phone(row[0], prefixes[0] if prefixes else None)))
        except rules.PhoneError:
            if number > 1 or any(ch.isdigit() for ch in row[0]):
                bad.append(number)
    new = await repos.verification.import_register(campaign.id, hashes, clock.now())
    await repos.audit.record(campaign.id, message.from_user.id if message.from_user else None, "register_imported", clock.now(), count=len(hashes), new=new)
    await state.set_state(None)
    reply = _("Register imported: {count} numbers read, {new} new.").format(count=len(hashes), new=new)
    if bad:
        shown = ", ".join(str(n) for n in bad[:20]) + ("…" if len(bad) > 20 else "")
        reply += "\n" + _("These lines could not be read as phone numbers: {lines}.").format(lines=shown)
    await message.answer(reply)


@router.message(ImportingRegister.document, Command("cancel"))
async def register_cancel(message: Message, state: FSMContext) -> None:
    await state.set_state(None)
    await message.answer(_("Stopped. Nothing was imported."))


@router.message(ImportingRegister.document, not_a_command)
async def register_expected(message: Message) -> None:
    await message.answer(_("Please send a CSV document (📎 then File), or /cancel."))


# --- committee approval -------------------------------------------------------------------


@router.message(Verifying.name, plain_text)
async def name_typed(message: Message, state: FSMContext) -> None:
    name = " ".join((message.text or "").split())
    if not 2 <= len(name) <= MAX_NAME:
        await message.answer(_("Please type your full name (2 to {maximum} characters).").format(maximum=MAX_NAME))
        return
    await state.update_data(verify_name=name)
    await state.set_state(Verifying.street)
    await message.answer(_("In which street do you live? (the street is enough, no house number needed)"))


@router.message(Verifying.street, plain_text)
async def street_typed(
    message: Message, bot: Bot, state: FSMContext, campaign: Campaign, user: User, repos: Repositories,
    clock: Clock, i18n: I18n, committee_chat_id: int | None,
) -> None:
    street = " ".join((message.text or "").split())
    if not 2 <= len(street) <= MAX_STREET:
        await message.answer(_("Please type your street (2 to {maximum} characters).").format(maximum=MAX_STREET))
        return
    data = await state.get_data()
    name = data.get("verify_name") or ""
    await state.set_state(None)
    await state.update_data(verify_name=None)
    if await repos.verification.is_verified(user.id):
        await message.answer(_("You are already verified as a resident. Thank you!"))
        return
    if await repos.verification.pending_request(campaign.id, user.id):
        await message.answer(_("Your request is already with the committee. I will tell you as soon as they answer."))
        return
    age, residency = _attested(data)
    request_id = await repos.verification.add_request(
        campaign.id, user.id, name, street, clock.now(), attested_age=age, attested_residency=residency
    )
    await message.answer(_("Thank you. The committee will check your request; I will tell you as soon as they answer."))
    if committee_chat_id is None:
        return
    builder = InlineKeyboardBuilder()
    with i18n.use_locale(campaign.default_language):
        builder.button(text=_("✅ Approve"), callback_data=CommitteeDecision(request=request_id, approve=True))
        builder.button(text=_("✖ Refuse"), callback_data=CommitteeDecision(request=request_id, approve=False))
        card = _("Verification request #{number}\nName: {name}\nStreet: {street}\nDoes this person live in {town}?").format(
            number=request_id, name=escape(name), street=escape(street), town=escape(campaign.town)
        )
    try:
        await bot.send_message(committee_chat_id, card, reply_markup=builder.as_markup())
    except TelegramAPIError:
        log.warning("could not post verification request #%s to the committee chat", request_id, exc_info=True)


@router.message(StateFilter(Verifying.name, Verifying.street), not_a_command)
async def text_expected(message: Message) -> None:
    await message.answer(_("Please answer with text, or /cancel."))


@router.callback_query(CommitteeDecision.filter())
async def decide(
    query: CallbackQuery, callback_data: CommitteeDecision, bot: Bot, campaign: Campaign, repos: Repositories,
    clock: Clock, i18n: I18n, is_committee: bool,
) -> None:
    if not is_committee:
        await query.answer(_("Only committee members can decide on requests."), show_alert=True)
        return
    now = clock.now()
    decided = await repos.verification.decide_request(callback_data.request, callback_data.approve, query.from_user.id, now)
    if decided is None:
        await query.answer(_("This request has already been decided."), show_alert=True)
        return
    await repos.audit.record(
        campaign.id, query.from_user.id, "verification_approved" if callback_data.approve else "verification_refused",
        now, target=f"request:{decided.id}",
    )
    await query.answer(_("Done."))
    with i18n.use_locale(campaign.default_language):  # the card's language
        verdict = _("Approved by {name}.") if callback_data.approve else _("Refused by {name}.")
    if query.message is not None and isinstance(query.message, Message):
        try:
            await query.message.edit_text(
                (query.message.html_text or "") + "\n\n" + verdict.format(name=escape(query.from_user.first_name or "")),
                reply_markup=None,
            )
        except TelegramAPIError:
            log.warning("could not update request card #%s", decided.id, exc_info=True)
    resident = await repos.users.by_id(decided.user_id)
    language = resident.language if resident else campaign.default_language
    with i18n.use_locale(language):
        if callback_data.approve:
            text = _("✅ The committee confirmed that you live in {town}: you are now a verified resident.").format(town=escape(campaign.town))
        else:
            text = _("The committee could not confirm that you live in {town}. If this is a mistake, contact the town hall.").format(town=escape(campaign.town))
    await repos.session.commit()
    try:
        await bot.send_message(decided.telegram_id, text)
    except TelegramAPIError:
        log.warning("could not tell the resident about request #%s", decided.id, exc_info=True)


# --- /forgetme -----------------------------------------------------------------------------


@router.message(Command("forgetme"))
async def forget_me(message: Message) -> None:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🗑 Yes, erase my data"), callback_data=VerifyAction(action="forget"))
    builder.button(text=_("✖ No, keep it"), callback_data=VerifyAction(action="keep"))
    await message.answer(
        _(
            "This erases your personal data: your verification (name and street, code, age and residence "
            "confirmation), your first name and any unfinished draft. If you voted, your ballot stays counted, "
            "stored under a scrambled key that names no one; you will not be able to change it. A phone number "
            "already used stays unusable for another account. Your submitted projects stay public. Continue?"
        ),
        reply_markup=builder.as_markup(),
    )


@router.callback_query(VerifyAction.filter(F.action.in_({"forget", "keep"})))
async def forget_confirmed(
    query: CallbackQuery, callback_data: VerifyAction, state: FSMContext, campaign: Campaign, user: User,
    repos: Repositories, clock: Clock, secret_key: bytes,
) -> None:
    if callback_data.action == "keep":
        await query.answer(_("Nothing was erased."))
        return
    await repos.verification.forget(user.id)
    await repos.audit.record(campaign.id, None, "resident_forgotten", clock.now())
    await state.clear()
    await repos.session.commit()
    await query.answer(_("Done."))
    await query.message.answer(_("Your personal data has been erased.")) if isinstance(query.message, Message) else None
