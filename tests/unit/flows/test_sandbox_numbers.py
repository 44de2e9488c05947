"""VTPass's sandbox scenario numbers (201000000000 pending, ...) as recipients: typed on a
handset they reach the confirm screen against the simulator or sandbox, and are refused as any
other invalid number when the gateway is live."""

from __future__ import annotations

import pytest

from gateway.flows.engine import advance
from gateway.flows.model import SessionStarted, Transition, UserInput
from tests.unit.flows.catalogue_data import CATALOG
from tests.unit.flows.helpers import PHONE, SEED, text

PENDING = "201000000000"


def dial(*inputs: str, sandbox: bool) -> Transition:
    t = advance(None, SessionStarted(PHONE, SEED, True, (), (), None), CATALOG)
    for entry in inputs:
        t = advance(t.state, UserInput(entry), CATALOG, sandbox_numbers=sandbox)
    return t


@pytest.mark.parametrize(
    "inputs",
    [
        pytest.param(("1", "2", PENDING, "1", "500"), id="airtime"),
        pytest.param(("2", "1", "1", "2", PENDING), id="data"),
    ],
)
def test_a_scenario_number_reaches_the_confirm_screen_against_a_sandbox(inputs):
    screen = text(dial(*inputs, sandbox=True))
    assert f"To {PENDING}" in screen
    assert "Enter PIN" in screen


@pytest.mark.parametrize(
    "inputs",
    [
        pytest.param(("1", "2", PENDING), id="airtime"),
        pytest.param(("2", "1", "1", "2", PENDING), id="data"),
    ],
)
def test_a_scenario_number_is_an_invalid_phone_when_live(inputs):
    screen = text(dial(*inputs, sandbox=False))
    assert screen.startswith("CON Invalid phone number.")
    assert PENDING not in screen
