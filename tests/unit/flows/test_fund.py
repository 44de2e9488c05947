"""Fund wallet: the caller's own account number for bank transfers, in each channel's words."""

from __future__ import annotations

from gateway.flows.model import (
    AccountStatus,
    FundingAccount,
    FundingAccountLoaded,
    LoadFundingAccount,
)
from gateway.flows.screens import SMS, TELEGRAM, USSD, render
from gateway.funding import AGENT_HINT, shared_hint
from tests.unit.flows.helpers import MENU, NAV, feed, lines, start, text, walk

ACTIVE = FundingAccount(
    AccountStatus.ACTIVE, bank="Wema Bank", number="9930000123", name="PAYLINK/ADA OBI"
)
LOADED = FundingAccountLoaded(ACTIVE)


def test_the_wallet_menu_asks_for_the_account_number():
    t = walk("6", "6")
    assert text(t) == "CON Please wait..."
    assert t.effects == (LoadFundingAccount(),)


def test_the_account_number_fits_one_ussd_screen_with_its_way_back():
    t = walk("6", "6", LOADED)
    screen = text(t)
    assert screen == lines(
        "CON Fund by bank transfer to:",
        "Bank: Wema Bank",
        "Acct: 9930000123",
        "Name: PAYLINK/ADA OBI",
        NAV,
    )
    assert len(screen) <= USSD.max_chars


def test_a_customer_borne_fee_is_told_before_the_transfer():
    capped = FundingAccount(
        AccountStatus.ACTIVE, bank="Wema Bank", number="9930000123", name="X", fee_cap=30_000
    )
    screen = text(walk("6", "6", FundingAccountLoaded(capped)))
    assert "Fee 1%, max N300." in screen
    assert len(screen) <= USSD.max_chars


def test_an_account_still_being_made_says_to_try_again():
    t = walk("6", "6", FundingAccountLoaded(FundingAccount(AccountStatus.PENDING)))
    assert text(t).startswith("CON Your account number is being created. Please try again")


def test_without_bank_transfers_the_screen_says_how_else_to_fund():
    t = walk("6", "6", FundingAccountLoaded(FundingAccount(AccountStatus.UNAVAILABLE)))
    assert AGENT_HINT in text(t)


def test_the_account_screen_takes_only_back_and_home():
    t = walk("6", "6", LOADED)
    assert text(feed(t, "5")).startswith("CON Invalid choice.")
    assert text(feed(t, "00")) == MENU
    assert text(feed(t, "0")).startswith("CON Wallet:")


def test_a_hostile_account_name_cannot_break_the_screen():
    odd = FundingAccount(AccountStatus.ACTIVE, bank="B" * 200, number="9" * 40, name="Ọ😀\nEND x")
    screen = text(walk("6", "6", FundingAccountLoaded(odd)))
    assert screen.startswith("CON ")
    assert "\nEND" not in screen
    assert len(screen) <= USSD.max_chars


def test_telegram_shows_the_account_in_full_sentences():
    t = start(profile=TELEGRAM)
    for step in ("6", "6"):
        t = feed(t, step, profile=TELEGRAM)
    t = feed(t, LOADED, profile=TELEGRAM)
    shown = render(t.reply, TELEGRAM)
    assert "Account number: 9930000123" in shown
    assert "Any amount you send there fills your wallet." in shown


def test_sms_fund_answers_in_one_message():
    t = start(profile=SMS)
    t = feed(t, "FUND", profile=SMS)
    assert t.effects == (LoadFundingAccount(),)
    t = feed(t, LOADED, profile=SMS)
    assert t.reply.ends
    message = render(t.reply, SMS)
    assert "9930000123" in message
    assert len(message) <= SMS.max_chars


def test_sms_fund_while_pending_says_text_fund_again():
    t = feed(start(profile=SMS), "fund", profile=SMS)
    t = feed(t, FundingAccountLoaded(FundingAccount(AccountStatus.PENDING)), profile=SMS)
    assert "text FUND again" in render(t.reply, SMS)


def test_each_channel_points_a_short_wallet_at_its_own_way_to_the_account():
    assert "6 Fund wallet" in USSD.fund_hint
    assert "FUND" in SMS.fund_hint
    assert "/fund" in TELEGRAM.fund_hint


def test_the_shared_hint_is_the_deployments_words_else_the_channels_or_an_agent():
    assert shared_hint("Visit any PayLink kiosk.", online=True) == "Visit any PayLink kiosk."
    assert shared_hint(None, online=True) is None
    assert shared_hint(None, online=False) == AGENT_HINT


def test_a_dropped_session_on_the_account_screen_asks_for_it_again():
    # a pending account may be ready by now: it is loaded again, not shown as it was
    t = start(resumable=walk("6", "6", LOADED).state)
    assert text(t) == lines("CON You were in your wallet.", "1 Continue", "2 Main menu")
    resumed = feed(t, "1")
    assert resumed.effects == (LoadFundingAccount(),)
    assert text(feed(resumed, LOADED)).startswith("CON Fund by bank transfer to:")


def test_input_while_the_account_loads_goes_back_to_the_wallet_menu():
    assert text(feed(walk("6", "6"), "1")).startswith("CON Wallet:")
