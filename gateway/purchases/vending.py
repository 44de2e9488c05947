"""Vending: claim due purchases, send each one `/pay` at most once, requery, keep leases alive.

A purchase is claimed (initiated -> pending, leased to this worker) in the same statement
that picks it as due, before its `/pay` leaves: nobody can send it again. Every answer goes
to `Settlement`; the only decisions made here are pure (`pay_request`, the backoff).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.domain.purchase_status import PurchaseStatus
from gateway.errors import InvalidInput, UpstreamError, UpstreamUnavailable
from gateway.money import Kobo
from gateway.phones import to_local
from gateway.purchases.deps import PurchaseDeps
from gateway.purchases.models import VendingGateway
from gateway.purchases.products import billers_code
from gateway.purchases.settlement import Settlement, requery_delay
from gateway.store import purchases as store
from gateway.store.purchases import PurchaseRecord
from gateway.vtpass.models import Outcome, PayRequest, PayResult
from gateway.vtpass.request_ids import new_request_id, request_id_date_is_today


def pay_request(purchase: PurchaseRecord) -> PayRequest:
    """The `/pay` call for a purchase, always with its stored request_id."""
    options = dict(purchase.options)
    subscription_type = options.pop("subscription_type", None)
    phone = to_local(purchase.phone)
    return PayRequest(
        request_id=purchase.request_id,
        service_id=purchase.service_id,
        phone=phone,
        amount=Kobo(purchase.unit_amount),
        # VTPass wants a billersCode for data (011 without one): the recipient's phone
        customer_ref=billers_code(
            purchase.category, purchase.service_id, purchase.customer_ref, phone
        ),
        variation_code=purchase.variation_code,
        subscription_type=subscription_type,
        quantity=purchase.quantity if purchase.quantity > 1 else None,
        extra=options,
    )


class Vending:
    """The worker's side of a purchase: claim, `/pay`, requery, leases."""

    def __init__(self, deps: PurchaseDeps, settlement: Settlement) -> None:
        self._deps = deps
        self._settlement = settlement

    async def claim_batch(self, limit: int = 100) -> list[tuple[PurchaseRecord, PurchaseStatus]]:
        """Lease due purchases and claim the initiated ones for `/pay` in one transaction.

        (purchase as claimed, status it was due in): initiated ones go to `vend_claimed`,
        pending ones to `requery`.
        """
        now = self._deps.clock.now()
        async with self._deps.db.begin() as session:
            return await store.claim_due_for_vend(
                session,
                now=now,
                worker=self._deps.worker_id,
                lease_until=self._deps.lease_until(now),
                limit=limit,
            )

    async def vend_claimed(
        self, claimed: PurchaseRecord, gateway: VendingGateway
    ) -> PurchaseRecord:
        """Send the one `/pay` of a purchase `claim_batch` claimed for this worker, and settle.

        If the request provably never left, the purchase goes back to initiated (same
        request_id) for a later try; any other failure leaves it pending for requery.
        """
        if (
            claimed.vend_claimed_by != self._deps.worker_id
            or claimed.status is not PurchaseStatus.PENDING
        ):
            raise InvalidInput(f"purchase {claimed.id} is not claimed for /pay by this worker")
        if not request_id_date_is_today(claimed.request_id, self._deps.clock):
            async with self._deps.db.begin() as session:
                claimed = await self._reissue_request_id(session, claimed, self._deps.clock.now())
        request = pay_request(claimed)
        try:
            result = await gateway.pay(request)
        except UpstreamUnavailable as exc:
            return await self._unsent(claimed, request, exc)
        except UpstreamError as exc:
            # It may have reached VTPass: pending, and only a requery may tell.
            result = PayResult(Outcome.PENDING, claimed.request_id, reason=f"{exc.code}: {exc}")
        return await self._settlement.settle(
            claimed.id, result, source="pay", request=asdict(request)
        )

    async def _reissue_request_id(
        self, session: AsyncSession, claimed: PurchaseRecord, now: datetime
    ) -> PurchaseRecord:
        # Only a purchase claimed from initiated gets here, i.e. VTPass provably never took its
        # id; an id dated before today would be refused with 085, and for that same reason the
        # old one can never be accepted later, so a fresh one cannot double-charge.
        fresh = new_request_id(self._deps.clock)
        await store.add_audit(
            session,
            purchase_id=claimed.id,
            at=now,
            op="reissue",
            request={"old_request_id": claimed.request_id, "new_request_id": fresh},
        )
        updated = await store.transition(
            session, claimed.id, {PurchaseStatus.PENDING}, {"request_id": fresh}
        )
        assert updated is not None  # noqa: S101 - we hold the claim in this transaction
        return updated

    async def _unsent(
        self, claimed: PurchaseRecord, request: PayRequest, exc: UpstreamUnavailable
    ) -> PurchaseRecord:
        now = self._deps.clock.now()
        delay = requery_delay(self._deps.policy, claimed.attempts + 1)
        async with self._deps.db.begin() as session:
            await store.add_audit(
                session,
                purchase_id=claimed.id,
                at=now,
                op="pay",
                outcome="unsent",
                request=asdict(request),
                response={"error": f"{exc.code}: {exc}"},
            )
            await store.release_unsent(
                session,
                claimed.id,
                worker=self._deps.worker_id,
                now=now,
                retry_at=now + timedelta(seconds=delay),
            )
        return await self._deps.get(claimed.id)

    async def requery(self, purchase_id: int, gateway: VendingGateway) -> PurchaseRecord:
        """Ask VTPass about a purchase and settle the answer; never sends `/pay`.

        A pending purchase is leased for the call; a delivered one is asked too, because only
        a requery may confirm a reversal (a webhook's word never moves money). Other
        statuses, or a pending purchase another worker holds, are returned as they are.
        """
        deps = self._deps
        now = deps.clock.now()
        async with deps.db.begin() as session:
            claimed = await store.claim_for_requery(
                session,
                purchase_id,
                worker=deps.worker_id,
                now=now,
                lease_until=deps.lease_until(now),
            )
        if claimed is None:
            current = await deps.get(purchase_id)
            if current.status is not PurchaseStatus.DELIVERED:
                return current
            claimed = current  # settling a reversal is compare-and-set: no lease needed
        try:
            result = await gateway.requery(claimed.request_id)
        except UpstreamError:
            if claimed.status is not PurchaseStatus.PENDING:
                return claimed
            async with deps.db.begin() as session:
                await store.release_claim(
                    session,
                    purchase_id,
                    worker=deps.worker_id,
                    now=now,
                    retry_at=now + timedelta(seconds=deps.policy.requery_base_s),
                )
            return await deps.get(purchase_id)
        return await self._settlement.settle(
            purchase_id, result, source="requery", request={"request_id": claimed.request_id}
        )

    async def release_claims(self) -> int:
        """Give up every lease this worker holds (graceful shutdown); returns how many.

        Pending purchases become due for a requery soon; none is ever sent `/pay` again.
        """
        now = self._deps.clock.now()
        requery_at = now + timedelta(seconds=self._deps.policy.requery_base_s)
        async with self._deps.db.begin() as session:
            return await store.release_worker_claims(
                session, worker=self._deps.worker_id, now=now, requery_at=requery_at
            )

    async def extend_leases(self, purchase_ids: Collection[int]) -> int:
        """The worker's heartbeat: keep this worker's leases on these purchases alive for
        another `vend_lease_s`, in one statement; returns how many it still holds."""
        if not purchase_ids:
            return 0
        lease = self._deps.lease_until(self._deps.clock.now())
        async with self._deps.db.begin() as session:
            return await store.extend_leases(
                session, purchase_ids, worker=self._deps.worker_id, lease_until=lease
            )
