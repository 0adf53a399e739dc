"""proposals: the draft's submission key, so that a submit handled twice makes one project

With the conversation state in Redis, the project's row is committed in the database and the
wizard's end is written to Redis just after; if Redis fails in between, the resident's sheet is
still there, and a second press of Submit must find the project, not make another.

Revision ID: 0007
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission_key", sa.String(length=32), nullable=True))
        batch_op.create_index("uq_proposals_author_submission", ["author_id", "submission_key"], unique=True)


def downgrade() -> None:
    # SQLite drops the column in place (3.35 and later): rebuilding the table, as batch mode
    # otherwise does, would drop the old one, and its revisions with it (ON DELETE CASCADE).
    with op.batch_alter_table("proposals", schema=None, recreate="never") as batch_op:
        batch_op.drop_index("uq_proposals_author_submission")
        batch_op.drop_column("submission_key")
