"""First contact and moving around: PIN set-up, bad inputs, back, home, paging.

A phone the gateway has never seen is registered on its first dial and must set a PIN (twice,
weak ones refused) before anything else; the PIN is stored only as an argon2 hash and never
reaches Redis. Every wrong entry re-prompts the same screen with a one-line hint.
"""

from __future__ import annotations

from sqlalchemy import select

from gateway.security.keys import pin_service_key
from gateway.store.tables import User
from tests.ussd.conftest import customer

WELCOME = "CON Welcome to PayLink!\nCreate a 4-digit PIN for your payments:"
MENU = "CON PayLink\n1 Airtime\n2 Data\n3 Electricity\n4 TV\n5 Exam PINs\n6 Wallet"


async def redis_values(redis, prefix) -> list[bytes]:
    keys = [key async for key in redis.scan_iter(match=f"{prefix}*")]
    return [value for value in await redis.mget(keys) if value is not None] if keys else []


async def test_first_contact_sets_a_pin_then_shows_the_menu(gateway, phone, redis, redis_prefix):
    handset = phone("08051234567")
    assert await handset.dial() == WELCOME
    assert await handset.send("12") == f"CON PIN must be 4 digits.\n{WELCOME[4:]}"
    assert await handset.send("1234") == f"CON PIN too easy to guess.\n{WELCOME[4:]}"
    assert await handset.send("4567") == f"CON PIN too easy to guess.\n{WELCOME[4:]}"  # last 4
    assert await handset.send("7391") == "CON Enter the PIN again:\n0 Back"
    assert await handset.send("7392") == f"CON PINs did not match.\n{WELCOME[4:]}"
    await handset.send("7391")
    assert await handset.send("7391") == f"CON PIN saved.\n{MENU[4:]}"

    async with gateway.db() as session:
        user = (
            await session.execute(select(User).where(User.phone == "+2348051234567"))
        ).scalar_one()
    assert user.pin_hash.startswith("$pin2$")  # peppered argon2id, see tests/ussd/test_pins.py
    assert (await gateway.app[pin_service_key].check(user.id, "7391")).ok
    for value in await redis_values(redis, redis_prefix):
        assert b"7391" not in value.split(b'"delivery":"')[0]
        assert b"+2348051234567" not in value or b'"phone"' in value

    assert await handset.dial() == MENU  # known now: straight to the menu


async def test_bad_inputs_reprompt_with_a_hint(gateway, phone):
    await customer(gateway)
    handset = phone()
    await handset.dial()
    assert await handset.send("9") == f"CON Invalid choice.\n{MENU[4:]}"
    assert await handset.send("") == f"CON Invalid choice.\n{MENU[4:]}"
    await handset.send("1", "2")
    assert (await handset.send("12345")).startswith("CON Invalid phone number.\nEnter phone")
    await handset.send("08031234567")
    assert (await handset.send("abc")).startswith("CON Invalid amount.\nMTN airtime")
    assert (await handset.send("10")).startswith("CON Amount too low.\n")
    assert (await handset.send("60000")).startswith("CON Amount too high.\n")
    assert (await handset.send("500")).startswith("CON MTN airtime N500")
    assert (await handset.send("12")).startswith("CON PIN must be 4 digits.\nMTN airtime N500")


async def test_back_and_home(gateway, phone):
    await customer(gateway)
    handset = phone()
    await handset.dial()
    who = await handset.send("1")
    phone_screen = await handset.send("2")
    assert await handset.send("0") == who
    assert await handset.send("2") == phone_screen
    assert await handset.send("00") == MENU
    assert await handset.send("0") == MENU  # nothing behind the main menu
    electricity = await handset.send("3")
    kind = await handset.send("1")
    assert await handset.send("0") == electricity
    assert await handset.send("1") == kind


async def test_98_only_pages_where_more_is_shown(gateway, phone):
    await customer(gateway)
    handset = phone()
    await handset.dial()
    await handset.send("1", "1")
    confirm = await handset.send("98")  # on the amount screen 98 is an amount
    assert confirm.startswith("CON MTN airtime N98\n")
    assert await handset.send("00") == MENU
    first = await handset.send("3")
    second = await handset.send("98")
    assert second.startswith("CON Choose your disco:\n1 ")
    assert second != first
    assert (await handset.send("1")).startswith("CON ")
