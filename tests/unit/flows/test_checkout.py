"""The confirm screen: intent ids, the PIN only in the effect, and what the submit result shows."""

from __future__ import annotations

import pytest

from gateway.flows import codec
from gateway.flows.checkout import mint_intent
from gateway.flows.engine import advance
from gateway.flows.model import (
    PinRejected,
    PurchaseAccepted,
    PurchaseRefused,
    RefusalReason,
    SubmitPurchase,
    Transition,
)
from gateway.funding import FUNDING_HINT, FUNDING_HINT_MAX
from tests.unit.flows.catalogue_data import CATALOG
from tests.unit.flows.helpers import NAV, SEED, feed, lines, text, walk

CONFIRM = lines(
    "CON MTN airtime N500", "To 08031234567", "Enter PIN to pay:", "1 Change network", NAV
)
BUY = ("1", "1", "500")


def _submit(t: Transition) -> SubmitPurchase:
    (effect,) = t.effects
    assert isinstance(effect, SubmitPurchase)
    return effect


def test_the_intent_id_is_minted_when_the_confirm_screen_is_shown():
    t = walk(*BUY)
    assert t.state is not None
    assert t.state.intent_id == mint_intent(SEED, 1)
    assert len(t.state.intent_id) == 32
    assert _submit(feed(t, "1357")).intent_id == t.state.intent_id


def test_a_resent_pin_hop_submits_the_same_intent():
    t = walk(*BUY)
    assert _submit(feed(t, "1357")) == _submit(feed(t, "1357"))


def test_a_wrong_pin_keeps_the_intent_and_asks_again():
    first = _submit(walk(*BUY, "9999"))
    t = walk(*BUY, "9999", PinRejected(2))
    assert text(t) == lines("CON Wrong PIN. 2 tries left.", CONFIRM[4:])
    assert _submit(feed(t, "1357")).intent_id == first.intent_id
    assert text(walk(*BUY, "9999", PinRejected(1))).startswith("CON Wrong PIN. 1 try left.\n")


def test_every_confirm_screen_shown_gets_a_new_intent_even_after_back():
    first = walk(*BUY)
    changed = feed(first, "0", "600")
    same_again = feed(changed, "0", "500")
    ids = [t.state.intent_id for t in (first, changed, same_again)]  # type: ignore[union-attr]
    assert len(set(ids)) == 3
    assert ids == [mint_intent(SEED, n) for n in (1, 2, 3)]
    assert _submit(feed(changed, "1357")).order.amount == 60000


def test_back_into_the_confirm_screen_restores_its_intent():
    t = walk(*BUY)
    assert t.state is not None
    back_in = feed(t, "1", "0")  # "Change network", then back without choosing
    assert back_in.state is not None
    assert back_in.state.intent_id == t.state.intent_id


def test_different_sessions_get_different_intents():
    assert mint_intent("ATUid_a", 1) != mint_intent("ATUid_b", 1)


def test_the_pin_is_only_in_the_effect_never_in_the_session():
    t = walk(*BUY, "7391")
    assert _submit(t).pin == "7391"
    assert t.state is not None
    assert "7391" not in codec.dumps(t.state)
    assert "7391" not in repr(t)


@pytest.mark.parametrize(
    ("result", "screen"),
    [
        (
            PurchaseAccepted("PL-7KQ2M9XD"),
            "END Request received. Ref PL-7KQ2M9XD. You will get an SMS.",
        ),
        (
            PurchaseRefused(RefusalReason.INSUFFICIENT_FUNDS, 20000),
            f"END Not enough money: wallet N200, need N500. {FUNDING_HINT}",
        ),
        (
            PurchaseRefused(RefusalReason.INSUFFICIENT_FUNDS),
            f"END Not enough money in your wallet. {FUNDING_HINT}",
        ),
        (
            PurchaseRefused(RefusalReason.DAILY_LIMIT),
            "END You have reached your daily limit. Try again tomorrow.",
        ),
        (
            PurchaseRefused(RefusalReason.ACCOUNT_BLOCKED),
            "END Your account cannot buy now. Please call support.",
        ),
        (
            PurchaseRefused(RefusalReason.INVALID),
            "END This amount is not allowed for this product.",
        ),
        (
            PurchaseRefused(RefusalReason.UNAVAILABLE),
            "END We could not take your request. Please try again later.",
        ),
    ],
    ids=lambda v: getattr(v, "reason", v) if not isinstance(v, str) else "",
)
def test_submit_results_end_the_session_at_once(result, screen):
    t = walk(*BUY, "1357", result)
    assert t.state is None
    assert text(t) == screen


def test_not_enough_money_says_how_to_fund_in_the_deployments_own_words():
    # "Fund it and retry" with no way to fund left people stuck; the operator words the hint
    hint = "Pay cash at Mama Tolu's shop, Ikeja; she tops up your wallet at once." + "!" * 11
    assert len(hint) == FUNDING_HINT_MAX
    paying = walk(*BUY, "1357")
    refused = PurchaseRefused(RefusalReason.INSUFFICIENT_FUNDS, 99_999_999_999)
    t = advance(paying.state, refused, CATALOG, funding_hint=hint)
    # the longest hint after the largest wallet still fits one USSD screen (render checks)
    assert text(t) == f"END Not enough money: wallet N999,999,999.99, need N500. {hint}"


@pytest.mark.parametrize("pin", ["", "123", "12345", "abcd", "2"])
def test_anything_but_four_digits_is_refused_before_any_effect(pin):
    t = walk(*BUY, pin)
    assert t.effects == ()
    assert text(t) == lines("CON PIN must be 4 digits.", CONFIRM[4:])


def test_weak_pins_are_still_checked_by_the_coordinator_not_refused_here():
    assert _submit(walk(*BUY, "1234")).pin == "1234"  # set-up refuses them; old PINs may exist
