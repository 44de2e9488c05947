"""Each command end to end: texted over real HTTP as Africa's Talking delivers it, answered by
SMS through the outbox, bought through the one purchase call, vended by the worker against the
simulator, on Postgres and Redis."""

from __future__ import annotations

import re

from gateway.store import outbox
from gateway.store.purchases import PurchaseRecord
from tests.sms_in.conftest import CARD, METER, PIN, SUCCESS, sms_customer
from tests.ussd.helpers import delivered, purchases
from tests.worker.harness import Harness, eventually

RECEIVED = re.compile(r"Request received\. Ref (PL-[2-9A-HJKMNP-TV-Z]{8})\. You will get an SMS\.")


def acknowledged(reply: str | None, purchase: PurchaseRecord) -> bool:
    found = RECEIVED.fullmatch(reply or "")
    return found is not None and found.group(1) == purchase.reference


async def receipt(gateway: Harness, purchase_id: int) -> str:
    async def queued() -> list[str]:
        async with gateway.db() as session:
            return [m.body for m in await outbox.for_purchase(session, purchase_id)]

    (body,) = await eventually(queued, what="the receipt")
    return body


async def test_help_lists_the_commands(gateway, handset):
    await sms_customer(gateway)
    reply = await handset().text("help")
    assert reply is not None
    assert reply.startswith("PayLink SMS commands:\nBAL - wallet balance\n")


async def test_bal_answers_the_wallet_balance(gateway, handset):
    await sms_customer(gateway, naira=5_100)
    assert await handset().text("  bal ") == "Wallet balance: N5,100."


async def test_fund_answers_the_callers_own_account_number_in_one_sms(gateway, handset):
    await sms_customer(gateway)
    reply = await handset().text("FUND")
    assert reply is not None
    assert reply.startswith("Fund your PayLink wallet by bank transfer to your own account:\n")
    assert re.search(r"\nAccount number: [0-9]{10}\n", reply)


async def test_airtime_for_another_number_is_confirmed_by_the_pin_and_delivered(gateway, handset):
    user_id = await sms_customer(gateway)
    phone = handset()
    confirm = await phone.text(f"AIRTIME 100 {SUCCESS} MTN")
    assert confirm is not None
    assert confirm.startswith(f"MTN airtime N100\nTo {SUCCESS}\n")
    assert "Enter PIN to pay:" in confirm
    ack = await phone.text(PIN)
    done = await delivered(gateway, user_id)
    assert acknowledged(ack, done)
    assert (done.channel, done.service_id, done.phone, done.face_amount) == (
        "sms",
        "mtn",
        "+2348011111111",
        100_00,
    )


async def test_airtime_for_my_own_number_asks_the_network_of_an_unknown_prefix_once(
    gateway, handset
):
    user_id = await sms_customer(gateway, SUCCESS)  # 0801 is no network's prefix
    phone = handset(SUCCESS)
    networks = await phone.text("airtime 100")
    assert networks is not None
    assert networks.startswith("Choose network:\n1 MTN\n")
    confirm = await phone.text("1")  # the amount texted is kept: straight to the confirm
    assert confirm is not None
    assert confirm.startswith(f"MTN airtime N100\nTo {SUCCESS}\n")
    ack = await phone.text(PIN)
    assert acknowledged(ack, await delivered(gateway, user_id))


async def test_data_by_network_lists_plan_codes_with_catalogue_prices(gateway, handset):
    await sms_customer(gateway)
    plans = await handset().text("DATA MTN")
    assert plans is not None
    lines = plans.split("\n")
    assert lines[0] == "MTN Data plans. Text DATA <code> [number]:"
    assert lines[1] == "MTN1 100MB 24 hrs N100"
    assert lines[-1] == "More: DATA MTN 2"


async def test_data_by_plan_code_buys_that_plan_at_the_catalogue_price(gateway, handset):
    user_id = await sms_customer(gateway)
    phone = handset()
    confirm = await phone.text(f"data mtn1 {SUCCESS}")  # the simulator's first MTN plan
    assert confirm is not None
    assert confirm.startswith(f"MTN Data\n100MB 24 hrs N100\nTo {SUCCESS}")
    ack = await phone.text(PIN)
    done = await delivered(gateway, user_id)
    assert acknowledged(ack, done)
    assert (done.variation_code, done.face_amount) == ("mtn-10mb-100", 100_00)


async def test_light_shows_the_meters_owner_before_the_pin_and_delivers_a_token(gateway, handset):
    user_id = await sms_customer(gateway)
    phone = handset()
    confirm = await phone.text(f"LIGHT ikeja {METER} 1000")
    assert confirm is not None
    assert confirm.startswith(f"Ikeja (IKEDC) Prepaid\nMeter {METER}\nTESTMETER1\n")
    assert confirm.index("TESTMETER1") < confirm.index("Enter PIN to pay:")
    ack = await phone.text(PIN)
    done = await delivered(gateway, user_id)
    assert acknowledged(ack, done)
    assert done.token is not None
    body = await receipt(gateway, done.id)
    assert done.token in body.replace("-", "")  # the receipt groups it for reading


async def test_light_with_a_wrong_meter_asks_for_the_meter_again(gateway, handset):
    await sms_customer(gateway)
    phone = handset()
    again = await phone.text("light ikeja 2222222222222 1000")
    assert again == "Not found. Check number.\nEnter prepaid meter number:\n0 Back\n00 Main menu"
    assert (await phone.text(METER) or "").startswith("TESTMETER1\n")  # now the amount


async def test_tv_renews_the_current_bouquet_after_the_card_verifies(gateway, handset):
    user_id = await sms_customer(gateway)
    phone = handset()
    action = await phone.text(f"TV DSTV {CARD}")
    assert action is not None
    assert action.startswith("TEST METER\nNow: DStv Compact\n1 Renew N7,900\n2 Change bouquet")
    confirm = await phone.text("1")
    assert confirm is not None
    assert confirm.startswith(f"Renew DStv Compact\nCard {CARD}\nTEST METER\nN7,900 + N100 fee")
    ack = await phone.text(PIN)
    done = await delivered(gateway, user_id)
    assert acknowledged(ack, done)
    assert (done.service_id, done.customer_ref, done.face_amount) == ("dstv", CARD, 7_900_00)


async def test_tv_with_a_bouquet_code_goes_straight_to_that_bouquet(gateway, handset):
    user_id = await sms_customer(gateway)
    phone = handset()
    bouquets = await phone.text("tv dstv")
    assert bouquets is not None
    assert "DSTV2 Yanga N2,565" in bouquets.split("\n")
    confirm = await phone.text(f"tv dstv {CARD} dstv2")
    assert confirm is not None
    assert confirm.startswith(f"DStv Yanga\nCard {CARD}\nTEST METER\nN2,565 + N100 fee")
    ack = await phone.text(PIN)
    done = await delivered(gateway, user_id)
    assert acknowledged(ack, done)
    assert (done.variation_code, done.face_amount) == ("dstv-yanga", 2_565_00)


async def test_waec_buys_the_pins_asked_for_and_they_come_in_the_receipt(gateway, handset):
    user_id = await sms_customer(gateway)
    phone = handset()
    confirm = await phone.text("WAEC 2")
    assert confirm is not None
    assert confirm.startswith("WAEC Result Checker\n2 PINs x N900 = N1,800")
    ack = await phone.text(PIN)
    done = await delivered(gateway, user_id)
    assert acknowledged(ack, done)
    assert done.quantity == 2
    assert len(done.pins) == 2
    body = await receipt(gateway, done.id)
    assert all(pin in body for pin in done.pins)


async def test_history_lists_the_last_purchases(gateway, handset):
    user_id = await sms_customer(gateway)
    phone = handset()
    await phone.text(f"airtime 100 {SUCCESS} mtn")
    await phone.text(PIN)
    await delivered(gateway, user_id)
    history = await phone.text("HISTORY")
    assert history is not None
    assert history.startswith("Last purchases:\nMTN Airtime N")
    assert " Done " in history


async def test_a_wrong_pin_asks_again_and_the_right_one_then_buys(gateway, handset):
    user_id = await sms_customer(gateway)
    phone = handset()
    await phone.text(f"airtime 100 {SUCCESS} mtn")
    wrong = await phone.text("7391")
    assert wrong is not None
    assert wrong.startswith("Wrong PIN. 2 tries left.\nMTN airtime N100\n")
    assert await purchases(gateway, user_id) == []
    ack = await phone.text(PIN)
    assert acknowledged(ack, await delivered(gateway, user_id))


async def test_a_command_at_the_confirm_screen_starts_over_and_a_later_pin_buys_nothing(
    gateway, handset
):
    user_id = await sms_customer(gateway, naira=5_000)
    phone = handset()
    await phone.text(f"airtime 100 {SUCCESS} mtn")
    assert await phone.text("bal") == "Wallet balance: N5,000."
    assert await phone.text(PIN) == "Sorry, we did not understand that. Text HELP for the commands."
    assert await purchases(gateway, user_id) == []


async def test_unknown_text_gets_a_one_line_hint(gateway, handset):
    await sms_customer(gateway)
    reply = await handset().text("hello, can I buy something?")
    assert reply == "Sorry, we did not understand that. Text HELP for the commands."


async def test_a_command_with_missing_arguments_says_how_to_write_it(gateway, handset):
    await sms_customer(gateway)
    reply = await handset().text("LIGHT ikeja")
    assert (
        reply == "Text LIGHT <disco> <meter> <amount> [postpaid], e.g. LIGHT IKEJA 45012345678 5000"
    )


async def test_a_replayed_pin_message_after_the_purchase_buys_nothing_more(gateway, handset):
    user_id = await sms_customer(gateway)
    phone = handset()
    await phone.text(f"airtime 100 {SUCCESS} mtn")
    await phone.text(PIN)
    assert await phone.text(PIN) == "Sorry, we did not understand that. Text HELP for the commands."
    await delivered(gateway, user_id, count=1)
