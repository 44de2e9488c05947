"""Wallet funding through Paystack: fundings, webhook events, dedicated accounts.

`fundings.reference` is unique (one row per Paystack transaction) and each credit is a
`funding` journal whose unique reference is `paystack:<reference>`: that constraint, not a
read-then-write, is what credits a payment once. Two system accounts are seeded: `paystack`
(what Paystack owes us until it settles) and `paystack_fees` (its fees when PayLink bears them).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
OLD_KINDS = (
    "credit",
    "purchase_debit",
    "purchase_delivered",
    "purchase_refund",
    "purchase_reversal",
    "adjustment",
)
NEW_KINDS = (*OLD_KINDS, "funding", "funding_reversal")
ACCOUNTS = ("paystack", "paystack_fees")


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _journals() -> Any:
    # SQLite cannot alter a CHECK constraint: batch mode copies the table
    return op.batch_alter_table("journals", reflect_kwargs={"resolve_fks": False})


def upgrade() -> None:
    with _journals() as batch:
        batch.drop_constraint(op.f("ck_journals_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_journals_kind"), _in("kind", NEW_KINDS))
    accounts = sa.table(
        "accounts",
        sa.column("code", sa.String),
        sa.column("kind", sa.String),
        sa.column("created_at", TS),
    )
    now = datetime.now(UTC)
    op.bulk_insert(accounts, [{"code": c, "kind": "system", "created_at": now} for c in ACCOUNTS])
    op.create_table(
        "fundings",
        sa.Column("id", ID, primary_key=True),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("idempotency_key", sa.String(128)),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("fee", sa.BigInteger, nullable=False),
        sa.Column("credit_amount", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("review_reason", sa.String(255)),
        sa.Column("authorization_url", sa.String(500)),
        sa.Column("paystack_id", sa.String(32)),
        sa.Column("paid_amount", sa.BigInteger),
        sa.Column("paid_fees", sa.BigInteger),
        sa.Column("channel", sa.String(32)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_verify_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("credited_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_fundings"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_fundings_user_id_users"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_fundings_account_id_accounts"
        ),
        sa.UniqueConstraint("reference", name="uq_fundings_reference"),
        sa.UniqueConstraint(
            "user_id", "idempotency_key", name="uq_fundings_user_id_idempotency_key"
        ),
        sa.CheckConstraint("kind IN ('card', 'transfer')", name=op.f("ck_fundings_kind")),
        sa.CheckConstraint(
            _in("status", ("open", "credited", "failed", "abandoned", "review", "reversed")),
            name=op.f("ck_fundings_status"),
        ),
        sa.CheckConstraint(
            "amount > 0 AND fee >= 0 AND credit_amount > 0", name=op.f("ck_fundings_amounts")
        ),
    )
    op.create_index("ix_fundings_status_next_verify_at", "fundings", ["status", "next_verify_at"])
    op.create_index("ix_fundings_user_id_created_at", "fundings", ["user_id", "created_at"])
    op.create_table(
        "paystack_events",
        sa.Column("id", ID, primary_key=True),
        sa.Column("event_key", sa.String(200), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(100)),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("processed_at", TS),
        sa.Column("outcome", sa.String(32)),
        sa.PrimaryKeyConstraint("id", name="pk_paystack_events"),
        sa.UniqueConstraint("event_key", name="uq_paystack_events_event_key"),
    )
    op.create_index("ix_paystack_events_reference", "paystack_events", ["reference"])
    op.create_table(
        "dedicated_accounts",
        sa.Column("id", ID, primary_key=True),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("customer_code", sa.String(32)),
        sa.Column("bank_name", sa.String(64)),
        sa.Column("account_number", sa.String(10)),
        sa.Column("account_name", sa.String(120)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", TS),
        sa.Column("last_error", sa.String(255)),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dedicated_accounts"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_dedicated_accounts_user_id_users"
        ),
        sa.UniqueConstraint("user_id", name="uq_dedicated_accounts_user_id"),
        sa.UniqueConstraint("account_number", name="uq_dedicated_accounts_account_number"),
        sa.CheckConstraint(
            "status IN ('pending', 'active', 'failed')",
            name=op.f("ck_dedicated_accounts_status"),
        ),
    )
    op.create_index(
        "ix_dedicated_accounts_status_next_attempt_at",
        "dedicated_accounts",
        ["status", "next_attempt_at"],
    )


def downgrade() -> None:
    op.drop_table("dedicated_accounts")
    op.drop_table("paystack_events")
    op.drop_table("fundings")
    # the funding journals go with the feature; a database that holds real ones keeps them
    # (the CHECK below then refuses the downgrade rather than losing money silently)
    with _journals() as batch:
        batch.drop_constraint(op.f("ck_journals_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_journals_kind"), _in("kind", OLD_KINDS))
    listed = ", ".join(repr(c) for c in ACCOUNTS)
    op.execute(f"DELETE FROM accounts WHERE code IN ({listed})")  # noqa: S608 - constants
