"""Who may post to the Africa's Talking callback: the secret path token and the allow-list.

The attacker knows a customer's phone number and can reach the gateway. Without protection,
posting AT's form as that number sets the PIN of an account opened on the web, then spends its
wallet. With `PAYLINK_AT_CALLBACK_TOKEN` set the callback exists only under the secret segment:
the old path and any wrong token answer 404 and touch nothing (no session, PIN, purchase or
ledger line). With `PAYLINK_AT_ALLOWED_NETWORKS`, a caller outside the blocks gets 403; its
address is read through `PAYLINK_TRUSTED_PROXY_HOPS` as the login limiter reads it.
"""

from __future__ import annotations

import ipaddress
import uuid

import pytest
from sqlalchemy import select

from gateway.app import create_app
from gateway.cli import main
from gateway.settings import Secret, Settings
from gateway.store.tables import User
from tests.ussd.conftest import BUYER, JWT_SECRET, PIN, REDIS_URL, customer
from tests.ussd.helpers import RECEIVED, delivered, purchases
from tests.ussd.phone import CODE, Phone, check_reply

TOKEN = "Kq3vX9-pL2mZ8wR4tY6uN1bC5dF7hJ0s"
SECRET_ROUTE = f"/ussd/africastalking/{TOKEN}"
WITH_TOKEN = {"at_callback_token": Secret(TOKEN)}
AT_NETWORK = ipaddress.ip_network("196.201.214.0/24")
SUCCESS_PHONE = "08011111111"  # the simulator delivers airtime to this number


def _form(text: str, phone: str = BUYER, session_id: str | None = None) -> dict[str, str]:
    return {
        "sessionId": session_id or f"ATUid_{uuid.uuid4().hex}",
        "serviceCode": CODE,
        "phoneNumber": "+234" + phone[1:],
        "networkCode": "62130",
        "text": text,
    }


async def _nothing_changed(gateway, redis, redis_prefix, user_id: int, naira: int) -> None:
    assert [key async for key in redis.scan_iter(match=f"{redis_prefix}conv:*")] == []
    async with gateway.db() as session:
        user = (await session.execute(select(User).where(User.id == user_id))).scalar_one()
    assert user.pin_hash is None
    assert await purchases(gateway, user_id) == []
    assert await gateway.wallet() == naira * 100
    assert sum(gateway.transport.pays.values()) == 0


@pytest.mark.parametrize("gateway_overrides", [WITH_TOKEN])
async def test_the_token_less_route_cannot_set_a_pin_or_spend(gateway, client, redis, redis_prefix):
    user_id = await customer(gateway, naira=5_000, pin=None)  # opened on the web, no PIN yet
    session_id = f"ATUid_{uuid.uuid4().hex}"
    for text in ("", "7391", "7391*7391", "7391*7391*1*1*500*7391"):
        response = await client.post(
            "/ussd/africastalking", data=_form(text, session_id=session_id)
        )
        assert response.status_code == 404, response.text
        assert not response.text.startswith(("CON", "END"))
    events = await client.post(
        "/ussd/africastalking/events", data={**_form(""), "status": "Incomplete"}
    )
    assert events.status_code == 404

    await _nothing_changed(gateway, redis, redis_prefix, user_id, naira=5_000)


@pytest.mark.parametrize("gateway_overrides", [WITH_TOKEN])
@pytest.mark.parametrize(
    "wrong",
    [
        TOKEN[:-1] + ("t" if TOKEN[-1] != "t" else "u"),  # one character off
        TOKEN[:-1],  # a prefix
        TOKEN + "x",
        TOKEN.upper(),
        "events",
    ],
)
async def test_a_wrong_token_is_404_and_changes_nothing(
    gateway, client, redis, redis_prefix, wrong
):
    user_id = await customer(gateway, naira=5_000, pin=None)
    hop = await client.post(f"/ussd/africastalking/{wrong}", data=_form("7391*7391"))
    events = await client.post(
        f"/ussd/africastalking/{wrong}/events", data={**_form(""), "status": "Success"}
    )
    assert (hop.status_code, events.status_code) == (404, 404)
    await _nothing_changed(gateway, redis, redis_prefix, user_id, naira=5_000)


@pytest.mark.parametrize("gateway_overrides", [WITH_TOKEN])
async def test_the_right_token_buys_end_to_end(gateway, client):
    user_id = await customer(gateway)
    handset = Phone(client, route=SECRET_ROUTE)
    await handset.dial()
    await handset.send("1", "2", SUCCESS_PHONE, "1", "500")  # MTN airtime to another number
    assert await handset.send(PIN) == RECEIVED
    assert (await handset.hang_up("Success")).status_code == 200
    done = await delivered(gateway, user_id)
    assert done.face_amount == 500 * 100


@pytest.mark.parametrize("gateway_overrides", [{"at_allowed_networks": (AT_NETWORK,)}])
async def test_a_caller_outside_the_allow_list_is_refused(gateway, client, redis, redis_prefix):
    user_id = await customer(gateway, naira=5_000, pin=None)
    hop = await client.post("/ussd/africastalking", data=_form("7391*7391"))
    # with no trusted proxy, X-Forwarded-For is whatever the caller chose to send
    spoofed = await client.post(
        "/ussd/africastalking",
        data=_form("7391*7391"),
        headers={"X-Forwarded-For": "196.201.214.20"},
    )
    events = await client.post(
        "/ussd/africastalking/events", data={**_form(""), "status": "Success"}
    )
    assert (hop.status_code, spoofed.status_code, events.status_code) == (403, 403, 403)
    await _nothing_changed(gateway, redis, redis_prefix, user_id, naira=5_000)


@pytest.mark.parametrize(
    "gateway_overrides", [{"at_allowed_networks": (AT_NETWORK,), "trusted_proxy_hops": 1}]
)
async def test_the_allow_list_reads_the_address_our_proxy_added(gateway, client):
    await customer(gateway, pin=None)
    # our one proxy appends the peer it saw; anything to its left came from the caller
    forged = await client.post(
        "/ussd/africastalking",
        data=_form(""),
        headers={"X-Forwarded-For": "196.201.214.20, 41.58.0.7"},
    )
    assert forged.status_code == 403
    from_at = await client.post(
        "/ussd/africastalking",
        data=_form(""),
        headers={"X-Forwarded-For": "10.9.9.9, 196.201.214.20"},
    )
    assert check_reply(from_at).startswith("CON Welcome to PayLink!")


@pytest.mark.parametrize(
    "gateway_overrides",
    [{**WITH_TOKEN, "at_allowed_networks": (ipaddress.ip_network("127.0.0.0/8"),)}],
)
async def test_token_and_allow_list_together_admit_at_on_its_network(gateway, client):
    await customer(gateway, pin=None)
    response = await client.post(SECRET_ROUTE, data=_form(""))
    assert check_reply(response).startswith("CON Welcome to PayLink!")
    assert (await client.post("/ussd/africastalking", data=_form(""))).status_code == 404


# -- start-up ------------------------------------------------------------------------------------


def _production(pg_url: str, redis_prefix: str) -> dict[str, str]:
    return {
        "PAYLINK_DATABASE_URL": pg_url,
        "PAYLINK_REDIS_URL": REDIS_URL,
        "PAYLINK_REDIS_PREFIX": redis_prefix,
        "PAYLINK_JWT_SECRET": JWT_SECRET,
        "PAYLINK_LOG_LEVEL": "ERROR",
    }


def test_production_without_a_token_or_allow_list_does_not_serve(pg_url, redis_prefix, capsys):
    assert main(["serve", "--port", "1"], _production(pg_url, redis_prefix)) == 2
    error = capsys.readouterr().err
    assert "PAYLINK_AT_CALLBACK_TOKEN" in error
    assert "PAYLINK_AT_ALLOWED_NETWORKS" in error
    assert "PAYLINK_AT_CALLBACK_OPEN" in error


async def test_production_with_callback_open_starts_and_answers(
    pg_url, pg_sessionmaker, redis_prefix, aiohttp_client
):
    env = _production(pg_url, redis_prefix) | {"PAYLINK_AT_CALLBACK_OPEN": "true"}
    settings = Settings.from_env(env)
    client = await aiohttp_client(create_app(settings))
    response = await client.post("/ussd/africastalking", data=_form("", phone="08059990001"))
    assert response.status == 200
    assert (await response.text()).startswith("CON Welcome to PayLink!")


async def test_production_with_a_token_serves_only_the_secret_route(
    pg_url, pg_sessionmaker, redis_prefix, aiohttp_client
):
    env = _production(pg_url, redis_prefix) | {"PAYLINK_AT_CALLBACK_TOKEN": TOKEN}
    client = await aiohttp_client(create_app(Settings.from_env(env)))
    assert (await client.post("/ussd/africastalking", data=_form(""))).status == 404
    response = await client.post(SECRET_ROUTE, data=_form("", phone="08059990002"))
    assert (await response.text()).startswith("CON Welcome to PayLink!")
