"""Spec §F: what each product adds to a delivered `/pay`: tokens, PINs, vouchers, certificates,
and how plan prices, quantities and top-ups make up the amount."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from gateway.vtpass.simulator import start_simulator

PREPAID = {
    "serviceID": "ikeja-electric",
    "billersCode": "1111111111111",
    "variation_code": "prepaid",
    "amount": 2000,
    "phone": "08031234567",
}
POSTPAID = {**PREPAID, "billersCode": "1010101010101", "variation_code": "postpaid"}


async def test_prepaid_electricity_returns_a_20_digit_token(vt):
    body = await vt.pay(**PREPAID)
    assert re.fullmatch(r"Token : \d{20}", body["purchased_code"])
    assert body["token"] == body["purchased_code"]


async def test_prepaid_electricity_reports_units_and_tariff(vt):
    body = await vt.pay(**PREPAID)
    assert body["units"] == "79.9 kWh"
    assert body["tokenAmount"] == 2000
    assert body["tariff"] == "R2 SINGLE PHASE RESIDENTIAL"
    assert body["exchangeReference"]


async def test_prepaid_electricity_fills_unknown_fields_like_ikeja(vt):
    body = await vt.pay(**PREPAID)
    for key in ("resetToken", "configureToken", "customerName", "meterNumber", "kct1"):
        assert body[key] == "N/A"
    for key in ("taxAmount", "debtAmount", "fixChargeAmount", "penalty", "meterServiceCharge"):
        assert body[key] == 0


async def test_electricity_commission_is_one_and_a_half_percent(vt):
    transactions = (await vt.pay(**PREPAID))["content"]["transactions"]
    assert transactions["commission"] == 30
    assert transactions["total_amount"] == 1970
    assert transactions["product_name"] == "Ikeja Electric Payment - IKEDC"
    assert transactions["type"] == "Electricity Bill"


async def test_postpaid_electricity_returns_customer_fields_and_no_token(vt):
    body = await vt.pay(**POSTPAID)
    assert body["purchased_code"] == ""
    assert body["customerName"] == "TESTMETER1"
    assert body["customerAddress"]
    assert body["meterNumber"] is None
    assert body["utilityName"] == "Ikeja Electric"
    assert body["balance"] is None
    assert "token" not in body


@pytest.mark.parametrize(
    ("service_id", "check"),
    [
        ("jos-electric", lambda b: re.fullmatch(r"(\d{4}-){4}\d{4}", b["Token"]) and b["Units"]),
        ("kano-electric", lambda b: b["Token"] and b["Receipt"] and b["CustomerName"]),
        ("eko-electric", lambda b: b["mainToken"] and b["bonusToken"] and b["mainsTokenAmount"]),
    ],
)
async def test_disco_variants_use_their_own_token_fields(sim_config, vt, service_id, check):
    async with start_simulator(replace(sim_config, disco_variants=True)) as sim:
        vt.sim = sim
        body = await vt.pay(**{**PREPAID, "serviceID": service_id})
    assert check(body)
    assert body["purchased_code"].startswith("Token : ")
    assert "token" not in body


async def test_disco_variants_are_off_by_default(vt):
    body = await vt.pay(**{**PREPAID, "serviceID": "jos-electric"})
    assert "Token" not in body
    assert re.fullmatch(r"Token : \d{20}", body["token"])


async def test_waec_returns_serial_and_pin_per_card(vt):
    body = await vt.pay(serviceID="waec", variation_code="waecdirect", phone="08031234567")
    card = body["cards"][0]
    assert re.fullmatch(r"WRN\d{9}", card["Serial"])
    assert re.fullmatch(r"\d{12}", card["Pin"])
    assert body["purchased_code"] == f"Serial No:{card['Serial']}, pin: {card['Pin']}"


async def test_waec_quantity_multiplies_cards_and_price(vt):
    body = await vt.pay(
        serviceID="waec", variation_code="waecdirect", phone="08031234567", quantity=3
    )
    assert len(body["cards"]) == 3
    assert len(body["purchased_code"].split("||")) == 3
    assert body["amount"] == 2700
    assert body["content"]["transactions"]["quantity"] == 3
    assert body["content"]["transactions"]["unit_price"] == "900"


async def test_waec_registration_returns_19_digit_tokens(vt):
    body = await vt.pay(
        serviceID="waec-registration",
        variation_code="waec-registraion",
        phone="08031234567",
        quantity=2,
    )
    assert len(body["tokens"]) == 2
    assert all(re.fullmatch(r"\d{19}", t) for t in body["tokens"])
    assert body["purchased_code"] == "||".join(f"Token: {t}" for t in body["tokens"])


async def test_jamb_returns_a_16_digit_pin(vt):
    body = await vt.pay(
        serviceID="jamb", variation_code="utme-mock", billersCode="0123456789", phone="0803"
    )
    assert re.fullmatch(r"Pin : \d{16}", body["Pin"])
    assert body["purchased_code"] == body["Pin"]
    assert body["amount"] == 7700


async def test_jamb_commission_is_text_in_pay(vt):
    body = await vt.pay(
        serviceID="jamb", variation_code="utme-mock", billersCode="0123456789", phone="0803"
    )
    assert body["content"]["transactions"]["commission"] == "115.50"


async def test_showmax_returns_a_voucher_and_charges_the_convenience_fee(vt):
    body = await vt.pay(
        serviceID="showmax", variation_code="full_3", billersCode="08011111111", phone="08011111111"
    )
    transactions = body["content"]["transactions"]
    assert re.fullmatch(r"SHM[A-Z0-9]{12}", body["purchased_code"])
    assert body["Voucher"] == [body["purchased_code"]]
    assert transactions["convinience_fee"] == 100
    assert transactions["commission"] == 84
    assert transactions["total_amount"] == 8416  # 8400 - 84 + 100
    assert await vt.balance() == 100000 - 8416


async def test_ui_insure_returns_a_certificate_url_that_serves_a_pdf(vt):
    body = await vt.pay(
        serviceID="ui-insure",
        variation_code="1",
        billersCode="LAG123XY",
        phone="08031234567",
        Insured_Name="Ada Obi",
    )
    transaction_id = body["content"]["transactions"]["transactionId"]
    assert body["certUrl"] == f"{vt.sim.root_url}certificates/{transaction_id}.pdf"
    response = await vt.http.get(body["certUrl"])
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


async def test_airtime_and_data_have_no_extras(vt):
    body = await vt.pay(serviceID="airtel", amount=500, phone="08011111111")
    assert body["purchased_code"] == ""
    assert "token" not in body


async def test_tv_renew_charges_the_given_amount(vt):
    body = await vt.pay(
        serviceID="dstv",
        billersCode="1212121212",
        subscription_type="renew",
        amount=7900,
        phone="08031234567",
    )
    transactions = body["content"]["transactions"]
    assert body["amount"] == 7900
    assert transactions["product_name"] == "DSTV Subscription"
    assert transactions["type"] == "TV Subscription"
    assert transactions["commission"] == 118.5


async def test_tv_change_uses_the_plan_price_times_months(vt):
    body = await vt.pay(
        serviceID="dstv",
        billersCode="1212121212",
        variation_code="dstv-padi",
        subscription_type="change",
        quantity=2,
        phone="08031234567",
    )
    assert body["amount"] == 3700


async def test_tv_change_with_an_amount_tops_up_that_amount(vt):
    body = await vt.pay(
        serviceID="gotv",
        billersCode="1212121212",
        variation_code="gotv-max",
        subscription_type="change",
        amount=5000,
        phone="08031234567",
    )
    assert body["amount"] == 5000
    assert body["content"]["transactions"]["unit_price"] == "3600"


async def test_startimes_uses_the_plan_price_without_subscription_type(vt):
    body = await vt.pay(
        serviceID="startimes", billersCode="1212121212", variation_code="nova", phone="0803"
    )
    assert body["amount"] == 900


async def test_data_commission_is_four_percent(vt):
    body = await vt.pay(
        serviceID="mtn-data",
        billersCode="08011111111",
        variation_code="mtn-10mb-100",
        phone="08011111111",
    )
    transactions = body["content"]["transactions"]
    assert (transactions["commission"], transactions["total_amount"]) == (4, 96)
    assert transactions["commission_details"]["rate"] == "4.00"
