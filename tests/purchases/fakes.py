"""A stateful fake VTPass for the service tests: scripted answers, every call recorded.

It refuses a second `/pay` for a request_id it has already accepted, so any code path that
pays twice fails the test that takes it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable

from gateway.errors import GatewayError, UpstreamUnavailable
from gateway.vtpass.models import Outcome, PayRequest, PayResult

Answer = Outcome | GatewayError


class FakeVTPass:
    def __init__(
        self,
        pay: Answer | Iterable[Answer] = Outcome.DELIVERED,
        requery: Answer | Iterable[Answer] = Outcome.DELIVERED,
        *,
        token: str | None = None,
        units: str | None = None,
        pins: tuple[str, ...] = (),
        delay_s: float = 0.0,
    ) -> None:
        self._pay = self._script(pay)
        self._requery = self._script(requery)
        self.token, self.units, self.pins = token, units, pins
        self.delay_s = delay_s
        self.pay_calls: list[PayRequest] = []
        self.requery_calls: list[str] = []
        self.accepted: set[str] = set()  # request ids VTPass "has"

    @staticmethod
    def _script(answers: Answer | Iterable[Answer]) -> deque[Answer]:
        if isinstance(answers, Outcome | GatewayError):
            return deque([answers])
        return deque(answers)

    @staticmethod
    def _next(script: deque[Answer]) -> Answer:
        # the last answer repeats forever
        return script.popleft() if len(script) > 1 else script[0]

    def _result(self, outcome: Outcome, request_id: str) -> PayResult:
        delivered = outcome is Outcome.DELIVERED
        return PayResult(
            outcome=outcome,
            request_id=request_id,
            code="000" if delivered else "016",
            description=f"fake {outcome}",
            reason=None if delivered else f"fake says {outcome}",
            status=str(outcome),
            transaction_id=f"T{len(self.pay_calls)}{request_id[-6:]}",
            token=self.token if delivered else None,
            units=self.units if delivered else None,
            pins=self.pins if delivered else (),
            http_status=200,
            raw={"code": "000", "requestId": request_id, "api-key": "must-not-be-stored"},
        )

    async def pay(self, request: PayRequest) -> PayResult:
        assert request.request_id not in self.accepted, f"/pay twice for {request.request_id}"
        self.pay_calls.append(request)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        answer = self._next(self._pay)
        if isinstance(answer, UpstreamUnavailable):
            raise answer  # provably never left: VTPass does not have it
        self.accepted.add(request.request_id)
        if isinstance(answer, GatewayError):
            raise answer
        return self._result(answer, request.request_id)

    async def requery(self, request_id: str) -> PayResult:
        self.requery_calls.append(request_id)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        answer = self._next(self._requery)
        if isinstance(answer, GatewayError):
            raise answer
        if request_id not in self.accepted:
            return PayResult(Outcome.NOT_FOUND, request_id, code="015")
        return self._result(answer, request_id)

    def paid(self, request_id: str) -> int:
        return sum(call.request_id == request_id for call in self.pay_calls)
