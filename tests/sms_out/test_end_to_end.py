"""A purchase's receipt through the whole gateway: worker, SDK, fake AT; and `paylink outbox`."""

from __future__ import annotations

from gateway.domain.purchase_status import PurchaseStatus
from gateway.store import outbox
from tests.cli.conftest import cli_env, keep_logging, paylink  # noqa: F401 - fixture
from tests.fixtures.fake_at import FakeAt
from tests.sms_out.conftest import PHONE, queue
from tests.worker.harness import BUYER, Harness, electricity, eventually

BUYER_E164 = "+234" + BUYER[1:]


async def receipts_sent(harness: Harness, purchase_id: int):
    messages = await harness.outbox(purchase_id)
    return messages if messages and all(m.status == "sent" for m in messages) else None


async def test_an_electricity_receipt_goes_out_through_at_once_with_the_token(
    harness, worker, fake_at
):
    user_id = await harness.fund(5_000)
    purchase = await harness.submit(user_id, electricity(), "k-receipt")
    delivered = await harness.wait_status(purchase.id, {PurchaseStatus.DELIVERED})

    (receipt,) = await eventually(lambda: receipts_sent(harness, purchase.id), what="the receipt")
    harness.clock.advance(3600)
    await worker.send_outbox()

    assert delivered.token is not None
    # the receipt groups the token's digits in fours
    (sms,) = [m for m in fake_at.accepted_to(BUYER_E164) if "Token: " in m.message]
    assert delivered.token in sms.message.replace("-", "")
    assert sms.message == receipt.body
    assert (receipt.provider_message_id, receipt.provider_status_code) == (sms.message_id, 101)


async def test_paylink_outbox_shows_delivery_and_lists_what_failed(
    pg_harness, pg_url, fake_at: FakeAt, capsys
):
    harness = pg_harness
    refused = "+2348099999999"
    fake_at.codes[refused] = 406
    good = await queue(harness.db, body="PayLink: your code is 482913")
    bad = await queue(harness.db, body="PayLink: hello", phone=refused)
    assert await harness.worker().send_outbox() == 2
    async with harness.db() as session:
        sent = await outbox.get(session, good)
    assert sent is not None
    await fake_at.report(
        f"{harness.base_url}/sms/africastalking/delivery", sent.provider_message_id, "Success"
    )
    env = cli_env(pg_url)

    assert await paylink(env, "outbox", "--phone", PHONE) == 0
    assert await paylink(env, "outbox", "--failed") == 0
    assert await paylink(env, "outbox", "--failed", "--phone", PHONE) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"#{good} ")
    assert " sent " in lines[0]
    assert "[delivery Success] PayLink: your code is 482913" in lines[0]
    assert lines[1].startswith(f"#{bad} ")
    assert " failed " in lines[1]
    assert "[attempt 1: AT status 406 UserInBlacklist]" in lines[1]
    assert lines[2] == f"no failed notifications for {PHONE}"
