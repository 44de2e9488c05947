"""Every product bought end to end on a handset: USSD hops -> purchase -> worker -> simulator.

Each journey ends the session at once with "Request received" (no hop waits on `/pay`); the
worker then vends it against the simulator over HTTP and the purchase is delivered with one
`/pay` on the wire. Electricity's token reaches the SMS receipt and "Last purchases".
"""

from __future__ import annotations

import pytest

from gateway.conversations.config import ConversationConfig
from gateway.domain.purchase_status import PurchaseStatus
from gateway.funding import FUNDING_HINT
from gateway.vtpass.keys import vtpass_key
from tests.ussd.conftest import PIN, customer
from tests.ussd.helpers import RECEIVED, delivered, purchases, receipt
from tests.worker.harness import N, eventually

SUCCESS_PHONE = "08011111111"  # the simulator delivers phone-keyed products to this number
MENU = "CON PayLink\n1 Airtime\n2 Data\n3 Electricity\n4 TV\n5 Exam PINs\n6 Wallet"


async def test_airtime_for_another_number_then_buy_again(gateway, phone):
    user_id = await customer(gateway)
    handset = phone()
    assert await handset.dial() == MENU
    assert await handset.send("1") == (
        "CON Buy airtime for:\n1 My number\n2 Another number\n0 Back\n00 Main menu"
    )
    await handset.send("2")
    network = await handset.send(SUCCESS_PHONE)  # 0801 is no known prefix: choose
    assert network.startswith("CON Choose network:\n1 MTN\n2 Glo\n3 Airtel\n4 9mobile")
    assert "Enter amount (N50-N50,000):" in await handset.send("1")
    confirm = await handset.send("500")
    assert confirm.startswith("CON MTN airtime N500\nTo 08011111111\nEnter PIN to pay:")
    acknowledgement = await handset.send(PIN)
    assert acknowledgement == RECEIVED
    first = await delivered(gateway, user_id)
    # the handset, the receipt and the API name the purchase by one reference
    assert f" Ref {first.reference}. " in acknowledgement
    assert (first.category, first.service_id, first.phone) == ("airtime", "mtn", "+2348011111111")
    assert first.face_amount == 500 * N
    assert first.channel == "ussd"
    assert await gateway.wallet() == 100_000 * N - first.total

    assert await receipt(gateway, first.id) == (
        f"PayLink: MTN Airtime for 08011111111 successful. Paid N500. Ref {first.reference}"
    )

    assert await handset.dial() == MENU + "\n7 Buy again"
    assert await handset.send("7") == ("CON Buy again:\n1 MTN Airtime N500 to 08011111111\n0 Back")
    assert (await handset.send("1")).startswith("CON MTN Airtime N500\nTo 08011111111\n")
    assert await handset.send(PIN) == RECEIVED
    again = await delivered(gateway, user_id, count=2)
    assert again.id != first.id
    assert again.request_hash == first.request_hash


async def test_a_failed_purchase_says_why_and_is_not_offered_again(gateway, phone):
    # the simulator fails airtime to any number but its success number (VTPass's sandbox rule)
    user_id = await customer(gateway)
    handset = phone()
    await handset.dial()
    await handset.send("1", "1", "500")
    assert await handset.send(PIN) == RECEIVED
    [bought] = await purchases(gateway, user_id)
    failed = await gateway.wait_status(bought.id, {PurchaseStatus.FAILED})
    assert await receipt(gateway, failed.id) == (
        "PayLink: MTN Airtime for 08031234567 failed: the provider declined; check the number."
        f" N500 refunded to your wallet. Ref {failed.reference}"
    )
    assert await gateway.wallet() == 100_000 * N

    assert await handset.dial() == MENU  # no "7 Buy again" for a failed purchase
    assert (await handset.send("7")).startswith("CON Invalid choice.\nPayLink")


@pytest.mark.parametrize("gateway_overrides", [{"vtpass_catalogue_ttl_s": 0.0}])
@pytest.mark.parametrize("conversations_config", [ConversationConfig(catalogue_min_ttl_s=0.0)])
async def test_buying_a_plan_again_pays_todays_catalogue_price(gateway, phone):
    # "buy again" keeps the choice, never the price: once VTPass's price for the plan moves,
    # the same key buys it at the new price (the catalogue refreshes on every hop here)
    user_id = await customer(gateway, SUCCESS_PHONE)
    handset = phone(SUCCESS_PHONE)
    await handset.dial()
    await handset.send("2", "1", "1", "1")  # data, MTN, first plan, my number
    assert await handset.send(PIN) == RECEIVED
    first = await delivered(gateway, user_id)
    new_price = first.face_amount + 50 * N
    plans = await gateway.app[vtpass_key].variations("mtn-data")
    await gateway.sim(
        "variations-update",
        {
            "serviceID": "mtn-data",
            "new_variations": [
                {
                    "variation_code": p.code,
                    "name": p.name,
                    "variation_amount": str(
                        (new_price if p.code == first.variation_code else p.amount) / N
                    ),
                }
                for p in plans
            ],
        },
    )

    async def again_with_new_price():
        await handset.dial()
        again = await handset.send("7")
        return again if f"N{new_price // N:,} to 08011111111" in again else None

    again = await eventually(again_with_new_price, what="buy again to show the new price")
    assert again.splitlines()[1].startswith("1 MTN Data ")
    assert f"N{new_price // N:,}" in await handset.send("1")
    assert await handset.send(PIN) == RECEIVED
    again = await delivered(gateway, user_id, count=2)
    assert again.variation_code == first.variation_code
    assert again.face_amount == new_price
    assert not again.needs_review  # VTPass charged what the wallet paid
    assert await gateway.wallet(SUCCESS_PHONE) == 100_000 * N - first.total - again.total


async def test_a_plan_confirmed_at_a_stale_price_is_refused_not_charged(gateway, phone):
    # the menu snapshot still shows yesterday's price, but VTPass (and the server's catalogue,
    # told by the variations-update webhook) already charge more: the server's price wins
    user_id = await customer(gateway, SUCCESS_PHONE)
    handset = phone(SUCCESS_PHONE)
    await handset.dial()
    await handset.send("2", "1", "1")  # data, MTN, the first plan (shown at its old price)
    catalogue = gateway.app[vtpass_key].catalogue
    plans = await catalogue.variations("mtn-data")
    plan = plans[0]
    await gateway.sim(
        "variations-update",
        {
            "serviceID": "mtn-data",
            "new_variations": [
                {
                    "variation_code": p.code,
                    "name": p.name,
                    "variation_amount": str((p.amount + (50 * N if p is plan else 0)) / N),
                }
                for p in plans
            ],
        },
    )
    catalogue.invalidate_variations("mtn-data")  # what the variations-update webhook does
    confirm = await handset.send("1")  # my number
    assert f"N{plan.amount // N:,}" in confirm

    answer = await handset.send(PIN)

    assert (
        answer == f"END The price is now N{(plan.amount + 50 * N) // N:,}. Dial again to buy at it."
    )
    assert await purchases(gateway, user_id) == []
    assert await gateway.wallet(SUCCESS_PHONE) == 100_000 * N


async def test_data_from_the_second_page_of_plans(gateway, phone):
    user_id = await customer(gateway)
    handset = phone()
    await handset.dial()
    networks = await handset.send("2")
    assert networks.startswith("CON Choose network:\n1 MTN Data")
    page1 = await handset.send("1")
    assert "98 More" in page1
    page2 = await handset.send("98")
    assert page2 != page1
    assert await handset.send("0") == page1  # back is the previous page
    assert await handset.send("98") == page2
    plan = page2.split("\n")[1]  # "1 <first plan of page 2>"
    assert (await handset.send("1")).startswith("CON Buy data for:")
    await handset.send("2")
    confirm = await handset.send(SUCCESS_PHONE)
    assert plan[2:10] in confirm
    assert await handset.send(PIN) == RECEIVED
    done = await delivered(gateway, user_id)
    assert done.service_id == "mtn-data"
    assert done.variation_code is not None


async def test_electricity_prepaid_token_reaches_the_receipt_and_history(gateway, phone):
    user_id = await customer(gateway)
    handset = phone()
    await handset.dial()
    assert (await handset.send("3")).startswith("CON Choose your disco:\n1 Ikeja (IKEDC)")
    assert (await handset.send("1")).startswith("CON Ikeja (IKEDC) meter type:\n1 Prepaid")
    assert (await handset.send("1")).startswith("CON Enter prepaid meter number:")
    verified = await handset.send("1111111111111")
    assert verified.startswith("CON TESTMETER1\n")
    assert "Enter amount (N500-N500,000):" in verified
    confirm = await handset.send("1000")
    assert confirm.startswith("CON Ikeja (IKEDC) Prepaid\nMeter 1111111111111\n")
    assert await handset.send(PIN) == RECEIVED
    done = await delivered(gateway, user_id)
    assert (done.customer_ref, done.variation_code) == ("1111111111111", "prepaid")
    assert done.token is not None
    body = await receipt(gateway, done.id)
    assert body.startswith(
        "PayLink: IKEDC Prepaid for meter 1111111111111 successful."
        " Paid N1,100 (N1,000 + N100 fee). Token: "
    )
    assert done.token[-4:] in body.replace("-", "")
    assert body.endswith(f"Ref {done.reference}")

    await handset.dial()
    await handset.send("6")
    history = await handset.send("2")
    assert history.startswith("CON Last purchases:\n1 ")
    assert "Done" in history
    detail = await handset.send("1")
    assert "Token: " in detail
    assert done.token.replace("-", "")[-6:] in detail.replace("-", "")


async def test_tv_renewal_of_the_current_bouquet(gateway, phone):
    user_id = await customer(gateway)
    handset = phone()
    await handset.dial()
    assert (await handset.send("4")).startswith("CON Choose TV:\n1 DStv\n2 GOtv")
    await handset.send("1")
    verified = await handset.send("1212121212")
    assert verified.startswith("CON TEST METER\nNow: DStv Compact\n1 Renew N7,900\n2 Change")
    assert (await handset.send("1")).startswith(
        "CON Renew DStv Compact\nCard 1212121212\nTEST METER\n"
    )
    assert await handset.send(PIN) == RECEIVED
    done = await delivered(gateway, user_id)
    assert done.options == {"subscription_type": "renew"}
    assert done.face_amount == 7_900 * N
    assert await receipt(gateway, done.id) == (
        "PayLink: DStv Compact for card 1212121212 successful."
        f" Paid N8,000 (N7,900 + N100 fee). Ref {done.reference}"
    )


async def test_tv_change_to_a_bouquet_on_page_two(gateway, phone):
    user_id = await customer(gateway)
    handset = phone()
    await handset.dial()
    await handset.send("4", "2", "1212121212")
    bouquets = await handset.send("2")
    # every bouquet with its price, the provider not repeated ("GOtv GOtv Lite N410")
    assert bouquets == (
        "CON TEST METER\nChoose bouquet:\n1 Lite N410\n2 Jinja N1,640\n3 Jolli N2,460"
        "\n4 Max N3,600\n5 Supa monthly N5,500\n98 More\n0 Back\n00 Main menu"
    )
    page2 = await handset.send("98")
    assert page2.startswith("CON TEST METER\nChoose bouquet:\n1 Lite (3 Months) N1,080\n")
    assert (await handset.send("0", "5")).startswith("CON GOtv Supa monthly\n")
    assert await handset.send(PIN) == RECEIVED
    done = await delivered(gateway, user_id)
    assert done.options == {"subscription_type": "change"}
    assert done.variation_code == "gotv-supa"
    assert done.product == "GOtv Supa monthly"


async def test_showmax_for_my_number(gateway, phone):
    user_id = await customer(gateway, SUCCESS_PHONE)
    handset = phone(SUCCESS_PHONE)
    await handset.dial()
    plans = await handset.send("4", "4")
    assert plans.startswith("CON Showmax plans:\n1 Mobile Only")
    await handset.send("1")
    confirm = await handset.send("1")
    assert confirm.startswith("CON Showmax Mobile Only\nFor 08011111111\n")
    assert await handset.send(PIN) == RECEIVED
    done = await delivered(gateway, user_id)
    assert (done.service_id, done.customer_ref) == ("showmax", SUCCESS_PHONE)


async def test_waec_result_checker_pins_by_quantity(gateway, phone):
    user_id = await customer(gateway)
    handset = phone()
    await handset.dial()
    assert (await handset.send("5")).startswith(
        "CON Choose exam:\n1 WAEC Result Checker\n2 WAEC Registration\n3 JAMB"
    )
    assert "How many PINs? (1-10)" in await handset.send("1")
    assert "Invalid quantity." in await handset.send("11")
    assert (await handset.send("3")).startswith("CON WAEC Result Checker\n3 PINs x N900 = N2,700\n")
    assert await handset.send(PIN) == RECEIVED
    done = await delivered(gateway, user_id)
    assert done.quantity == 3
    assert len(done.pins) == 3
    body = await receipt(gateway, done.id)
    assert body.startswith("PayLink: 3 x WAEC Result Checker for 08031234567 successful.")
    assert body.endswith(f"Cards: {'; '.join(done.pins)}. Ref {done.reference}")


async def test_waec_registration(gateway, phone):
    user_id = await customer(gateway)
    handset = phone()
    await handset.dial()
    await handset.send("5")
    assert (await handset.send("2")).startswith("CON WAEC Registration N14,450\n")
    assert await handset.send(PIN) == RECEIVED
    done = await delivered(gateway, user_id)
    assert done.service_id == "waec-registration"
    assert done.pins or done.token


async def test_jamb_profile_is_verified_before_the_pin(gateway, phone):
    user_id = await customer(gateway)
    handset = phone()
    await handset.dial()
    await handset.send("5", "3")
    assert (await handset.send("1")).startswith("CON Enter JAMB profile ID:")
    wrong = await handset.send("9999999999")
    assert wrong.startswith("CON Not found. Check number.\nEnter JAMB profile ID:")
    confirm = await handset.send("0123456789")
    assert confirm.startswith(
        "CON JAMB UTME PIN (with mock)\nN7,700 for profile 0123456789\nCapital James\n"
    )
    assert await handset.send(PIN) == RECEIVED
    done = await delivered(gateway, user_id)
    assert (done.customer_ref, done.variation_code) == ("0123456789", "utme-mock")
    assert done.status is PurchaseStatus.DELIVERED


async def test_no_purchase_without_money(gateway, phone):
    user_id = await customer(gateway, naira=100)
    handset = phone()
    await handset.dial()
    await handset.send("1", "1", "500")
    assert await handset.send(PIN) == (
        f"END Not enough money: wallet N100, need N500. {FUNDING_HINT}"
    )
    assert await purchases(gateway, user_id) == []
