"""committee: roles (admins added with /admins, ambassadors), calendar changes, proposals on behalf

Revision ID: 0004
Revises: 0003 (0002 is a sibling head; the app upgrades to "heads")
Create Date: 2026-11-27 16:26:59.474341
"""

from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.BigInteger(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_changes")),
    )
    with op.batch_alter_table("calendar_changes", schema=None) as batch_op:
        batch_op.create_index("ix_calendar_changes_campaign_id_id", ["campaign_id", "id"], unique=False)

    op.create_table(
        "committee_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("added_by", sa.BigInteger(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_roles")),
        sa.UniqueConstraint("campaign_id", "role", "telegram_id", name="uq_committee_roles_campaign_role_member"),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_behalf_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("on_behalf_contact", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("helped_by_user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_proposals_helped_by_user_id_users"), "users", ["helped_by_user_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_proposals_helped_by_user_id_users"), type_="foreignkey")
        batch_op.drop_column("helped_by_user_id")
        batch_op.drop_column("on_behalf_contact")
        batch_op.drop_column("on_behalf_name")

    op.drop_table("committee_roles")
    with op.batch_alter_table("calendar_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_calendar_changes_campaign_id_id")

    op.drop_table("calendar_changes")
