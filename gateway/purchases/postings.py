"""The ledger legs of each purchase event, as pure functions (what `service` posts).

submit     wallet   -> clearing              total
delivered  clearing -> vtpass_float          face
           clearing -> fee_revenue           fee - discount (reversed if negative)
failed     clearing -> wallet                total
reversed   the delivery legs mirrored, with the wallet in place of clearing
"""

from __future__ import annotations

from gateway.store.ledger import AccountRef, Leg, Side, SystemAccounts, transfer
from gateway.store.purchases import PurchaseRecord


def _wallet(purchase: PurchaseRecord) -> AccountRef:
    return AccountRef(purchase.account_id, is_wallet=True)


def debit(purchase: PurchaseRecord, system: SystemAccounts) -> list[Leg]:
    return transfer(_wallet(purchase), system.clearing, purchase.total)


def refund(purchase: PurchaseRecord, system: SystemAccounts) -> list[Leg]:
    return transfer(system.clearing, _wallet(purchase), purchase.total)


def _delivered_from(
    source: AccountRef, purchase: PurchaseRecord, system: SystemAccounts
) -> list[Leg]:
    legs = [
        Leg(source, Side.DEBIT, purchase.total),
        Leg(system.vtpass_float, Side.CREDIT, purchase.face_amount),
    ]
    margin = purchase.fee - purchase.discount  # our revenue; a discount above the fee costs us
    if margin > 0:
        legs.append(Leg(system.fee_revenue, Side.CREDIT, margin))
    elif margin < 0:
        legs.append(Leg(system.fee_revenue, Side.DEBIT, -margin))
    return legs


def delivery(purchase: PurchaseRecord, system: SystemAccounts) -> list[Leg]:
    return _delivered_from(system.clearing, purchase, system)


def reversal(purchase: PurchaseRecord, system: SystemAccounts) -> list[Leg]:
    flipped = {Side.DEBIT: Side.CREDIT, Side.CREDIT: Side.DEBIT}
    return [
        Leg(leg.account, flipped[leg.side], leg.amount)
        for leg in _delivered_from(_wallet(purchase), purchase, system)
    ]
