"""Africa's Talking's side of the wire: dial-string shortcuts, malformed requests, events.

Whatever arrives, the callback answers 200 `text/plain` with `CON `/`END ` (AT fails the user's
session on anything else), and the events callback always answers 200.
"""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from gateway.app import create_app
from gateway.channels.ussd import BAD_REQUEST, NOT_NIGERIAN, TOO_LONG, code_extras, split_text
from gateway.settings import Secret
from tests.ussd.conftest import BUYER, JWT_SECRET, PIN, customer
from tests.ussd.helpers import RECEIVED, purchases
from tests.ussd.phone import EVENTS, ROUTE, check_reply
from tests.worker.harness import gateway_settings

CONFIRM = "CON MTN airtime N500\nTo 08031234567\nEnter PIN to pay:"


def test_text_and_service_code_are_split_like_at_sends_them():
    assert split_text("") == ()
    assert split_text("1") == ("1",)
    assert split_text("1*2*") == ("1", "2", "")
    assert code_extras("*347*88#") == ()
    assert code_extras("*347*88*1*500#") == ("1", "500")
    assert code_extras("*384*1234#") == ()
    assert code_extras("#nonsense") == ()


@pytest.mark.parametrize("how", ["text", "service-code"])
async def test_the_dial_string_jumps_to_the_confirm_screen(gateway, phone, how):
    user_id = await customer(gateway)
    handset = phone()
    if how == "text":  # AT: `*347*88*1*500#` arrives as serviceCode *347*88# and text 1*500
        first = await handset.dial("*347*88#", first="1*500")
    else:
        first = await handset.dial("*347*88*1*500#")
    assert first.startswith(CONFIRM)
    assert await handset.send(PIN) == RECEIVED
    (bought,) = await purchases(gateway, user_id)
    assert (bought.service_id, bought.face_amount, bought.phone) == (
        "mtn",
        50_000,
        "+2348031234567",
    )


async def test_a_dial_string_for_another_number(gateway, phone):
    await customer(gateway)
    handset = phone()
    first = await handset.dial("*347*88*1*500*08051234567#")
    assert first.startswith("CON Glo airtime N500\nTo 08051234567\n")


async def test_a_dial_string_never_takes_a_pin_and_new_users_set_one_first(gateway, phone):
    await customer(gateway)
    handset = phone()
    stopped = await handset.dial("*347*88#", first=f"1*1*500*{PIN}")
    assert stopped.startswith(CONFIRM)  # the PIN segment was dropped, not used
    newcomer = phone("08051234567")
    assert (await newcomer.dial("*347*88*1*500#")).startswith("CON Welcome to PayLink!")


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        pytest.param({}, BAD_REQUEST, id="empty"),
        pytest.param({"phoneNumber": "+2348031234567", "text": ""}, BAD_REQUEST, id="no-session"),
        pytest.param({"sessionId": "ATUid_1", "text": ""}, BAD_REQUEST, id="no-phone"),
        pytest.param(
            {"sessionId": "bad id\n", "phoneNumber": "+2348031234567"}, BAD_REQUEST, id="bad-id"
        ),
        pytest.param(
            {"sessionId": "ATUid_1", "phoneNumber": "+447700900123", "text": ""},
            NOT_NIGERIAN,
            id="foreign",
        ),
        pytest.param(
            {"sessionId": "ATUid_1", "phoneNumber": "+2348031234567", "text": "1*" * 600},
            TOO_LONG,
            id="too-long",
        ),
    ],
)
async def test_bad_form_fields_answer_end_with_a_clear_line(gateway, client, form, expected):
    response = await client.post(ROUTE, data=form)
    assert check_reply(response) == expected


async def test_bodies_that_are_not_forms_still_get_end(gateway, client):
    assert check_reply(await client.post(ROUTE, json={"sessionId": "x"})) == BAD_REQUEST
    assert check_reply(await client.post(ROUTE, content=b"\xff\xfe garbage")) == BAD_REQUEST


async def test_an_oversized_body_is_refused_quietly_not_logged_as_an_error(gateway, client, caplog):
    huge = {"sessionId": "ATUid_1", "phoneNumber": "+2348031234567", "text": "1" * 2_000_000}
    with caplog.at_level(logging.INFO, logger="gateway"):
        response = await client.post(ROUTE, data=huge)
        event = await client.post(EVENTS, data=huge)
    assert (response.status_code, response.text) == (413, TOO_LONG)
    assert event.status_code == 200
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.levelname for r in caplog.records if "size limit" in r.getMessage()] == [
        "WARNING",
        "WARNING",
    ]
    assert "Traceback" not in caplog.text


async def test_missing_text_is_a_first_hop_and_unknown_networks_are_fine(gateway, client):
    await customer(gateway)
    form = {"sessionId": "ATUid_abc", "phoneNumber": "2348031234567", "networkCode": "00000"}
    assert check_reply(await client.post(ROUTE, data=form)).startswith("CON PayLink\n")


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"sessionId": "ATUid_unknown", "status": "Incomplete", "phoneNumber": "+2348031234567"},
        {"sessionId": "ATUid_x", "status": "Failed", "errorMessage": "boom"},
        {"sessionId": "ATUid_x", "status": "Success"},
        {"sessionId": "x\ny", "status": "Incomplete\n"},
    ],
)
async def test_events_always_answer_200(gateway, client, form):
    response = await client.post(EVENTS, data=form)
    assert response.status_code == 200
    assert (await client.post(EVENTS, content=b"\x00\xff")).status_code == 200


async def test_a_redis_that_stops_answering_gets_a_friendly_end_before_the_telco_gives_up(
    simulator, sim_clock, pg_url, aiohttp_server
):
    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.read()  # accepts, reads, never answers
        finally:
            writer.close()

    silent = await asyncio.start_server(hang, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    settings = gateway_settings(
        pg_url,
        simulator,
        redis_url=Secret(f"redis://127.0.0.1:{port}/0"),
        jwt_secret=Secret(JWT_SECRET),
        jwt_secret_generated=False,
    )
    server = await aiohttp_server(create_app(settings, clock=sim_clock))
    form = {"sessionId": "ATUid_hung", "phoneNumber": BUYER, "serviceCode": "*347*88#", "text": ""}
    try:
        async with httpx.AsyncClient(base_url=str(server.make_url("")), timeout=30) as client:
            # Africa's Talking waits 15 s for an answer (channels.md A4)
            response = await asyncio.wait_for(client.post(ROUTE, data=form), 15)
    finally:
        silent.close()
    assert response.status_code == 200
    assert response.text == "END Sorry, something went wrong. Please dial again."
