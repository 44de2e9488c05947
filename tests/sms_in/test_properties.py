"""Properties: whatever is texted, nothing crashes and every reply fits two GSM-7 parts.

In the pure engine (any opening text, then any answers, with plausible effect results), and
through the real route (Postgres, Redis, the simulator): any form AT could post gets a 200
and every SMS queued in answer is GSM-7 within 306 septets. Examples are bounded for CI.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.flows.commands import parse
from gateway.flows.engine import advance
from gateway.flows.model import SessionStarted, Transition, UserInput
from gateway.flows.screens import SMS, render
from gateway.gsm7 import is_gsm7, septets
from tests.sms_in.conftest import BUYER, PIN, SUCCESS, sms_customer
from tests.sms_in.handset import ROUTE, Handset
from tests.unit.flows.catalogue_data import CATALOG
from tests.unit.flows.test_properties import result_for

COMMANDS = [
    "help", "BAL", "history", "stop", "start", "airtime 100", "AIRTIME 500 08051234567",
    f"airtime 100 {SUCCESS} mtn", "airtime 100 201000000000", "airtime 99999999",
    "data mtn", "data mtn 3", "data mtn5", "DATA GLO1 08051234567", "data smile1",
    "data glosme2", "data spectranet1", "data nope7", "light ikeja 1111111111111 1000",
    "light eko 1111111111111 5 postpaid", "light nowhere 123456 100", "tv dstv",
    "tv dstv 1212121212", "tv gotv 1212121212 gotv2", "tv startimes 1212121212",
    "tv showmax", "tv showmax showmax1 08031234567", "waec", "waec 2", "waec 11",
    "LIGHT", "TV", "DATA", "AIRTIME",
]  # fmt: skip
ANSWERS = ["0", "00", "98", "1", "2", "3", "100", "5000", PIN, "7391", "1111111111111", ""]
texts = st.one_of(
    st.sampled_from(COMMANDS),
    st.sampled_from(ANSWERS),
    st.text(max_size=60),
    st.builds(lambda verb, rest: f"{verb} {rest}", st.sampled_from(COMMANDS), st.text(max_size=30)),
)


def fits(t: Transition) -> None:
    text = render(t.reply, SMS)  # raises on a non-GSM-7 character or over two parts
    assert (t.state is None) == t.reply.ends
    assert text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_the_parser_never_raises(text):
    parse(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), texts, st.lists(texts, max_size=6))
def test_any_texts_give_a_reply_that_fits_two_parts(data, opening, answers):
    event = SessionStarted(phone="+2348031234567", seed="s", has_pin=True, shortcut=(opening,))
    t = advance(None, event, CATALOG, SMS)
    for answer in [None, *answers]:
        if answer is not None:
            if t.state is None:
                event = SessionStarted(
                    phone="+2348031234567", seed="s", has_pin=True, shortcut=(answer,)
                )
                t = advance(None, event, CATALOG, SMS)
            else:
                t = advance(t.state, UserInput(answer), CATALOG, SMS)
        fits(t)
        for _ in range(3):  # the coordinator's rounds
            results = [r for r in (result_for(e, data) for e in t.effects) if r is not None]
            if not results:
                break
            t = advance(t.state, results[0], CATALOG, SMS)
            fits(t)


@pytest.fixture
def gateway_overrides():
    return {"sms_inbound_limit": 100_000}  # the examples share one phone's window


@pytest.fixture
async def customers(gateway):
    """Made once for all examples (function-scoped fixtures are not reset between them)."""
    await sms_customer(gateway, BUYER)
    await sms_customer(gateway, SUCCESS, naira=50, purchases=False)


bodies = st.fixed_dictionaries(
    {},
    optional={
        "from": st.one_of(
            st.sampled_from(["+2348031234567", "08011111111", "+2348051234567", "2348031234567"]),
            st.text(max_size=20),
        ),
        "text": texts,
        "id": st.one_of(st.from_regex(r"ATXid_[0-9a-f]{12}", fullmatch=True), st.text(max_size=8)),
        "to": st.text(max_size=10),
        "date": st.text(max_size=25),
        "linkId": st.text(max_size=10),
        "networkCode": st.text(max_size=6),
    },
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(bodies, min_size=1, max_size=6))
async def test_any_form_is_200_and_every_reply_fits_two_parts(gateway, client, customers, posts):
    watched = [Handset(client, gateway.db, n) for n in (BUYER, SUCCESS, "08051234567")]
    for phone in watched:
        await phone.inbox()  # from here on
    for body in posts:
        response = await client.post(ROUTE, data=body)
        assert response.status_code == 200, response.text
    for phone in watched:
        for message in await phone.inbox():  # `check_sms`: GSM-7, at most 306 septets
            assert is_gsm7(message.body)
            assert septets(message.body) <= 306


async def test_a_plain_phone_conversation_still_fits(gateway, handset):
    """A guard for the property above: the handset really reads replies."""
    await sms_customer(gateway)
    assert (await handset().text("help") or "").startswith("PayLink SMS commands:")


@pytest.mark.parametrize("text", COMMANDS)
async def test_every_listed_command_answers_within_two_parts(gateway, handset, text):
    await sms_customer(gateway)
    reply = await handset().text(text)
    assert reply is not None  # `Handset` checked it: GSM-7, at most 306 septets
