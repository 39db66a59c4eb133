"""Checklist progress (personal: erased by /forget) and the feedback counters (aggregates only: no user id, no
message text). See bot/core/records.py.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"  # was 0001 on the branch; the alerts' 0002 landed first
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checklist_done",
        sa.Column("surface", sa.Text, nullable=False), sa.Column("user_id", sa.Text, nullable=False),
        sa.Column("platform", sa.Text, nullable=False), sa.Column("done_on", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("surface", "user_id", "platform"))
    op.create_table(
        "counters",
        sa.Column("period", sa.Text, nullable=False), sa.Column("kind", sa.Text, nullable=False),
        sa.Column("platform", sa.Text, nullable=False), sa.Column("topic", sa.Text, nullable=False),
        sa.Column("lang", sa.Text, nullable=False), sa.Column("value", sa.Text, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("period", "kind", "platform", "topic", "lang", "value"))


def downgrade() -> None:
    op.drop_table("counters")
    op.drop_table("checklist_done")
