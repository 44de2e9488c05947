"""Each user's SMS settings: purchases by text command, and notices (STOP/START).

- `users.sms_purchases`: a text command may lead to a purchase only once the owner turned this
  on with the PIN (USSD wallet menu or `PUT /api/v1/me/sms-purchases`); off for everyone here.
- `users.sms_notices`: notices other than receipts and codes go by SMS until the owner texts
  STOP (START turns them on again); on for everyone here.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("sms_purchases", sa.Boolean, nullable=False, server_default="0")
    )
    op.add_column("users", sa.Column("sms_notices", sa.Boolean, nullable=False, server_default="1"))


def downgrade() -> None:
    # plain ALTER TABLE … DROP COLUMN (SQLite >= 3.35): batch mode would copy `users` and lose
    # its expression index on lower(email)
    for column in ("sms_notices", "sms_purchases"):
        op.drop_column("users", column)
