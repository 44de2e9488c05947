"""The command parser: forgiving as people type on a keypad, one behaviour per test."""

from __future__ import annotations

import pytest

from gateway.flows.commands import (
    MAX_TEXT,
    Airtime,
    DataBuy,
    DataPlans,
    Light,
    Plain,
    Tv,
    TvByPhone,
    TvPlans,
    Unknown,
    Usage,
    Verb,
    Waec,
    buys,
    parse,
    verb_of,
)

E164 = "+2348031234567"


@pytest.mark.parametrize("text", ["HELP", "help", "Help", "  help  ", "help!", "menu", "?"])
def test_help_in_any_case_spacing_or_alias(text):
    assert parse(text) == Plain(Verb.HELP)


@pytest.mark.parametrize("text", ["BAL", "bal", "balance", "Bal please"])
def test_balance_ignores_words_after_it(text):
    assert parse(text) == Plain(Verb.BAL)


@pytest.mark.parametrize(
    ("text", "verb"),
    [("HISTORY", Verb.HISTORY), ("hist", Verb.HISTORY), ("STOP", Verb.STOP), ("start", Verb.START)],
)
def test_commands_without_arguments(text, verb):
    assert parse(text) == Plain(verb)


def test_airtime_for_the_sender():
    assert parse("AIRTIME 500") == Airtime(500_00)


@pytest.mark.parametrize("amount", ["1500", "1,500", "N1500", "n1,500"])
def test_airtime_amount_in_any_written_form(amount):
    assert parse(f"airtime {amount}") == Airtime(1_500_00)


@pytest.mark.parametrize(
    "number",
    ["08031234567", "+2348031234567", "2348031234567", "0803 123 4567", "0803-123-4567"],
)
def test_airtime_number_in_any_nigerian_form(number):
    assert parse(f"AIRTIME 500 {number}") == Airtime(500_00, E164)


def test_airtime_number_may_come_before_the_amount():
    assert parse("airtime 08031234567 500") == Airtime(500_00, E164)


def test_airtime_network_word_anywhere_after_the_verb():
    assert parse("airtime mtn 500 08031234567") == Airtime(500_00, E164, "mtn")


def test_extra_spaces_between_words_are_ignored():
    assert parse("   AIRTIME     500      08031234567   ") == Airtime(500_00, E164)


def test_a_verb_glued_to_its_number():
    assert parse("airtime500") == Airtime(500_00)


def test_a_sandbox_scenario_number_is_kept_as_typed():
    assert parse("airtime 100 201000000000") == Airtime(100_00, "201000000000")


@pytest.mark.parametrize(
    "text", ["airtime", "airtime abc", "airtime 500.50", "airtime 500 600", "airtime 0"]
)
def test_airtime_that_does_not_fit_asks_for_the_usage(text):
    assert parse(text) == Usage(Verb.AIRTIME)


def test_data_with_a_network_asks_for_its_plan_codes():
    assert parse("DATA MTN") == DataPlans("mtn")


def test_data_with_a_network_and_a_page():
    assert parse("data 9mobile 2") == DataPlans("9mobile", 2)


def test_data_with_a_plan_code_buys_it_for_the_sender():
    assert parse("DATA MTN5") == DataBuy("mtn5")


def test_data_with_a_plan_code_and_a_number():
    assert parse("data mtn-10mb-100 0803 123 4567") == DataBuy("mtn-10mb-100", E164)


@pytest.mark.parametrize("text", ["data", "data mtn5 hello", "data mtn next"])
def test_data_that_does_not_fit_asks_for_the_usage(text):
    assert parse(text) == Usage(Verb.DATA)


def test_light_is_prepaid_unless_told():
    assert parse("LIGHT IKEJA 1111111111111 5000") == Light("ikeja", "1111111111111", 5_000_00)


@pytest.mark.parametrize(
    "text",
    ["light ikeja 1111111111111 5000 postpaid", "light postpaid ikeja 1111111111111 5000"],
)
def test_light_postpaid_wherever_it_is_said(text):
    assert parse(text) == Light("ikeja", "1111111111111", 5_000_00, "postpaid")


@pytest.mark.parametrize(
    "text",
    [
        "light ikeja",
        "light ikeja 1111111111111",
        "light ikeja 12345 5000",  # no meter is that short
        "light 1111111111111 5000 ikeja",  # the disco comes first
        "light ikeja 1111111111111 5000 prepaid postpaid",
    ],
)
def test_light_that_does_not_fit_asks_for_the_usage(text):
    assert parse(text) == Usage(Verb.LIGHT)


def test_tv_with_a_provider_asks_for_its_bouquet_codes():
    assert parse("TV DSTV") == TvPlans("dstv")


def test_tv_with_a_card_renews_or_changes():
    assert parse("tv dstv 1212121212") == Tv("dstv", "1212121212")


def test_tv_with_a_card_and_a_bouquet_code():
    assert parse("TV GOTV 1212121212 GOTV3") == Tv("gotv", "1212121212", "gotv3")


def test_tv_billed_to_a_phone_takes_a_plan_code_and_a_number():
    assert parse("tv showmax showmax2 08031234567") == TvByPhone("showmax", "showmax2", E164)


@pytest.mark.parametrize("text", ["tv", "tv dstv 12345", "tv dstv 1212121212 a b"])
def test_tv_that_does_not_fit_asks_for_the_usage(text):
    assert parse(text) == Usage(Verb.TV)


def test_tv_with_a_short_number_is_a_page_of_codes():
    assert parse("tv dstv 2") == TvPlans("dstv", 2)


@pytest.mark.parametrize(("text", "quantity"), [("WAEC", 1), ("waec 3", 3), ("waec3", 3)])
def test_waec_quantity_defaults_to_one(text, quantity):
    assert parse(text) == Waec(quantity)


def test_waec_that_does_not_fit_asks_for_the_usage():
    assert parse("waec three") == Usage(Verb.WAEC)


@pytest.mark.parametrize("text", ["", "   ", "hello", "2580", "1", "00", "₦500", "airtimes 5"])
def test_anything_else_is_unknown(text):
    assert parse(text) == Unknown()


def test_an_overlong_message_is_read_only_up_to_two_parts():
    assert parse("help " + "x" * 10 * MAX_TEXT) == Plain(Verb.HELP)


def test_too_many_words_ask_for_the_usage():
    assert parse("airtime " + " ".join(["500"] * 20)) == Usage(Verb.AIRTIME)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("airtime 100", True),
        ("data mtn5", True),
        ("light ikeja 1111111111111 500", True),
        ("tv dstv 1212121212", True),
        ("waec", True),
        ("data mtn", False),
        ("tv dstv", False),
        ("bal", False),
        ("stop", False),
        ("airtime", False),
        ("hello", False),
    ],
)
def test_which_commands_buy(text, expected):
    assert buys(parse(text)) is expected


@pytest.mark.parametrize(
    ("text", "verb"),
    [("2580", None), ("0", None), ("00", None), ("Airtime 5", Verb.AIRTIME), (" bal", Verb.BAL)],
)
def test_verb_of_tells_a_command_from_a_menu_answer(text, verb):
    assert verb_of(text) is verb
