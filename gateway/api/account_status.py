"""Suspending and reactivating accounts from the back office: who may, what it ends, the audit.

A suspended user's access tokens die at the next request (`routes.authenticate` reads the
status every time); suspension also revokes every refresh family, so reactivating later does
not bring old sessions back. Purchases on every channel are refused by the purchase service,
which checks the status under the wallet lock.
"""

from __future__ import annotations

import logging

from aiohttp import web

from gateway.api import deps
from gateway.api.auth import Principal
from gateway.api.errors import ApiError
from gateway.api.schemas import UserStatusOut
from gateway.client_address import client_ip
from gateway.errors import Forbidden, NotFound
from gateway.logs import mask_msisdn
from gateway.store import users
from gateway.store.tables import USER_ROLES

logger = logging.getLogger(__name__)
_CHANGEABLE = ("active", "suspended")  # a closed account stays closed


def may_change_status(actor_id: int, actor_role: str, target_id: int, target_role: str) -> bool:
    """Only over a lower role, never oneself: an operator cannot lock out an admin or a peer."""
    return actor_id != target_id and USER_ROLES.index(actor_role) > USER_ROLES.index(target_role)


async def change_account_status(
    request: web.Request, principal: Principal, user_id: int, *, suspend: bool
) -> UserStatusOut:
    """Suspend (or reactivate) `user_id` for `principal`; idempotent.

    Raises:
        NotFound: no such user. Forbidden: not over a lower role, or oneself.
        ApiError: 409 `account_closed`.
    """
    target_status = "suspended" if suspend else "active"
    async with deps.db(request).begin() as session:
        target = await users.get(session, user_id)
        if target is None:
            raise NotFound("no such user")
        if not may_change_status(principal.user_id, principal.role, target.id, target.role):
            raise Forbidden("you may not change the status of this account")
        if target.status not in _CHANGEABLE:
            raise ApiError("this account is closed", status=409, code="account_closed")
        after = await users.change_status(
            session,
            user_id,
            to=target_status,
            allowed_from=_CHANGEABLE,
            now=deps.clock(request).now(),
        )
    if after is None or after.status != target_status:  # closed meanwhile
        raise ApiError("this account is closed", status=409, code="account_closed")
    if suspend:
        await deps.authenticator(request).end_sessions(user_id)
    logger.info(
        "account_%s user_id=%d phone=%s actor=user:%d ip=%s",
        "suspended" if suspend else "reactivated",
        user_id,
        mask_msisdn(after.phone),
        principal.user_id,
        client_ip(request, deps.settings(request).trusted_proxy_hops),
    )
    return UserStatusOut.model_validate(
        {"user_id": after.id, "phone": after.phone, "role": after.role, "status": after.status}
    )
