"""The `email_change` one-time code purpose: a new e-mail is confirmed by an SMS code.

The pending address lives in the code's `payload` (see `gateway.security.email_change`), so
no new table or column is needed: only the purpose CHECK grows.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _otp_purposes(purposes: str) -> None:
    # SQLite cannot alter a CHECK constraint: batch mode copies the table (a no-op on Postgres)
    with op.batch_alter_table("otp_codes") as batch:
        batch.drop_constraint(op.f("ck_otp_codes_purpose"), type_="check")
        batch.create_check_constraint(op.f("ck_otp_codes_purpose"), f"purpose IN ({purposes})")


def upgrade() -> None:
    _otp_purposes("'register', 'pin_reset', 'email_change'")


def downgrade() -> None:
    # a pending change is dropped: the account keeps its confirmed address
    op.execute("DELETE FROM otp_codes WHERE purpose = 'email_change'")
    _otp_purposes("'register', 'pin_reset'")
