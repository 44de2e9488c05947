"""Every category the catalogue advertises is bought on USSD and over REST, end to end.

The whole gateway on Postgres + Redis, its USSD and REST routes over real HTTP, a worker vending
against the simulator over HTTP. The attack it prevents: a product advertised on a channel
that cannot buy it (REST data without a billersCode, insurance with no place for the insured's
details, an empty "Funds"), which debits the customer and then fails; and a price shown before
the PIN that is not what the wallet pays (electricity's and TV's ₦100 fee). Each purchase is
delivered, its confirm screen or quote named the total with the fee, its receipt says what was
paid, and the ledger reconciles clean afterwards.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from gateway.api.keys import api_auth_key
from gateway.domain.purchase_status import PurchaseStatus
from gateway.money import format_gsm
from gateway.store.purchases import PurchaseRecord
from tests.ussd.conftest import PIN, customer
from tests.ussd.helpers import RECEIVED, purchases, receipt
from tests.worker.harness import Harness, N

SUCCESS_PHONE = "08011111111"  # the simulator delivers phone-keyed products to this number
METER = "1111111111111"
CARD = "1212121212"
JAMB_PROFILE = "0123456789"

# the keys a caller presses from the main menu to each category's confirm screen
USSD_KEYS: dict[str, tuple[str, ...]] = {
    "airtime": ("1", "1", "1", "500"),  # my number, network MTN (0801 has none), N500
    "data": ("2", "1", "1", "1"),  # MTN, the first plan, my number
    "electricity-bill": ("3", "1", "1", METER, "1000"),  # Ikeja, prepaid, meter, N1,000
    "tv-subscription": ("4", "1", CARD, "1"),  # DStv, card, renew the current bouquet
    "education": ("5", "1", "1"),  # WAEC result checker, one PIN
}
# one REST purchase body per category, with no more than a web form would send
REST_BODIES: dict[str, dict[str, Any]] = {
    "airtime": {"service_id": "mtn", "amount": 500 * N, "phone": SUCCESS_PHONE},
    "data": {"service_id": "mtn-data", "variation_code": "mtn-10mb-100", "phone": SUCCESS_PHONE},
    "electricity-bill": {
        "service_id": "ikeja-electric",
        "variation_code": "prepaid",
        "customer_ref": METER,
        "amount": 1_000 * N,
    },
    "tv-subscription": {"service_id": "dstv", "variation_code": "dstv-padi", "customer_ref": CARD},
    "education": {"service_id": "jamb", "variation_code": "de", "customer_ref": JAMB_PROFILE},
}


async def _listed_categories(client: httpx.AsyncClient) -> list[str]:
    response = await client.get("/api/v1/catalogue/categories")
    assert response.status_code == 200, response.text
    return [c["identifier"] for c in response.json()["items"]]


async def _delivered(gateway: Harness, purchase_id: int) -> PurchaseRecord:
    return await gateway.wait_status(purchase_id, {PurchaseStatus.DELIVERED}, timeout=10)


async def _paid_as_shown(gateway: Harness, purchase: PurchaseRecord, shown: str) -> None:
    """The wallet paid face + fee, that total was shown before the PIN, and the receipt says it."""
    assert purchase.total == purchase.face_amount + purchase.fee - purchase.discount
    paid = format_gsm(purchase.total)
    assert paid in shown, (purchase.category, shown)
    assert paid in await receipt(gateway, purchase.id)


async def test_every_listed_category_is_bought_on_ussd_and_rest_and_reconciles(
    gateway: Harness, phone, client: httpx.AsyncClient
):
    categories = await _listed_categories(client)
    assert set(categories) == set(USSD_KEYS) == set(REST_BODIES)
    user_id = await customer(gateway, SUCCESS_PHONE, naira=100_000)
    tokens = await gateway.app[api_auth_key].issue(user_id, "user")
    auth = {"Authorization": f"Bearer {tokens.access_token}"}
    handset = phone(SUCCESS_PHONE)
    fees = 0

    for category in categories:
        await handset.dial()
        confirm = await handset.send(*USSD_KEYS[category])
        assert confirm.endswith("Enter PIN to pay:\n0 Back\n00 Main menu") or (
            "Enter PIN to pay:" in confirm
        ), (category, handset.transcript)
        assert await handset.send(PIN) == RECEIVED, (category, handset.transcript)
        newest = (await purchases(gateway, user_id))[0]
        assert (newest.category, newest.channel) == (category, "ussd")
        bought = await _delivered(gateway, newest.id)
        await _paid_as_shown(gateway, bought, confirm)
        fees += bought.fee

        quote = await client.post("/api/v1/quotes", json=REST_BODIES[category], headers=auth)
        assert quote.status_code == 200, (category, quote.text)
        headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
        body = {**REST_BODIES[category], "pin": PIN}
        accepted = await client.post("/api/v1/purchases", json=body, headers=headers)
        assert accepted.status_code == 202, (category, accepted.text)
        assert accepted.json()["total"] == quote.json()["total"]
        bought = await _delivered(gateway, accepted.json()["id"])
        assert (bought.category, bought.channel) == (category, "api")
        await _paid_as_shown(gateway, bought, str(format_gsm(quote.json()["total"]["kobo"])))
        fees += bought.fee

    assert fees == 4 * 100 * N  # electricity and TV, on both channels
    report = await gateway.reconciled()
    assert report.purchases_checked == 2 * len(categories)
