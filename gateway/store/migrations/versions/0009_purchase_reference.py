"""`purchases.reference`: the one customer-facing reference (`PL-` and 8 characters).

Minted at submit and never changed (the VTPass request id is reissued after midnight); shown
in the USSD acknowledgement, receipts, the API, the CLI and the operator routes. Existing
purchases get one here. The alphabet is repeated, not imported: a migration must not change
when the code does.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def _reference(taken: set[str]) -> str:
    while True:
        reference = "PL-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))
        if reference not in taken:
            taken.add(reference)
            return reference


def upgrade() -> None:
    op.add_column("purchases", sa.Column("reference", sa.String(16), nullable=True))
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM purchases ORDER BY id"))]
    taken: set[str] = set()
    update = sa.text("UPDATE purchases SET reference = :reference WHERE id = :id")
    for purchase_id in ids:
        connection.execute(update, {"reference": _reference(taken), "id": purchase_id})
    if connection.dialect.name == "postgresql":
        op.alter_column("purchases", "reference", existing_type=sa.String(16), nullable=False)
        op.create_unique_constraint("uq_purchases_reference", "purchases", ["reference"])
    else:
        # SQLite alters a column only by copying the table (which the purchases' foreign keys
        # make fragile): a unique index there; every insert names a reference anyway
        op.create_index("uq_purchases_reference", "purchases", ["reference"], unique=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("uq_purchases_reference", "purchases", type_="unique")
    else:
        op.drop_index("uq_purchases_reference", "purchases")
    op.drop_column("purchases", "reference")
