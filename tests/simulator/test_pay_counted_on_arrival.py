"""`/__sim/pay-requests` counts a `/pay` as it arrives, not as it is answered.

Why: a resilience test kills a worker only once VTPass has its payment (a worker killed before
its `/pay` left makes VTPass answer 015 later, a different story); with the answer held back by
injected latency, the count is how the test knows.
"""

from __future__ import annotations

import asyncio

from tests.simulator.test_abandoned_pay import AIRTIME, pay_requests


async def test_a_pay_is_counted_while_its_answer_is_still_held_back(vt):
    await vt.control("latency", {"seconds": 2.0})
    request_id = vt.request_id()
    paying = asyncio.create_task(
        vt.http.post(
            vt.sim.base_url + "pay",
            json={"request_id": request_id, **AIRTIME},
            headers=vt.post_headers,
        )
    )
    try:
        for _ in range(100):
            if await pay_requests(vt, request_id):
                break
            await asyncio.sleep(0.01)
        assert await pay_requests(vt, request_id) == 1
        assert not paying.done()
    finally:
        await vt.control("latency", {"seconds": 0})
        await paying
    assert await pay_requests(vt, request_id) == 1
