"""One-time codes for the REST API's phone verification (sign-up through an SMS code).

Revision ID: 0004
Revises: 0003
Create Date: 2025-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "otp_codes",
        sa.Column("id", ID, primary_key=True),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("payload", JSON),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_otp_codes"),
        sa.UniqueConstraint("phone", "purpose", name="uq_otp_codes_phone_purpose"),
        sa.CheckConstraint("purpose IN ('register')", name=op.f("ck_otp_codes_purpose")),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_otp_codes_attempts")),
    )


def downgrade() -> None:
    op.drop_table("otp_codes")
