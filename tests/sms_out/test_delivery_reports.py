"""AT's delivery reports over HTTP into the gateway, in order, out of order, and malformed.

The message is sent for real first (the worker, the SDK, the fake AT), so each report names
the `messageId` AT gave it, as in production; the fake then posts the reports AT would.
"""

from __future__ import annotations

import logging

import pytest
from aiohttp import ClientSession

from gateway.settings import Secret
from gateway.store import outbox
from gateway.store.outbox import OutboxMessage
from tests.fixtures.fake_at import FakeAt
from tests.sms_out.conftest import PHONE
from tests.worker.harness import Harness, eventually, start_harness

TOKEN = "at-cb-0123456789abcdefghijklmnopqrstuv"


async def sent_message(harness: Harness, fake_at: FakeAt) -> OutboxMessage:
    async with harness.db.begin() as session:
        message_id = await outbox.enqueue(
            session, phone=PHONE, body="PayLink: hello", at=harness.clock.now()
        )

    async def check() -> OutboxMessage | None:
        async with harness.db() as session:
            found = await outbox.get(session, message_id)
        return found if found is not None and found.status == "sent" else None

    sent = await eventually(check, what="the worker to send the message")
    assert sent.provider_message_id == fake_at.accepted[-1].message_id
    return sent


async def reload(harness: Harness, message_id: int) -> OutboxMessage:
    async with harness.db() as session:
        found = await outbox.get(session, message_id)
    assert found is not None
    return found


def dlr_url(harness: Harness) -> str:
    return f"{harness.base_url}/sms/africastalking/delivery"


async def test_reports_in_order_end_delivered(harness, worker, fake_at):
    sent = await sent_message(harness, fake_at)

    for status in ("Sent", "Submitted", "Success"):
        assert await fake_at.report(dlr_url(harness), sent.provider_message_id, status) == 200

    delivered = await reload(harness, sent.id)
    assert (delivered.delivery_status, delivered.delivery_updated_at) == (
        "Success",
        harness.clock.now(),
    )


async def test_a_late_buffered_or_sent_never_overwrites_the_final_state(harness, worker, fake_at):
    sent = await sent_message(harness, fake_at)
    url, message_id = dlr_url(harness), sent.provider_message_id

    await fake_at.report(url, message_id, "Failed", failure_reason="UserInBlackList")
    await fake_at.report(url, message_id, "Buffered")
    await fake_at.report(url, message_id, "Sent")

    failed = await reload(harness, sent.id)
    assert (failed.delivery_status, failed.delivery_failure_reason) == (
        "Failed",
        "UserInBlackList",
    )


async def test_an_unknown_status_is_kept_as_it_came(harness, worker, fake_at):
    sent = await sent_message(harness, fake_at)

    await fake_at.report(dlr_url(harness), sent.provider_message_id, "Submitted")
    await fake_at.report(dlr_url(harness), sent.provider_message_id, "AbsentSubscriber")

    assert (await reload(harness, sent.id)).delivery_status == "AbsentSubscriber"


async def test_a_report_for_an_unknown_id_is_answered_200_and_changes_nothing(
    harness, worker, fake_at, caplog
):
    sent = await sent_message(harness, fake_at)
    caplog.set_level(logging.WARNING, "gateway.sms")

    status = await fake_at.report(dlr_url(harness), "ATXid_nobody_sent_this", "Success")

    assert status == 200
    assert (await reload(harness, sent.id)).delivery_status is None
    assert "unknown message id ATXid_nobody_sent_this" in caplog.text


@pytest.mark.parametrize(
    "form",
    [{}, {"id": "ATXid_1"}, {"status": "Success"}, {"id": "", "status": "Success"}],
    ids=["empty", "no-status", "no-id", "blank-id"],
)
async def test_a_malformed_report_is_answered_200_and_logged(harness, fake_at, caplog, form):
    caplog.set_level(logging.WARNING, "gateway.sms")

    async with ClientSession() as client, client.post(dlr_url(harness), data=form) as response:
        assert response.status == 200

    assert "malformed SMS delivery report" in caplog.text


async def test_with_a_callback_token_reports_live_only_under_it(
    aiohttp_server, simulator, sim_clock, db_url, sessionmaker, fake_at, gateway_overrides
):
    overrides = gateway_overrides | {"at_callback_token": Secret(TOKEN)}
    harness, control = await start_harness(
        aiohttp_server, simulator, sim_clock, db_url, **overrides
    )
    try:
        base = f"{harness.base_url}/sms/africastalking"
        async with ClientSession() as client:
            for path, expected in (
                ("/delivery", 404),
                (f"/{'x' * len(TOKEN)}/delivery", 404),
                (f"/{TOKEN}/delivery", 200),
            ):
                form = {"id": "ATXid_1", "status": "Sent"}
                async with client.post(base + path, data=form) as response:
                    assert (path, response.status) == (path, expected)
    finally:
        await control.aclose()
