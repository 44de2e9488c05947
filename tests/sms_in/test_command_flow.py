"""Commands through the pure engine on the SMS profile: what each answers before any I/O."""

from __future__ import annotations

from gateway.flows import command_flow
from gateway.flows.engine import advance
from gateway.flows.model import (
    BalanceLoaded,
    CustomerVerified,
    FlowName,
    LoadBalance,
    SessionStarted,
    Transition,
    UserInput,
    VerifyCustomer,
)
from gateway.flows.screens import SMS, render
from gateway.gsm7 import septets
from tests.unit.flows.catalogue_data import CATALOG

PHONE = "+2348031234567"


def opened(text: str, *, has_pin: bool = True) -> Transition:
    event = SessionStarted(phone=PHONE, seed="seed", has_pin=has_pin, shortcut=(text,))
    return advance(None, event, CATALOG, SMS)


def shown(t: Transition) -> str:
    return render(t.reply, SMS)


def test_a_caller_without_a_pin_is_sent_to_the_ussd_menu():
    t = opened("help", has_pin=False)
    assert (t.state, shown(t)) == (None, command_flow.NO_ACCOUNT)


def test_help_fits_one_reply_and_ends():
    t = opened("HELP")
    assert t.state is None
    assert septets(shown(t)) <= SMS.max_chars


def test_every_page_of_plan_codes_fits_and_the_last_has_no_more_line():
    pages = []
    page = 1
    while True:
        text = shown(opened(f"data mtn {page}"))
        pages.append(text)
        if "More: DATA MTN" not in text:
            break
        page += 1
    assert len(pages) > 1
    assert all(septets(text) <= SMS.max_chars for text in pages)
    codes = [line.split()[0] for text in pages for line in text.split("\n")[1:]]
    codes = [code for code in codes if code != "More:"]
    assert codes == [f"MTN{n}" for n in range(1, len(codes) + 1)]


def test_a_page_past_the_end_shows_the_last_page():
    last = len(CATALOG.variations("mtn-data"))  # more pages than there can be
    assert shown(opened("data mtn 99")) == shown(opened(f"data mtn {last}"))


def test_a_listed_code_and_vtpass_code_name_the_same_plan():
    first = CATALOG.variations("mtn-data")[0]
    assert shown(opened("data mtn1")) == shown(opened(f"data {first.code}"))


def test_an_unknown_plan_code_says_so_and_how_to_find_codes():
    text = shown(opened("data mtn999"))
    assert text.startswith("No data plan has code MTN999. Text DATA MTN")


def test_an_account_billed_data_plan_asks_for_the_account():
    t = opened("data smile1")
    assert t.state is not None
    assert shown(t).startswith("Enter Smile account ID:")


def test_an_unknown_disco_lists_the_discos():
    text = shown(opened("light lagos 1111111111111 5000"))
    assert text.startswith("Unknown disco LAGOS. Try IKEJA, EKO, ABUJA,")


def test_light_verifies_the_meter_then_offers_the_texted_amount():
    t = opened("light eko 1111111111111 2000 postpaid")
    assert t.effects == (VerifyCustomer("eko-electric", "1111111111111", "postpaid"),)
    t = advance(t.state, CustomerVerified(name="ADA OBI"), CATALOG, SMS)
    assert t.state is not None
    assert t.state.flow is FlowName.CHECKOUT
    assert "ADA OBI" in shown(t)
    assert "N2,000" in shown(t)


def test_bal_loads_the_balance_and_ends_with_it():
    t = opened("bal")
    assert t.effects == (LoadBalance(),)
    t = advance(t.state, BalanceLoaded(12_345_00), CATALOG, SMS)
    assert (t.state, shown(t)) == (None, "Wallet balance: N12,345.")


def test_a_command_at_any_step_starts_that_command_over():
    t = opened("airtime 100")
    assert t.state is not None
    assert t.state.flow is FlowName.CHECKOUT
    t = advance(t.state, UserInput("DATA MTN"), CATALOG, SMS)
    assert t.state is None
    assert shown(t).startswith("MTN Data plans.")


def test_menu_answers_are_not_commands():
    t = opened("airtime 100")
    t = advance(t.state, UserInput("0"), CATALOG, SMS)  # back to the amount
    assert shown(t).startswith("MTN airtime for 08031234567\nEnter amount")


def test_an_invalid_recipient_is_named_back():
    assert shown(opened("airtime 100 201000000000")) == (
        "201000000000 is not a Nigerian mobile number. Please check it."
    )


def test_a_bouquet_code_of_another_provider_is_refused_before_the_verify():
    t = opened("tv gotv 1212121212 dstv2")
    assert t.effects == ()
    assert shown(t) == "No bouquet has code DSTV2. Text TV GOTV for the codes."


def test_a_provider_texted_by_another_name_takes_the_listed_codes():
    t = opened("tv star 1212121212 startimes2")
    assert t.effects == (VerifyCustomer("startimes", "1212121212"),)
