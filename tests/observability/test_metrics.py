"""`/metrics` after a short run: a USSD purchase, an SMS command, a refused login and a PIN
lockout leave a sample in every metric they touch, and every metric of the gateway is named.

Counters are per process and other tests in this process move them too, so each check is a
difference across the run, read from `/metrics` itself.
"""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from gateway import gauges, metrics
from gateway.security.keys import pin_service_key
from gateway.security.pin_lockout import MAX_ATTEMPTS
from tests.sms_in.conftest import SUCCESS, sms_customer
from tests.ussd.conftest import PIN, customer
from tests.ussd.helpers import RECEIVED, delivered, receipt

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient) -> tuple[str, Samples]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return response.text, samples


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of `name`'s samples whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, have), v in samples.items() if n == name and wanted <= have)


async def test_a_short_run_shows_every_metric_and_moves_each_one_it_touches(
    gateway, client, phone, handset
):
    _, before = await scrape(client)

    user_id = await customer(gateway)  # USSD: 500 naira of MTN airtime with the PIN
    handset_ussd = phone()
    await handset_ussd.dial()
    assert "Enter PIN to pay" in await handset_ussd.send("1", "2", SUCCESS, "1", "500")
    assert await handset_ussd.send(PIN) == RECEIVED
    bought = await delivered(gateway, user_id)
    await receipt(gateway, bought.id)  # the worker sent the SMS receipt
    await sms_customer(gateway, "08051234567")
    assert await handset("08051234567").text("BAL") is not None
    refused = await client.post(
        "/api/v1/auth/login", json={"phone": "08031234567", "password": "not the password"}
    )
    assert refused.status_code == 401
    other = await customer(gateway, "08021234567")
    for wrong in range(MAX_ATTEMPTS):
        await gateway.app[pin_service_key].check(other, f"{1000 + wrong}")

    text, after = await scrape(client)

    for name in (*metrics.NAMES, *gauges.NAMES):
        assert f"\n# TYPE {name} " in text, f"{name} is not on /metrics"

    def moved(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    assert moved("paylink_hops_total", channel="ussd", outcome="continued") >= 1
    assert moved("paylink_hops_total", channel="ussd", outcome="ended") >= 1
    assert moved("paylink_hops_total", channel="sms") >= 1
    assert moved("paylink_hop_seconds_count", channel="ussd") >= 2
    assert moved("paylink_purchases_total", status="initiated", category="airtime") >= 1
    assert moved("paylink_purchases_total", status="delivered", category="airtime") >= 1
    assert moved("paylink_purchase_settle_seconds_count", category="airtime") >= 1
    assert moved("paylink_vtpass_request_seconds_count", endpoint="pay") >= 1
    assert moved("paylink_vtpass_calls_total", endpoint="pay", status="200") >= 1
    assert moved("paylink_vtpass_response_codes_total", endpoint="pay", code="000") >= 1
    assert moved("paylink_outbox_sends_total", channel="sms", outcome="sent") >= 1
    assert moved("paylink_login_failures_total", reason="invalid_credentials") == 1
    assert moved("paylink_pin_lockouts_total", kind="timed") == 1
    assert total(after, "paylink_oldest_open_purchase_seconds") >= 0
    assert total(after, "paylink_outbox_backlog", channel="sms") >= 0
    assert total(after, "paylink_vtpass_float_kobo") > 0  # the simulator's wallet
    assert total(after, "paylink_vtpass_float_low_threshold_kobo") == 5_000_000
