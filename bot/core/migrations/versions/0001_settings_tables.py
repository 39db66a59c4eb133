"""Settings tables: chat_settings and user_settings (as the CREATE TABLE IF NOT EXISTS of earlier versions made
them, so a database from before the migrations is adopted as it is).

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "chat_settings" not in existing:
        op.create_table(
            "chat_settings",
            sa.Column("surface", sa.Text, nullable=False), sa.Column("chat_id", sa.Text, nullable=False),
            sa.Column("lang", sa.Text), sa.Column("region", sa.Text),
            sa.Column("faq", sa.Integer, nullable=False, server_default="0"),
            sa.PrimaryKeyConstraint("surface", "chat_id"))
    if "user_settings" not in existing:
        op.create_table(
            "user_settings",
            sa.Column("surface", sa.Text, nullable=False), sa.Column("user_id", sa.Text, nullable=False),
            sa.Column("lang", sa.Text), sa.Column("region", sa.Text),
            sa.PrimaryKeyConstraint("surface", "user_id"))


def downgrade() -> None:
    op.drop_table("user_settings")
    op.drop_table("chat_settings")
