"""What the campaign held fixed from its first ballot: see campaign.phase_guard and campaign.freeze.

One row per campaign, written by the first ballot (or by the first tally if nobody voted):
- `first_ballot_at`: the vote counts as opened by then, whatever the calendar says later;
- `ballot_settings`: the ballot's type, maximum, changeability and counting rule then in force,
  compared with the campaign file at every start;
- `finalists`: the projects on the ballot, each with a digest of the text residents saw;
- `ballots_accepted`: 1, set by the first ballot (every ballot bumped it until 4 December, to
  meet the seal on this row; now each holds the row shared: storage/repositories/locks.py);
- `sealed_at`: when the tally was first computed; no ballot is accepted after it.
No voter, no per-ballot time: nothing here links a ballot to a person.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class CampaignLockRow(Base):
    __tablename__ = "campaign_locks"

    campaign_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_ballot_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ballot_settings: Mapped[dict] = mapped_column(JSON)
    finalists: Mapped[dict] = mapped_column(JSON)
    ballots_accepted: Mapped[int] = mapped_column(Integer, default=0)
    sealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
