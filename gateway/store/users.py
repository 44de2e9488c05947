"""Users and their wallets: a user is never created without the wallet account beside it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import Conflict
from gateway.phones import Msisdn
from gateway.store.tables import Account, Base, User, accounts_table


@dataclass(frozen=True, slots=True)
class UserRef:
    """A user as the money core needs it: who, and which wallet account."""

    id: int
    phone: str
    account_id: int
    status: str = "active"
    name: str | None = None
    role: str = "user"


@dataclass(frozen=True, slots=True)
class Access:
    """What every authenticated API request re-reads: may this user act, and as what."""

    status: str
    role: str


@dataclass(frozen=True, slots=True)
class LockedWallet:
    account_id: int
    balance: int
    user_status: str


def _insert_ignoring_conflict(session: AsyncSession, model: type[Base]) -> Any:
    # INSERT ... ON CONFLICT DO NOTHING: concurrent creators of one phone both succeed
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model).on_conflict_do_nothing()


_USER_REF = (User.id, User.phone, Account.id, User.status, User.name, User.role)


async def find_by_phone(session: AsyncSession, phone: Msisdn) -> UserRef | None:
    """The user with this E.164 phone, with their wallet."""
    row = (
        await session.execute(
            select(*_USER_REF).join(Account, Account.user_id == User.id).where(User.phone == phone)
        )
    ).first()
    return None if row is None else UserRef(*row)


async def get(session: AsyncSession, user_id: int) -> UserRef | None:
    row = (
        await session.execute(
            select(*_USER_REF).join(Account, Account.user_id == User.id).where(User.id == user_id)
        )
    ).first()
    return None if row is None else UserRef(*row)


async def access(session: AsyncSession, user_id: int) -> Access | None:
    """The user's status and role (one primary-key lookup); None for no such user."""
    row = (await session.execute(select(User.status, User.role).where(User.id == user_id))).first()
    return None if row is None else Access(row.status, row.role)


async def change_status(
    session: AsyncSession, user_id: int, *, to: str, allowed_from: Collection[str], now: datetime
) -> UserRef | None:
    """Set the user's status if it is one of `allowed_from` (or already `to`); the user after.

    None when there is no such user. The caller compares the returned status with `to`.
    """
    await session.execute(
        update(User)
        .where(User.id == user_id, User.status.in_(list(allowed_from)))
        .values(status=to, updated_at=now)
    )
    return await get(session, user_id)


async def set_role(session: AsyncSession, user_id: int, role: str, now: datetime) -> bool:
    """Give the user `role`; whether anything changed (False: already so, or no such user).

    The caller commits. API requests re-read the role (`access`), so it takes effect at once.
    """
    result = await session.execute(
        update(User)
        .where(User.id == user_id, User.role != role)
        .values(role=role, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def _ensure_wallet(session: AsyncSession, user_id: int, now: datetime) -> None:
    await session.execute(
        _insert_ignoring_conflict(session, Account).values(
            code=f"wallet:{user_id}", kind="wallet", user_id=user_id, balance=0, created_at=now
        )
    )


async def get_or_create(
    session: AsyncSession, phone: Msisdn, *, now: datetime, name: str | None = None
) -> tuple[UserRef, bool]:
    """The user with `phone`, created with an empty wallet if unknown; (user, created)."""
    found = await find_by_phone(session, phone)
    if found is not None:
        return found, False
    result = await session.execute(
        _insert_ignoring_conflict(session, User)
        .values(phone=phone, name=name, created_at=now, updated_at=now)
        .returning(User.id)
    )
    user_id = result.scalar_one_or_none()
    created = user_id is not None
    if user_id is None:  # a concurrent creator won; its transaction made the wallet too
        user_id = (await session.execute(select(User.id).where(User.phone == phone))).scalar_one()
    await _ensure_wallet(session, user_id, now)
    user = await get(session, user_id)
    assert user is not None  # noqa: S101 - inserted or found just above
    return user, created


async def create_user(
    session: AsyncSession,
    *,
    phone: Msisdn,
    now: datetime,
    name: str | None = None,
    email: str | None = None,
    password_hash: str | None = None,
    role: str = "user",
) -> UserRef:
    """Register a new user with a wallet (web sign-up, operators).

    Raises:
        Conflict: the phone or (case-insensitively) the email is already registered.
    """
    try:
        async with session.begin_nested():
            user_id = (
                await session.execute(
                    insert(User)
                    .values(
                        phone=phone,
                        name=name,
                        email=email,
                        password_hash=password_hash,
                        role=role,
                        created_at=now,
                        updated_at=now,
                    )
                    .returning(User.id)
                )
            ).scalar_one()
    except IntegrityError as exc:
        raise Conflict("phone or email already registered") from exc
    await _ensure_wallet(session, user_id, now)
    user = await get(session, user_id)
    assert user is not None  # noqa: S101 - inserted just above
    return user


async def find_by_email(session: AsyncSession, email: str) -> UserRef | None:
    row = (
        await session.execute(
            select(*_USER_REF)
            .join(Account, Account.user_id == User.id)
            .where(func.lower(User.email) == email.lower())
        )
    ).first()
    return None if row is None else UserRef(*row)


_ACCOUNTS, _PEOPLE = accounts_table.c, User.__table__.c
_LOCK_WALLETS = (
    select(_ACCOUNTS.user_id, _ACCOUNTS.id, _ACCOUNTS.balance, _PEOPLE.status)
    .join_from(accounts_table, User.__table__, _PEOPLE.id == _ACCOUNTS.user_id)
    .where(_ACCOUNTS.user_id.in_(bindparam("user_ids", expanding=True)))
    .order_by(_ACCOUNTS.id)
    .with_for_update(of=accounts_table)
)


async def lock_wallet(session: AsyncSession, user_id: int) -> LockedWallet | None:
    """Lock the user's wallet row for this transaction and read its balance.

    Every money movement on a wallet takes this lock first, so a user's submits, refunds and
    credits queue behind each other instead of racing on the balance.
    """
    return (await lock_wallets(session, [user_id])).get(user_id)


async def lock_wallets(session: AsyncSession, user_ids: Collection[int]) -> dict[int, LockedWallet]:
    """`lock_wallet` for many users at once, locked in account order (so two batches that
    share wallets queue instead of deadlocking); users without a wallet are left out."""
    if not user_ids:
        return {}
    rows = await session.execute(_LOCK_WALLETS, {"user_ids": sorted(user_ids)})
    return {
        user_id: LockedWallet(account_id=account_id, balance=int(balance or 0), user_status=status)
        for user_id, account_id, balance, status in rows
    }
