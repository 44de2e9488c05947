"""Sign-ups each with their own code and payload; who made an operator posting, from where.

`registrations` replaces the one-per-phone `register` row of `otp_codes`: a second sign-up for
a phone is a second row with its own code, attempts and password hash, so it can never change
the first (issue 12, item 4). Open `register` codes are dropped: a sign-up in flight during the
upgrade is simply asked to register again. `journals.actor` / `journals.actor_ip` record the
operator (user id or `cli:<user>@<host>`) and the caller's address for operator credits.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "registrations",
        sa.Column("id", ID, primary_key=True),
        sa.Column("public_id", sa.String(64), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("name", sa.String(100)),
        sa.Column("email", sa.String(254)),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_registrations"),
        sa.UniqueConstraint("public_id", name="uq_registrations_public_id"),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_registrations_attempts")),
    )
    op.create_index("ix_registrations_phone", "registrations", ["phone"])
    op.execute("DELETE FROM otp_codes WHERE purpose = 'register'")
    op.add_column("journals", sa.Column("actor", sa.String(120)))
    op.add_column("journals", sa.Column("actor_ip", sa.String(45)))


def downgrade() -> None:
    # plain ALTER TABLE ... DROP COLUMN, which SQLite has supported since 3.35
    op.drop_column("journals", "actor_ip")
    op.drop_column("journals", "actor")
    op.drop_index("ix_registrations_phone", table_name="registrations")
    op.drop_table("registrations")
