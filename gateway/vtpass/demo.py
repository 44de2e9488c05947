"""The demo account's VTPass keys: published fakes, valid only on the local simulator.

The client uses them in `simulator` mode when no keys are configured, and the simulator's
`DEMO_ACCOUNT` is built from them, so the two agree without the gateway importing the
simulator (a separate program).
"""

from __future__ import annotations

DEMO_API_KEY = "demo-api-key-00000000000000000000"
DEMO_PUBLIC_KEY = "PK_demo_0000000000000000000000000000000000000"
DEMO_SECRET_KEY = "SK_demo_0000000000000000000000000000000000000"  # noqa: S105 -- fake
