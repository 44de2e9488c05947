"""An offline Paystack for tests and the embedded default (paystack.md §9, "Simulator spec").

A separate program: only `gateway.embedded_paystack` and the CLI import it, and it imports only
leaf modules plus Paystack's shared pure values (`signature`, `fees`); the import-linter
contracts in pyproject.toml say so.
"""

from gateway.paystack.simulator.config import PaystackSimConfig
from gateway.paystack.simulator.server import (
    RunningPaystackSimulator,
    run_paystack_simulator,
    start_paystack_simulator,
)

__all__ = [
    "PaystackSimConfig",
    "RunningPaystackSimulator",
    "run_paystack_simulator",
    "start_paystack_simulator",
]
