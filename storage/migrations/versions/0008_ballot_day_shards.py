"""ballot_days: each day's count spread over 16 rows (`shard` in the key), so that first ballots
of the same day no longer wait for one another on one row; the figure is their sum

Revision ID: 0008
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ballot_days", schema=None, table_kwargs={"sqlite_with_rowid": False}) as batch_op:
        batch_op.add_column(sa.Column("shard", sa.SmallInteger(), nullable=False, server_default="0"))
        batch_op.drop_constraint("pk_ballot_days", type_="primary")
        batch_op.create_primary_key("pk_ballot_days", ["campaign_id", "day", "shard"])
    with op.batch_alter_table("ballot_days", schema=None, table_kwargs={"sqlite_with_rowid": False}) as batch_op:
        batch_op.alter_column("shard", server_default=None)


def downgrade() -> None:
    # The shards of each day summed back into one row, then the column dropped.
    op.create_table(
        "ballot_days_summed",
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    op.execute(
        "INSERT INTO ballot_days_summed (campaign_id, day, count) "
        "SELECT campaign_id, day, SUM(count) FROM ballot_days GROUP BY campaign_id, day"
    )
    op.drop_table("ballot_days")
    op.create_table(
        "ballot_days",
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "day", name=op.f("pk_ballot_days")),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO ballot_days (campaign_id, day, count) SELECT campaign_id, day, count FROM ballot_days_summed"
    )
    op.drop_table("ballot_days_summed")
