"""The caller's own profile (a new email only through an SMS code), transaction PIN and SMS
settings."""

from __future__ import annotations

from typing import cast

from aiohttp import web
from sqlalchemy import Table, select, update

from gateway.api import deps
from gateway.api.auth import Principal
from gateway.api.errors import ApiError, ValidationFailed
from gateway.api.openapi import HttpReply, Operations
from gateway.api.otp_errors import refuse_unless_verified
from gateway.api.pin_errors import pin_refusal
from gateway.api.ratelimit import Limit, enforce, reset
from gateway.api.schemas import (
    EmailChangeIn,
    EmailChangeOut,
    EmailConfirmIn,
    PinIn,
    PinResetCodeIn,
    PinResetIn,
    PinResetRequestOut,
    PinState,
    ProfileOut,
    ProfileUpdateIn,
    SmsPurchasesIn,
    SmsSettingsOut,
)
from gateway.errors import NotFound
from gateway.pin_policy import weak_pin_reason
from gateway.security import email_change, otp, pin_reset, pins
from gateway.store import sms_settings, users
from gateway.store.tables import User

ops = Operations("me", "Your profile and transaction PIN.")
_USERS = cast(Table, User.__table__)
_U = _USERS.c
RESET_CODES_PER_USER = Limit("pin-reset-sms", 3, 900)  # SMS cost money: 3 codes / 15 minutes
EMAIL_CODES_PER_USER = Limit("email-change-sms", 3, 900)
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
        pin_reset_required=state.reset_required,
        created_at=row.created_at,
    )


@ops.route("GET", "/api/v1/me", summary="Your profile", responses={200: ProfileOut})
async def get_me(request: web.Request, principal: Principal) -> ProfileOut:
    return await _profile(request, principal.user_id)


@ops.route(
    "PATCH",
    "/api/v1/me",
    summary="Change your name, or remove your email",
    responses={200: ProfileOut},
)
async def update_me(
    request: web.Request, principal: Principal, body: ProfileUpdateIn
) -> ProfileOut:
    """Only the fields you send change; `"email": null` removes your email. A new email needs
    a code: `POST /api/v1/me/email`. The phone cannot change: it is the account."""
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
        async with deps.db(request).begin() as session:
            await session.execute(update(_USERS).where(_U.id == principal.user_id).values(**values))
    return await _profile(request, principal.user_id)


def _email_taken() -> ApiError:
    return ApiError("this email belongs to another account", status=409, code="email_taken")


@ops.route(
    "POST",
    "/api/v1/me/email",
    summary="Ask to change your email: texts a code to your phone",
    responses={202: EmailChangeOut},
    errors=(409, 429),
)
async def request_email_change(
    request: web.Request, principal: Principal, body: EmailChangeIn
) -> HttpReply:
    """The address becomes yours only when the 6-digit code (valid 10 minutes, 5 tries) texted
    to your account's phone is confirmed at `POST /api/v1/me/email/confirm`; until then your
    profile keeps its current email and the new one is reserved for nobody. A new request
    replaces the pending one; at most 3 per 15 minutes (429). 409 `email_taken` when another
    account has it, `email_unchanged` when it is already yours."""
    async with deps.db(request)() as session:
        current = await session.scalar(select(_U.email).where(_U.id == principal.user_id))
        owner = await users.find_by_email(session, body.email)
    if current is not None and current.lower() == body.email:
        raise ApiError("this is already your email", status=409, code="email_unchanged")
    if owner is not None and owner.id != principal.user_id:
        raise _email_taken()
    await enforce(
        deps.authenticator(request).store, [(EMAIL_CODES_PER_USER, str(principal.user_id))]
    )
    expires_at = await email_change.request_change(
        deps.db(request),
        key=otp.derive_key(deps.settings(request).jwt_secret.value),
        user_id=principal.user_id,
        email=body.email,
        now=deps.clock(request).now(),
    )
    message = "We sent a 6-digit code by SMS; confirm it with /api/v1/me/email/confirm."
    out = EmailChangeOut(pending_email=body.email, code_expires_at=expires_at, message=message)
    return HttpReply(out, 202)


@ops.route(
    "POST",
    "/api/v1/me/email/confirm",
    summary="Confirm the email change with the SMS code",
    responses={200: ProfileOut},
    errors=(409,),
)
async def confirm_email_change(
    request: web.Request, principal: Principal, body: EmailConfirmIn
) -> ProfileOut:
    """Makes the pending address yours and texts your phone that it changed. 422
    `invalid_code` (with `attempts_left`) or `code_expired` (ask for a new code); 409
    `email_taken` when another account confirmed the address first (the code is used up)."""
    confirmed = await email_change.confirm_change(
        deps.db(request),
        key=otp.derive_key(deps.settings(request).jwt_secret.value),
        user_id=principal.user_id,
        code=body.code,
        now=deps.clock(request).now(),
    )
    check = confirmed.check
    refuse_unless_verified(check)
    if confirmed.taken:
        raise _email_taken()
    return await _profile(request, principal.user_id)


@ops.route(
    "PUT",
    "/api/v1/me/pin",
    summary="Set or change your transaction PIN",
    responses={204: None},
    errors=(403, 423),
)
async def put_pin(request: web.Request, principal: Principal, body: PinIn) -> HttpReply:
    """The same PIN confirms purchases on USSD, SMS, Telegram and here. Changing it needs the
    current PIN (422 `current_pin_required` without it), and wrong ones count towards the lock
    (3 wrong: 30 minutes; a locked PIN is 423, reset it with `POST /api/v1/me/pin/reset`).
    Weak PINs (0000, 1234, 9876, your phone's last four) are refused with 422 `weak_pin`."""
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
            # a rule of the account's state, not of the body's shape: its own code, not
            # `validation_error` (which only ever means "the schema forbids this")
            raise ApiError(
                "current_pin is required to change your PIN",
                status=422,
                code="current_pin_required",
                details={
                    "fields": [
                        {"field": "body.current_pin", "message": "required", "type": "missing"}
                    ]
                },
            )
        check = await deps.pins(request).check(principal.user_id, body.current_pin)
        if not check.ok:
            raise pin_refusal(check, now)
    await deps.pins(request).set(principal.user_id, body.pin)
    return HttpReply(None, 204)


@ops.route(
    "POST",
    "/api/v1/me/pin/reset",
    summary="Reset your transaction PIN with your password (ends any PIN lock)",
    responses={204: None},
    errors=(403, 429),
)
async def reset_pin(request: web.Request, principal: Principal, body: PinResetIn) -> HttpReply:
    """For a forgotten PIN, or one locked until reset after repeated wrong PINs (423
    `pin_locked` with `details.reset_required`). Sets the new PIN and clears every lock; the
    phone gets an SMS saying the PIN changed. A wrong password is 403 `password_incorrect`;
    attempts are limited like logins (429 with `Retry-After`). Weak PINs are 422 `weak_pin`."""
    settings = deps.settings(request)
    store = deps.authenticator(request).store
    limit = Limit("pin-reset-password", settings.login_limit_per_account, settings.login_window_s)
    subject = str(principal.user_id)
    async with deps.db(request)() as session:  # a weak PIN is refused before a try is spent
        phone = await session.scalar(select(_U.phone).where(_U.id == principal.user_id))
    if phone is None:
        raise NotFound("no such user")
    reason = weak_pin_reason(body.pin, phone)
    if reason is not None:
        raise pins.WeakPin(reason)
    await enforce(store, [(limit, subject)])
    done = await pin_reset.reset_with_password(
        deps.db(request),
        user_id=principal.user_id,
        password=body.password,
        pin=body.pin,
        now=deps.clock(request).now(),
        pepper=deps.pins(request).pepper,
    )
    if not done:
        raise ApiError("the password is not right", status=403, code="password_incorrect")
    await reset(store, limit, subject)
    return HttpReply(None, 204)


@ops.route(
    "POST",
    "/api/v1/me/pin/reset/request",
    summary="Text a code to your phone to reset your transaction PIN",
    responses={202: PinResetRequestOut},
    errors=(429,),
)
async def request_pin_reset(request: web.Request, principal: Principal) -> HttpReply:
    """Sends a 6-digit code (valid 10 minutes, 5 tries) to the account's phone; confirm it
    with `POST /api/v1/me/pin/reset/confirm`. A new request replaces the previous code; at
    most 3 per 15 minutes (429)."""
    await enforce(
        deps.authenticator(request).store, [(RESET_CODES_PER_USER, str(principal.user_id))]
    )
    expires_at = await pin_reset.request_code(
        deps.db(request),
        key=otp.derive_key(deps.settings(request).jwt_secret.value),
        user_id=principal.user_id,
        now=deps.clock(request).now(),
    )
    message = "We sent a 6-digit code by SMS; confirm it with /api/v1/me/pin/reset/confirm."
    return HttpReply(PinResetRequestOut(code_expires_at=expires_at, message=message), 202)


@ops.route(
    "POST",
    "/api/v1/me/pin/reset/confirm",
    summary="Reset your transaction PIN with the SMS code (ends any PIN lock)",
    responses={204: None},
)
async def confirm_pin_reset(
    request: web.Request, principal: Principal, body: PinResetCodeIn
) -> HttpReply:
    """Sets the new PIN and clears every lock; the phone gets an SMS saying the PIN changed.
    422 `invalid_code` (with `attempts_left`), `code_expired` (ask for a new code) or
    `weak_pin` (the code is not used up)."""
    check = await pin_reset.reset_with_code(
        deps.db(request),
        key=otp.derive_key(deps.settings(request).jwt_secret.value),
        user_id=principal.user_id,
        code=body.code,
        pin=body.pin,
        now=deps.clock(request).now(),
        pepper=deps.pins(request).pepper,
    )
    refuse_unless_verified(check)
    return HttpReply(None, 204)


async def _sms_settings(request: web.Request, user_id: int) -> SmsSettingsOut:
    async with deps.db(request)() as session:
        row = (
            await session.execute(select(_U.sms_purchases, _U.sms_notices).where(_U.id == user_id))
        ).first()
    if row is None:
        raise NotFound("no such user")
    return SmsSettingsOut(purchases=bool(row.sms_purchases), notices=bool(row.sms_notices))


@ops.route("GET", "/api/v1/me/sms", summary="Your SMS settings", responses={200: SmsSettingsOut})
async def get_sms_settings(request: web.Request, principal: Principal) -> SmsSettingsOut:
    return await _sms_settings(request, principal.user_id)


@ops.route(
    "PUT",
    "/api/v1/me/sms/purchases",
    summary="Turn purchases by SMS on or off (PIN-confirmed)",
    responses={200: SmsSettingsOut},
    errors=(403, 423),
)
async def put_sms_purchases(
    request: web.Request, principal: Principal, body: SmsPurchasesIn
) -> SmsSettingsOut:
    """Purchases by text command (`AIRTIME 500` to PayLink, then your PIN) are off until you
    turn them on, here or in the USSD menu (Wallet, SMS purchases). Your PIN confirms the
    change: a wrong one is 403 `pin_incorrect` and counts towards the lock (423 `pin_locked`);
    without a PIN yet, 403 `pin_not_set`."""
    now = deps.clock(request).now()
    check = await deps.pins(request).check(principal.user_id, body.pin)
    if not check.ok:
        raise pin_refusal(check, now)
    async with deps.db(request).begin() as session:
        if not await sms_settings.set_purchases(session, principal.user_id, body.enabled, now):
            raise NotFound("no such user")
    return await _sms_settings(request, principal.user_id)
