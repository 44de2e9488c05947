"""USSD handsets whose hops go to the gateways in turn, as AT's would behind a load balancer.

`Alternating` is the `client` of a `tests/ussd/phone.Phone`: each `post` goes to the next
gateway, so no two consecutive hops of a session meet the same process.
"""

from __future__ import annotations

from itertools import count

import httpx

from tests.ussd.phone import Phone

HOP_TIMEOUT_S = 15.0  # well above AT's own (the gateway answers within its reply budget)


class Alternating:
    """An `httpx.AsyncClient` stand-in that sends each request to the next base URL."""

    def __init__(self, base_urls: list[str]) -> None:
        self._clients = [httpx.AsyncClient(base_url=u, timeout=HOP_TIMEOUT_S) for u in base_urls]
        self._turn = count()
        self.sent_to: list[int] = []  # which gateway took each request

    async def post(self, url: str, **kwargs: object) -> httpx.Response:
        index = next(self._turn) % len(self._clients)
        self.sent_to.append(index)
        return await self._clients[index].post(url, **kwargs)  # type: ignore[arg-type]

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()


def handset(client: Alternating, number: str) -> Phone:
    return Phone(client, number)  # type: ignore[arg-type]


PIN = "2580"
DELIVERS = "08011111111"  # the simulator delivers airtime to this number and fails any other
# Same menus (0801 names no network), refused by VTPass. One purchase each per scenario: VTPass
# (and the simulator) answers a second /pay for a number within 30 s with 019 "likely duplicate"
# and keeps no transaction of it, so a worker killed before it read that answer would find 015
# on requery and wait out `unsent_grace_s`; and no /pay may go unrecorded for the audit.
FAILS = tuple(f"0801{d * 7}" for d in "2345678")
RECEIVED = "END Request received. Ref PL-"


async def buy_airtime(phone: Phone, naira: int, pin: str = PIN) -> str:
    """Airtime for the handset's own number, every hop a new request; the last answer."""
    await phone.dial()
    await phone.send("1", "1", "1", str(naira))  # airtime, my number, MTN, amount
    return await phone.send(pin)
