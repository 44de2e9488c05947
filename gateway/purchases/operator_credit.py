"""Operator wallet credits (REST and CLI): a per-credit ceiling, who made each, an audit line.

A credit creates money in a wallet out of `funding`, so a stolen operator login or a typo
(`50000000` for `500000`) is capped per credit, and every credit names its maker on the
journal (`actor`, `actor_ip`) and in the log.
"""

from __future__ import annotations

import getpass
import logging
import socket
from dataclasses import dataclass

from gateway.errors import InvalidInput
from gateway.logs import mask_msisdn
from gateway.money import format_gsm
from gateway.purchases.models import Credit
from gateway.purchases.service import PurchaseService

logger = logging.getLogger(__name__)


class CreditOverLimit(InvalidInput):
    """One credit above `PAYLINK_OPERATOR_CREDIT_MAX`; nothing moved."""

    code = "credit_over_limit"

    def __init__(self, amount: int, ceiling: int) -> None:
        super().__init__(
            f"a single operator credit may be at most {format_gsm(ceiling)} "
            f"(PAYLINK_OPERATOR_CREDIT_MAX); {format_gsm(amount)} was refused"
        )
        self.ceiling = ceiling


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a credit: `user:<id>` (REST, with the caller's address) or `cli:<user>@<host>`."""

    who: str
    ip: str | None = None

    @classmethod
    def operator(cls, user_id: int, ip: str) -> Actor:
        return cls(f"user:{user_id}", ip[:45])

    @classmethod
    def cli(cls) -> Actor:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no login name (e.g. a container's bare uid)
            user = "unknown"
        return cls(f"cli:{user}@{socket.gethostname()}"[:120])


def check_ceiling(amount: int, ceiling: int) -> None:
    """Raises `CreditOverLimit` when `amount` kobo is above `ceiling` kobo."""
    if amount > ceiling:
        raise CreditOverLimit(amount, ceiling)


async def operator_credit(
    service: PurchaseService,
    *,
    phone: str,
    amount: int,
    reference: str,
    actor: Actor,
    ceiling: int,
    name: str | None = None,
) -> Credit:
    """Credit a wallet for an operator, once per reference, within the ceiling.

    Raises:
        CreditOverLimit: above the ceiling. InvalidInput, Conflict: as `credit_wallet`.
    """
    check_ceiling(amount, ceiling)
    credit = await service.credit_wallet(
        phone, amount, reference, name=name, actor=actor.who, actor_ip=actor.ip
    )
    logger.info(
        "operator_credit actor=%s ip=%s user_id=%d phone=%s amount_kobo=%d reference=%s created=%s",
        actor.who,
        actor.ip or "-",
        credit.user_id,
        mask_msisdn(phone),
        amount,
        reference,
        credit.created,
    )
    return credit
