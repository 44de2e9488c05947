"""The owner's SMS settings: purchases by SMS (off until turned on with the PIN, from the USSD
menu) and notices (STOP/START), and what a text command does under each."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gateway.flows import sms_setting
from gateway.store import sms_settings
from gateway.store.tables import User
from tests.sms_in.conftest import BUYER, PIN, SUCCESS, customer, sms_customer
from tests.ussd.helpers import delivered, purchases
from tests.ussd.phone import Phone

TURN_ON = (
    "Buying by SMS is off for your account. To turn it on, dial *347*88#,"
    " then 6 Wallet, 5 SMS purchases."
)


async def flags(gateway, user_id: int) -> tuple[bool, bool, int]:
    async with gateway.db() as session:
        row = (
            await session.execute(
                select(User.sms_purchases, User.sms_notices, User.pin_failed_count).where(
                    User.id == user_id
                )
            )
        ).one()
    return bool(row[0]), bool(row[1]), int(row[2])


@pytest.mark.parametrize(
    "command",
    [f"airtime 100 {SUCCESS} mtn", "data mtn1", "light ikeja 1111111111111 1000", "waec"],
)
async def test_with_sms_purchases_off_a_buy_command_says_how_to_turn_them_on(
    gateway, handset, command
):
    user_id = await sms_customer(gateway, purchases=False)
    phone = handset()
    assert await phone.text(command) == TURN_ON
    assert await phone.text(PIN) == "Sorry, we did not understand that. Text HELP for the commands."
    assert await purchases(gateway, user_id) == []
    assert await flags(gateway, user_id) == (False, True, 0)  # no PIN attempt was spent


async def test_with_sms_purchases_off_what_buys_nothing_still_answers(gateway, handset):
    await sms_customer(gateway, naira=700, purchases=False)
    phone = handset()
    assert await phone.text("bal") == "Wallet balance: N700."
    assert (await phone.text("data mtn") or "").startswith("MTN Data plans.")


async def test_turning_purchases_off_after_the_confirm_screen_refuses_the_pin(gateway, handset):
    """The purchase call itself holds the setting, whatever the conversation showed."""
    user_id = await sms_customer(gateway)
    phone = handset()
    await phone.text(f"airtime 100 {SUCCESS} mtn")
    async with gateway.db.begin() as session:
        await sms_settings.set_purchases(session, user_id, False, gateway.clock.now())
    refused = await phone.text(PIN)
    assert refused == (
        "SMS purchases are off. Turn them on in the PayLink USSD menu: Wallet, SMS purchases."
    )
    assert await purchases(gateway, user_id) == []
    assert (await flags(gateway, user_id))[2] == 0


async def test_stop_ends_notices_and_start_brings_them_back(gateway, handset):
    user_id = await sms_customer(gateway)
    phone = handset()
    stopped = await phone.text("STOP")
    assert stopped is not None
    assert stopped.startswith("You will get no more PayLink notices by SMS.")
    assert await flags(gateway, user_id) == (True, False, 0)
    started = await phone.text("start")
    assert started == "PayLink notices by SMS are on again. Text STOP to stop them."
    assert await flags(gateway, user_id) == (True, True, 0)


async def test_stop_leaves_an_open_purchase_as_it_was(gateway, handset):
    user_id = await sms_customer(gateway)
    phone = handset()
    await phone.text(f"airtime 100 {SUCCESS} mtn")
    await phone.text("stop")
    await phone.text(PIN)
    await delivered(gateway, user_id)


async def test_a_user_without_a_pin_is_told_to_join_on_ussd(gateway, handset):
    await customer(gateway, pin=None)  # signed up on the web, no PIN yet
    reply = await handset().text("bal")
    assert reply is not None
    assert reply.startswith("Welcome to PayLink! To join, dial *347*88#")


async def test_the_ussd_wallet_menu_turns_sms_purchases_on_with_the_pin(gateway, client, handset):
    user_id = await sms_customer(gateway, purchases=False)
    ussd = Phone(client, BUYER)
    await ussd.dial()
    await ussd.send("6", "5")
    assert ussd.last.startswith(f"CON {sms_setting.TITLE}\n1 Turn on\n2 Turn off")
    assert (await ussd.send("1")).startswith("CON Enter PIN to turn SMS purchases on:")
    assert await ussd.send(PIN) == f"END {sms_setting.TURNED_ON}"
    assert (await flags(gateway, user_id))[0] is True
    phone = handset()
    await phone.text(f"airtime 100 {SUCCESS} mtn")
    await phone.text(PIN)
    await delivered(gateway, user_id)


async def test_a_wrong_pin_in_the_ussd_menu_changes_nothing_and_counts(gateway, client):
    user_id = await sms_customer(gateway, purchases=False)
    ussd = Phone(client, BUYER)
    await ussd.dial()
    await ussd.send("6", "5", "1")
    wrong = await ussd.send("7391")
    assert wrong.startswith("CON Wrong PIN. 2 tries left.\nEnter PIN to turn SMS purchases on:")
    assert await flags(gateway, user_id) == (False, True, 1)


async def test_the_ussd_wallet_menu_turns_sms_purchases_off(gateway, client, handset):
    user_id = await sms_customer(gateway)
    ussd = Phone(client, BUYER)
    await ussd.dial()
    await ussd.send("6", "5", "2")
    assert await ussd.send(PIN) == f"END {sms_setting.TURNED_OFF}"
    assert (await flags(gateway, user_id))[0] is False
    assert await handset().text("waec") == TURN_ON
