"""Sessions under the telco's habits: resent hops, parallel users, expiry, drops and races.

- AT may deliver a hop twice (or the user's network retries): the second gets the very same
  answer and nothing runs again, so a PIN hop can never buy twice.
- Many people dial at once: no screen ever shows another session's data.
- A session lives 180 s like the telco's; a user whose session dropped and who dials again
  within two minutes is offered to continue where they were.
- Two hops of one session racing: only one save lands (a stale revision is refused).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

import pytest

from gateway.conversations.config import ConversationConfig
from gateway.conversations.record import decode
from gateway.conversations.sessions import RedisSessionStore, StaleRevision
from gateway.flows.model import Screen
from gateway.flows.screens import USSD, render
from tests.ussd.conftest import PIN, customer
from tests.ussd.helpers import RECEIVED, delivered, purchases
from tests.ussd.phone import Phone

MENU = "CON PayLink\n1 Airtime\n2 Data\n3 Electricity\n4 TV\n5 Exam PINs\n6 Wallet"
OFFER = "CON You were paying for electricity.\n1 Continue\n2 Main menu"


async def stored(redis, prefix: str, handset: Phone):
    raw = await redis.get(f"{prefix}conv:ussd:{handset.session_id}")
    return None if raw is None else decode(raw)


async def test_a_resent_hop_gets_the_identical_answer_and_buys_once(gateway, phone):
    user_id = await customer(gateway)
    handset = phone()
    await handset.dial()
    amount = await handset.send("1", "1")
    assert await handset.resend() == amount
    assert (await handset.send("500")).startswith("CON MTN airtime N500")
    assert await handset.send(PIN) == RECEIVED
    assert await handset.resend() == RECEIVED
    assert await handset.resend() == RECEIVED
    await gateway.wait_status((await purchases(gateway, user_id))[0].id, {"failed", "delivered"})
    assert len(await purchases(gateway, user_id)) == 1
    assert sum(gateway.transport.pays.values()) == 1


async def test_a_pin_hop_delivered_twice_at_once_buys_once(gateway, phone):
    user_id = await customer(gateway, "08011111111")
    handset = phone("08011111111")
    await handset.dial()
    await handset.send("1", "1", "1", "500")  # unknown prefix: network 1 (MTN), then amount
    handset.inputs.append(PIN)
    answers = await asyncio.gather(handset.post(), handset.post(), handset.post())
    assert answers == [RECEIVED] * 3
    await delivered(gateway, user_id)


async def test_parallel_sessions_never_see_each_other(gateway, phone):
    numbers = [f"0803{n:07d}" for n in range(1_000_001, 1_000_013)]
    for number in numbers:
        await customer(gateway, number, pin=None if number.endswith("3") else PIN)

    async def journey(number: str) -> None:
        handset = phone(number)
        first = await handset.dial()
        if number.endswith("3"):  # this user has no PIN yet
            assert first.startswith("CON Welcome to PayLink!")
            return
        assert first == MENU
        await handset.send("1")
        amount = await handset.send("1")
        assert amount.startswith(f"CON MTN airtime for {number}\n"), amount
        await asyncio.sleep(0)
        confirm = await handset.send(str(100 + int(number[-2:])))
        assert confirm.startswith(f"CON MTN airtime N{100 + int(number[-2:])}\nTo {number}\n")
        for other in numbers:
            if other != number:
                assert other not in "".join(reply for _, reply in handset.transcript)

    await asyncio.gather(*(journey(n) for n in numbers))


@pytest.mark.parametrize(
    "conversations_config", [ConversationConfig(session_ttl_s=1.0, pin_staging_ttl_s=1.0)]
)
async def test_sessions_expire_with_the_telco(gateway, phone, redis, redis_prefix):
    await customer(gateway)
    handset = phone()
    await handset.dial()
    await handset.send("3")
    record = await stored(redis, redis_prefix, handset)
    assert record is not None
    assert 0 < await redis.pttl(f"{redis_prefix}conv:ussd:{handset.session_id}") <= 1000
    await asyncio.sleep(1.2)
    assert await stored(redis, redis_prefix, handset) is None
    # a straggling hop of the expired session starts over, replaying its inputs from the menu
    assert (await handset.send("1")).startswith("CON Ikeja (IKEDC) meter type:")
    await asyncio.sleep(1.2)
    assert await handset.dial() == MENU  # too late to resume: the drop was not kept


async def test_a_dropped_session_is_offered_on_a_redial_within_two_minutes(gateway, phone):
    await customer(gateway)
    handset = phone()
    await handset.dial()
    await handset.send("3", "1", "1")
    await handset.hang_up("Incomplete")
    gateway.clock.advance(90)
    assert await handset.dial() == OFFER
    meter = await handset.send("1")
    assert meter.startswith("CON Enter prepaid meter number:")
    assert (await handset.send("1111111111111")).startswith("CON TESTMETER1\n")
    await handset.hang_up("Failed")
    assert await handset.dial() == OFFER
    assert await handset.send("2") == MENU


async def test_no_resume_offer_after_two_minutes_or_after_an_end(gateway, phone):
    await customer(gateway)
    handset = phone()
    await handset.dial()
    await handset.send("3", "1")
    await handset.hang_up("Incomplete")
    gateway.clock.advance(121)
    assert await handset.dial() == MENU
    await handset.send("1", "1", "500", PIN)  # a purchase ends the session
    assert handset.last == RECEIVED
    await handset.hang_up("Success")
    assert (await handset.dial()).startswith(MENU)  # with "7 Buy again" now


async def test_without_the_events_callback_a_redial_still_offers_resume(gateway, phone):
    await customer(gateway)
    handset = phone()
    await handset.dial()
    await handset.send("3", "1")
    assert await handset.dial() == OFFER  # the telco never told us; the new session did


async def test_a_concurrent_save_of_a_stale_revision_is_rejected(
    gateway, phone, redis, redis_prefix
):
    await customer(gateway)
    handset = phone()
    await handset.dial()
    loaded = await stored(redis, redis_prefix, handset)
    store = RedisSessionStore(redis, redis_prefix)
    first = replace(loaded, rev=loaded.rev + 1, answer=Screen("first"))
    second = replace(loaded, rev=loaded.rev + 1, answer=Screen("second"))
    results = await asyncio.gather(
        store.save("ussd", handset.session_id, first),
        store.save("ussd", handset.session_id, second),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["NoneType", "StaleRevision"]
    landed = first if results[0] is None else second
    assert (await stored(redis, redis_prefix, handset)).answer == landed.answer
    with pytest.raises(StaleRevision):  # a writer still holding the old revision is refused
        await store.save("ussd", handset.session_id, first)
    # and the hop path honours the winner
    assert await handset.resend() == render(landed.answer, USSD)


async def test_two_different_hops_racing_on_one_session_advance_it_once(
    gateway, phone, redis, redis_prefix
):
    await customer(gateway)
    handset = phone()
    await handset.dial()
    answers = await asyncio.gather(handset.post("1"), handset.post("3"))
    record = await stored(redis, redis_prefix, handset)
    assert record.rev == 2  # the dial, then exactly one of the two
    landed = render(record.answer, USSD)
    assert landed in answers
    assert all(a in (landed, MENU) for a in answers)
    body = json.loads(await redis.get(f"{redis_prefix}conv:ussd:{handset.session_id}"))
    assert body["consumed"] == 1
