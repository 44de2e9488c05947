"""The caller's own profile and transaction PIN."""

from __future__ import annotations

from typing import cast

from aiohttp import web
from sqlalchemy import Table, select, update
from sqlalchemy.exc import IntegrityError

from gateway.api import deps
from gateway.api.auth import Principal
from gateway.api.errors import ApiError, ValidationFailed
from gateway.api.openapi import Operations, Reply
from gateway.api.pin_errors import pin_refusal
from gateway.api.schemas import PinIn, PinState, ProfileOut, ProfileUpdateIn
from gateway.errors import NotFound
from gateway.pin_policy import weak_pin_reason
from gateway.security import pins
from gateway.store.tables import User

ops = Operations("me", "Your profile and transaction PIN.")
_USERS = cast(Table, User.__table__)
_U = _USERS.c
_PIN_STATE = {
    pins.PinStatus.OK: PinState.SET,
    pins.PinStatus.LOCKED: PinState.LOCKED,
    pins.PinStatus.NOT_SET: PinState.NOT_SET,
}


async def _profile(request: web.Request, user_id: int) -> ProfileOut:
    now = deps.clock(request).now()
    async with deps.db(request)() as session:
        row = (
            await session.execute(
                select(_U.id, _U.phone, _U.name, _U.email, _U.role, _U.status, _U.created_at).where(
                    _U.id == user_id
                )
            )
        ).first()
        if row is None:
            raise NotFound("no such user")
        state = await pins.pin_state(session, user_id, now)
    return ProfileOut(
        id=row.id,
        phone=row.phone,
        name=row.name,
        email=row.email,
        role=row.role,
        status=row.status,
        pin=_PIN_STATE.get(state.status, PinState.SET),
        pin_locked_until=state.locked_until,
        created_at=row.created_at,
    )


@ops.route("GET", "/api/v1/me", summary="Your profile", responses={200: ProfileOut})
async def get_me(request: web.Request, principal: Principal) -> ProfileOut:
    return await _profile(request, principal.user_id)


@ops.route(
    "PATCH",
    "/api/v1/me",
    summary="Change your name or email",
    responses={200: ProfileOut},
    errors=(409,),
)
async def update_me(
    request: web.Request, principal: Principal, body: ProfileUpdateIn
) -> ProfileOut:
    """Only the fields you send change. The phone cannot change: it is the account."""
    values: dict[str, object] = {
        name: getattr(body, name) for name in body.model_fields_set & {"name", "email"}
    }
    if "name" in values and values["name"] is None:
        raise ValidationFailed(
            "name cannot be removed",
            details={
                "fields": [
                    {"field": "body.name", "message": "must be a string", "type": "string_type"}
                ]
            },
        )
    if values:
        values["updated_at"] = deps.clock(request).now()
        try:
            async with deps.db(request).begin() as session:
                await session.execute(
                    update(_USERS).where(_U.id == principal.user_id).values(**values)
                )
        except IntegrityError as exc:
            raise ApiError(
                "this email belongs to another account", status=409, code="email_taken"
            ) from exc
    return await _profile(request, principal.user_id)


@ops.route(
    "PUT",
    "/api/v1/me/pin",
    summary="Set or change your transaction PIN",
    responses={204: None},
    errors=(403, 423),
)
async def put_pin(request: web.Request, principal: Principal, body: PinIn) -> Reply:
    """The same PIN confirms purchases on USSD, SMS, Telegram and here. Changing it needs the
    current PIN, and wrong ones count towards the lock (3 wrong: 30 minutes). Weak PINs (0000,
    1234, 9876, your phone's last four) are refused with 422 `weak_pin`."""
    db, now = deps.db(request), deps.clock(request).now()
    async with db() as session:
        row = (
            await session.execute(select(_U.phone, _U.pin_hash).where(_U.id == principal.user_id))
        ).first()
    if row is None:
        raise NotFound("no such user")
    # refuse a weak new PIN before spending one of the user's attempts on the current one
    reason = weak_pin_reason(body.pin, row.phone)
    if reason is not None:
        raise pins.WeakPin(reason)
    if row.pin_hash is not None:
        if body.current_pin is None:
            raise ValidationFailed(
                "current_pin is required to change your PIN",
                details={
                    "fields": [
                        {"field": "body.current_pin", "message": "required", "type": "missing"}
                    ]
                },
            )
        check = await pins.check_pin(db, principal.user_id, body.current_pin, now)
        if not check.ok:
            raise pin_refusal(check, now)
    await pins.set_pin(db, principal.user_id, body.pin, now)
    return Reply(None, 204)
