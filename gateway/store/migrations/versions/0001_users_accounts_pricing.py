"""Users, ledger accounts (one wallet per user, the four system accounts) and pricing rules.

Revision ID: 0001
Revises:
Create Date: 2025-11-27
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
SYSTEM_ACCOUNTS = ("vtpass_float", "fee_revenue", "clearing", "funding")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", ID, primary_key=True),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("name", sa.String(100)),
        sa.Column("email", sa.String(254)),
        sa.Column("password_hash", sa.String(255)),
        sa.Column("pin_hash", sa.String(255)),
        sa.Column("pin_failed_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("pin_locked_until", TS),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.Column("role", sa.String(16), nullable=False, server_default="user"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("phone", name="uq_users_phone"),
        sa.CheckConstraint(
            "status IN ('active', 'suspended', 'closed')", name=op.f("ck_users_status")
        ),
        sa.CheckConstraint("role IN ('user', 'operator', 'admin')", name=op.f("ck_users_role")),
        sa.CheckConstraint("pin_failed_count >= 0", name=op.f("ck_users_pin_failed_count")),
    )
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)

    accounts = op.create_table(
        "accounts",
        sa.Column("id", ID, primary_key=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("user_id", ID, sa.ForeignKey("users.id", name="fk_accounts_user_id_users")),
        sa.Column("balance", sa.BigInteger),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("code", name="uq_accounts_code"),
        sa.UniqueConstraint("user_id", name="uq_accounts_user_id"),
        sa.CheckConstraint("kind IN ('wallet', 'system')", name=op.f("ck_accounts_kind")),
        sa.CheckConstraint(
            "(kind = 'wallet' AND user_id IS NOT NULL AND balance IS NOT NULL)"
            " OR (kind = 'system' AND user_id IS NULL AND balance IS NULL)",
            name=op.f("ck_accounts_shape"),
        ),
        # a wallet can never be overdrawn, whatever the code does
        sa.CheckConstraint("balance >= 0", name=op.f("ck_accounts_wallet_not_negative")),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        accounts,
        [{"code": code, "kind": "system", "created_at": now} for code in SYSTEM_ACCOUNTS],
    )

    op.create_table(
        "pricing_rules",
        sa.Column("id", ID, primary_key=True),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("service_id", sa.String(64), nullable=False, server_default="*"),
        sa.Column("fee_flat", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("fee_bp", sa.Integer, nullable=False, server_default="0"),
        sa.Column("fee_cap", sa.BigInteger),
        sa.Column("discount_bp", sa.Integer, nullable=False, server_default="0"),
        sa.Column("discount_cap", sa.BigInteger),
        sa.Column("min_amount", sa.BigInteger),
        sa.Column("max_amount", sa.BigInteger),
        sa.Column("active", sa.Boolean, nullable=False, server_default="1"),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pricing_rules"),
        sa.UniqueConstraint("category", "service_id", name="uq_pricing_rules_category_service_id"),
        sa.CheckConstraint(
            "fee_flat >= 0 AND fee_bp >= 0 AND discount_bp >= 0 AND discount_bp <= 10000",
            name=op.f("ck_pricing_rules_non_negative"),
        ),
    )


def downgrade() -> None:
    op.drop_table("pricing_rules")
    op.drop_table("accounts")
    op.drop_index("uq_users_email_lower", table_name="users")
    op.drop_table("users")
