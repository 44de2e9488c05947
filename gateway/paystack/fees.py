"""Paystack's Nigerian fees (paystack.md §5.2) and what reaches the wallet under each bearer.

Cards and other local payments: 1.5% plus ₦100 above ₦2,500, capped at ₦2,000. Transfers into
a dedicated account: 1% capped at ₦300. Integer kobo throughout; halves round up.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.funding_settings import FeeBearer

_WAIVER_UP_TO = 250_000  # the ₦100 is waived up to and including ₦2,500 (pypaystack2)
_FLAT = 10_000
_LOCAL_CAP = 200_000
_DVA_CAP = 30_000
TRANSFER_FEE_CAP = _DVA_CAP  # what payers are told: "1% of each transfer, at most ₦300"


def _percent(amount: int, basis_points: int) -> int:
    return (amount * basis_points + 5_000) // 10_000  # round half up, integers only


def card_fee(amount: int) -> int:
    """Paystack's fee on a local payment of `amount` kobo."""
    flat = _FLAT if amount > _WAIVER_UP_TO else 0
    return min(_percent(amount, 150) + flat, _LOCAL_CAP)


def transfer_fee(amount: int) -> int:
    """Paystack's fee on a transfer of `amount` kobo into a dedicated account."""
    return min(_percent(amount, 100), _DVA_CAP)


@dataclass(frozen=True, slots=True)
class FeeQuote:
    """What the payer pays, Paystack's fee, and what the wallet gets: shown before paying."""

    amount: int
    fee: int
    credit: int


def quote(amount: int, fee: int, bearer: FeeBearer) -> FeeQuote:
    """The wallet gets the whole amount when PayLink bears the fee, else the amount less it."""
    credit = amount if bearer is FeeBearer.PAYLINK else amount - fee
    return FeeQuote(amount, fee, credit)
