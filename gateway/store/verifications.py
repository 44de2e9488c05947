"""Verified renewal amounts, kept server-side per (user, service, card) until they expire.

Why in the database: a verify and the renewal it prices may reach different gateway processes
(behind a load balancer, or a USSD hop and a web request), and only a shared store lets every
one of them charge what VTPass said rather than what a client says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store.tables import Verification


@dataclass(frozen=True, slots=True)
class VerifiedRenewal:
    renewal_amount: int  # kobo
    bouquet_code: str | None
    verified_at: datetime
    expires_at: datetime


def _upsert(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(Verification)


async def record(
    session: AsyncSession,
    *,
    user_id: int,
    service_id: str,
    customer_ref: str,
    renewal_amount: int,
    bouquet_code: str | None,
    at: datetime,
    expires_at: datetime,
) -> None:
    """Keep (or replace) this user's verified renewal amount for the card."""
    values = {
        "renewal_amount": renewal_amount,
        "bouquet_code": bouquet_code,
        "verified_at": at,
        "expires_at": expires_at,
    }
    statement = _upsert(session).values(
        user_id=user_id, service_id=service_id, customer_ref=customer_ref, **values
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "service_id", "customer_ref"], set_=values
        )
    )


async def fresh(
    session: AsyncSession, *, user_id: int, service_id: str, customer_ref: str, now: datetime
) -> VerifiedRenewal | None:
    """The verified renewal for the card, unless there is none or it expired by `now`."""
    row = await session.scalar(
        select(Verification).where(
            Verification.user_id == user_id,
            Verification.service_id == service_id,
            Verification.customer_ref == customer_ref,
        )
    )
    if row is None or row.expires_at <= now:
        return None
    return VerifiedRenewal(row.renewal_amount, row.bouquet_code, row.verified_at, row.expires_at)
