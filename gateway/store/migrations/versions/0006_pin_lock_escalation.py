"""PIN lock escalation: the lock history and the hard lock on users; the `pin_reset` code purpose.

`pin_last_lock_at` / `pin_prior_lock_at` are the two latest lock times (a third lock within 24
hours of the older one needs a reset); `pin_reset_required` is that hard lock. One-time codes
gain the purpose `pin_reset` (an SMS code that resets a locked or forgotten PIN).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def _otp_purposes(purposes: str) -> None:
    # SQLite cannot alter a CHECK constraint: batch mode copies the table (a no-op on Postgres)
    with op.batch_alter_table("otp_codes") as batch:
        batch.drop_constraint(op.f("ck_otp_codes_purpose"), type_="check")
        batch.create_check_constraint(op.f("ck_otp_codes_purpose"), f"purpose IN ({purposes})")


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("pin_reset_required", sa.Boolean, nullable=False, server_default="0")
    )
    op.add_column("users", sa.Column("pin_last_lock_at", TS))
    op.add_column("users", sa.Column("pin_prior_lock_at", TS))
    _otp_purposes("'register', 'pin_reset'")


def downgrade() -> None:
    op.execute("DELETE FROM otp_codes WHERE purpose = 'pin_reset'")
    _otp_purposes("'register'")
    # a hard lock must not silently become "unlocked" on the old schema: keep it locked far ahead
    op.execute(
        "UPDATE users SET pin_locked_until = '2999-12-31 00:00:00', pin_failed_count = 3"
        " WHERE pin_reset_required"
    )
    # plain ALTER TABLE … DROP COLUMN (SQLite >= 3.35): batch mode would copy `users` and lose
    # its expression index on lower(email)
    for column in ("pin_prior_lock_at", "pin_last_lock_at", "pin_reset_required"):
        op.drop_column("users", column)
