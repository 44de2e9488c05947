"""The pure rules: what AT's answer means, when a message is tried again, which report wins."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.settings import AT_API_BASE_URL, AT_SANDBOX_API_BASE_URL, Settings
from gateway.sms import delivery_status
from gateway.sms.answers import Alert, classify, http_error, read_answer
from gateway.store.outbox import OutboxMessage
from gateway.worker.notifier import Outcome, SendResult
from gateway.worker.outbox_lane import RetryPolicy
from tests.purchases.conftest import START


def answer(code: int, status: str = "Success", message_id: str = "ATXid_1") -> dict[str, object]:
    entry = {"statusCode": code, "number": "+2348031234567", "status": status}
    return {
        "SMSMessageData": {
            "Message": "Sent to 1/1",
            "Recipients": [entry | {"cost": "NGN 2.2000", "messageId": message_id}],
        }
    }


@pytest.mark.parametrize("code", [100, 101, 102])
def test_processed_sent_and_queued_are_accepted(code):
    assert classify(code) is Outcome.SENT


@pytest.mark.parametrize("code", [403, 404, 406, 409])
def test_invalid_unsupported_blacklisted_and_dnd_fail_for_good(code):
    assert classify(code) is Outcome.REJECTED


@pytest.mark.parametrize("code", [401, 402, 405, 407, 500, 501, 502, 999])
def test_risk_hold_balance_routing_server_errors_and_unknown_codes_are_retried(code):
    assert classify(code) is Outcome.RETRY


def test_an_accepted_recipient_keeps_ats_id_status_code_and_cost():
    verdict = read_answer(answer(101))

    assert verdict.result == SendResult.sent(
        "ATXid_1", status_code=101, status="Success", cost="NGN 2.2000"
    )
    assert verdict.alert is None


def test_a_balance_refusal_is_retried_with_an_operator_alert():
    verdict = read_answer(answer(405, "InsufficientBalance", "None"))

    assert verdict.result.outcome is Outcome.RETRY
    assert verdict.result.status_code == 405
    assert verdict.alert is Alert.BALANCE


def test_the_answer_as_text_is_read_too():
    # the SDK hands back a string when the content type carries a charset
    text = '{"SMSMessageData": {"Recipients": [{"statusCode": "101", "messageId": "ATXid_2"}]}}'

    assert read_answer(text).result.provider_message_id == "ATXid_2"


def test_an_unreadable_2xx_counts_as_sent_so_it_is_never_texted_twice():
    verdict = read_answer("<AfricasTalkingResponse/>")

    assert verdict.result.outcome is Outcome.SENT
    assert verdict.result.status == "unreadable answer"


def test_an_answer_with_no_recipient_is_retried_with_an_alert():
    verdict = read_answer({"SMSMessageData": {"Message": "InvalidSenderId", "Recipients": []}})

    assert verdict.result.outcome is Outcome.RETRY
    assert verdict.result.error == "no recipient in AT's answer: InvalidSenderId"
    assert verdict.alert is Alert.NO_RECIPIENT


def test_http_401_names_the_key_and_other_http_errors_are_plain_retries():
    assert http_error("The supplied authentication is invalid").alert is Alert.BAD_KEY
    outage = http_error("<html>\n<h1>503 Service Unavailable</h1></html>")
    assert outage.alert is None
    assert outage.result.error == "HTTP error: <html> <h1>503 Service Unavailable</h1></html>"


def test_the_backoff_doubles_from_the_base_up_to_the_cap():
    policy = RetryPolicy(base_s=15, cap_s=300, max_attempts=30)

    assert [policy.delay_s(n) for n in range(1, 8)] == [15, 30, 60, 120, 240, 300, 300]
    assert policy.delay_s(10_000) == 300


def test_the_default_policy_outlasts_a_one_hour_outage():
    policy = RetryPolicy()
    waited = sum(policy.delay_s(n) for n in range(1, policy.max_attempts))

    assert waited >= 3600


def claimed(attempts: int) -> OutboxMessage:
    lease = START + timedelta(seconds=60)
    return OutboxMessage(
        1,
        None,
        "+2348031234567",
        "sms",
        "hi",
        "sending",
        attempts,
        None,
        None,
        START,
        None,
        lease_until=lease,
    )


def test_a_retry_is_due_after_its_backoff_by_the_clock():
    policy = RetryPolicy(base_s=15, cap_s=300, max_attempts=5)

    record = policy.outcome(claimed(2), SendResult.retry("timeout"), START)

    assert (record.status, record.next_attempt_at) == ("queued", START + timedelta(seconds=30))
    assert record.lease_until == START + timedelta(seconds=60)


def test_the_last_attempt_fails_the_message_and_says_why():
    policy = RetryPolicy(base_s=15, cap_s=300, max_attempts=5)

    record = policy.outcome(claimed(5), SendResult.retry("timeout"), START)

    assert (record.status, record.last_error) == ("failed", "gave up after 5 attempts: timeout")


def test_the_at_host_is_live_by_default_the_sandbox_for_sandbox_or_as_set():
    assert Settings(at_username="paylink").at_api_base == AT_API_BASE_URL
    assert Settings(at_username="sandbox").at_api_base == AT_SANDBOX_API_BASE_URL
    env = {"AT_USERNAME": "sandbox", "AT_API_BASE_URL": "http://127.0.0.1:8099"}
    assert Settings.from_env(env).at_api_base == "http://127.0.0.1:8099"


# -- delivery reports --------------------------------------------------------------------------

IN_ORDER = ["Sent", "Submitted", "Buffered", "Success"]


def fold(reports: list[str]) -> str | None:
    current: str | None = None
    for reported in reports:
        current = delivery_status.merge(current, reported) or current
    return current


def test_reports_in_order_end_in_the_final_state():
    assert fold(IN_ORDER) == "Success"


@pytest.mark.parametrize("order", list(itertools.permutations(IN_ORDER)))
def test_reports_in_any_order_end_in_the_final_state(order):
    assert fold(list(order)) == "Success"


def test_a_late_buffered_never_overwrites_success_nor_a_later_failure():
    assert delivery_status.merge("Success", "Buffered") is None
    assert delivery_status.merge("Failed", "Sent") is None
    assert delivery_status.merge("Rejected", "Success") is None


def test_an_unknown_status_is_kept_as_it_came_and_gives_way_to_a_final_one():
    assert delivery_status.merge("Submitted", "AbsentSubscriber") == "AbsentSubscriber"
    assert delivery_status.merge("AbsentSubscriber", "Buffered") is None
    assert delivery_status.merge("AbsentSubscriber", "Failed") == "Failed"


statuses = st.sampled_from(["Sent", "Submitted", "Buffered", "Expired", "Success", "Failed"])


@given(st.lists(statuses, min_size=1, max_size=8))
def test_the_first_final_report_always_wins_whatever_comes_around_it(reports):
    finals = [r for r in reports if delivery_status.is_final(r)]
    result = fold(reports)

    if finals:
        assert result == finals[0]
    else:
        assert result is not None
        assert delivery_status.rank(result) == max(delivery_status.rank(r) for r in reports)
