"""Whether a decision on a project can still be taken — the one place every decision of /review
and 🖊 Edit asks, before anything changes:

- the campaign's rules allow it now (`campaign.review.refusal`): else the reason, and an attempt
  on a frozen finalist once voting opened goes to the audit log;
- it is about what was shown: the review buttons carry the revision of the sheet they were sent
  with (`ReviewButton.revision`), and a question's answer the revision it was asked about. If the
  author changed the project since, nothing is decided: the attempt is audited, and the committee
  gets the new version with the changed fields marked.
"""

from __future__ import annotations

from html import escape

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from campaign.calendar import phase_at
from campaign.proposal import Proposal, ProposalDraft, changed_fields
from campaign.review import Refusal, ReviewAction, refusal
from conversations.committee.common import drop_buttons, field_label, refusal_text, shorten
from conversations.committee.sheet import ReviewButton, send_sheet
from conversations.context import Ctx
from storage.phase_gate import record_refusal
from storage.repositories.proposals import Revision

# ProposalDraft attributes -> the field names the committee reads.
_SHEET_NAMES = {"location_text": "location", "latitude": "location", "longitude": "location", "photo_file_id": "photo"}


def _label(name: str) -> str:
    return _("photo") if name == "photo" else field_label(name)


def _value(draft: ProposalDraft, name: str) -> str:
    if name == "location":
        return draft.location_text or (f"{draft.latitude}, {draft.longitude}" if draft.latitude is not None else "—")
    if name == "photo":
        return _("a photo") if draft.photo_file_id else "—"
    return str(getattr(draft, name) or "—")


def changes_intro(shown: Revision | None, latest: Revision) -> str:
    """ "Changed since you read it", each changed field with what it was."""
    lines = [
        _(
            "⚠️ The author changed this project since the card you pressed was shown: nothing was decided. The new version is below; changed:"
        )
    ]
    if shown is None:
        return lines[0] + " " + _("(the version you saw is unknown)")
    before, after = ProposalDraft.from_data(shown.fields), ProposalDraft.from_data(latest.fields)
    names: list[str] = []
    for name in changed_fields(before, after):
        sheet_name = _SHEET_NAMES.get(name, name)
        if sheet_name not in names:
            names.append(sheet_name)
    for name in names:
        lines.append(
            _("✏️ {field} — was: {value}").format(field=_label(name), value=escape(shorten(_value(before, name), 300)))
        )
    return "\n".join(lines)


async def _stale(ctx: Ctx, proposal: Proposal, shown: int, attempt: str) -> str | None:
    """None if `shown` is still the project's latest revision; else the intro that marks the
    changes (and the refused attempt is in the audit log)."""
    revisions = await ctx.repos.proposals.revisions(proposal.id)
    if not revisions or revisions[-1].number == shown:
        return None
    await record_refusal(
        ctx.repos,
        ctx.campaign,
        ctx.user.telegram_id,
        attempt,
        "stale_revision",
        ctx.clock.now(),
        target=f"proposal:{proposal.id}",
        shown=shown,
        current=revisions[-1].number,
    )
    return changes_intro(next((r for r in revisions if r.number == shown), None), revisions[-1])


# --- allowed now? ----------------------------------------------------------------------------


async def checked(action: ReviewAction, proposal_id: int, ctx: Ctx) -> tuple[Proposal | None, str | None]:
    """The proposal if `action` is allowed on it now, else the reason why not (an attempt on a
    frozen finalist, once voting opened, goes to the audit log)."""
    proposal = await ctx.repos.proposals.get(proposal_id, ctx.campaign.id)
    if proposal is None:
        return None, _("There is no project #{number}.").format(number=proposal_id)
    refused = refusal(action, proposal.status, phase_at(ctx.campaign.calendar, ctx.clock.now()))
    if refused == Refusal.LOCKED:
        return None, await frozen(ctx, proposal, f"proposal_{action.value}")
    if refused is not None:
        return None, refusal_text(refused, proposal.status)
    return proposal, None


async def frozen(ctx: Ctx, proposal: Proposal, attempt: str) -> str:
    """The refusal of a change to a finalist once voting opened, recorded in the audit log."""
    await record_refusal(
        ctx.repos,
        ctx.campaign,
        ctx.user.telegram_id,
        attempt,
        "finalists_frozen",
        ctx.clock.now(),
        target=f"proposal:{proposal.id}",
    )
    return refusal_text(Refusal.LOCKED)


# --- on what was shown? ------------------------------------------------------------------------


async def changed_since_shown(ctx: Ctx, proposal: Proposal, shown: int, attempt: ReviewAction) -> bool:
    """True (and the new version shown, changes marked) if the author changed the project
    since the revision the committee member decided on."""
    intro = await _stale(ctx, proposal, shown, f"proposal_{attempt.value}")
    if intro is None:
        return False
    await send_sheet(ctx, ctx.chat_id, proposal, with_next=False, intro=intro)
    return True


# --- both, for a button and for a typed answer -----------------------------------------------------


async def allowed_on_button(query: CallbackQuery, ctx: Ctx, action: ReviewAction, number: int) -> Proposal | None:
    """The project if `action` is allowed on it now; else None, and the reason in an alert."""
    proposal, problem = await checked(action, number, ctx)
    if proposal is None:
        await query.answer(problem, show_alert=True)
    return proposal


async def decidable(query: CallbackQuery, ctx: Ctx, button: ReviewButton) -> Proposal | None:
    """The project a decision button names, if its decision can be taken: allowed now, and on
    the revision the button was shown with. Else None, after the alert (and the new version)."""
    action = ReviewAction(button.action)
    proposal = await allowed_on_button(query, ctx, action, button.proposal)
    if proposal is None or not await changed_since_shown(ctx, proposal, button.revision, action):
        return proposal
    await query.answer(
        _("The author changed this project since this card was shown: nothing was decided."), show_alert=True
    )
    await drop_buttons(query)
    return None


async def allowed_in_chat(ctx: Ctx, action: ReviewAction, number: int, *, shown: int | None = None) -> Proposal | None:
    """For a typed answer: the project if `action` is allowed on it now (and, given `shown`, on
    that revision); else None, after saying why (or showing the new version)."""
    proposal, problem = await checked(action, number, ctx)
    if proposal is None:
        await ctx.bot.send_message(ctx.chat_id, problem or "")
        return None
    if shown is not None and await changed_since_shown(ctx, proposal, shown, action):
        return None
    return proposal
