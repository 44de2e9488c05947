"""The simulator's in-memory Paystack: transactions, customers, dedicated accounts, refunds.

One store for every configured key; each record remembers the key (so the mode, `test` or
`live`) that made it, and webhooks are signed with that key. Time is the injected clock.
"""

from __future__ import annotations

import itertools
import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gateway.paystack.fees import card_fee, transfer_fee
from gateway.paystack.simulator.config import PaystackSimConfig
from gateway.paystack.simulator.webhooks import WebhookDispatcher

_ALNUM = string.ascii_lowercase + string.digits
# test cards (§6): the number decides the outcome when a checkout names one
CARD_OUTCOMES = {
    "4084084084084081": "success",
    "507850785078507812": "success",
    "5060666666666666666": "success",
    "4084080000000409": "success",
    "4084080000005408": "failed",
    "507850785078507853": "failed",
    "4084080000670037": "failed",
}
PROVIDERS = {
    "test-bank": ("Test Bank", 24),
    "wema-bank": ("Wema Bank", 20),
    "titan-paystack": ("Paystack-Titan", 27),
}


def _code(prefix: str, length: int = 15) -> str:
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(length))


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def domain_of(key: str) -> str:
    return "live" if key.startswith("sk_live_") else "test"


@dataclass(slots=True)
class SimTransaction:
    id: int
    key: str = field(repr=False)
    reference: str
    access_code: str
    amount: int
    requested_amount: int
    email: str
    customer_code: str
    created_at: datetime
    status: str = "abandoned"
    channel: str = "card"
    fees: int | None = None
    paid_at: datetime | None = None
    gateway_response: str | None = None
    metadata: Any = None
    callback_url: str | None = None
    authorization: dict[str, Any] = field(default_factory=dict)
    refunded: int = 0

    @property
    def domain(self) -> str:
        return domain_of(self.key)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "domain": self.domain,
            "status": self.status,
            "reference": self.reference,
            "amount": self.amount,
            "requested_amount": self.requested_amount,
            "currency": "NGN",
            "channel": self.channel,
            "gateway_response": self.gateway_response,
            "message": None,
            "fees": self.fees,
            "paid_at": iso(self.paid_at) if self.paid_at else None,
            "paidAt": iso(self.paid_at) if self.paid_at else None,
            "created_at": iso(self.created_at),
            "metadata": self.metadata if self.metadata is not None else "",
            "authorization": self.authorization,
            "customer": {"email": self.email, "customer_code": self.customer_code},
        }


@dataclass(slots=True)
class SimCustomer:
    id: int
    key: str = field(repr=False)
    code: str
    email: str
    first_name: str | None
    last_name: str | None
    phone: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "customer_code": self.code,
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "phone": self.phone,
            "domain": domain_of(self.key),
        }


@dataclass(slots=True)
class SimAccount:
    id: int
    customer: SimCustomer
    number: str
    name: str
    provider: str
    active: bool = True

    def to_json(self) -> dict[str, Any]:
        bank, bank_id = PROVIDERS[self.provider]
        return {
            "bank": {"name": bank, "id": bank_id, "slug": self.provider},
            "account_name": self.name,
            "account_number": self.number,
            "assigned": True,
            "currency": "NGN",
            "active": self.active,
            "id": self.id,
            "customer": self.customer.to_json(),
        }


class SimulatorError(Exception):
    """A request the simulated Paystack refuses: HTTP status and the §1 error body."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": False, "message": str(self)}
        if self.code is not None:
            body.update(type="validation_error", code=self.code, meta={"nextStep": str(self)})
        return body


class PaystackState:
    """Everything the simulator remembers, and the operations both APIs share."""

    def __init__(self, config: PaystackSimConfig) -> None:
        self.config = config
        self.clock = config.clock
        self.webhooks = WebhookDispatcher(
            config.clock,
            url=config.webhook_url,
            time_scale=config.time_scale,
            timeout_s=config.webhook_timeout_s,
        )
        self.reset()

    def reset(self) -> None:
        self.transactions: dict[str, SimTransaction] = {}
        self.by_access: dict[str, SimTransaction] = {}
        self.customers: dict[str, SimCustomer] = {}
        self.accounts: dict[str, SimAccount] = {}
        self.faults: dict[str, list[int]] = {}  # path prefix -> [status, remaining]
        self.webhooks.reset()
        self._ids = itertools.count(4_099_260_516)
        self._numbers = itertools.count(9_930_000_001)

    # -- faults ----------------------------------------------------------------------------

    def fault_for(self, path: str) -> int | None:
        for prefix, fault in self.faults.items():
            if path.startswith(prefix) and fault[1] > 0:
                fault[1] -= 1
                return fault[0]
        return None

    # -- customers and accounts ------------------------------------------------------------

    def customer(self, key: str, email: str, **names: str | None) -> SimCustomer:
        """The customer with this e-mail (returned again, as third parties report), else new."""
        for found in self.customers.values():
            if found.email == email and found.key == key:
                return found
        made = SimCustomer(
            next(self._ids),
            key,
            _code("CUS_"),
            email,
            names.get("first_name"),
            names.get("last_name"),
            names.get("phone"),
        )
        self.customers[made.code] = made
        return made

    def open_account(self, key: str, customer_code: str, provider: str) -> SimAccount:
        customer = self.customers.get(customer_code)
        if customer is None or customer.key != key:
            raise SimulatorError(404, "Customer not found")
        if provider not in PROVIDERS:
            raise SimulatorError(400, "Invalid preferred bank", "invalid_params")
        if (provider == "test-bank") != (domain_of(key) == "test"):
            raise SimulatorError(400, "Dedicated NUBAN not available for this bank")
        if not (customer.first_name and customer.last_name and customer.phone):
            raise SimulatorError(400, "Customer first name, last name and phone are required")
        for account in self.accounts.values():
            if account.customer is customer and account.active:
                return account
        if len(self.accounts) >= self.config.account_limit:
            raise SimulatorError(400, "Dedicated account limit reached")
        name = f"{self.config.product_name}/{customer.first_name} {customer.last_name}".upper()
        account = SimAccount(
            next(self._ids), customer, str(next(self._numbers)), name[:120], provider
        )
        self.accounts[account.number] = account
        return account

    def restore_account(
        self, key: str, *, customer_code: str, number: str, name: str, provider: str
    ) -> SimAccount:
        """An account made before this simulator started: Paystack never forgets one, so the
        embedded simulator, whose memory ends with its process, is told it again at start."""
        customer = self.customers.get(customer_code)
        if customer is None:
            customer = SimCustomer(
                next(self._ids),
                key,
                customer_code,
                f"{customer_code.lower()}@restored",
                None,
                None,
                None,
            )
            self.customers[customer_code] = customer
        account = SimAccount(next(self._ids), customer, number, name, provider)
        self.accounts[number] = account
        if number.isdigit():  # numbers made from now on never repeat a restored one
            self._numbers = itertools.count(max(int(number) + 1, next(self._numbers)))
        return account

    # -- transactions ----------------------------------------------------------------------

    def initialize(self, key: str, body: dict[str, Any]) -> SimTransaction:
        email, amount, reference = body.get("email"), body.get("amount"), body.get("reference")
        if not isinstance(email, str) or "@" not in email:
            raise SimulatorError(400, "Email Address is required", "missing_params")
        if isinstance(amount, str) and amount.isdigit():
            amount = int(amount)
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 5_000:
            raise SimulatorError(400, "Invalid Amount Sent", "invalid_params")
        if reference is None:
            reference = _code("", 10)
        if not isinstance(reference, str) or not _reference_ok(reference):
            raise SimulatorError(400, "Invalid reference", "invalid_params")
        if reference in self.transactions:
            raise SimulatorError(400, "Duplicate Transaction Reference", "duplicate_reference")
        customer = self.customer(key, email)
        txn = SimTransaction(
            id=next(self._ids),
            key=key,
            reference=reference,
            access_code=_code("", 15),
            amount=amount,
            requested_amount=amount,
            email=email,
            customer_code=customer.code,
            created_at=self.clock.now(),
            metadata=body.get("metadata"),
            callback_url=body.get("callback_url")
            if isinstance(body.get("callback_url"), str)
            else None,
        )
        self.transactions[reference] = txn
        self.by_access[txn.access_code] = txn
        return txn

    def complete_checkout(
        self, txn: SimTransaction, outcome: str, card: str | None = None, charged: int | None = None
    ) -> None:
        """Pay (or decline) a checkout as the page would; success fires `charge.success`."""
        if txn.status != "abandoned":
            raise SimulatorError(400, f"Transaction already {txn.status}")
        if card is not None:
            outcome = CARD_OUTCOMES.get(card.replace(" ", ""), "failed")
        if outcome == "abandon":
            return
        now = self.clock.now()
        if outcome != "success":
            txn.status, txn.gateway_response = "failed", "Declined"
            return
        txn.amount = charged if charged is not None else txn.amount
        txn.status, txn.gateway_response, txn.paid_at = "success", "Successful", now
        txn.fees = card_fee(txn.amount)
        number = (card or "4084084084084081").replace(" ", "")
        txn.authorization = {
            "authorization_code": _code("AUTH_", 10),
            "bin": number[:6],
            "last4": number[-4:],
            "channel": "card",
            "card_type": "visa ",
            "bank": "TEST BANK",
            "country_code": "NG",
            "brand": "visa",
            "reusable": True,
        }
        self.webhooks.send(txn.key, txn.domain, "charge.success", txn.to_json())

    def transfer(
        self, account_number: str, amount: int, sender: str, *, deliver: bool
    ) -> SimTransaction:
        """A bank transfer into a dedicated account (spec §H): a new transaction and event."""
        account = self.accounts.get(account_number)
        if account is None or not account.active:
            raise SimulatorError(404, "No active dedicated account has that number")
        if amount <= 0:
            raise SimulatorError(400, "amount must be positive kobo")
        now = self.clock.now()
        customer = account.customer
        txn = SimTransaction(
            id=next(self._ids),
            key=customer.key,
            reference=_code("T", 15),
            access_code=_code("", 15),
            amount=amount,
            requested_amount=amount,
            email=customer.email,
            customer_code=customer.code,
            created_at=now,
            status="success",
            channel="dedicated_nuban",
            fees=transfer_fee(amount),
            paid_at=now,
            gateway_response="Approved",
            authorization={
                "authorization_code": _code("AUTH_", 10),
                "channel": "dedicated_nuban",
                "card_type": "transfer",
                "bank": "First City Monument Bank",
                "country_code": "NG",
                "brand": "Managed Account",
                "reusable": False,
                "sender_bank": "First City Monument Bank",
                "sender_bank_account_number": "XXXXXX0011",
                "sender_country": "NG",
                "sender_name": sender,
                "narration": f"NIP: {sender}",
                "receiver_bank_account_number": account.number,
                "receiver_bank": PROVIDERS[account.provider][0],
            },
        )
        self.transactions[txn.reference] = txn
        if deliver:
            self.webhooks.send(txn.key, txn.domain, "charge.success", txn.to_json())
        return txn

    def refund(self, key: str, transaction: Any, amount: int | None) -> dict[str, Any]:
        """`POST /refund` (§7): queued, then pending -> processing -> processed events."""
        txn = self.transactions.get(str(transaction)) or next(
            (t for t in self.transactions.values() if str(t.id) == str(transaction)), None
        )
        if txn is None or txn.key != key:
            raise SimulatorError(404, "Transaction not found")
        if txn.status not in ("success", "reversed"):
            raise SimulatorError(400, "Transaction has not been paid")
        amount = txn.amount - txn.refunded if amount is None else amount
        if amount <= 0 or amount > txn.amount - txn.refunded:
            raise SimulatorError(400, "Refund amount cannot be greater than transaction amount")
        txn.refunded += amount
        if txn.refunded >= txn.amount:
            txn.status = "reversed"
        refund = {"id": next(self._ids), "status": "pending", "amount": amount, "currency": "NGN"}
        for status in ("pending", "processing", "processed"):
            data = {
                "status": status,
                "transaction_reference": txn.reference,
                "refund_reference": None if status != "processed" else str(refund["id"]),
                "amount": str(amount),
                "currency": "NGN",
                "domain": txn.domain,
                "customer": {"email": txn.email},
            }
            self.webhooks.send(txn.key, txn.domain, f"refund.{status}", data)
        return {**refund, "transaction": {"id": txn.id, "reference": txn.reference}}


def _reference_ok(reference: str) -> bool:
    allowed = set(string.ascii_letters + string.digits + "-.=")
    return 0 < len(reference) <= 100 and set(reference) <= allowed
