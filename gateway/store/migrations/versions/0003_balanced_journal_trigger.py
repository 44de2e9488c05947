"""Postgres refuses to commit an unbalanced journal (a deferred constraint trigger).

The check is deferred to COMMIT because a journal's legs are inserted one by one: only the
finished transaction has to balance (django-hordak's approach). SQLite has no deferred
triggers; there `gateway.store.ledger.post` checks in code and `reconcile` re-checks.

Revision ID: 0003
Revises: 0002
Create Date: 2025-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CREATE_FUNCTION = """
CREATE FUNCTION check_journal_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    journal BIGINT;
    net BIGINT;
BEGIN
    FOR journal IN
        SELECT DISTINCT j FROM (VALUES
            (CASE WHEN TG_OP <> 'DELETE' THEN NEW.journal_id END),
            (CASE WHEN TG_OP <> 'INSERT' THEN OLD.journal_id END)) AS touched(j)
        WHERE j IS NOT NULL
    LOOP
        SELECT COALESCE(SUM(CASE side WHEN 'credit' THEN amount ELSE -amount END), 0)
          INTO net FROM entries WHERE journal_id = journal;
        IF net <> 0 THEN
            RAISE EXCEPTION 'journal % is not balanced: credits - debits = %', journal, net
                USING ERRCODE = 'check_violation';
        END IF;
    END LOOP;
    RETURN NULL;
END;
$$
"""

CREATE_TRIGGER = """
CREATE CONSTRAINT TRIGGER entries_balanced
    AFTER INSERT OR UPDATE OR DELETE ON entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION check_journal_balanced()
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(CREATE_FUNCTION)
    op.execute(CREATE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER entries_balanced ON entries")
    op.execute("DROP FUNCTION check_journal_balanced()")
