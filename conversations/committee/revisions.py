"""A decision is bound to what was shown: the review buttons carry the revision of the sheet
they were sent with (`ReviewButton.revision`), and a question's answer the revision it was
asked about. If the author changed the project since, nothing is decided: the attempt is
audited, and the committee gets the new version with the changed fields marked.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from aiogram.utils.i18n import gettext as _

from campaign.proposal import Proposal, ProposalDraft, changed_fields
from campaign.schema import Campaign
from conversations.committee.common import field_label, shorten
from storage.phase_gate import record_refusal
from storage.repositories import Repositories
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


async def current_revision(repos: Repositories, proposal_id: int) -> int:
    revisions = await repos.proposals.revisions(proposal_id)
    return revisions[-1].number if revisions else 0


async def stale(
    repos: Repositories,
    campaign: Campaign,
    proposal: Proposal,
    shown: int,
    actor: int,
    attempt: str,
    now: datetime,
) -> str | None:
    """None if `shown` is still the project's latest revision; else the intro that marks the
    changes (and the refused attempt is in the audit log)."""
    revisions = await repos.proposals.revisions(proposal.id)
    if not revisions or revisions[-1].number == shown:
        return None
    await record_refusal(
        repos,
        campaign,
        actor,
        attempt,
        "stale_revision",
        now,
        target=f"proposal:{proposal.id}",
        shown=shown,
        current=revisions[-1].number,
    )
    return changes_intro(next((r for r in revisions if r.number == shown), None), revisions[-1])
