"""Every SMS template, filled with the longest realistic values, is GSM-7 and fits its parts.

The rules (issue 15): GSM-7 only (`N1,500`, never `₦`), an electricity token receipt in one
SMS (160), every template within two parts (306). And what shortening may never do: cut a
token, a PIN or the reference, or lose a card when cards spill into follow-up SMS.
"""

from __future__ import annotations

import inspect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.domain.purchase_status import PurchaseStatus
from gateway.gsm7 import is_gsm7, septets
from gateway.texts import account, receipts
from gateway.texts.catalogue import KINDS
from gateway.texts.sms import MAX_PARTS, SEGMENT, SMS_LIMIT, Sms
from tests.notices import values

N = 100
amount = st.integers(min_value=1, max_value=10**13)  # kobo: N100 billion
code = st.text(st.sampled_from("0123456789"), min_size=6, max_size=6)
minutes = st.integers(min_value=1, max_value=60)
misses = st.integers(min_value=1, max_value=9)
open_status = st.sampled_from([PurchaseStatus.INITIATED, PurchaseStatus.PENDING])


def _sent(rendered: Sms | tuple[Sms, ...]) -> tuple[Sms, ...]:
    return rendered if isinstance(rendered, tuple) else (rendered,)


# every template, filled by a strategy; a template missing here fails the coverage test below
TEMPLATES: dict[str, st.SearchStrategy[Sms | tuple[Sms, ...]]] = {
    "receipts.receipt": st.builds(receipts.receipt, values.receipt_facts()),
    "receipts.pending_notice": st.builds(
        receipts.pending_notice, values.receipt_facts(status=open_status)
    ),
    "account.one_time_code": st.builds(account.one_time_code, code, minutes),
    "account.email_change_code": st.builds(account.email_change_code, code, minutes),
    "account.pin_locked": st.builds(
        account.pin_locked, st.one_of(st.none(), values.moment), misses
    ),
    "account.pin_reset": st.builds(account.pin_reset),
    "account.email_changed": st.builds(account.email_changed),
    "account.wallet_credited": st.builds(account.wallet_credited, amount, amount),
    "account.wallet_funded": st.builds(account.wallet_funded, amount, amount),
}


def _public_templates() -> set[str]:
    found = set()
    for module in (receipts, account):
        short = module.__name__.rsplit(".", 1)[1]
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                found.add(f"{short}.{name}")
    return found


def test_every_template_is_catalogued_with_its_kind_and_filled_here():
    assert _public_templates() == set(KINDS) == set(TEMPLATES)


@pytest.mark.parametrize("name", sorted(KINDS))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_template_is_gsm7_within_two_parts_and_of_its_kind(name, data):
    messages = _sent(data.draw(TEMPLATES[name]))

    assert messages
    for sms in messages:
        assert is_gsm7(sms.body)
        assert "₦" not in sms.body
        assert septets(sms.body) <= MAX_PARTS * SEGMENT
        assert sms.parts <= MAX_PARTS
        assert sms.body.startswith("PayLink")
        assert sms.kind is KINDS[name]


@settings(max_examples=500, deadline=None)
@given(facts=values.token_receipt_facts())
def test_an_electricity_token_receipt_is_one_sms_with_the_token_and_units(facts):
    (sms,) = receipts.receipt(facts)

    assert septets(sms.body) <= SMS_LIMIT
    digits = facts.token.replace("-", "")
    assert "Token: " + "-".join(digits[i : i + 4] for i in range(0, 20, 4)) + "." in sms.body
    assert f"Units: {facts.units}." in sms.body
    assert sms.body.endswith(f" Ref {facts.reference}")


@settings(max_examples=300, deadline=None)
@given(facts=values.receipt_facts())
def test_shortening_never_cuts_a_token_a_pin_or_the_reference(facts):
    messages = receipts.receipt(facts)
    text = " ".join(sms.body for sms in messages)

    assert all(sms.body.endswith(f" Ref {facts.reference}") for sms in messages)
    if facts.status is PurchaseStatus.DELIVERED:
        if facts.token:
            assert facts.token.replace("-", "")[:4] in text
        for pin in facts.pins:
            assert pin in text
    else:
        assert "refunded" in messages[0].body
        assert len(messages) == 1


@settings(max_examples=200, deadline=None)
@given(facts=values.receipt_facts(status=st.just(PurchaseStatus.DELIVERED)))
def test_cards_spilling_into_more_sms_each_come_once_in_order_and_numbered(facts):
    messages = receipts.receipt(facts)
    text = " ".join(sms.body for sms in messages)

    end = 0
    for pin in facts.pins:  # each found after the one before it
        end = text.index(pin, end) + len(pin)
    cards = sum(pin.startswith("Serial No:") for pin in facts.pins)
    assert text.count("Serial No:") == cards
    if len(messages) > 1:
        assert all(f" of {len(facts.pins)}: " in sms.body for sms in messages)


def test_only_plain_notices_may_be_stopped():
    stoppable = {name for name, kind in KINDS.items() if kind.stoppable}
    assert stoppable == {"receipts.pending_notice"}
