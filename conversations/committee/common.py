"""What the committee dialogs share: who may use them, how a proposal reads for the
committee, telling an author in their language, the audit labels."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from html import escape

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import I18n, gettext as _
from babel.dates import format_datetime

from campaign.calendar import Phase
from campaign.clock import aware
from campaign.proposal import Proposal, ProposalStatus
from campaign.review import Refusal
from campaign.schema import Campaign
from conversations.after_commit import after_commit
from conversations.dialog_state import current_dialog
from conversations.filters import (
    chat_of as chat_of,
    not_a_command as not_a_command,
)  # where the committee modules find them
from conversations.render import language, money, proposal_sheet, status_label, when
from storage.repositories import Repositories, User

log = logging.getLogger(__name__)

# Commands only the committee may use; anyone else gets a short refusal (see refusal.py).
COMMITTEE_COMMANDS = (
    "admin",
    "review",
    "proposals",
    "proposal",
    "finalists",
    "calendar",
    "advance",
    "audit",
    "admins",
    "ambassadors",
    "stats",
    "publish",
    "export",
    "broadcast",
    "broadcasts",
    "chatid",
    "count",
    "countingkey",  # /results is also the residents' (conversations.results)
)
# Prefixes of the committee's buttons, filled as the CallbackData classes are declared.
COMMITTEE_PREFIXES: set[str] = set()


def committee_button(cls: type) -> type:
    """Class decorator: a CallbackData only committee members may press."""
    COMMITTEE_PREFIXES.add(cls.__prefix__)  # type: ignore[attr-defined]
    return cls


# --- access --------------------------------------------------------------------------------


async def committee_member(event: TelegramObject, is_committee: bool = False) -> bool:
    return is_committee


async def not_committee_member(event: TelegramObject, is_committee: bool = False) -> bool:
    return not is_committee


async def committee_callback(query: CallbackQuery) -> bool:
    """A button of the committee dialogs (whatever its payload, even a forged one)."""
    return (query.data or "").split(":", 1)[0] in COMMITTEE_PREFIXES


def members_only(router: Router) -> Router:
    """Every message and button of `router` is for committee members only."""
    router.message.filter(committee_member)
    router.callback_query.filter(committee_member)
    return router


# --- small helpers -------------------------------------------------------------------------


async def drop_buttons(query: CallbackQuery) -> None:
    """Remove the buttons of the message a decision was taken on (so no one presses twice)."""
    if isinstance(query.message, Message) and query.message.reply_markup is not None:
        try:
            await query.message.edit_reply_markup(reply_markup=None)
        except TelegramAPIError:
            log.debug("could not remove the buttons", exc_info=True)


async def person(repos: Repositories, telegram_id: int | None) -> str:
    """A committee member or resident as "Anne (9000)", escaped."""
    if telegram_id is None:
        return _("the calendar")
    found = await repos.users.by_telegram_id(telegram_id)
    if found is None or not found.first_name:
        return str(telegram_id)
    return f"{escape(found.first_name)} ({telegram_id})"


def short_when(moment: datetime, campaign: Campaign) -> str:
    return format_datetime(aware(moment).astimezone(campaign.zone), "d MMM y, HH:mm", locale=language())


_NUMBER = re.compile(r"^\s*(?:#|n°|no\.?)?\s*(\d{1,9})\s*$", re.IGNORECASE)


def parse_number(text: str | None) -> int | None:
    """ "12", "#12", "n°12" -> 12; anything else -> None."""
    match = _NUMBER.match(text or "")
    return int(match.group(1)) if match else None


class Told:
    """Whether a message reached its person: known only once the update has committed and the
    message was sent (conversations/after_commit.py), so read it in what is said after it."""

    def __init__(self) -> None:
        self.reached = False


async def tell_author(bot: Bot, i18n: I18n, repos: Repositories, proposal: Proposal, render: Callable[[], str]) -> Told:
    """Send `render()` (called in the author's language) to the proposal's author, after the
    commit. A blocked author does not undo the committee's decision: `reached` stays False, and
    a line in the log."""
    told = Told()
    author = await repos.users.by_id(proposal.author_id)
    if author is None:
        return told
    with i18n.use_locale(author.language):
        text = render()

    async def send(_: object) -> None:
        try:
            await bot.send_message(author.telegram_id, text)
        except TelegramAPIError:
            log.warning("could not tell the author of project #%s", proposal.id, exc_info=True)
            return
        told.reached = True

    after_commit(send)
    return told


class EditDialog(StatesGroup):
    """/edit's question (its dialog: edit.py)."""

    value = State()  # the new value of a field


# The keys of the committee's questions (review.py's and edit.py's DialogState).
QUESTION_KEYS = ("committee", "committee_edit")


async def leave_dialog(state: FSMContext) -> None:
    """A committee command in the middle of a committee question drops the question."""
    dialog = current_dialog(await state.get_state())
    if dialog is not None and dialog.key in QUESTION_KEYS:
        await dialog.end(state)


BROADCAST_KEY = "broadcast"  # the key of the broadcast being written (broadcasts.py)


async def leave_dialogs(state: FSMContext) -> None:
    """A committee command drops a question in progress: the review's, or a broadcast being written."""
    dialog = current_dialog(await state.get_state())
    if dialog is not None and dialog.key in (*QUESTION_KEYS, BROADCAST_KEY):
        await dialog.end(state)


# --- how things read ------------------------------------------------------------------------


def title_of(proposal: Proposal) -> str:
    return "« " + escape(proposal.title) + " »" if language() == "fr" else "“" + escape(proposal.title) + "”"


def phase_label(phase: Phase) -> str:
    return {
        Phase.UPCOMING: _("not started"),
        Phase.PROPOSALS: _("proposals"),
        Phase.REVIEW: _("review"),
        Phase.VOTING: _("voting"),
        Phase.COUNTING: _("counting"),
        Phase.RESULTS: _("results"),
    }[phase]


def refusal_text(refusal: Refusal, status: ProposalStatus | None = None, target: int | None = None) -> str:
    if refusal == Refusal.NOT_YET:
        return _("Proposals are not open yet.")
    if refusal == Refusal.LOCKED:
        return _("Voting has opened: projects and finalists can no longer be changed.")
    if refusal == Refusal.SAME_PROPOSAL:
        return _("A project cannot be merged into itself.")
    if refusal == Refusal.BAD_TARGET:
        return _("Project #{number} does not exist or is no longer in the running.").format(number=target)
    return _("Not possible: the project is now {status}.").format(status=status_label(status) if status else "?")


# Telegram refuses a message longer than 4096 characters; a long description plus the
# committee's lines could pass it, so they then go as two messages.
MESSAGE_LIMIT = 4000


def shorten(text: str, limit: int) -> str:
    """Raw (unescaped) text cut to `limit` characters; escape after cutting."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def committee_sheet(proposal: Proposal, campaign: Campaign, repos: Repositories) -> tuple[str, str]:
    """The sheet as the committee sees it: the fields; then status, author, who helped."""
    sheet = proposal_sheet(proposal.as_draft(), campaign, number=proposal.id)
    lines = []
    status = status_label(proposal.status)
    if proposal.status_reason:
        status += f" — {escape(shorten(proposal.status_reason, 300))}"
    if proposal.merged_into_id:
        status += " " + _("(into #{number})").format(number=proposal.merged_into_id)
    lines.append(_("<b>Status:</b> {status}").format(status=status))
    author = await repos.users.by_id(proposal.author_id)
    if author is not None:
        lines.append(_("<b>Author:</b> {name}").format(name=await person(repos, author.telegram_id)))
    helped = await repos.proposals.on_behalf(proposal.id)
    if helped is not None:
        helper = await repos.users.by_id(helped.helped_by_user_id) if helped.helped_by_user_id else None
        lines.append(
            _("<i>Submitted with the help of {ambassador}, for {name} ({contact}).</i>").format(
                ambassador=await person(repos, helper.telegram_id) if helper else "—",
                name=escape(helped.name or "—"),
                contact=escape(helped.contact or "—"),
            )
        )
    if proposal.submitted_at:
        lines.append(_("<b>Submitted:</b> {date}").format(date=when(aware(proposal.submitted_at), campaign)))
    return sheet, "\n".join(lines)


async def send_lines(bot: Bot, chat_id: int, lines: list[str]) -> None:
    """Lines as few messages as fit under Telegram's limit (a line is never cut)."""
    chunk: list[str] = []
    size = 0
    for line in lines:
        if chunk and size + len(line) + 1 > MESSAGE_LIMIT:
            await bot.send_message(chat_id, "\n".join(chunk))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        await bot.send_message(chat_id, "\n".join(chunk))


def list_line(proposal: Proposal, campaign: Campaign) -> str:
    return f"<b>#{proposal.id}</b> {escape(proposal.title)} — {money(proposal.cost, campaign)} — {status_label(proposal.status)}"


EDITABLE_FIELDS = ("title", "summary", "description", "category", "location", "cost")  # what /edit rewrites


def field_label(name: str) -> str:
    return {
        "title": _("title"),
        "summary": _("summary"),
        "description": _("description"),
        "category": _("category"),
        "location": _("location"),
        "cost": _("estimated cost"),
    }[name]


def wake(broadcaster: object | None) -> None:
    """Tell the broadcaster (when this process runs one) that something is queued."""
    wake_up = getattr(broadcaster, "wake", None)
    if callable(wake_up):
        wake_up()


def user_name(user: User) -> str:
    return escape(user.first_name or str(user.telegram_id))
