"""Property: no sequence of inputs, over the simulator's full catalogue, breaks the handset.

Through the real route (Redis sessions, Postgres, the simulator answering verifies, purchases
submitted for real): whatever a user types, resends, or keeps typing after an END, every reply
is 200 `text/plain`, starts `CON `/`END `, fits 160 GSM-7 septets, and holds only GSM-7
characters. Examples are bounded so CI stays quick.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ussd.conftest import PIN, customer
from tests.ussd.phone import Phone

RESEND = "<resend>"
PLAUSIBLE = [
    "0", "00", "98", "99", "", " ", "*", "#", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10",
    PIN, "1234", "7391", "0000", "50", "500", "1000", "50000", "1,500", "N500", "08031234567",
    "08011111111", "+2348051234567", "1111111111111", "1010101010101", "1212121212",
    "0123456789", "9" * 40, "1*2", "₦500", "é", "٣", RESEND,
]  # fmt: skip
inputs = st.lists(
    st.one_of(
        st.sampled_from(PLAUSIBLE),
        st.sampled_from(PLAUSIBLE),  # twice as likely as free text: walk deep into the menus
        st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    ),
    max_size=14,
)
PHONES = ["08031234567", "08051234567", "08011111111"]  # funded, unknown, nearly broke


@pytest.fixture
async def customers(gateway):
    """Made once for all examples (function-scoped fixtures are not reset between them)."""
    await customer(gateway, "08031234567")
    await customer(gateway, "08011111111", naira=50)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    number=st.sampled_from(PHONES),
    steps=inputs,
    code=st.sampled_from(["*347*88#", "*347*88*1*500#", "*347*88*4*1#"]),
)
async def test_any_inputs_give_a_valid_screen(customers, client, number, steps, code):
    handset = Phone(client, number)
    await handset.dial(code)  # every reply passes `check_reply`
    for step in steps:
        if step == RESEND:
            await handset.resend()
            continue
        handset.inputs.append(step.replace("\x00", ""))
        await handset.post()
