"""Secret ballots: the campaign's counting key (public half only), sealed ballots, the
counted ballots, their trackers, and ballots per day.

Nothing here names a resident. Row order says nothing either: the ballot tables are keyed
by random ids and, on SQLite, are `WITHOUT ROWID` tables, stored in key order (so in random
order, not the order people voted in). On PostgreSQL the heap keeps its own order, and each
row records the transaction that wrote it: that is why choices are sealed, and why the
count writes the opened ballots in a shuffled order, all in one transaction, and deletes
the sealed ones (see README, "Who can learn what").
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, Integer, LargeBinary, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime

NO_ROWID = {"sqlite_with_rowid": False}


class CountingKeyRow(Base):
    """The campaign's counting key: the public half, how the private half is held, and the count."""

    __tablename__ = "counting_keys"

    campaign_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))  # environment | shares
    threshold: Mapped[int | None] = mapped_column(Integer, nullable=True)
    shares: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    counted_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    ballots: Mapped[int | None] = mapped_column(Integer, nullable=True)
    unreadable: Mapped[int | None] = mapped_column(Integer, nullable=True)


class SealedBallotRow(Base):
    """A ballot as cast: ciphertext only. `link` is set only when the campaign lets people
    change their vote: a keyed hash of the voter, so that a new vote replaces the old one."""

    __tablename__ = "sealed_ballots"
    __table_args__ = (
        UniqueConstraint("campaign_id", "link", name="uq_sealed_ballots_campaign_link"),
        UniqueConstraint("campaign_id", "tracker", name="uq_sealed_ballots_campaign_tracker"),
        NO_ROWID,
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random
    campaign_id: Mapped[str] = mapped_column(String(64))
    link: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    tracker: Mapped[str] = mapped_column(String(16))


class CountedBallotRow(Base):
    """An opened ballot, written by the count in a shuffled order under a random id."""

    __tablename__ = "counted_ballots"
    __table_args__ = (NO_ROWID,)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(64), index=True)
    choices: Mapped[list] = mapped_column(JSON)


class CountedTrackerRow(Base):
    """The trackers of the counted ballots, apart from the ballots (no link between the two)."""

    __tablename__ = "counted_trackers"
    __table_args__ = (NO_ROWID,)

    campaign_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tracker: Mapped[str] = mapped_column(String(16), primary_key=True)


class BallotDayRow(Base):
    """How many first ballots each day: the figures' only clock for votes (no ballot has a time).

    Each day's count is spread over `DAY_SHARDS` rows, a ballot bumping one at random (0008): a
    bump holds its row until the ballot commits, and one row a day made every first ballot of
    the day wait for the one before it. The day's figure is their sum."""

    __tablename__ = "ballot_days"
    __table_args__ = (NO_ROWID,)

    campaign_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True, default=0)
    count: Mapped[int] = mapped_column(Integer, default=0)


DAY_SHARDS = 16
