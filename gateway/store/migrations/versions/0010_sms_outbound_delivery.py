"""The outbox as a send queue with a lease, and what Africa's Talking said about each message.

- `status` gains `sending`: a worker claimed the message until `lease_until`; a lease that
  lapses (the worker died between claim and record) makes the message due again.
- `next_attempt_at`: when a queued message is next due (the retry backoff).
- `provider_status_code`, `provider_status`, `provider_cost`: the recipient's entry in AT's
  answer, as given (the cost is AT's own string, e.g. `NGN 2.2000`: never parsed to a float).
- `delivery_status`, `delivery_failure_reason`, `delivery_updated_at`: AT's delivery reports.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
_COLUMNS = (
    ("next_attempt_at", TS),
    ("lease_until", TS),
    ("provider_status_code", sa.Integer()),
    ("provider_status", sa.String(32)),
    ("provider_cost", sa.String(32)),
    ("delivery_status", sa.String(32)),
    ("delivery_failure_reason", sa.String(64)),
    ("delivery_updated_at", TS),
)


def _batch() -> Any:
    # SQLite cannot alter a CHECK constraint: batch mode copies the table (plain ALTERs on
    # Postgres). `resolve_fks=False`: the copy must not reflect `users`, whose expression index
    # SQLAlchemy cannot reflect.
    return op.batch_alter_table("outbox", reflect_kwargs={"resolve_fks": False})


def upgrade() -> None:
    with _batch() as batch:
        for name, type_ in _COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
        batch.drop_constraint(op.f("ck_outbox_status"), type_="check")
        batch.create_check_constraint(
            op.f("ck_outbox_status"), "status IN ('queued', 'sending', 'sent', 'failed')"
        )
    op.create_index(
        "ix_outbox_channel_status_next_attempt_at",
        "outbox",
        ["channel", "status", "next_attempt_at"],
    )
    op.create_index("ix_outbox_provider_message_id", "outbox", ["provider_message_id"])


def downgrade() -> None:
    # a claimed message goes back to the queue: the old worker sends whatever is queued
    op.execute("UPDATE outbox SET status = 'queued' WHERE status = 'sending'")
    op.drop_index("ix_outbox_provider_message_id", "outbox")
    op.drop_index("ix_outbox_channel_status_next_attempt_at", "outbox")
    with _batch() as batch:
        batch.drop_constraint(op.f("ck_outbox_status"), type_="check")
        batch.create_check_constraint(
            op.f("ck_outbox_status"), "status IN ('queued', 'sent', 'failed')"
        )
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
