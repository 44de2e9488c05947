"""Check every ledger invariant of architecture.md §3 and list what is wrong (read-only).

1. the sum over all entries is zero, and so is each journal's;
2. no wallet is negative, and each cached wallet balance equals its entries' sum;
3. each purchase carries exactly the journals its status implies (settled exactly once),
   each for the purchase's total;
4. the clearing account holds exactly the totals of the open purchases;
5. no settled purchase is flagged for review: VTPass charged a figure other than its face
   amount (`vtpass_amount`), which server-side pricing should make impossible;
6. every Paystack funding carries exactly the journals its status implies (credited once,
   for what was promised to its wallet), and no funding journal lacks its funding. Fundings
   held for review (an amount mismatch, a refund after spending) are listed, not failed:
   their money is where the ledger says.

`paylink reconcile` prints the report and exits non-zero when it is not clean.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.domain.purchase_status import OPEN_STATUSES, PurchaseStatus
from gateway.store.ledger import JournalKind, Side, load_system_accounts
from gateway.store.tables import Account, Entry, Funding, Journal, Purchase

_EXPECTED_JOURNALS: dict[PurchaseStatus, Counter[str]] = {
    PurchaseStatus.INITIATED: Counter({JournalKind.PURCHASE_DEBIT: 1}),
    PurchaseStatus.PENDING: Counter({JournalKind.PURCHASE_DEBIT: 1}),
    PurchaseStatus.DELIVERED: Counter(
        {JournalKind.PURCHASE_DEBIT: 1, JournalKind.PURCHASE_DELIVERED: 1}
    ),
    PurchaseStatus.FAILED: Counter({JournalKind.PURCHASE_DEBIT: 1, JournalKind.PURCHASE_REFUND: 1}),
    PurchaseStatus.REVERSED: Counter(
        {
            JournalKind.PURCHASE_DEBIT: 1,
            JournalKind.PURCHASE_DELIVERED: 1,
            JournalKind.PURCHASE_REVERSAL: 1,
        }
    ),
}
_SIGNED = case((Entry.side == Side.CREDIT.value, Entry.amount), else_=-Entry.amount)


@dataclass(frozen=True, slots=True)
class Discrepancy:
    check: str  # which invariant
    subject: str  # what it is about, e.g. "account 7", "purchase 42"
    detail: str


@dataclass(slots=True)
class ReconcileReport:
    discrepancies: list[Discrepancy] = field(default_factory=list)
    purchases_checked: int = 0
    wallets_checked: int = 0
    journals_checked: int = 0
    fundings_checked: int = 0
    fundings_for_review: list[str] = field(default_factory=list)  # shown, not failed

    @property
    def ok(self) -> bool:
        return not self.discrepancies

    def add(self, check: str, subject: str, detail: str) -> None:
        self.discrepancies.append(Discrepancy(check, subject, detail))

    def render(self) -> str:
        """Plain text for the CLI."""
        head = (
            f"checked {self.journals_checked} journals, {self.wallets_checked} wallets, "
            f"{self.purchases_checked} purchases: "
        )
        head += f"{self.fundings_checked} fundings: " if self.fundings_checked else ""
        review = [f"  [funding_review] {line}" for line in self.fundings_for_review]
        if self.ok:
            return "\n".join([head + "no discrepancies", *review])
        lines = [head + f"{len(self.discrepancies)} discrepancies"]
        lines += [f"  [{d.check}] {d.subject}: {d.detail}" for d in self.discrepancies]
        return "\n".join([*lines, *review])


async def reconcile(session: AsyncSession) -> ReconcileReport:
    """Run every check in the session's transaction (use a snapshot: see `reconcile_database`)."""
    report = ReconcileReport()
    await _check_entries(session, report)
    await _check_wallets(session, report)
    await _check_purchases(session, report)
    await _check_charged_amounts(session, report)
    await _check_fundings(session, report)
    return report


async def reconcile_database(sessionmaker: async_sessionmaker[AsyncSession]) -> ReconcileReport:
    """`reconcile` on one consistent snapshot, so purchases in flight cause no false alarms."""
    async with sessionmaker() as session:
        options = {}
        if session.get_bind().dialect.name == "postgresql":
            options["isolation_level"] = "REPEATABLE READ"
        await session.connection(execution_options=options)  # begins the snapshot
        try:
            return await reconcile(session)
        finally:
            await session.rollback()  # read-only: nothing to keep


async def _check_entries(session: AsyncSession, report: ReconcileReport) -> None:
    total = await session.scalar(select(func.coalesce(func.sum(_SIGNED), 0)))
    if total:
        report.add("entries_sum_zero", "ledger", f"all entries sum to {total}, not 0")
    unbalanced = await session.execute(
        select(Journal.id, func.coalesce(func.sum(_SIGNED), 0))
        .outerjoin(Entry, Entry.journal_id == Journal.id)
        .group_by(Journal.id)
        .having(func.coalesce(func.sum(_SIGNED), 0) != 0)
    )
    for journal_id, net in unbalanced:
        report.add("journal_balanced", f"journal {journal_id}", f"credits - debits = {net}")
    report.journals_checked = int(await session.scalar(select(func.count(Journal.id))) or 0)


async def _check_wallets(session: AsyncSession, report: ReconcileReport) -> None:
    derived = func.coalesce(func.sum(_SIGNED), 0)
    rows = await session.execute(
        select(Account.id, Account.code, Account.balance, derived)
        .outerjoin(Entry, Entry.account_id == Account.id)
        .where(Account.kind == "wallet")
        .group_by(Account.id, Account.code, Account.balance)
    )
    for account_id, code, cached, summed in rows:
        report.wallets_checked += 1
        subject = f"account {account_id} ({code})"
        if summed < 0 or (cached or 0) < 0:
            report.add("wallet_not_negative", subject, f"balance {summed} (cached {cached})")
        if cached != summed:
            report.add("wallet_cache", subject, f"cached {cached} but entries sum to {summed}")


async def _check_purchases(session: AsyncSession, report: ReconcileReport) -> None:
    clearing = (await load_system_accounts(session)).clearing.id
    purchases = {
        pid: (PurchaseStatus(status), total, account_id)
        for pid, status, total, account_id in await session.execute(
            select(Purchase.id, Purchase.status, Purchase.total, Purchase.account_id)
        )
    }
    report.purchases_checked = len(purchases)
    journals: dict[int, Counter[str]] = defaultdict(Counter)
    for purchase_id, kind in await session.execute(
        select(Journal.purchase_id, Journal.kind).where(Journal.purchase_id.is_not(None))
    ):
        if purchase_id is not None:
            journals[purchase_id][kind] += 1
    # net movement of each purchase's journals on each account
    moved: dict[tuple[int, int], int] = defaultdict(int)
    for purchase_id, account_id, net in await session.execute(
        select(Journal.purchase_id, Entry.account_id, func.sum(_SIGNED))
        .join(Entry, Entry.journal_id == Journal.id)
        .where(Journal.purchase_id.is_not(None))
        .group_by(Journal.purchase_id, Entry.account_id)
    ):
        moved[purchase_id, account_id] = int(net)
    for purchase_id in journals.keys() - purchases.keys():
        report.add("settled_once", f"purchase {purchase_id}", "journals for no purchase")
    open_total = 0
    for purchase_id, (status, total, wallet) in purchases.items():
        subject = f"purchase {purchase_id}"
        is_open = status in OPEN_STATUSES
        open_total += total if is_open else 0
        expected = _EXPECTED_JOURNALS[status]
        found = journals.get(purchase_id, Counter())
        if found != expected:
            report.add(
                "settled_once", subject, f"{status} expects {dict(expected)}, found {dict(found)}"
            )
        # open: the total sits in clearing; delivered: it left the wallet for good; refunded:
        # the wallet got it all back and clearing kept nothing
        want_clearing = total if is_open else 0
        want_wallet = -total if is_open or status is PurchaseStatus.DELIVERED else 0
        got_clearing = moved.get((purchase_id, clearing), 0)
        got_wallet = moved.get((purchase_id, wallet), 0)
        if (got_clearing, got_wallet) != (want_clearing, want_wallet):
            report.add(
                "purchase_amounts",
                subject,
                f"{status} total {total}: clearing moved {got_clearing} (want {want_clearing}),"
                f" wallet moved {got_wallet} (want {want_wallet})",
            )
    held = await session.scalar(
        select(func.coalesce(func.sum(_SIGNED), 0)).where(Entry.account_id == clearing)
    )
    if held != open_total:
        report.add(
            "clearing_matches_open", "clearing", f"holds {held}, open purchases total {open_total}"
        )


async def _check_charged_amounts(session: AsyncSession, report: ReconcileReport) -> None:
    rows = await session.execute(
        select(
            Purchase.id,
            Purchase.status,
            Purchase.service_id,
            Purchase.face_amount,
            Purchase.vtpass_amount,
        )
        .where(
            Purchase.needs_review.is_(True),
            Purchase.status.not_in([s.value for s in OPEN_STATUSES]),
        )
        .order_by(Purchase.id)
    )
    for purchase_id, status, service_id, face, charged in rows:
        report.add(
            "vtpass_amount",
            f"purchase {purchase_id}",
            f"{status} {service_id}: face amount {face}, VTPass charged "
            f"{'an unknown amount' if charged is None else charged}; flagged for review",
        )


_FUNDING_JOURNALS: dict[str, Counter[str]] = {
    "credited": Counter({JournalKind.FUNDING: 1}),
    "reversed": Counter({JournalKind.FUNDING: 1, JournalKind.FUNDING_REVERSAL: 1}),
}


async def _check_fundings(session: AsyncSession, report: ReconcileReport) -> None:
    """Check 6: journals `paystack:<ref>` / `paystack-reversal:<ref>` against the fundings."""
    fundings = {
        ref: (status, credit, wallet, reason)
        for ref, status, credit, wallet, reason in await session.execute(
            select(
                Funding.reference,
                Funding.status,
                Funding.credit_amount,
                Funding.account_id,
                Funding.review_reason,
            )
        )
    }
    report.fundings_checked = len(fundings)
    journals: dict[str, Counter[str]] = defaultdict(Counter)
    to_wallet: dict[str, int] = defaultdict(int)
    kinds = (JournalKind.FUNDING.value, JournalKind.FUNDING_REVERSAL.value)
    rows = await session.execute(
        select(Journal.reference, Journal.kind, Entry.account_id, _SIGNED)
        .join(Entry, Entry.journal_id == Journal.id)
        .where(Journal.kind.in_(kinds))
    )
    seen: set[tuple[str, str]] = set()
    for reference, kind, account_id, signed in rows:
        ref = reference.split(":", 1)[1]
        if (reference, kind) not in seen:
            seen.add((reference, kind))
            journals[ref][kind] += 1
        funding = fundings.get(ref)
        if funding is not None and account_id == funding[2]:
            to_wallet[ref] += int(signed)
    for ref in journals.keys() - fundings.keys():
        report.add("funding_credited_once", f"journal paystack:{ref}", "no funding has it")
    for ref, (status, credit, _wallet, reason) in fundings.items():
        found = journals.get(ref, Counter())
        allowed: tuple[Counter[str], ...]
        if status == "review":
            report.fundings_for_review.append(f"funding {ref}: {reason}")
            allowed = (Counter(), _FUNDING_JOURNALS["credited"])
        else:
            allowed = (_FUNDING_JOURNALS.get(status, Counter()),)
        if found not in allowed:
            report.add(
                "funding_credited_once", f"funding {ref}", f"{status}: journals {dict(found)}"
            )
            continue
        want = credit if found == _FUNDING_JOURNALS["credited"] else 0
        if to_wallet.get(ref, 0) != want:
            report.add(
                "funding_amounts",
                f"funding {ref}",
                f"{status}: wallet moved {to_wallet.get(ref, 0)}, want {want}",
            )
