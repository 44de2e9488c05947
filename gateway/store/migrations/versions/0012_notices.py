"""`purchases.pending_notice_at`: when the one pending-for-long SMS of a purchase was queued.

A purchase still pending long after it was paid gets one "we are still confirming it" SMS
(`worker/recheck.py`); the time it was queued is kept on the purchase, in the same transaction
as the message, so no restart or second worker ever sends it twice.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "purchases", sa.Column("pending_notice_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("purchases", "pending_notice_at")
