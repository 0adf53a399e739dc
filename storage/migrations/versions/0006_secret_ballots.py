"""secret ballots: counting keys, sealed and counted ballots, trackers, ballots per day; audit hash chain

The old `ballots` table (choices in clear under a voter hash, with times) is dropped: ballots
are now sealed to the campaign's counting key. A campaign that already has plain ballots must
not be upgraded mid-vote (there is no key to seal them to at migration time).

Revision ID: 0006
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "counting_keys",
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=True),
        sa.Column("shares", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counted_by", sa.BigInteger(), nullable=True),
        sa.Column("ballots", sa.Integer(), nullable=True),
        sa.Column("unreadable", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_counting_keys")),
    )
    op.create_table(
        "sealed_ballots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("link", sa.String(length=64), nullable=True),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("tracker", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sealed_ballots")),
        sa.UniqueConstraint("campaign_id", "link", name="uq_sealed_ballots_campaign_link"),
        sa.UniqueConstraint("campaign_id", "tracker", name="uq_sealed_ballots_campaign_tracker"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "counted_ballots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counted_ballots")),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f("ix_counted_ballots_campaign_id"), "counted_ballots", ["campaign_id"], unique=False)
    op.create_table(
        "counted_trackers",
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("tracker", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "tracker", name=op.f("pk_counted_trackers")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "ballot_days",
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "day", name=op.f("pk_ballot_days")),
        sqlite_with_rowid=False,
    )
    op.drop_table("ballots")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("prev_hash")
    op.create_table(
        "ballots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("voter_key", sa.String(length=64), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballots")),
        sa.UniqueConstraint("campaign_id", "voter_key", name=op.f("uq_ballots_campaign_id")),
    )
    op.drop_table("ballot_days")
    op.drop_table("counted_trackers")
    op.drop_index(op.f("ix_counted_ballots_campaign_id"), table_name="counted_ballots")
    op.drop_table("counted_ballots")
    op.drop_table("sealed_ballots")
    op.drop_table("counting_keys")
