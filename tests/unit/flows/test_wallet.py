"""Wallet: balance, the last five purchases with status and token, change PIN."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.flows import codec
from gateway.flows.model import (
    BalanceLoaded,
    ChangePin,
    CheckPin,
    HistoryItem,
    HistoryLoaded,
    LoadBalance,
    LoadHistory,
    PinAccepted,
    PinMismatch,
    PinRejected,
    PinSet,
    StagePin,
)
from gateway.pin_policy import RESET_HINT
from tests.unit.flows.helpers import MENU, NAV, feed, lines, text, walk

WALLET = lines(
    "CON Wallet:",
    "1 Balance",
    "2 Last purchases",
    "3 Change PIN",
    "4 Forgot PIN",
    "5 SMS purchases",
    "6 Fund wallet",
    NAV,
)
HISTORY = HistoryLoaded(
    (
        HistoryItem(
            "IKEDC Prepaid",
            200000,
            "delivered",
            datetime(2026, 3, 12, 9, 21, tzinfo=UTC),
            "1111111111111",
            "26362054405982757802",
        ),
        HistoryItem("MTN Airtime", 50000, "pending", None, "08031234567"),
        HistoryItem("DStv Compact", 790000, "reversed"),
        HistoryItem("WAEC Result Checker", 270000, "failed"),
        HistoryItem("MTN Data 1.5GB", 100000, "initiated"),
    )
)
HISTORY_1 = lines(
    "CON Last purchases:",
    "1 IKEDC Prepaid N2,000 Done",
    "2 MTN Airtime N500 Pending",
    "3 DStv Compact N7,900 Refunded",
    "98 More",
    NAV,
)


@pytest.mark.parametrize(
    ("steps", "screen", "effects"),
    [
        (("6",), WALLET, ()),
        (("6", "1"), "CON Please wait...", (LoadBalance(),)),
        (("6", "1", BalanceLoaded(0)), lines("CON Wallet balance: N0", NAV), ()),
        (("6", "1", BalanceLoaded(123456)), lines("CON Wallet balance: N1,234.56", NAV), ()),
        (("6", "1", BalanceLoaded(5), "0"), WALLET, ()),
        (("6", "2"), "CON Please wait...", (LoadHistory(5),)),
        (("6", "2", HISTORY), HISTORY_1, ()),
        (
            ("6", "2", HISTORY, "98"),
            lines(
                "CON Last purchases:",
                "1 WAEC Result.. N2,700 Failed",
                "2 MTN Data 1.5GB N1,000 Pending",
                NAV,
            ),
            (),
        ),
        (
            ("6", "2", HISTORY, "1"),
            lines(
                "CON IKEDC Prepaid",
                "N2,000 Done 12/03 10:21",
                "To 1111111111111",
                "Token: 26362054405982757802",
                NAV,
            ),
            (),
        ),
        (("6", "2", HISTORY, "2", "0"), HISTORY_1, ()),
        (("6", "2", HistoryLoaded(())), lines("CON No purchases yet.", NAV), ()),
        (("6", "7"), lines("CON Invalid choice.", WALLET[4:]), ()),
    ],
    ids=["menu", "balance-load", "balance-zero", "balance", "balance-back", "history-load",
         "history", "history-page-2", "detail-with-token", "detail-back", "no-history",
         "bad-choice"],
)  # fmt: skip
def test_wallet_screens(steps, screen, effects):
    t = walk(*steps)
    assert text(t) == screen
    assert t.effects == effects


def test_a_forgotten_pin_is_told_where_to_reset_it():
    # USSD cannot reset a PIN safely; it says where: the web app, with the password or an SMS code
    t = walk("6", "4")
    assert text(t) == lines(f"CON Forgot your PIN? {RESET_HINT}", NAV)
    assert t.effects == ()
    assert text(feed(t, "0")) == WALLET


def test_a_history_row_never_overflows_the_screen():
    item = HistoryItem(
        "Ọ" * 90,
        10**13,
        "weird-status-😀" * 5,
        datetime(2026, 1, 1, tzinfo=UTC),
        "x" * 90,
        "9" * 90,
    )
    t = walk("6", "2", HistoryLoaded((item,) * 7), "1")
    assert text(t).startswith("CON O")
    assert text(walk("6", "2", HistoryLoaded((item,) * 7), "98")).startswith("CON Last purchases:")


CHANGE = ("6", "3", "1357", PinAccepted())


@pytest.mark.parametrize(
    ("steps", "screen", "effects"),
    [
        (("6", "3"), lines("CON Enter current PIN:", NAV), ()),
        (("6", "3", "1357"), "CON Please wait...", (CheckPin("1357"),)),
        (CHANGE, lines("CON Enter new 4-digit PIN:", NAV), ()),
        ((*CHANGE, "2468"), lines("CON Enter new PIN again:", NAV), (StagePin("2468"),)),
        ((*CHANGE, "2468", "2468"), "CON Please wait...", (ChangePin("2468"),)),
        ((*CHANGE, "2468", "2468", PinSet()), lines("CON PIN changed.", MENU[4:]), ()),
        (
            (*CHANGE, "2468", "2469", PinMismatch()),
            lines("CON PINs did not match.", "Enter new 4-digit PIN:", NAV),
            (),
        ),
        (
            ("6", "3", "9999", PinRejected(2)),
            lines("CON Wrong PIN. 2 tries left.", "Enter current PIN:", NAV),
            (),
        ),
        ((*CHANGE, "1234"), lines("CON PIN too easy to guess.", "Enter new 4-digit PIN:", NAV), ()),
        ((*CHANGE, "12"), lines("CON PIN must be 4 digits.", "Enter new 4-digit PIN:", NAV), ()),
        (("6", "3", "1"), lines("CON PIN must be 4 digits.", "Enter current PIN:", NAV), ()),
        ((*CHANGE, "2468", "0"), lines("CON Enter new 4-digit PIN:", NAV), ()),
    ],
    ids=["current", "check", "new", "stage", "commit", "changed", "mismatch", "wrong-current",
         "weak", "short", "short-current", "back"],
)  # fmt: skip
def test_change_pin(steps, screen, effects):
    t = walk(*steps)
    assert text(t) == screen
    assert t.effects == effects


def test_no_pin_entry_is_kept_in_the_session():
    for steps in [("6", "3", "1357"), (*CHANGE, "2468"), (*CHANGE, "2468", "2468")]:
        state = walk(*steps).state
        assert state is not None
        dumped = codec.dumps(state)
        assert "1357" not in dumped
        assert "2468" not in dumped


def test_history_result_is_kept_for_back_and_paging():
    t = walk("6", "2", HISTORY, "98", "0")
    assert text(t) == HISTORY_1
    assert text(feed(t, "1", "0", "98")).startswith("CON Last purchases:\n1 WAEC")
