"""The one GSM-7 table: what costs two septets, and what a handset would turn into UCS-2."""

import pytest

from gateway.gsm7 import ALPHABET, BASIC, EXTENSION, is_gsm7, septets, to_gsm7


def test_a_screen_of_extension_characters_is_charged_two_septets_each():
    assert septets("a[b]€") == 8
    assert septets("€" * 80) == 160  # 80 characters already fill one SMS


@pytest.mark.parametrize("text", ["", "abc", "a[b]€\n{~}", "^|\\" * 3, "CON PayLink\n1 Airtime"])
def test_septets_count_each_extension_character_twice(text):
    assert septets(text) == sum(2 if ch in EXTENSION else 1 for ch in text)


@pytest.mark.parametrize("text", ["₦1,500", "smart ’quote’", "emoji 🙂", "tab\there"])
def test_a_character_that_would_switch_the_handset_to_ucs2_is_not_gsm7(text):
    assert not is_gsm7(text)


def test_every_printable_ascii_character_but_the_backtick_is_gsm7():
    printable = {chr(i) for i in range(32, 127)}
    assert printable - ALPHABET == {"`"}
    assert BASIC.isdisjoint(EXTENSION)


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("₦1,500 to Adé", "N1,500 to Adé"),  # é is GSM-7 basic: kept
        ("Ça coûte", "Ça coute"),  # û is not: its base letter is sent
        ("smart ’quote’", "smart ?quote?"),
        ("a[b]€", "a[b]€"),
    ],
)
def test_to_gsm7_never_lets_a_ucs2_character_through(text, sent):
    assert to_gsm7(text) == sent
    assert is_gsm7(to_gsm7(text))
