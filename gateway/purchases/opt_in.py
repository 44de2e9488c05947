"""Channels a customer must opt into before they may buy on them: SMS, for now.

Why here, in the one purchase call: an SMS is easily sent in someone else's name, so a text
command may lead to a purchase only for an owner who turned "SMS purchases" on with the PIN.
The SMS channel says so before any PIN is asked; this check is what holds whatever path an
order took (a conversation started before the setting was turned off, say).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.errors import Forbidden
from gateway.store import sms_settings

OPT_IN_CHANNELS = frozenset({"sms"})


class SmsPurchasesOff(Forbidden):
    """A purchase by SMS for an owner who has not turned SMS purchases on; nothing moved."""

    code = "sms_purchases_off"


async def require_opt_in(db: async_sessionmaker[AsyncSession], user_id: int, channel: str) -> None:
    """Raise `SmsPurchasesOff` for an opt-in channel the user has not turned on."""
    if channel not in OPT_IN_CHANNELS:
        return
    async with db() as session:
        if not await sms_settings.purchases_on(session, user_id):
            raise SmsPurchasesOff("purchases by SMS are off for this account")
