"""Sending the outbox lets go of the database before it returns, even when a lane fails.

The story (a flaky CI failure): the embedded gateway on a database it cannot use yet (not
migrated) shuts down; `Worker.stop()` sends the outbox one last time, one lane per channel.
The first lane to fail used to end that send at once while the other lane was still inside its
transaction; the app then disposed of the engine, and that lane's aiosqlite connection, checked
out of a pool nobody held any more, was never closed. The garbage collector found it later,
during whichever test happened to be running, as a ResourceWarning (an error here).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import OperationalError

from gateway.clock import FixedClock
from gateway.purchases.service import PurchaseService
from gateway.store.db import create_db_engine, create_sessionmaker
from gateway.worker.runner import Worker
from gateway.worker.wakeup import LocalWakeUp

CLOCK = FixedClock(datetime(2026, 12, 8, 9, tzinfo=UTC))


async def test_a_failing_outbox_send_returns_with_no_connection_left_checked_out(
    empty_sqlite_url,
):
    engine = create_db_engine(empty_sqlite_url)  # never migrated: every lane's claim fails
    try:
        service = PurchaseService(create_sessionmaker(engine), CLOCK)
        worker = Worker(service, None, wakeup=LocalWakeUp(), clock=CLOCK)  # type: ignore[arg-type]
        assert len(worker.lanes) > 1

        with pytest.raises(OperationalError):
            await worker.send_outbox()

        assert engine.sync_engine.pool.checkedout() == 0
    finally:
        await engine.dispose()
