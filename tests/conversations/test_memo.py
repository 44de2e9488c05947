"""The shell's cache for what the engine derives: keyed by value, never across inputs.

Attacks: a catalogue change (a category gone) while an old main menu is still kept; one line's
orders shown or saved for another; a cached value changing what a caller sees.
"""

from __future__ import annotations

from dataclasses import replace

from gateway.conversations.catalogue_provider import CatalogueProvider
from gateway.conversations.memo import ValueMemo
from gateway.flows import codec
from gateway.flows.catalogue import TV, CatalogueSnapshot
from gateway.flows.engine import advance
from gateway.flows.model import Order, SessionStarted, UserInput
from gateway.flows.screens import USSD, render
from tests.conversations.fakes import FakeCatalogue
from tests.unit.flows.catalogue_data import CATALOG, CATEGORIES, VARIATIONS

PHONE = "+2348031234567"
AIRTIME = Order("airtime", "mtn", 50000, PHONE, label="MTN Airtime")
DATA = Order("data", "mtn-data", 0, PHONE, variation_code="mtn-10mb-100", label="MTN 100MB")


def _without_tv(version: int) -> CatalogueSnapshot:
    services = [s for c in CATEGORIES if c.identifier != TV for s in CATALOG.services(c.identifier)]
    return CatalogueSnapshot.build(CATEGORIES, services, VARIATIONS, version=version)


def test_a_value_is_made_once_for_equal_keys_whichever_object_carries_them():
    memo, made = ValueMemo(), []
    first = memo(("orders", (AIRTIME,)), lambda: made.append(1) or "json")
    again = memo(("orders", (Order.from_fields(AIRTIME.to_fields()),)), list)
    assert first == again == "json"
    assert made == [1]
    assert memo(("orders", (DATA,)), lambda: "other") == "other"  # another line's orders


def test_the_least_recently_used_value_goes_first():
    memo = ValueMemo(size=2)
    memo("a", lambda: 1)
    memo("b", lambda: 2)
    memo("a", lambda: 0)  # read: "b" is now the oldest
    memo("c", lambda: 3)
    assert memo("a", lambda: -1) == 1
    assert memo("b", lambda: -2) == -2


def test_a_new_snapshots_main_menu_is_never_an_old_ones():
    memo = ValueMemo()
    full = CatalogueSnapshot.build(
        CATEGORIES,
        [s for c in CATEGORIES for s in CATALOG.services(c.identifier)],
        VARIATIONS,
        version=1,
    )
    event = SessionStarted(PHONE, "seed", True, (AIRTIME,))
    before = render(advance(None, event, full, USSD, memo=memo).reply, USSD)
    after = render(advance(None, event, _without_tv(2), USSD, memo=memo).reply, USSD)
    assert "4 TV" in before
    assert "4 TV" not in after
    assert after == render(advance(None, event, _without_tv(2), USSD).reply, USSD)


def test_the_shells_memo_changes_no_screen_and_no_saved_byte():
    memo = ValueMemo()
    for recent in ((), (AIRTIME,), (AIRTIME, DATA), (DATA,), (AIRTIME,)):
        event = SessionStarted(PHONE, "seed", True, recent)
        kept = advance(None, event, CATALOG, USSD, memo=memo)
        plain = advance(None, event, CATALOG, USSD)
        assert kept == plain
        assert kept.state is not None
        assert plain.state is not None
        assert codec.to_dict(kept.state, memo) == codec.to_dict(plain.state)
        for step in ("7", "0", "1", "1"):
            kept = advance(kept.state, UserInput(step), CATALOG, USSD, memo=memo)
            plain = advance(plain.state, UserInput(step), CATALOG, USSD)
            assert kept == plain


def test_one_lines_sessions_share_their_orders_main_menu_and_orders_json():
    memo = ValueMemo()
    orders = (AIRTIME, DATA)
    first = advance(None, SessionStarted(PHONE, "s1", True, orders), CATALOG, USSD, memo=memo)
    second = advance(None, SessionStarted(PHONE, "s2", True, orders), CATALOG, USSD, memo=memo)
    assert first.state is not None
    assert second.state is not None
    assert first.state.caller.recent is second.state.caller.recent
    assert first.reply is second.reply
    encoded = codec.to_dict(first.state, memo)["caller"]
    assert codec.to_dict(second.state, memo)["caller"]["recent"] is encoded["recent"]
    changed = replace(second.state, caller=replace(second.state.caller, recent=(DATA,)))
    assert codec.to_dict(changed, memo)["caller"]["recent"] == [DATA.to_fields()]


async def test_every_snapshot_a_provider_builds_has_a_version_of_its_own(ticker):
    provider = CatalogueProvider(FakeCatalogue(), 60, now=ticker)
    first = await provider.snapshot()
    ticker.now += 61
    await provider.snapshot()  # starts the rebuild
    task = provider._task
    assert task is not None
    second = await task
    await provider.aclose()
    assert first.version != second.version
