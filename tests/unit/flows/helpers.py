"""Driving the engine in tests: start a session, feed inputs and events, read the USSD text."""

from __future__ import annotations

from collections.abc import Iterable

from gateway.flows.catalogue import CatalogueSnapshot
from gateway.flows.engine import advance
from gateway.flows.model import Conversation, Event, Order, SessionStarted, Transition, UserInput
from gateway.flows.screens import USSD, Profile, render
from tests.unit.flows.catalogue_data import CATALOG

PHONE = "+2348031234567"  # MTN prefix 0803
SEED = "ATUid_test"

MENU = "CON PayLink\n1 Airtime\n2 Data\n3 Electricity\n4 TV\n5 Exam PINs\n6 Wallet"
NAV = "0 Back\n00 Main menu"


def start(
    *,
    phone: str = PHONE,
    has_pin: bool = True,
    recent: tuple[Order, ...] = (),
    shortcut: tuple[str, ...] = (),
    resumable: Conversation | None = None,
    catalog: CatalogueSnapshot = CATALOG,
    profile: Profile = USSD,
) -> Transition:
    event = SessionStarted(phone, SEED, has_pin, recent, shortcut, resumable)
    return advance(None, event, catalog, profile)


def feed(
    t: Transition,
    *steps: str | Event,
    catalog: CatalogueSnapshot = CATALOG,
    profile: Profile = USSD,
) -> Transition:
    """Feed inputs (strings) and effect results (events) one after another."""
    for step in steps:
        event = UserInput(step) if isinstance(step, str) else step
        t = advance(t.state, event, catalog, profile)
    return t


def walk(*steps: str | Event, **start_kwargs: object) -> Transition:
    """A fresh registered session, then `steps`."""
    return feed(start(**start_kwargs), *steps)  # type: ignore[arg-type]


def text(t: Transition, profile: Profile = USSD) -> str:
    return render(t.reply, profile)


def lines(*parts: str) -> str:
    return "\n".join(parts)


def effect_names(effects: Iterable[object]) -> list[str]:
    return [type(e).__name__ for e in effects]
