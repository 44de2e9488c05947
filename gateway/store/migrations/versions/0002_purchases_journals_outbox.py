"""Purchases, the journal/entries ledger, the VTPass audit trail and the notifications outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _fk(column: str, table: str, source: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{table}.id"], name=f"fk_{source}_{column}_{table}")


def upgrade() -> None:
    op.create_table(
        "purchases",
        sa.Column("id", ID, primary_key=True),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("product", sa.String(100), nullable=False),
        sa.Column("customer_ref", sa.String(64)),
        sa.Column("variation_code", sa.String(64)),
        sa.Column("options", JSON),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False, server_default="1"),
        sa.Column("face_amount", sa.BigInteger, nullable=False),
        sa.Column("fee", sa.BigInteger, nullable=False),
        sa.Column("discount", sa.BigInteger, nullable=False),
        sa.Column("total", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("needs_review", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("request_id", sa.String(40), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("vtpass_transaction_id", sa.String(64)),
        sa.Column("vtpass_code", sa.String(8)),
        sa.Column("failure_reason", sa.String(255)),
        sa.Column("token", sa.String(128)),
        sa.Column("units", sa.String(64)),
        sa.Column("pins", JSON),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_requery_at", TS),
        sa.Column("vend_claimed_by", sa.String(64)),
        sa.Column("vend_claimed_until", TS),
        sa.Column("pay_sent_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("settled_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_purchases"),
        _fk("user_id", "users", "purchases"),
        _fk("account_id", "accounts", "purchases"),
        sa.UniqueConstraint("request_id", name="uq_purchases_request_id"),
        sa.UniqueConstraint(
            "user_id", "idempotency_key", name="uq_purchases_user_id_idempotency_key"
        ),
        sa.CheckConstraint(
            "channel IN ('ussd', 'sms', 'telegram', 'api', 'cli')",
            name=op.f("ck_purchases_channel"),
        ),
        sa.CheckConstraint(
            "status IN ('initiated', 'pending', 'delivered', 'failed', 'reversed')",
            name=op.f("ck_purchases_status"),
        ),
        sa.CheckConstraint("quantity >= 1", name=op.f("ck_purchases_quantity")),
        sa.CheckConstraint(
            "face_amount > 0 AND fee >= 0 AND discount >= 0", name=op.f("ck_purchases_amounts")
        ),
        sa.CheckConstraint(
            "total = face_amount + fee - discount AND total > 0", name=op.f("ck_purchases_total")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_purchases_attempts")),
    )
    # the worker's sweep: open purchases due for a vend or a requery
    op.create_index(
        "ix_purchases_status_next_requery_at", "purchases", ["status", "next_requery_at"]
    )
    # a user's history and the daily limit
    op.create_index("ix_purchases_user_id_created_at", "purchases", ["user_id", "created_at"])

    op.create_table(
        "journals",
        sa.Column("id", ID, primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("reference", sa.String(160), nullable=False),
        sa.Column("purchase_id", ID),
        sa.Column("memo", sa.String(255)),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_journals"),
        _fk("purchase_id", "purchases", "journals"),
        # the reference is what makes a posting happen once (credit:<REF>, purchase:<id>:settle)
        sa.UniqueConstraint("reference", name="uq_journals_reference"),
        sa.CheckConstraint(
            "kind IN ('credit', 'purchase_debit', 'purchase_delivered', 'purchase_refund',"
            " 'purchase_reversal', 'adjustment')",
            name=op.f("ck_journals_kind"),
        ),
    )
    op.create_index("ix_journals_purchase_id", "journals", ["purchase_id"])

    op.create_table(
        "entries",
        sa.Column("id", ID, primary_key=True),
        sa.Column("journal_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("side", sa.String(6), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_entries"),
        _fk("journal_id", "journals", "entries"),
        _fk("account_id", "accounts", "entries"),
        sa.CheckConstraint("side IN ('debit', 'credit')", name=op.f("ck_entries_side")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_entries_amount_positive")),
    )
    op.create_index("ix_entries_journal_id", "entries", ["journal_id"])
    op.create_index("ix_entries_account_id", "entries", ["account_id"])

    op.create_table(
        "purchase_audit",
        sa.Column("id", ID, primary_key=True),
        sa.Column("purchase_id", ID, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("op", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16)),
        sa.Column("http_status", sa.Integer),
        sa.Column("request", JSON),
        sa.Column("response", JSON),
        sa.PrimaryKeyConstraint("id", name="pk_purchase_audit"),
        _fk("purchase_id", "purchases", "purchase_audit"),
    )
    op.create_index("ix_purchase_audit_purchase_id", "purchase_audit", ["purchase_id"])

    op.create_table(
        "outbox",
        sa.Column("id", ID, primary_key=True),
        sa.Column("user_id", ID),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(8), nullable=False, server_default="queued"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("purchase_id", ID),
        sa.Column("provider_message_id", sa.String(100)),
        sa.Column("last_error", sa.String(255)),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        _fk("user_id", "users", "outbox"),
        _fk("purchase_id", "purchases", "outbox"),
        sa.CheckConstraint("channel IN ('sms', 'telegram')", name=op.f("ck_outbox_channel")),
        sa.CheckConstraint("status IN ('queued', 'sent', 'failed')", name=op.f("ck_outbox_status")),
    )
    op.create_index("ix_outbox_status_created_at", "outbox", ["status", "created_at"])
    op.create_index("ix_outbox_phone_created_at", "outbox", ["phone", "created_at"])
    op.create_index("ix_outbox_purchase_id", "outbox", ["purchase_id"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("purchase_audit")
    op.drop_table("entries")
    op.drop_table("journals")
    op.drop_table("purchases")
