"""The inbound callback as Africa's Talking uses it: who may post, repeated deliveries,
unreadable forms and a handset that keeps texting. Always 200, at once, with an empty body."""

from __future__ import annotations

import ipaddress
import logging

import pytest
from sqlalchemy import func, select

from gateway.settings import Secret
from gateway.store.tables import Outbox, User
from tests.sms_in.conftest import BUYER, PIN, SUCCESS, sms_customer
from tests.sms_in.handset import ROUTE, form
from tests.ussd.helpers import delivered, purchases

TOKEN = "Kq3vX9-pL2mZ8wR4tY6uN1bC5dF7hJ0s"
WITH_TOKEN = {"at_callback_token": Secret(TOKEN)}
AT_NETWORK = ipaddress.ip_network("196.201.214.0/24")


async def queued(gateway) -> int:
    async with gateway.db() as session:
        return int(await session.scalar(select(func.count()).select_from(Outbox)) or 0)


@pytest.mark.parametrize("gateway_overrides", [WITH_TOKEN])
async def test_with_a_token_the_callback_lives_under_it(gateway, handset):
    await sms_customer(gateway)
    phone = handset(route=f"/sms/africastalking/{TOKEN}/inbound")
    assert await phone.text("bal") == "Wallet balance: N100,000."


@pytest.mark.parametrize("gateway_overrides", [WITH_TOKEN])
@pytest.mark.parametrize("route", [ROUTE, "/sms/africastalking/wrong-token-0123456789abc/inbound"])
async def test_with_a_token_the_bare_or_a_wrong_route_is_404_and_writes_nothing(
    gateway, client, route
):
    await sms_customer(gateway)
    before = await queued(gateway)
    response = await client.post(route, data=form(BUYER, "bal", "ATXid_1"))
    assert response.status_code == 404
    assert await queued(gateway) == before


@pytest.mark.parametrize("gateway_overrides", [{"at_allowed_networks": (AT_NETWORK,)}])
async def test_a_caller_outside_the_allow_list_is_refused(gateway, client):
    await sms_customer(gateway)
    before = await queued(gateway)
    response = await client.post(ROUTE, data=form(BUYER, "bal", "ATXid_1"))
    assert response.status_code == 403
    assert await queued(gateway) == before


async def test_the_answer_is_an_empty_200(gateway, client):
    await sms_customer(gateway)
    response = await client.post(ROUTE, data=form(BUYER, "help", "ATXid_1"))
    assert (response.status_code, response.text) == (200, "")
    assert response.headers["content-type"].startswith("text/plain")


async def test_a_repeated_delivery_is_answered_once(gateway, handset):
    await sms_customer(gateway)
    phone = handset()
    assert await phone.text("bal") is not None
    assert await phone.resend() == []


async def test_a_repeated_pin_delivery_buys_once_and_texts_once(gateway, handset):
    user_id = await sms_customer(gateway)
    phone = handset()
    await phone.text(f"airtime 100 {SUCCESS} mtn")
    assert await phone.text(PIN) is not None
    assert await phone.resend() == []
    await delivered(gateway, user_id, count=1)


async def test_an_older_id_delivered_again_later_is_still_ignored(gateway, handset):
    """Not only the last message: any id seen in the last day."""
    user_id = await sms_customer(gateway)
    phone = handset()
    await phone.text(f"airtime 100 {SUCCESS} mtn")
    first_id = phone.last_id
    await phone.text(PIN)
    await phone.post(f"airtime 100 {SUCCESS} mtn", first_id)
    assert await phone.replies() == []
    assert len(await purchases(gateway, user_id)) == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"id": None},  # no id
        {"id": "bad id with spaces"},
        {"from": None},
        {"from": "+447700900123"},  # not a Nigerian mobile
        {"text": None},
        {"text": "x" * 1601},  # over AT's cap
    ],
    ids=["no-id", "bad-id", "no-sender", "foreign-sender", "no-text", "too-long"],
)
async def test_a_malformed_form_is_200_logged_and_writes_nothing(gateway, client, caplog, fields):
    await sms_customer(gateway)
    body = {**form(BUYER, "bal", "ATXid_1"), **fields}
    before = await queued(gateway)
    with caplog.at_level(logging.INFO, logger="gateway.channels.sms"):
        response = await client.post(ROUTE, data={k: v for k, v in body.items() if v is not None})
    assert response.status_code == 200
    assert await queued(gateway) == before
    assert any("unreadable incoming SMS" in r.getMessage() for r in caplog.records)


async def test_a_malformed_delivery_does_not_use_up_its_id(gateway, client, handset):
    await sms_customer(gateway)
    bad = {**form(BUYER, "bal", "ATXid_7"), "text": "x" * 1601}
    assert (await client.post(ROUTE, data=bad)).status_code == 200
    phone = handset()
    await phone.post("bal", "ATXid_7")
    assert await phone.replies() == ["Wallet balance: N100,000."]


async def test_a_body_over_the_size_limit_is_200_and_writes_nothing(gateway, client):
    await sms_customer(gateway)
    before = await queued(gateway)
    response = await client.post(
        ROUTE,
        content=b"text=" + b"x" * (3 * 1024 * 1024),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert await queued(gateway) == before


@pytest.mark.parametrize("gateway_overrides", [{"sms_inbound_limit": 3}])
async def test_past_the_inbound_limit_a_phone_gets_no_reply_and_it_is_logged(
    gateway, handset, caplog
):
    await sms_customer(gateway)
    phone = handset()
    for _ in range(3):
        assert await phone.text("bal") is not None
    with caplog.at_level(logging.INFO, logger="gateway.channels.sms"):
        assert await phone.text("bal") is None
        assert await phone.text("help") is None
    over = [r for r in caplog.records if "over the inbound limit" in r.getMessage()]
    assert [r.levelno for r in over] == [logging.WARNING, logging.INFO]  # warned once
    assert all(BUYER[1:] not in r.getMessage() for r in over)  # the phone is masked


@pytest.mark.parametrize("gateway_overrides", [{"sms_inbound_limit": 3}])
async def test_the_inbound_limit_is_per_phone(gateway, handset):
    await sms_customer(gateway)
    await sms_customer(gateway, SUCCESS)
    busy = handset()
    for _ in range(4):
        await busy.text("bal")
    assert await handset(SUCCESS).text("bal") == "Wallet balance: N100,000."


async def test_a_stranger_is_told_how_to_join_and_no_account_is_made(gateway, handset):
    reply = await handset("08051234567").text("AIRTIME 100")
    assert reply == (
        "Welcome to PayLink! To join, dial *347*88# and create your PIN."
        " Then text HELP to use PayLink by SMS."
    )
    async with gateway.db() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize("gateway_overrides", [{"ussd_code": "*555*1#"}])
async def test_the_join_hint_names_this_deployments_ussd_code(gateway, handset):
    reply = await handset("08051234567").text("help")
    assert reply is not None
    assert "dial *555*1# and create your PIN" in reply
