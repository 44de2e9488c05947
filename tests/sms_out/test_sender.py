"""`AtSmsSender`: the real `africastalking` SDK over HTTP to the fake AT API, case by case."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

from gateway.sms.answers import Alert
from gateway.sms.sender import AtSmsSender
from gateway.store.outbox import OutboxMessage
from gateway.worker.notifier import Outcome
from tests.fixtures.fake_at import API_KEY, SENDER_ID, USERNAME, Step
from tests.purchases.conftest import START
from tests.sms_out.conftest import PHONE, READ_TIMEOUT_S

BODY = "PayLink: Ikeja Electric N1,000 Token: 1234-5678-9012-3456-7890"


def outgoing(phone: str = PHONE, body: str = BODY, message_id: int = 1) -> OutboxMessage:
    return OutboxMessage(
        message_id, None, phone, "sms", body, "sending", 1, None, None, START, None
    )


async def test_a_message_goes_out_with_our_sender_id_and_ats_answer_is_kept(sender, fake_at):
    result = await sender.send(outgoing())

    (sms,) = fake_at.sent
    assert (sms.to, sms.message, sms.sender_id) == (PHONE, BODY, SENDER_ID)
    assert result.outcome is Outcome.SENT
    assert result.provider_message_id == sms.message_id
    assert result.provider_message_id.startswith("ATXid_")
    assert (result.status_code, result.status, result.cost) == (101, "Success", "NGN 2.2000")


async def test_the_sdk_runs_in_the_senders_own_threads_not_on_the_event_loop(sender, fake_at):
    seen: list[str] = []
    original = sender._post

    def post(phone: str, body: str) -> object:
        seen.append(threading.current_thread().name)
        return original(phone, body)

    sender._post = post
    await sender.send(outgoing())

    (thread,) = seen
    assert thread.startswith("at-sms")


async def test_a_bad_api_key_is_retried_and_alerts_the_operator_once(fake_at, caplog):
    wrong = AtSmsSender(USERNAME, "not-the-key", base_url=fake_at.base_url, threads=2)
    caplog.set_level(logging.WARNING, "gateway.sms")
    try:
        results = [await wrong.send(outgoing(message_id=n)) for n in range(3)]
    finally:
        wrong.close()

    assert {r.outcome for r in results} == {Outcome.RETRY}
    assert results[0].error == "HTTP 401: authentication is invalid"
    alerts = [r for r in caplog.records if "operator alert" in r.getMessage()]
    assert len(alerts) == 1
    assert "AT_API_KEY" in alerts[0].getMessage()
    assert fake_at.accepted == []


async def test_the_alert_clears_once_at_takes_a_message_again(sender, fake_at, caplog):
    caplog.set_level(logging.WARNING, "gateway.sms")
    fake_at.then(Step.http(401), Step.http(401))

    await sender.send(outgoing())
    await sender.send(outgoing())
    assert sender.alerts.active == {Alert.BAD_KEY}
    await sender.send(outgoing())

    assert sender.alerts.active == frozenset()
    ours = [r.levelname for r in caplog.records if r.name.startswith("gateway.sms")]
    assert ours == ["ERROR", "WARNING"]  # raised once, cleared once


@pytest.mark.parametrize(
    ("code", "status"),
    [(403, "InvalidPhoneNumber"), (406, "UserInBlacklist"), (409, "DoNotDisturbRejection")],
)
async def test_a_number_at_refuses_fails_for_good(sender, fake_at, code, status):
    fake_at.codes[PHONE] = code

    result = await sender.send(outgoing())

    assert result.outcome is Outcome.REJECTED
    assert (result.status_code, result.status) == (code, status)
    assert result.provider_message_id is None
    assert result.error == f"AT status {code} {status}"


async def test_low_at_balance_is_retried_with_an_alert(sender, fake_at):
    fake_at.then(Step.code(405))

    result = await sender.send(outgoing())

    assert (result.outcome, result.status_code) == (Outcome.RETRY, 405)
    assert sender.alerts.active == {Alert.BALANCE}


async def test_a_server_error_is_retried_and_the_next_try_goes_through(sender, fake_at):
    fake_at.then(Step.http(500, "Internal Server Error"))

    first = await sender.send(outgoing())
    second = await sender.send(outgoing())

    assert first.outcome is Outcome.RETRY
    assert first.error == "HTTP error: Internal Server Error"
    assert second.outcome is Outcome.SENT
    assert len(fake_at.accepted) == 1


async def test_a_slow_answer_times_out_and_is_retried(sender, fake_at):
    fake_at.then(Step.slow(READ_TIMEOUT_S * 4))
    loop = asyncio.get_running_loop()
    started = loop.time()

    result = await sender.send(outgoing())

    assert (result.outcome, result.error) == (Outcome.RETRY, "timeout")
    assert loop.time() - started < READ_TIMEOUT_S * 3


async def test_a_number_the_sdk_cannot_send_to_fails_without_a_request(sender, fake_at):
    result = await sender.send(outgoing(phone="08031234567"))

    assert (result.outcome, result.error) == (Outcome.REJECTED, "not an E.164 number")
    assert fake_at.requests == 0


async def test_an_unreachable_at_is_retried(fake_at):
    nowhere = AtSmsSender(USERNAME, API_KEY, base_url="http://127.0.0.1:9", threads=1)
    try:
        result = await nowhere.send(outgoing())
    finally:
        nowhere.close()

    assert (result.outcome, result.error) == (Outcome.RETRY, "no answer (ConnectionError)")


async def test_neither_the_text_nor_the_key_nor_the_number_is_logged(fake_at, caplog):
    wrong = AtSmsSender(USERNAME, "atsk_wrong_key_abcdef", base_url=fake_at.base_url, threads=1)
    caplog.set_level(logging.DEBUG)
    try:
        result = await wrong.send(outgoing())
    finally:
        wrong.close()

    logged = caplog.text
    assert "operator alert" in logged
    for secret in ("1234-5678-9012-3456-7890", "atsk_wrong_key_abcdef", "2348031234567"):
        assert secret not in logged
        assert secret not in str(result)
