"""The engine's vocabulary: conversation state, screens, events in and effects out.

Why: flows are pure functions over these values, so the coordinator (which does the I/O) and every
channel agree on one small typed contract, and tests need no fakes. Every type is a frozen, slotted
dataclass; a PIN only ever travels inside an effect and is hidden from `repr`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from gateway.flows.catalogue import ELECTRICITY


class FlowName(StrEnum):
    ONBOARDING = "onboarding"
    MAIN = "main"
    AIRTIME = "airtime"
    DATA = "data"
    ELECTRICITY = "electricity"
    TV = "tv"
    EDUCATION = "education"
    WALLET = "wallet"
    CHECKOUT = "checkout"
    COMMAND = "command"  # a conversation opened by a typed command (SMS)
    SMS_SETTING = "sms_setting"  # turning purchases by SMS on or off (USSD wallet menu)
    FUND = "fund"  # the caller's own account number for bank transfers (wallet menu)


# -- what is bought ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Order:
    """A purchase in the gateway's names; maps 1:1 onto `gateway.purchases.models.PurchaseOrder`.

    `amount` is the face value of ONE unit in kobo (`quantity` units are bought). `phone` is the
    recipient (airtime, data, Showmax) or the buyer's contact number, in E.164.
    `label` is a short product name for receipts and the "buy again" menu.

    A "buy again" entry is a choice, not a price: for a plan or a renewal its `amount` is 0
    (see `repeat.as_choice`) and it is priced again from today's catalogue or a new verify.
    The server prices every submitted order itself; this amount is only what was shown.
    """

    category: str
    service_id: str
    amount: int
    phone: str
    customer_ref: str | None = None
    variation_code: str | None = None
    quantity: int = 1
    subscription_type: str | None = None  # "renew" | "change" (DStv, GOtv only)
    label: str = ""

    @property
    def total(self) -> int:
        return self.amount * self.quantity

    def to_fields(self, prefix: str = "") -> dict[str, str]:
        """The order as flat strings (conversation data, JSON); empty optionals are left out."""
        fields = {
            "cat": self.category,
            "svc": self.service_id,
            "to": self.phone,
            "qty": str(self.quantity),
            "label": self.label,
        }
        if self.amount or not self.unpriced_choice:
            fields["amt"] = str(self.amount)
        optional = {
            "ref": self.customer_ref,
            "var": self.variation_code,
            "sub": self.subscription_type,
        }
        fields.update({k: v for k, v in optional.items() if v})
        return {prefix + k: v for k, v in fields.items()}

    @staticmethod
    def from_fields(data: Mapping[str, str], prefix: str = "") -> Order | None:
        """The order `to_fields` wrote, or None if any required part is missing or malformed."""
        raw_amount = data.get(prefix + "amt")
        try:
            amount = int(raw_amount) if raw_amount is not None else 0
            quantity = int(data[prefix + "qty"])
            order = Order(
                category=data[prefix + "cat"],
                service_id=data[prefix + "svc"],
                amount=amount,
                phone=data[prefix + "to"],
                customer_ref=data.get(prefix + "ref") or None,
                variation_code=data.get(prefix + "var") or None,
                quantity=quantity,
                subscription_type=data.get(prefix + "sub") or None,
                label=data.get(prefix + "label", ""),
            )
        except (KeyError, ValueError):
            return None
        if quantity <= 0 or not order.service_id:
            return None
        # no amount at all is a plan or renewal kept as a choice; a written one must be > 0
        if (raw_amount is None and not order.unpriced_choice) or (
            raw_amount is not None and amount <= 0
        ):
            return None
        return order

    @property
    def unpriced_choice(self) -> bool:
        """A plan or renewal: its price is the catalogue's or the verify's, never kept here."""
        return self.subscription_type == "renew" or (
            self.variation_code is not None and self.category != ELECTRICITY
        )


# -- conversation state --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is on the line, fixed for the session (from `SessionStarted`)."""

    phone: str  # E.164
    seed: str  # unique per session; intent ids are derived from it
    has_pin: bool = True
    recent: tuple[Order, ...] = ()  # newest first; the first three feed "buy again"


@dataclass(frozen=True, slots=True)
class Frame:
    """One entry of the back stack: where the user was, with the data they had entered."""

    flow: FlowName
    step: str
    data: Mapping[str, str]
    intent_id: str | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    """A session's whole state; JSON via `codec`. Never holds a PIN, first or second entry.

    `data` is step-local form data (flat strings). `stack` lets `0` go back. `minted` counts the
    confirm screens shown and only grows (back does not roll it back), so every confirm screen
    gets a fresh `intent_id`. `rev` belongs to the session store (optimistic check on save); the
    engine copies it through unchanged.
    """

    flow: FlowName
    step: str
    caller: Caller
    data: Mapping[str, str] = field(default_factory=dict)
    intent_id: str | None = None
    rev: int = 0
    stack: tuple[Frame, ...] = ()
    minted: int = 0


# -- what the user sees --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Option:
    key: str  # what the user types
    label: str


@dataclass(frozen=True, slots=True)
class Screen:
    """A channel-agnostic reply; `screens.render` turns it into text for a channel profile.

    `hint` is a one-line notice above the message ("Invalid choice."). `more`, `back` and `home`
    ask for the "98 More", "0 Back" and "00 Main menu" lines. An ending screen has no options.
    `secret`: the answer it asks for is a PIN, so a channel that keeps a transcript (a chat)
    deletes that answer once read; the engine sets it on every PIN step.
    """

    message: str
    options: tuple[Option, ...] = ()
    expects_input: bool = True
    ends: bool = False
    hint: str | None = None
    more: bool = False
    back: bool = False
    home: bool = False
    secret: bool = False


# -- events fed to the engine --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionStarted:
    """First hop of a session. The coordinator looks the phone up before calling `advance`.

    `shortcut` holds the extra dial-string segments (`*347*88*1*500#` -> ("1", "500")).
    `resumable` is a conversation dropped less than two minutes ago, to offer resuming it.
    """

    phone: str  # E.164
    seed: str  # unique per session, e.g. the channel's session id
    has_pin: bool
    recent: tuple[Order, ...] = ()
    shortcut: tuple[str, ...] = ()
    resumable: Conversation | None = None


@dataclass(frozen=True, slots=True)
class UserInput:
    """The user's new input only (the USSD adapter strips the already-consumed history)."""

    text: str


@dataclass(frozen=True, slots=True)
class CustomerVerified:
    """Result of `VerifyCustomer` when the number is good."""

    name: str | None = None
    address: str | None = None
    current_bouquet: str | None = None
    current_bouquet_code: str | None = None
    renewal_amount: int | None = None  # kobo
    min_amount: int | None = None  # kobo, electricity


@dataclass(frozen=True, slots=True)
class CustomerInvalid:
    """Result of `VerifyCustomer` when VTPass says the number is wrong (never shown raw)."""

    reason: str | None = None


@dataclass(frozen=True, slots=True)
class PurchaseAccepted:
    """`SubmitPurchase` recorded the purchase (wallet debited); the worker will vend it."""

    reference: str | None = None


class RefusalReason(StrEnum):
    INSUFFICIENT_FUNDS = "insufficient_funds"
    DAILY_LIMIT = "daily_limit"
    ACCOUNT_BLOCKED = "account_blocked"
    INVALID = "invalid"  # amount or quantity out of the product's bounds
    PRICE_CHANGED = "price_changed"  # the server's price is not the one shown; `price` is it
    VERIFY_AGAIN = "verify_again"  # a renewal whose verification expired
    SMS_OFF = "sms_off"  # bought by SMS while the owner has not turned SMS purchases on
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class PurchaseRefused:
    """`SubmitPurchase` was refused and nothing moved."""

    reason: RefusalReason
    balance: int | None = None  # kobo, shown for INSUFFICIENT_FUNDS when known
    price: int | None = None  # kobo, what the order costs now in all (fee included), PRICE_CHANGED


@dataclass(frozen=True, slots=True)
class PinRejected:
    """A PIN check failed; `attempts_left` before the 30-minute lock."""

    attempts_left: int


@dataclass(frozen=True, slots=True)
class PinLocked:
    """Purchases are locked after repeated wrong PINs, until `until` (aware datetime), or
    until the owner resets the PIN (`until` None: repeated locks within a day)."""

    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class PinAccepted:
    """`CheckPin` matched."""


@dataclass(frozen=True, slots=True)
class PinSet:
    """`RegisterUser` or `ChangePin` matched the staged PIN and saved it."""


@dataclass(frozen=True, slots=True)
class PinMismatch:
    """The second PIN entry did not match the staged first one; nothing was saved."""


@dataclass(frozen=True, slots=True)
class SmsPurchasesSet:
    """`SetSmsPurchases` checked the PIN and saved the setting: purchases by SMS are now
    `enabled` (or not)."""

    enabled: bool


class AccountStatus(StrEnum):
    ACTIVE = "active"  # bank, number and name are known
    PENDING = "pending"  # asked for; Paystack is still making it (retried in the background)
    UNAVAILABLE = "unavailable"  # this deployment takes no bank transfers


@dataclass(frozen=True, slots=True)
class FundingAccount:
    """The caller's own bank account number (a Paystack dedicated virtual account): a transfer
    into it funds their wallet. `fee_cap` (kobo) is set when the payer bears Paystack's fee
    (1% of each transfer, at most that much); None when transfers reach the wallet in full."""

    status: AccountStatus
    bank: str | None = None
    number: str | None = None
    name: str | None = None
    fee_cap: int | None = None


@dataclass(frozen=True, slots=True)
class FundingAccountLoaded:
    account: FundingAccount


@dataclass(frozen=True, slots=True)
class BalanceLoaded:
    balance: int  # kobo


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """One past purchase for "Last purchases"; `status` is the purchase status as stored."""

    label: str
    amount: int  # kobo, total paid
    status: str  # initiated | pending | delivered | failed | reversed
    when: datetime | None = None
    recipient: str | None = None  # phone, meter, smartcard...
    token: str | None = None  # electricity token or PIN, when delivered


@dataclass(frozen=True, slots=True)
class HistoryLoaded:
    items: tuple[HistoryItem, ...]


@dataclass(frozen=True, slots=True)
class ServiceUnavailable:
    """Any effect failed for an infrastructure reason; the session ends politely."""


Event = (
    SessionStarted
    | UserInput
    | CustomerVerified
    | CustomerInvalid
    | PurchaseAccepted
    | PurchaseRefused
    | PinRejected
    | PinLocked
    | PinAccepted
    | PinSet
    | PinMismatch
    | SmsPurchasesSet
    | FundingAccountLoaded
    | BalanceLoaded
    | HistoryLoaded
    | ServiceUnavailable
)


# -- effects the coordinator runs ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerifyCustomer:
    """merchant-verify. Feed back CustomerVerified | CustomerInvalid | ServiceUnavailable."""

    service_id: str
    customer_ref: str
    verify_type: str | None = None  # electricity: prepaid|postpaid; JAMB: the variation code


@dataclass(frozen=True, slots=True)
class SubmitPurchase:
    """Check the PIN, then record the purchase under `intent_id` (idempotency key). Never /pay.

    Feed back PurchaseAccepted | PurchaseRefused | PinRejected | PinLocked | ServiceUnavailable.
    """

    intent_id: str
    order: Order
    pin: str = field(repr=False)
    total: int | None = None  # kobo, the total the confirm screen showed; the submit must match


@dataclass(frozen=True, slots=True)
class LoadBalance:
    """Feed back BalanceLoaded | ServiceUnavailable."""


@dataclass(frozen=True, slots=True)
class LoadHistory:
    """Feed back HistoryLoaded (newest first, at most `limit`) | ServiceUnavailable."""

    limit: int = 5


@dataclass(frozen=True, slots=True)
class StagePin:
    """Remember a keyed HMAC of the first PIN entry for this session; no event is fed back."""

    pin: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class RegisterUser:
    """Compare `pin` with the staged HMAC; if equal, create the user (if new) and set the PIN.

    Feed back PinSet | PinMismatch | ServiceUnavailable.
    """

    phone: str
    pin: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class CheckPin:
    """Check the current PIN (counts toward lockout). Feed back PinAccepted | PinRejected |
    PinLocked | ServiceUnavailable."""

    pin: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class ChangePin:
    """Compare `pin` with the staged HMAC; if equal, replace the user's PIN.

    Feed back PinSet | PinMismatch | ServiceUnavailable.
    """

    pin: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class SetSmsPurchases:
    """Check the PIN (counts toward lockout); if right, turn purchases by SMS on or off.

    Feed back SmsPurchasesSet | PinRejected | PinLocked | ServiceUnavailable.
    """

    enabled: bool
    pin: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class LoadFundingAccount:
    """The caller's account number, asked for if it never was. Feed back FundingAccountLoaded
    (pending while it is being made) | ServiceUnavailable."""


Effect = (
    VerifyCustomer
    | SubmitPurchase
    | LoadBalance
    | LoadHistory
    | StagePin
    | RegisterUser
    | CheckPin
    | ChangePin
    | SetSmsPurchases
    | LoadFundingAccount
)


@dataclass(frozen=True, slots=True)
class Transition:
    """What one step returns. `state` None means the conversation is over (`reply.ends`)."""

    state: Conversation | None
    reply: Screen
    effects: tuple[Effect, ...] = ()
