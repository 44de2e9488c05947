"""Texts queued with the money: a wallet credit's SMS, and a receipt naming the account holder.

Each is written in the transaction that moves the money, so it is queued exactly once.
"""

from __future__ import annotations

from gateway.domain.purchase_status import PurchaseStatus
from gateway.store import outbox
from gateway.vtpass.models import Outcome, PayResult
from tests.purchases.conftest import PHONE, electricity, funded_user, vend
from tests.purchases.fakes import FakeVTPass

N = 100


async def texts_to(service, phone: str = PHONE) -> list[str]:
    async with service.sessionmaker() as session:
        return [m.body for m in reversed(await outbox.recent(session, phone=phone))]


async def test_a_wallet_credit_texts_the_amount_and_the_new_balance(service):
    await service.credit_wallet(PHONE, 2_500 * N, "BANK-1")
    await service.credit_wallet(PHONE, 1_000 * N, "BANK-2")

    assert await texts_to(service, "+2348031234567") == [
        "PayLink: N2,500 was added to your wallet. New balance: N2,500.",
        "PayLink: N1,000 was added to your wallet. New balance: N3,500.",
    ]


async def test_a_repeated_credit_reference_is_not_texted_again(service):
    await service.credit_wallet(PHONE, 2_500 * N, "BANK-1")
    await service.credit_wallet("2348031234567", 2_500 * N, "BANK-1")

    assert len(await texts_to(service, "+2348031234567")) == 1


async def test_a_delivered_token_receipt_names_the_holder_vtpass_gave(service):
    user_id = await funded_user(service, 10_000)
    purchase = (await service.submit(user_id, electricity(1_000), idempotency_key="k")).purchase
    pending = await vend(service, purchase.id, FakeVTPass(Outcome.PENDING))
    answer = PayResult(
        Outcome.DELIVERED,
        pending.request_id,
        code="000",
        token="26362054405982757802",
        units="79.9 kWh",
        raw={"code": "000", "customerName": "ADEBAYO OLUWASEUN", "customerAddress": "N/A"},
    )

    done = await service.settle(purchase.id, answer)

    assert done.status is PurchaseStatus.DELIVERED
    async with service.sessionmaker() as session:
        (receipt,) = await outbox.for_purchase(session, purchase.id)
    assert receipt.body == (
        "PayLink: Ikeja Electric for meter 1111111111111 (ADEBAYO OLUWASEUN) successful."
        " Paid N1,100. Token: 2636-2054-4059-8275-7802. Units: 79.9 kWh."
        f" Ref {purchase.reference}"
    )
