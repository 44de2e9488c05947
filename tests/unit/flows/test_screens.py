"""The renderer: GSM-7 only, 160 characters including options and the CON/END prefix, paging."""

from __future__ import annotations

import pytest

from gateway.flows.model import Option, Screen
from gateway.flows.screens import (
    HINT_MAX,
    LIST_HINT_MAX,
    SMS,
    TELEGRAM,
    USSD,
    ScreenError,
    check,
    clean,
    clip,
    paginate,
    render,
    safe,
    septets,
)
from gateway.flows.steps import Hint, wrong_pin

AIRTIME_FOR = Screen(
    "Buy airtime for:",
    (Option("1", "My number"), Option("2", "Another number")),
    back=True,
    home=True,
)


@pytest.mark.parametrize(
    ("screen", "expected"),
    [
        (
            AIRTIME_FOR,
            "CON Buy airtime for:\n1 My number\n2 Another number\n0 Back\n00 Main menu",
        ),
        (
            Screen("Plans:", (Option("1", "N100 100MB"),), more=True, back=True, home=True),
            "CON Plans:\n1 N100 100MB\n98 More\n0 Back\n00 Main menu",
        ),
        (
            Screen("Enter amount:", hint="Invalid amount.", back=True),
            "CON Invalid amount.\nEnter amount:\n0 Back",
        ),
        (
            Screen("Request received.", (Option("1", "ignored"),), ends=True, back=True),
            "END Request received.",
        ),
    ],
    ids=["options-and-nav", "more", "hint", "end-has-no-options"],
)
def test_render_ussd(screen, expected):
    assert render(screen, USSD) == expected


def test_sms_has_no_prefix_and_telegram_may_use_the_naira_sign():
    assert render(AIRTIME_FOR, SMS).startswith("Buy airtime for:\n1 My number")
    assert render(Screen("Pay ₦1,500.00?" + "x" * 300), TELEGRAM).startswith("Pay ₦1,500.00?")


@pytest.mark.parametrize(
    "message",
    ["Pay ₦500", "It’s done", "Done 👍", "Pay\u00a0N500", "Привет"],
    ids=["naira", "smart-quote", "emoji", "nbsp", "cyrillic"],
)
def test_render_refuses_a_non_gsm7_character(message):
    with pytest.raises(ScreenError, match="non-GSM-7"):
        render(Screen(message), USSD)


def test_160_characters_including_the_prefix_is_the_limit():
    render(Screen("x" * 156), USSD)
    with pytest.raises(ScreenError, match="161 > 160"):
        render(Screen("x" * 157), USSD)


def test_options_count_toward_the_budget():
    options = tuple(Option(str(i), "y" * 20) for i in range(1, 8))  # 7 lines of 23
    with pytest.raises(ScreenError):
        render(Screen("Choose:", options), USSD)


def test_extension_characters_cost_two_septets():
    assert septets("a[b]€") == 8
    check("[" * 153, SMS)
    with pytest.raises(ScreenError):
        check("[" * 154, SMS)


def test_sms_budget_is_two_concatenated_parts_without_prefix():
    check("x" * 306, SMS)
    with pytest.raises(ScreenError):
        check("x" * 307, SMS)


LABELS = [f"Plan {i:02d} with a name of some length" for i in range(40)]


@pytest.mark.parametrize("profile", [USSD, SMS, TELEGRAM], ids=lambda p: p.name)
def test_paginate_covers_every_item_in_order_and_every_page_fits_with_a_hint(profile):
    pages = paginate("Choose plan:", LABELS, profile, back=True, home=True)
    assert [i for page in pages for i in page] == list(range(len(LABELS)))
    for n, page in enumerate(pages):
        assert 1 <= len(page) <= profile.max_options
        screen = Screen(
            "Choose plan:",
            tuple(Option(str(k), LABELS[i]) for k, i in enumerate(page, start=1)),
            hint="x" * LIST_HINT_MAX,
            more=n + 1 < len(pages),
            back=True,
            home=True,
        )
        render(screen, profile)


def test_paginate_an_empty_list_is_one_empty_page():
    assert paginate("No plans.", [], USSD, back=True, home=True) == (range(0),)


def test_paginate_refuses_an_option_that_cannot_fit_any_page():
    with pytest.raises(ScreenError, match="does not fit"):
        paginate("Choose:", ["z" * 150], USSD, back=True, home=True)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("N100 100MB - 24 hrs", "N100 100MB - 24 hrs"),
        ("Router 30GB – ₦9,000", "Router 30GB - N9,000"),
        ("“Always on” it’s", '"Always on" it\'s'),
        ("Adébáyọ̀  OLÚWASEUN", "Adébayo OLUWASEUN"),
        ("line\nbreak\ttab\r", "line break tab"),
        ("DStv [Compact] {x} ~ | ^ \\ €", "DStv (Compact) (x) - / / EUR"),
        ("Done 👍", "Done ?"),
        ("zero\u200bwidth", "zerowidth"),
    ],
    ids=["plain", "naira-dash", "quotes", "accents", "whitespace", "extension", "emoji", "format"],
)
def test_clean_makes_outside_text_gsm7_on_one_line(raw, expected):
    assert clean(raw) == expected
    check(clean(raw), SMS)


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [("short", 10, "short"), ("exactly10!", 10, "exactly10!"), ("a long label", 8, "a long..")],
)
def test_clip(text, width, expected):
    assert clip(text, width) == expected


def test_safe_handles_none():
    assert safe(None, 10) == ""


def test_every_hint_fits_the_reserved_room():
    assert all(len(hint) <= HINT_MAX for hint in Hint)
    assert all(len(wrong_pin(n)) <= HINT_MAX for n in range(-1, 12))
    assert len(Hint.INVALID_CHOICE) <= LIST_HINT_MAX


def test_money_per_profile():
    assert USSD.money(150000) == "N1,500"
    assert TELEGRAM.money(150000) == "₦1,500.00"


@pytest.mark.parametrize("text", ["", "abc", "a[b]€\n{~}", "^|\\" * 3, "CON PayLink\n1 Airtime"])
def test_septets_count_each_extension_character_twice(text):
    assert septets(text) == sum(2 if ch in "^{}\\[~]|€" else 1 for ch in text)


def test_the_first_character_outside_gsm7_is_named():
    with pytest.raises(ScreenError, match="'₦'"):
        check("CON Pay N500 or ₦500 ’", USSD)
    check("CON ₦500", TELEGRAM)  # not a GSM-7 channel
