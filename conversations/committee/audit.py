"""/audit: the latest committee actions — who, what, when; /audit verify checks the hash chain."""

from __future__ import annotations

from datetime import datetime
from html import escape

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _, ngettext

from campaign.audit_chain import ChainReport, first_broken
from campaign.calendar_changes import CALENDAR_FIELDS
from campaign.schema import Campaign
from conversations.committee.rules_text import calendar_field_label, refused_reason_label
from conversations.committee.common import (
    EDITABLE_FIELDS,
    field_label,
    leave_dialog,
    members_only,
    person,
    send_lines,
    short_when,
)
from conversations.context import Ctx
from storage.repositories.audit import AuditEntry


DEFAULT_COUNT = 20
MAX_COUNT = 50


def action_label(action: str) -> str:
    labels = {
        "proposal_eligible": _("declared eligible"),
        "proposal_ineligible": _("declared not eligible"),
        "proposal_changes": _("asked for changes"),
        "proposal_merge": _("merged"),
        "proposal_edited": _("rewrote a field"),
        "finalist_added": _("ticked as finalist"),
        "finalist_removed": _("unticked as finalist"),
        "calendar_set": _("moved a date"),
        "calendar_advanced": _("started the next step now"),
        "admin_added": _("added a committee member"),
        "admin_removed": _("removed a committee member"),
        "ambassador_added": _("added an ambassador"),
        "ambassador_removed": _("removed an ambassador"),
        "codes_created": _("created invitation codes"),
        "register_imported": _("imported the phone register"),
        "verification_approved": _("approved a resident"),
        "verification_refused": _("refused a resident"),
        "results_published": _("published the results"),
        "results_viewed": _("looked at the tally"),
        "counting_key_made": _("made the counting key"),
        "counting_key_refused": _("was refused the counting key"),
        "count_share": _("gave a key share"),
        "count_refused": _("was refused the count"),
        "ballots_counted": _("counted the ballots"),
        "tracker_not_found": _("asked for an unknown tracker"),
        "export": _("exported data"),
        "broadcast_queued": _("queued a broadcast"),
        "refused": _("was refused"),
        "phase_jump": _("moved the console's clock to a phase"),
    }
    return labels.get(action, escape(action.replace("_", " ")))


def _target(target: str | None) -> str:
    if not target:
        return ""
    kind, _sep, value = target.partition(":")
    if kind == "proposal":
        return f" #{escape(value)}"
    if kind == "calendar" and value in CALENDAR_FIELDS:
        return f" “{calendar_field_label(value)}”"
    return f" {escape(value)}"


def _details(entry: AuditEntry, campaign: Campaign) -> str:
    labels = {
        "attempt": _("attempt"),
        "why": _("rule"),
        "reason": _("reason"),
        "message": _("message"),
        "into": _("into"),
        "field": _("field"),
        "to": _("to"),
        "count": _("count"),
    }
    shown = []
    for key, label in labels.items():
        value = entry.details.get(key)
        if value in (None, ""):
            continue
        text = str(value)
        if key == "to":
            try:
                text = short_when(datetime.fromisoformat(text), campaign)
            except ValueError:
                pass
        elif key == "field":
            if text in CALENDAR_FIELDS:
                continue  # the target says it
            text = field_label(text) if text in EDITABLE_FIELDS else text
        elif key == "attempt":
            text = action_label(text)
        elif key == "why":
            text = refused_reason_label(text)
        elif key == "into":
            text = f"#{text}"
        if len(text) > 80:
            text = text[:79] + "…"
        shown.append(_("{label}: {value}").format(label=label, value=escape(text)))
    return f" ({'; '.join(shown)})" if shown else ""


async def audit_command(message: Message, command: CommandObject, ctx: Ctx, state: FSMContext) -> None:
    await leave_dialog(state)
    args = (command.args or "").strip()
    if args.lower() == "verify":
        await ctx.bot.send_message(message.chat.id, chain_text(first_broken(await ctx.repos.audit.chain())))
        return
    await show_audit(ctx, message.chat.id, args)


def chain_text(report: ChainReport) -> str:
    """What /audit verify says (pbbot verify-log prints the same facts in English)."""
    if report.broken_at is None:
        return ngettext(
            "✅ The audit log is intact: {count} entry chained; last hash <code>{head}</code>.",
            "✅ The audit log is intact: {count} entries chained; last hash <code>{head}</code>.",
            report.checked,
        ).format(count=report.checked, head=(report.head or "—")[:16])
    return ngettext(
        "❌ The audit log was altered: entry #{number} does not fit the chain ({count} entry before it is intact).",
        "❌ The audit log was altered: entry #{number} does not fit the chain ({count} entries before it are intact).",
        report.checked,
    ).format(number=report.broken_at, count=report.checked)


async def show_audit(ctx: Ctx, chat_id: int, args: str = "") -> None:
    bot, repos, campaign = ctx.bot, ctx.repos, ctx.campaign
    count = int(args) if args.isdigit() else DEFAULT_COUNT
    count = min(max(count, 1), MAX_COUNT)
    entries = await repos.audit.latest(campaign.id, limit=count)
    if not entries:
        await bot.send_message(chat_id, _("No committee action recorded yet."))
        return
    lines = [_("<b>Latest committee actions</b> (most recent first):"), ""]
    names: dict[int | None, str] = {}
    for entry in entries:
        if entry.actor_telegram_id not in names:
            names[entry.actor_telegram_id] = await person(repos, entry.actor_telegram_id)
        target = _target(entry.target)
        kind, _sep, value = (entry.target or "").partition(":")
        if kind == "user" and value.lstrip("-").isdigit():
            target = " " + await person(repos, int(value))
        lines.append(
            f"{short_when(entry.at, campaign)} — {names[entry.actor_telegram_id]} "
            f"{action_label(entry.action)}{target}{_details(entry, campaign)}"
        )
    await send_lines(bot, chat_id, lines)


def router() -> Router:
    r = members_only(Router(name="committee_audit"))
    r.message.register(audit_command, Command("audit"))
    return r
