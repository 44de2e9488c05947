"""PINs on the handset: three wrong ones lock purchases for 30 minutes on every channel,
and neither a PIN nor a full phone number ever reaches a log line."""

from __future__ import annotations

import logging

from gateway.pin_policy import RESET_HINT
from tests.ussd.conftest import PIN, customer
from tests.ussd.helpers import RECEIVED, purchases


async def test_three_wrong_pins_lock_purchases_for_thirty_minutes(gateway, phone):
    user_id = await customer(gateway)
    handset = phone()
    await handset.dial()
    confirm = await handset.send("1", "1", "500")
    assert (await handset.send("1111")).startswith("CON Wrong PIN. 2 tries left.\nMTN airtime")
    assert (await handset.send("2222")).startswith("CON Wrong PIN. 1 try left.\n")
    locked = await handset.send("3333")
    # 10:00 UTC = 11:00 Lagos: the lock ends at 11:30 Lagos time
    assert locked == (
        f"END PIN locked until 11:30 after too many wrong PINs. Forgot it? {RESET_HINT}"
    )

    await handset.dial()  # a new session, the right PIN: still locked
    assert await handset.send("1", "1", "500") == confirm
    assert await handset.send(PIN) == locked
    assert await purchases(gateway, user_id) == []

    gateway.clock.advance(31 * 60)
    await handset.dial()
    await handset.send("1", "1", "500")
    assert await handset.send(PIN) == RECEIVED
    assert len(await purchases(gateway, user_id)) == 1


async def test_wrong_current_pins_in_change_pin_count_too(gateway, phone):
    await customer(gateway)
    handset = phone()
    await handset.dial()
    await handset.send("6", "3")
    assert (await handset.send("1111")).startswith("CON Wrong PIN. 2 tries left.\nEnter current")
    await handset.send("1112")
    assert (await handset.send("1113")).startswith("END PIN locked until ")


async def test_change_pin_end_to_end(gateway, phone):
    await customer(gateway)
    handset = phone()
    await handset.dial()
    await handset.send("6", "3", PIN)
    assert (await handset.send("1234")).startswith("CON PIN too easy to guess.")
    await handset.send("4826")
    assert (await handset.send("4826")).startswith("CON PIN changed.\nPayLink")
    await handset.dial()
    await handset.send("1", "1", "500")
    assert (await handset.send(PIN)).startswith("CON Wrong PIN.")
    assert await handset.send("4826") == RECEIVED


async def test_no_pin_or_full_phone_in_any_log_line(gateway, phone, caplog):
    await customer(gateway, naira=10)
    handset = phone("08051234567")
    with caplog.at_level(logging.DEBUG):
        await handset.dial()
        await handset.send("7391", "7391", "1", "2", "08031234567", "500", "7391")
        await handset.hang_up("Success")
        other = phone()
        await other.dial()
        await other.send("1", "1", "500", PIN)  # not enough money: refused
        await other.hang_up("Incomplete")
    lines = "\n".join(r.getMessage() for r in caplog.records)
    assert "+234805****567" in lines  # the events line names the phone masked
    for secret in ("7391", PIN, "8051234567", "8031234567"):
        assert secret not in lines, secret
