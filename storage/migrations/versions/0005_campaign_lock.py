"""campaign lock: the first ballot's settings and finalists, and the seal of the vote

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaign_locks",
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("first_ballot_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ballot_settings", sa.JSON(), nullable=False),
        sa.Column("finalists", sa.JSON(), nullable=False),
        sa.Column("ballots_accepted", sa.Integer(), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_campaign_locks")),
    )


def downgrade() -> None:
    op.drop_table("campaign_locks")
