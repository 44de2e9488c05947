"""Reading what a USSD journey left behind: purchases, their settlement, receipts."""

from __future__ import annotations

import re

from gateway.domain.purchase_status import PurchaseStatus
from gateway.store import outbox
from gateway.store.purchases import PurchaseRecord, list_for_user
from tests.worker.harness import Harness, eventually

_ACK = r"Request received\. Ref PL-[2-9A-HJKMNP-TV-Z]{8}\. You will get an SMS\."


class Acknowledgement:
    """Equal to the USSD acknowledgement naming any well-formed purchase reference."""

    def __init__(self, prefix: str = "END ") -> None:
        self._pattern = re.compile(re.escape(prefix) + _ACK)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self._pattern.fullmatch(other) is not None

    def __hash__(self) -> int:
        return hash(self._pattern)

    def __repr__(self) -> str:
        return f"<USSD acknowledgement {self._pattern.pattern!r}>"


RECEIVED = Acknowledgement()
SHOWN_RECEIVED = Acknowledgement(prefix="")  # as `paylink ussd` prints it


async def purchases(gateway: Harness, user_id: int) -> list[PurchaseRecord]:
    """The user's purchases, newest first."""
    async with gateway.db() as session:
        return await list_for_user(session, user_id, limit=50)


async def delivered(gateway: Harness, user_id: int, count: int = 1) -> PurchaseRecord:
    """Exactly `count` purchases exist; the newest, once the worker has delivered it."""
    found = await purchases(gateway, user_id)
    assert len(found) == count, found
    done = await gateway.wait_status(found[0].id, {PurchaseStatus.DELIVERED})
    assert sum(gateway.transport.pays.values()) == count  # one /pay per purchase, no more
    return done


async def receipt(gateway: Harness, purchase_id: int) -> str:
    async def sent():
        async with gateway.db() as session:
            messages = await outbox.for_purchase(session, purchase_id)
        return [m for m in messages if m.status == "sent"]

    messages = await eventually(sent, what="the receipt to be sent")
    assert len(messages) == 1
    return messages[0].body
