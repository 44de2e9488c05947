"""`paylink serve` on the embedded default points its in-process Paystack simulator at itself:
signed events to `/webhooks/paystack`, and the payer back to the web app's `/fund/return`
(what the Paystack dashboard's webhook and callback URLs do for a real account)."""

from __future__ import annotations

from gateway.cli.paystack import with_local_paystack
from gateway.settings import Settings

BASE = {"PAYLINK_JWT_SECRET": "cli-test-secret-0123456789abcdef0123456789"}


def settings(**env: str) -> Settings:
    return Settings.from_env(BASE | env)


def test_the_embedded_simulator_sends_events_and_payers_back_to_this_server():
    funding = with_local_paystack(settings(), "127.0.0.1", 8123).funding

    assert funding.simulator_webhook_url == "http://127.0.0.1:8123/webhooks/paystack"
    assert funding.callback_url == "http://127.0.0.1:8123/fund/return"


def test_a_server_on_every_address_is_reached_on_loopback():
    funding = with_local_paystack(settings(), "0.0.0.0", 8080).funding  # noqa: S104

    assert funding.callback_url == "http://127.0.0.1:8080/fund/return"


def test_a_callback_url_set_by_hand_wins():
    chosen = "https://app.example.ng/fund/return"
    funding = with_local_paystack(
        settings(PAYLINK_FUNDING_CALLBACK_URL=chosen), "127.0.0.1", 8080
    ).funding

    assert funding.callback_url == chosen
    assert funding.simulator_webhook_url == "http://127.0.0.1:8080/webhooks/paystack"


def test_a_real_paystack_account_is_left_as_configured():
    configured = settings(PAYSTACK_SECRET_KEY="sk_test_" + "1" * 40)

    assert with_local_paystack(configured, "127.0.0.1", 8080) is configured
