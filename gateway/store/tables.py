"""The schema as SQLAlchemy models; Alembic revisions in `migrations/` are what creates it.

Money is integer kobo in BIGINT columns. Enumerations are strings with CHECK constraints (no
native Postgres enums) so that SQLite and Postgres share one schema and revisions stay simple.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# SQLite only auto-increments an INTEGER PRIMARY KEY, Postgres gets BIGSERIAL.
IdType = BigInteger().with_variant(Integer(), "sqlite")
JsonType = JSON().with_variant(JSONB(), "postgresql")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes in UTC on both backends (SQLite stores naive UTC text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware clock")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self,
        value: Any | None,
        dialect: Dialect,  # noqa: ARG002 - the hook's signature
    ) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)  # noqa: S101 - the driver's contract
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


USER_STATUSES = ("active", "suspended", "closed")
USER_ROLES = ("user", "operator", "admin")
ACCOUNT_KINDS = ("wallet", "system")
SYSTEM_ACCOUNTS = ("vtpass_float", "fee_revenue", "clearing", "funding")
SIDES = ("debit", "credit")
JOURNAL_KINDS = (
    "credit",
    "purchase_debit",
    "purchase_delivered",
    "purchase_refund",
    "purchase_reversal",
    "adjustment",
    "funding",  # Paystack settlement -> wallet (migration 0014)
    "funding_reversal",  # wallet -> Paystack settlement: a refund or chargeback
)
CHANNELS = ("ussd", "sms", "telegram", "api", "cli")
PURCHASE_STATUSES = ("initiated", "pending", "delivered", "failed", "reversed")
OUTBOX_CHANNELS = ("sms", "telegram")
# `sending`: claimed by a worker under a lease (`lease_until`), see gateway/worker/outbox_lane.py
OUTBOX_STATUSES = ("queued", "sending", "sent", "failed")


def one_of(column: str, values: tuple[str, ...]) -> str:
    """A CHECK expression limiting `column` to `values`."""
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(one_of("status", USER_STATUSES), name="status"),
        CheckConstraint(one_of("role", USER_ROLES), name="role"),
        CheckConstraint("pin_failed_count >= 0", name="pin_failed_count"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), unique=True)  # E.164
    name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    pin_failed_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    pin_locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the hard lock (security/pin_lockout.py): purchases refused until the owner resets the PIN
    pin_reset_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    pin_last_lock_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    pin_prior_lock_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    role: Mapped[str] = mapped_column(String(16), default="user", server_default="user")
    # purchases by text command: off until the owner turns them on with the PIN (migration 0011)
    sms_purchases: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # notices other than receipts and codes by SMS: on until the owner texts STOP
    sms_notices: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


# emails are unique ignoring case; NULLs (users without an email) never collide
Index("uq_users_email_lower", func.lower(User.email), unique=True)


class Account(Base):
    """A ledger account: one wallet per user, plus the named system accounts.

    Only wallets cache a balance (updated under the row lock with each posting); system
    balances are summed from entries, so no single hot row serialises every purchase.
    """

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(one_of("kind", ACCOUNT_KINDS), name="kind"),
        CheckConstraint(
            "(kind = 'wallet' AND user_id IS NOT NULL AND balance IS NOT NULL)"
            " OR (kind = 'system' AND user_id IS NULL AND balance IS NULL)",
            name="shape",
        ),
        CheckConstraint("balance >= 0", name="wallet_not_negative"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    balance: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Journal(Base):
    """One balanced posting. `reference` is unique: it is what makes a posting happen once."""

    __tablename__ = "journals"
    __table_args__ = (CheckConstraint(one_of("kind", JOURNAL_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    reference: Mapped[str] = mapped_column(String(160), unique=True)
    purchase_id: Mapped[int | None] = mapped_column(ForeignKey("purchases.id"), index=True)
    memo: Mapped[str | None] = mapped_column(String(255))
    # who made an operator posting (`user:<id>`, `cli:<os user>@<host>`) and from which address
    actor: Mapped[str | None] = mapped_column(String(120))
    actor_ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Entry(Base):
    """One leg of a journal: a positive amount on one side of one account."""

    __tablename__ = "entries"
    __table_args__ = (
        CheckConstraint(one_of("side", SIDES), name="side"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    journal_id: Mapped[int] = mapped_column(ForeignKey("journals.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    side: Mapped[str] = mapped_column(String(6))
    amount: Mapped[int] = mapped_column(BigInteger)


class Purchase(Base):
    __tablename__ = "purchases"
    __table_args__ = (
        CheckConstraint(one_of("channel", CHANNELS), name="channel"),
        CheckConstraint(one_of("status", PURCHASE_STATUSES), name="status"),
        CheckConstraint("quantity >= 1", name="quantity"),
        CheckConstraint("face_amount > 0 AND fee >= 0 AND discount >= 0", name="amounts"),
        CheckConstraint("total = face_amount + fee - discount AND total > 0", name="total"),
        CheckConstraint("attempts >= 0", name="attempts"),
        UniqueConstraint("user_id", "idempotency_key"),
        Index("ix_purchases_status_next_requery_at", "status", "next_requery_at"),
        Index("ix_purchases_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))  # the wallet debited
    channel: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    service_id: Mapped[str] = mapped_column(String(64))
    product: Mapped[str] = mapped_column(String(100))  # label for receipts and statements
    customer_ref: Mapped[str | None] = mapped_column(String(64))
    variation_code: Mapped[str | None] = mapped_column(String(64))
    # provider options sent with /pay as they are (subscription_type, insurance fields)
    options: Mapped[dict[str, str] | None] = mapped_column(JsonType)
    phone: Mapped[str] = mapped_column(String(16))  # recipient, E.164
    quantity: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    face_amount: Mapped[int] = mapped_column(BigInteger)
    fee: Mapped[int] = mapped_column(BigInteger)
    discount: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    request_id: Mapped[str] = mapped_column(String(40), unique=True)
    # the customer-facing reference (`gateway.purchases.references`); never changes
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(128))
    request_hash: Mapped[str] = mapped_column(String(64))
    vtpass_transaction_id: Mapped[str | None] = mapped_column(String(64))
    vtpass_code: Mapped[str | None] = mapped_column(String(8))
    failure_reason: Mapped[str | None] = mapped_column(String(255))
    token: Mapped[str | None] = mapped_column(String(128))
    units: Mapped[str | None] = mapped_column(String(64))
    pins: Mapped[list[str] | None] = mapped_column(JsonType)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_requery_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    vend_claimed_by: Mapped[str | None] = mapped_column(String(64))
    vend_claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    pay_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # what VTPass reported it charged (face, before commission) when it delivered; a figure
    # other than face_amount flags the purchase for review (revision 0005)
    vtpass_amount: Mapped[int | None] = mapped_column(BigInteger)
    # when the one "still confirming" SMS of a purchase pending for long was queued (0012)
    pending_notice_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PurchaseAudit(Base):
    """Every VTPass exchange about a purchase, append-only, credentials removed."""

    __tablename__ = "purchase_audit"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    purchase_id: Mapped[int] = mapped_column(ForeignKey("purchases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    op: Mapped[str] = mapped_column(String(16))  # pay | requery | webhook | settle
    outcome: Mapped[str | None] = mapped_column(String(16))
    http_status: Mapped[int | None] = mapped_column(Integer)
    request: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    response: Mapped[dict[str, Any] | None] = mapped_column(JsonType)


class Outbox(Base):
    """Notifications waiting to be sent; written in the same transaction as the money."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(one_of("channel", OUTBOX_CHANNELS), name="channel"),
        CheckConstraint(one_of("status", OUTBOX_STATUSES), name="status"),
        Index("ix_outbox_status_created_at", "status", "created_at"),
        Index("ix_outbox_phone_created_at", "phone", "created_at"),
        # the worker's claim: one channel's due messages
        Index("ix_outbox_channel_status_next_attempt_at", "channel", "status", "next_attempt_at"),
        # delivery reports name the provider's message id
        Index("ix_outbox_provider_message_id", "provider_message_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    phone: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default="queued", server_default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    purchase_id: Mapped[int | None] = mapped_column(ForeignKey("purchases.id"), index=True)
    provider_message_id: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the send queue (migration 0010): when a queued message is next due, and a claim's lease
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # what the provider answered (AT: the recipient's statusCode, status and cost, as given)
    provider_status_code: Mapped[int | None] = mapped_column(Integer)
    provider_status: Mapped[str | None] = mapped_column(String(32))
    provider_cost: Mapped[str | None] = mapped_column(String(32))
    # the latest delivery report that counts (see gateway/sms/delivery_status.py)
    delivery_status: Mapped[str | None] = mapped_column(String(32))
    delivery_failure_reason: Mapped[str | None] = mapped_column(String(64))
    delivery_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PricingRuleRow(Base):
    """An operator-editable pricing rule; `*` means any category or service."""

    __tablename__ = "pricing_rules"
    __table_args__ = (
        UniqueConstraint("category", "service_id"),
        CheckConstraint(
            "fee_flat >= 0 AND fee_bp >= 0 AND discount_bp >= 0 AND discount_bp <= 10000",
            name="non_negative",
        ),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    category: Mapped[str] = mapped_column(String(32))
    service_id: Mapped[str] = mapped_column(String(64), default="*", server_default="*")
    fee_flat: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    fee_bp: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    fee_cap: Mapped[int | None] = mapped_column(BigInteger)
    discount_bp: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    discount_cap: Mapped[int | None] = mapped_column(BigInteger)
    min_amount: Mapped[int | None] = mapped_column(BigInteger)
    max_amount: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Verification(Base):
    """The renewal amount VTPass's merchant-verify gave one user for one card, while fresh.

    A DStv/GOtv renewal is charged this, never the client's figure (see `purchases.ordering`).
    """

    __tablename__ = "verifications"
    __table_args__ = (
        UniqueConstraint("user_id", "service_id", "customer_ref"),
        CheckConstraint("renewal_amount > 0", name="renewal_amount"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    service_id: Mapped[str] = mapped_column(String(64))
    customer_ref: Mapped[str] = mapped_column(String(64))
    renewal_amount: Mapped[int] = mapped_column(BigInteger)
    bouquet_code: Mapped[str | None] = mapped_column(String(64))
    verified_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


CHAT_CHANNELS = ("telegram",)


class ChatLink(Base):
    """A chat app's user linked to a PayLink user (Telegram: by a contact they shared, C7).

    One link per chat user and one per PayLink user on each channel: linking again moves it.
    `chat_id` is where receipts go (a private chat's id; Telegram makes it the user's id).
    """

    __tablename__ = "chat_links"
    __table_args__ = (
        CheckConstraint(one_of("channel", CHAT_CHANNELS), name="channel"),
        UniqueConstraint("channel", "chat_user"),
        UniqueConstraint("channel", "user_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_user: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


# Wallet funding through Paystack (migration 0014); the credits are `funding` journals.
PAYSTACK_ACCOUNTS = ("paystack", "paystack_fees")  # settlement receivable, fee expense
FUNDING_KINDS = ("card", "transfer")
FUNDING_STATUSES = ("open", "credited", "failed", "abandoned", "review", "reversed")
DEDICATED_ACCOUNT_STATUSES = ("pending", "active", "failed")


class Funding(Base):
    """One payment into a wallet: a card checkout we started, or a transfer into a user's
    dedicated account. `reference` is Paystack's transaction reference (ours for checkouts)."""

    __tablename__ = "fundings"
    __table_args__ = (
        CheckConstraint(one_of("kind", FUNDING_KINDS), name="kind"),
        CheckConstraint(one_of("status", FUNDING_STATUSES), name="status"),
        CheckConstraint("amount > 0 AND fee >= 0 AND credit_amount > 0", name="amounts"),
        UniqueConstraint("user_id", "idempotency_key"),
        Index("ix_fundings_status_next_verify_at", "status", "next_verify_at"),
        Index("ix_fundings_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))  # the wallet
    kind: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(100), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    amount: Mapped[int] = mapped_column(BigInteger)  # what the payer pays
    fee: Mapped[int] = mapped_column(BigInteger)  # Paystack's fee as stated before paying
    credit_amount: Mapped[int] = mapped_column(BigInteger)  # what reaches the wallet
    status: Mapped[str] = mapped_column(String(16))
    review_reason: Mapped[str | None] = mapped_column(String(255))
    authorization_url: Mapped[str | None] = mapped_column(String(500))
    paystack_id: Mapped[str | None] = mapped_column(String(32))
    paid_amount: Mapped[int | None] = mapped_column(BigInteger)  # what verify said was charged
    paid_fees: Mapped[int | None] = mapped_column(BigInteger)  # what Paystack kept
    channel: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_verify_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    credited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PaystackEvent(Base):
    """Every signed webhook event once: the unique key is how redeliveries are recognised."""

    __tablename__ = "paystack_events"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    event_key: Mapped[str] = mapped_column(String(200), unique=True)
    event: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(String(100), index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(32))


class DedicatedAccount(Base):
    """A user's own bank account number at Paystack (a DVA): transfers into it fund the wallet."""

    __tablename__ = "dedicated_accounts"
    __table_args__ = (
        CheckConstraint(one_of("status", DEDICATED_ACCOUNT_STATUSES), name="status"),
        Index("ix_dedicated_accounts_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(32))
    customer_code: Mapped[str | None] = mapped_column(String(32))
    bank_name: Mapped[str | None] = mapped_column(String(64))
    account_number: Mapped[str | None] = mapped_column(String(10), unique=True)
    account_name: Mapped[str | None] = mapped_column(String(120))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


# Core handles on the hot tables: the money paths run Core statements (no ORM unit of work,
# no identity map), which costs a fraction of the CPU per statement.
accounts_table = cast(Table, Account.__table__)
journals_table = cast(Table, Journal.__table__)
entries_table = cast(Table, Entry.__table__)
purchases_table = cast(Table, Purchase.__table__)
outbox_table = cast(Table, Outbox.__table__)
audit_table = cast(Table, PurchaseAudit.__table__)
chat_links_table = cast(Table, ChatLink.__table__)
fundings_table = cast(Table, Funding.__table__)
paystack_events_table = cast(Table, PaystackEvent.__table__)
dedicated_accounts_table = cast(Table, DedicatedAccount.__table__)
