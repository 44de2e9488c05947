"""`chat_links`: a Telegram user linked to a PayLink user by the contact they shared.

One link per chat user and one per PayLink user on each channel (linking again moves it);
`chat_id` is where receipts are pushed.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "chat_links",
        sa.Column("id", ID, primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("chat_user", sa.String(64), nullable=False),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chat_links"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_chat_links_user_id_users"),
        sa.UniqueConstraint("channel", "chat_user", name="uq_chat_links_channel_chat_user"),
        sa.UniqueConstraint("channel", "user_id", name="uq_chat_links_channel_user_id"),
        sa.CheckConstraint("channel IN ('telegram')", name=op.f("ck_chat_links_channel")),
    )


def downgrade() -> None:
    op.drop_table("chat_links")
