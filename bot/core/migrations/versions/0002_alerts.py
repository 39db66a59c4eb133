"""Alert tables (issue 12): subscriptions, the changes already seen, one delivery row per (subscriber, change),
and a small key/value table (the "baseline": when this database first recorded the knowledge base's changes).
See bot/core/alert_store.py for how they give exactly-once delivery.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_subscriptions",
        sa.Column("surface", sa.Text, nullable=False), sa.Column("kind", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=False), sa.Column("platform", sa.Text, nullable=False),
        sa.Column("lang", sa.Text), sa.Column("created", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("surface", "kind", "target", "platform"))
    op.create_index("alert_subscriptions_platform", "alert_subscriptions", ["platform"])
    op.create_table(
        "alert_changes",
        sa.Column("change_id", sa.Text, nullable=False), sa.Column("platform", sa.Text, nullable=False),
        sa.Column("date", sa.Text, nullable=False), sa.Column("first_seen", sa.Float, nullable=False),
        sa.Column("alerted", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("change_id"))
    op.create_table(
        "alert_deliveries",
        sa.Column("surface", sa.Text, nullable=False), sa.Column("kind", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=False), sa.Column("change_id", sa.Text, nullable=False),
        sa.Column("lang", sa.Text), sa.Column("state", sa.Text, nullable=False, server_default="pending"),
        sa.Column("owner", sa.Text), sa.Column("claimed_at", sa.Float),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"), sa.Column("sent_at", sa.Float),
        sa.PrimaryKeyConstraint("surface", "kind", "target", "change_id"))
    op.create_index("alert_deliveries_state", "alert_deliveries", ["surface", "state"])
    op.create_table(
        "alert_meta",
        sa.Column("key", sa.Text, nullable=False), sa.Column("value", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("key"))


def downgrade() -> None:
    op.drop_table("alert_meta")
    op.drop_index("alert_deliveries_state", "alert_deliveries")
    op.drop_table("alert_deliveries")
    op.drop_table("alert_changes")
    op.drop_index("alert_subscriptions_platform", "alert_subscriptions")
    op.drop_table("alert_subscriptions")
