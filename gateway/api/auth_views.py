"""Sign-up with an SMS code, login, token refresh and logout.

Only proven phones can log in, by construction: a password is written to a user only after
the phone's SMS code was verified (`verify-phone`), so every account with a password has shown
it holds its SIM. A phone that already banks with us through USSD (a user without a password)
signs up the same way and keeps its wallet and PIN.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from aiohttp import web
from sqlalchemy import Table, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.api import deps, web_session
from gateway.api.auth import Principal, RefreshClaims
from gateway.api.errors import ApiError, Unauthorized
from gateway.api.openapi import HttpReply, Operations
from gateway.api.otp_errors import refuse_unless_verified
from gateway.api.ratelimit import Limit, enforce, reset
from gateway.api.schemas import (
    LoginIn,
    LogoutIn,
    RefreshIn,
    RegisterIn,
    RegisterOut,
    TokenOut,
    VerifyPhoneIn,
)
from gateway.client_address import client_ip
from gateway.errors import Forbidden
from gateway.metrics import LOGIN_FAILURES
from gateway.phones import Msisdn
from gateway.security import otp, registrations
from gateway.security.passwords import (
    hash_password,
    needs_rehash,
    verify_password,
)
from gateway.store import users
from gateway.store.tables import User

logger = logging.getLogger(__name__)
ops = Operations("auth", "Sign-up with an SMS code, login, token refresh and logout.")
_USERS = cast(Table, User.__table__)
_U = _USERS.c
# each code texted costs money and each code gets 5 tries: a few per phone per 15 minutes
REGISTER_PER_PHONE = Limit("register-phone", 3, 900)
REGISTER_PER_IP = Limit("register-ip", 30, 900)


def _tokens(pair: Any) -> TokenOut:
    return TokenOut(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        refresh_expires_in=pair.refresh_expires_in,
    )


def _answer(request: web.Request, tokens: TokenOut) -> HttpReply:
    """The token answer, with the refresh token as a cookie when the web app asks for one."""
    body, headers = web_session.deliver(request, tokens)
    return HttpReply(body, 200, headers)


def _otp_key(request: web.Request) -> bytes:
    return otp.derive_key(deps.settings(request).jwt_secret.value)


@ops.route(
    "POST",
    "/api/v1/auth/register",
    summary="Start sign-up: texts a 6-digit code to the phone",
    responses={201: RegisterOut},
    errors=(409, 429),
)
async def register(request: web.Request, body: RegisterIn) -> HttpReply:
    """Nothing is created until the code is verified. Each call opens its own sign-up with
    its own `registration_id` and code; a later call for the same phone never changes an
    earlier one (so nobody can swap in their password for the phone's owner). 409 when the
    phone already has a password (log in instead) or the email belongs to another account;
    429 after 3 sign-ups for one phone in 15 minutes."""
    settings = deps.settings(request)
    await enforce(
        deps.authenticator(request).store,
        [
            (REGISTER_PER_PHONE, body.phone),
            (REGISTER_PER_IP, client_ip(request, settings.trusted_proxy_hops)),
        ],
    )
    db = deps.db(request)
    async with db() as session:
        existing = (
            await session.execute(select(_U.id, _U.password_hash).where(_U.phone == body.phone))
        ).first()
        if existing is not None and existing.password_hash is not None:
            raise ApiError(
                "this phone is already registered; log in instead",
                status=409,
                code="already_registered",
            )
        if body.email is not None:
            await _check_email_free(session, body.email, body.phone)
    password_hash = await hash_password(body.password)
    now = deps.clock(request).now()
    async with db.begin() as session:
        opened = await registrations.open_registration(
            session,
            key=_otp_key(request),
            phone=body.phone,
            password_hash=password_hash,
            name=body.name,
            email=body.email,
            now=now,
            user_id=existing.id if existing is not None else None,
        )
    return HttpReply(
        RegisterOut(
            registration_id=opened.registration_id,
            phone=body.phone,
            code_expires_at=opened.expires_at,
            message="We sent a 6-digit code by SMS; confirm it with /api/v1/auth/verify-phone "
            "together with this registration_id.",
        ),
        201,
    )


async def _check_email_free(session: AsyncSession, email: str, phone: str) -> None:
    owner = await users.find_by_email(session, email)
    if owner is not None and owner.phone != phone:
        raise ApiError("this email belongs to another account", status=409, code="email_taken")


@ops.route(
    "POST",
    "/api/v1/auth/verify-phone",
    summary="Finish sign-up with the SMS code; returns tokens (you are logged in)",
    responses={200: TokenOut},
    errors=(409,),
)
async def verify_phone(request: web.Request, body: VerifyPhoneIn) -> HttpReply:
    """Applies only the sign-up named by `registration_id` (its password, name and email) and
    voids the phone's other pending sign-ups. A code allows 5 tries in 10 minutes, counted per
    registration; after that ask `register` for a new one. An unknown, expired or used
    `registration_id` is `code_expired`, like an expired code. With the header
    `X-PayLink-Session: cookie` (the web app) the refresh token comes as the httpOnly
    `paylink_refresh` cookie and the body's `refresh_token` is empty."""
    now = deps.clock(request).now()
    async with deps.db(request).begin() as session:
        check = await registrations.consume(
            session,
            key=_otp_key(request),
            phone=body.phone,
            registration_id=body.registration_id,
            code=body.code,
            now=now,
        )
        user = (
            await _complete_sign_up(session, body.phone, check.payload, now) if check.ok else None
        )
    # raised after the commit above, so the failed try stays counted
    if user is None:
        refuse_unless_verified(
            check,
            gone="no valid code for this sign-up (expired, used, unknown or too many tries); "
            "register again",
        )
        raise AssertionError("a verified code always completes the sign-up")
    return _answer(request, _tokens(await deps.authenticator(request).issue(user.id, user.role)))


async def _complete_sign_up(
    session: AsyncSession, phone: str, payload: Mapping[str, Any], now: datetime
) -> users.UserRef:
    password_hash, name, email = payload["password_hash"], payload.get("name"), payload.get("email")
    existing = await users.find_by_phone(session, Msisdn(phone))
    if existing is None:
        return await users.create_user(
            session,
            phone=Msisdn(phone),
            now=now,
            name=name,
            email=email,
            password_hash=password_hash,
        )
    try:
        async with session.begin_nested():
            updated = await session.execute(
                update(_USERS)
                .where(_U.id == existing.id, _U.password_hash.is_(None))
                .values(password_hash=password_hash, name=name, email=email, updated_at=now)
            )
    except IntegrityError as exc:
        raise ApiError(
            "this email belongs to another account", status=409, code="email_taken"
        ) from exc
    if updated.rowcount != 1:  # type: ignore[attr-defined]
        raise ApiError(
            "this phone is already registered; log in instead",
            status=409,
            code="already_registered",
        )
    return existing


@ops.route(
    "POST",
    "/api/v1/auth/login",
    summary="Log in with phone or email and password",
    responses={200: TokenOut},
    errors=(401, 403, 429),
)
async def login(request: web.Request, body: LoginIn) -> HttpReply:
    """Rate-limited per account, however it is named (its phone in any form or its email
    count as one), and per client address (429 with `Retry-After`). Wrong phone, wrong email
    and wrong password are one answer, `invalid_credentials`, in the same time. With the
    header `X-PayLink-Session: cookie` (the web app) the refresh token comes as the httpOnly,
    SameSite=Strict `paylink_refresh` cookie and the body's `refresh_token` is empty."""
    settings = deps.settings(request)
    auth = deps.authenticator(request)
    account = Limit("login-account", settings.login_limit_per_account, settings.login_window_s)
    per_ip = Limit("login-ip", settings.login_limit_per_ip, settings.login_window_s)
    named = body.phone or body.email or ""
    where = _U.phone == body.phone if body.phone else func.lower(_U.email) == named
    db = deps.db(request)
    async with db() as session:
        row = (
            await session.execute(select(_U.id, _U.password_hash, _U.role, _U.status).where(where))
        ).first()
    # counted on the account, not on the name typed: guesses by phone and by email add up
    subject = f"user:{row.id}" if row is not None else named
    await enforce(
        auth.store,
        [(account, subject), (per_ip, client_ip(request, settings.trusted_proxy_hops))],
    )
    stored = row.password_hash if row is not None else None
    if not await verify_password(stored, body.password) or row is None or stored is None:
        LOGIN_FAILURES.labels("invalid_credentials").inc()
        raise Unauthorized("wrong phone, email or password", code="invalid_credentials")
    if row.status != "active":
        LOGIN_FAILURES.labels("inactive").inc()
        raise Forbidden("this account is not active; contact support")
    await reset(auth.store, account, subject)
    if needs_rehash(stored):
        fresh = await hash_password(body.password)
        async with db.begin() as session:
            await session.execute(update(_USERS).where(_U.id == row.id).values(password_hash=fresh))
    return _answer(request, _tokens(await auth.issue(row.id, row.role)))


@ops.route(
    "POST",
    "/api/v1/auth/refresh",
    summary="Swap a refresh token for a new pair (rotation)",
    responses={200: TokenOut},
    errors=(401,),
)
async def refresh(request: web.Request, body: RefreshIn) -> HttpReply:
    """Each refresh token works once. Presenting one that was already swapped ends the whole
    session (every token from that login), since someone else must hold a copy. One exception:
    the token just swapped, sent again within a few seconds (`PAYLINK_JWT_REFRESH_GRACE`) before
    its replacement was used, answers that same new pair (a page reloaded mid-refresh). The web
    app sends `{}` with the header `X-PayLink-Session: cookie`: the token is read from, and the
    new one written to, the `paylink_refresh` cookie."""
    auth = deps.authenticator(request)
    token = body.refresh_token or web_session.cookie_token(request)
    if token is None:
        raise Unauthorized("no refresh token: log in again", code="invalid_token")
    claims = auth.read_refresh(token)
    async with deps.db(request)() as session:
        user = await users.get(session, claims.user_id)
    if user is None or user.status != "active":
        await auth.end_family(claims.family)
        raise Unauthorized("this account is not active", code="account_inactive")
    return _answer(request, _tokens(await auth.rotate(claims, user.role)))


@ops.route(
    "POST",
    "/api/v1/auth/logout",
    summary="End the session: revoke its refresh token and this access token",
    responses={204: None},
)
async def logout(request: web.Request, principal: Principal, body: LogoutIn) -> HttpReply:
    """Send `{}` or `{"refresh_token": "..."}`; the session of the access token ends either way.
    With `X-PayLink-Session: cookie` the `paylink_refresh` cookie is revoked and deleted."""
    auth = deps.authenticator(request)
    claims: RefreshClaims | None = None
    token = body.refresh_token or web_session.cookie_token(request)
    if token is not None:
        try:
            claims = auth.read_refresh(token)
        except Unauthorized:
            claims = None  # an expired or foreign refresh token changes nothing
    await auth.logout(principal, claims)
    return HttpReply(None, 204, web_session.clearing(request))
