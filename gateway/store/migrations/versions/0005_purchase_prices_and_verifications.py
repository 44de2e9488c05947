"""Prices the server can stand behind: verified renewal amounts, and what VTPass charged.

`verifications`: one row per (user, service, customer_ref), the latest merchant-verify answer
that named a renewal amount, with its expiry; a renewal is charged this, never the client's
figure. `purchases.vtpass_amount`: what VTPass reported it charged when it delivered; a figure
other than the face amount flags the purchase for review and fails `paylink reconcile`.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("purchases", sa.Column("vtpass_amount", sa.BigInteger))
    op.create_table(
        "verifications",
        sa.Column("id", ID, primary_key=True),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("customer_ref", sa.String(64), nullable=False),
        sa.Column("renewal_amount", sa.BigInteger, nullable=False),
        sa.Column("bouquet_code", sa.String(64)),
        sa.Column("verified_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_verifications"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_verifications_user_id_users"),
        sa.UniqueConstraint(
            "user_id",
            "service_id",
            "customer_ref",
            name="uq_verifications_user_id_service_id_customer_ref",
        ),
        sa.CheckConstraint("renewal_amount > 0", name=op.f("ck_verifications_renewal_amount")),
    )


def downgrade() -> None:
    op.drop_table("verifications")
    # a plain ALTER TABLE … DROP COLUMN (SQLite >= 3.35): a batch copy of `purchases` would
    # have to reflect the expression index on `users`, which SQLAlchemy cannot
    op.drop_column("purchases", "vtpass_amount")
