"""JWT access and refresh tokens: issue, verify, rotate with reuse detection, revoke.

Claims (HS256, `iss` "paylink"): `sub` user id, `typ` access|refresh, `jti` unique id, `fam`
the refresh family of the login session, `iat`, `exp`; access tokens also carry `role`. Access
tokens live `jwt_access_ttl_s` (15 minutes by default), refresh tokens `jwt_refresh_ttl_s`.

A login opens a family; each refresh swaps the family's one live refresh jti for a new one
(compare-and-set in the `TokenStore`). Presenting a refresh token that was already rotated
means two parties hold the family's tokens, so the whole family is revoked: the thief and the
user are both logged out, and only the real user can log in again. Except for a short grace
(`jwt_refresh_grace_s`, a few seconds on the app's clock): the token just rotated out, while
its replacement is still the live one, gets the very pair that rotation minted, because a page
reloaded during a refresh loses the answer (and its new cookie) and resends the old token; that
is a repeat, not a theft. The pair is minted again from its jtis and `iat`, never stored.
Logout revokes the family and blacklists both jtis until they would have expired. An access
token is accepted only while its jti is not blacklisted and its family is alive (one store round
trip per request).

Times come from the app's injected `Clock`, so a test's clock governs expiry: pyjwt's own
time checks (which read the wall clock) are off, and `exp`/`iat`/`nbf` are checked here against
the clock. Redis expires revocations by TTLs, which are durations and need no clock.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt

from gateway.api.errors import Unauthorized
from gateway.api.tokens_store import Rotation, TokenStore
from gateway.clock import Clock
from gateway.settings import Secret
from gateway.store.tables import USER_ROLES

ISSUER = "paylink"
ALGORITHM = "HS256"
_REQUIRED = ["exp", "sub", "iat", "jti", "iss"]


class TokenType(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who an access token speaks for."""

    user_id: int
    role: str
    jti: str
    family: str
    expires_at: int

    def has_role(self, needed: str) -> bool:
        """Roles are ordered: admin can do what an operator can, who can do what a user can."""
        return USER_ROLES.index(self.role) >= USER_ROLES.index(needed)


@dataclass(frozen=True, slots=True)
class RefreshClaims:
    user_id: int
    jti: str
    family: str
    expires_at: int


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str = ""
    refresh_token: str = ""
    expires_in: int = 0
    refresh_expires_in: int = 0

    def __repr__(self) -> str:  # tokens are credentials: never in logs or tracebacks
        return f"TokenPair(expires_in={self.expires_in})"


def bearer_token(header: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header.

    Raises:
        Unauthorized: no header, another scheme, or no token.
    """
    if not header:
        raise Unauthorized()
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("use an Authorization: Bearer <access token> header")
    return token.strip()


def check_lifetime(claims: Mapping[str, Any], now: int) -> None:
    """Refuse, at `now` (Unix seconds on the app's clock), a token past its `exp` or one that
    says it was issued (`iat`) or becomes valid (`nbf`) later: pyjwt's checks, on our clock.

    Raises:
        Unauthorized: `token_expired` past `exp`; `invalid_token` for a time that is not an
            integer, or an `iat`/`nbf` after `now`.
    """
    exp, iat, nbf = (_seconds(claims, name) for name in ("exp", "iat", "nbf"))
    if exp is None or iat is None:
        raise Unauthorized("the token is not valid", code="invalid_token")
    if exp <= now:
        raise Unauthorized("the token has expired", code="token_expired")
    if iat > now or (nbf is not None and nbf > now):
        raise Unauthorized("the token is not valid", code="invalid_token")


def _seconds(claims: Mapping[str, Any], name: str) -> int | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Unauthorized("the token is not valid", code="invalid_token")
    return value


@dataclass(frozen=True, slots=True)
class _Minted:
    """What makes a pair unique: its two jtis, its `iat` and role (no secret in it)."""

    access_jti: str
    refresh_jti: str
    iat: int
    role: str

    def memo(self) -> str:
        return f"{self.access_jti} {self.refresh_jti} {self.iat} {self.role}"

    @classmethod
    def read(cls, memo: str) -> _Minted | None:
        parts = memo.split(" ")
        if len(parts) != 4 or not parts[2].isdigit():
            return None
        return cls(parts[0], parts[1], int(parts[2]), parts[3])


class Authenticator:
    """Issues and checks the API's tokens; state lives in the injected `TokenStore`."""

    def __init__(
        self,
        secret: Secret,
        store: TokenStore,
        *,
        access_ttl_s: int,
        refresh_ttl_s: int,
        clock: Clock,
        refresh_grace_s: float = 0.0,
    ) -> None:
        self._secret = secret
        self.store = store
        self.access_ttl_s = access_ttl_s
        self.refresh_ttl_s = refresh_ttl_s
        self.refresh_grace_s = refresh_grace_s
        self._clock = clock

    def _now(self) -> int:
        return int(self._clock.now().timestamp())

    # -- encoding ------------------------------------------------------------------------------

    def _encode(self, claims: Mapping[str, Any]) -> str:
        return jwt.encode(dict(claims), self._secret.value, algorithm=ALGORITHM)

    def _decode(self, token: str, expected: TokenType) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._secret.value,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={
                    "require": _REQUIRED,
                    # pyjwt reads the wall clock: `check_lifetime` does this on the app's clock
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.InvalidTokenError as exc:
            raise Unauthorized("the token is not valid", code="invalid_token") from exc
        check_lifetime(claims, self._now())
        sub, fam = claims.get("sub"), claims.get("fam")
        if (
            claims.get("typ") != expected
            or not isinstance(sub, str)
            or not sub.isdigit()
            or not isinstance(fam, str)
            or not isinstance(claims.get("jti"), str)
        ):
            raise Unauthorized("the token is not valid", code="invalid_token")
        return claims

    def _mint(self, user_id: int, family: str, *, role: str) -> tuple[TokenPair, str]:
        minted = _Minted(secrets.token_urlsafe(16), secrets.token_urlsafe(16), self._now(), role)
        return self._encode_pair(user_id, family, minted), minted.refresh_jti

    def _encode_pair(self, user_id: int, family: str, minted: _Minted) -> TokenPair:
        """The pair for these claims: the same `minted` always gives the same two tokens."""
        now, access_jti, refresh_jti = minted.iat, minted.access_jti, minted.refresh_jti
        role = minted.role
        common = {"iss": ISSUER, "sub": str(user_id), "fam": family, "iat": now}
        access = self._encode(
            {
                **common,
                "typ": TokenType.ACCESS.value,
                "jti": access_jti,
                "role": role,
                "exp": now + self.access_ttl_s,
            }
        )
        refresh = self._encode(
            {
                **common,
                "typ": TokenType.REFRESH.value,
                "jti": refresh_jti,
                "exp": now + self.refresh_ttl_s,
            }
        )
        return TokenPair(access, refresh, self.access_ttl_s, self.refresh_ttl_s)

    # -- the session's life ----------------------------------------------------------------------

    async def issue(self, user_id: int, role: str) -> TokenPair:
        """A new login session: a new family and its first pair of tokens."""
        family = secrets.token_urlsafe(16)
        pair, refresh_jti = self._mint(user_id, family, role=role)
        await self.store.open_family(family, refresh_jti, self.refresh_ttl_s, user_id=user_id)
        return pair

    async def authenticate(self, token: str) -> Principal:
        """The principal of a live access token.

        Raises:
            Unauthorized: bad signature or algorithm, expired, wrong type, revoked.
        """
        claims = self._decode(token, TokenType.ACCESS)
        role = claims.get("role")
        if role not in USER_ROLES:
            raise Unauthorized("the token is not valid", code="invalid_token")
        if await self.store.is_revoked(claims["jti"], claims["fam"]):
            raise Unauthorized("the token has been revoked", code="token_revoked")
        return Principal(int(claims["sub"]), str(role), claims["jti"], claims["fam"], claims["exp"])

    def read_refresh(self, token: str) -> RefreshClaims:
        """A refresh token's claims after checking signature, expiry and type (not the store).

        Raises:
            Unauthorized: as for `authenticate`.
        """
        claims = self._decode(token, TokenType.REFRESH)
        return RefreshClaims(int(claims["sub"]), claims["jti"], claims["fam"], claims["exp"])

    async def rotate(self, claims: RefreshClaims, role: str) -> TokenPair:
        """Swap a live refresh token for a new pair; a reused one revokes its family.

        Raises:
            Unauthorized: the family is gone, or this token was already rotated (reuse).
        """
        if await self.store.is_revoked(claims.jti, claims.family):
            raise Unauthorized("the session has ended; log in again", code="token_revoked")
        minted = _Minted(secrets.token_urlsafe(16), secrets.token_urlsafe(16), self._now(), role)
        rotated = await self.store.rotate(
            claims.family,
            claims.jti,
            minted.refresh_jti,
            self.refresh_ttl_s,
            grace_s=self.refresh_grace_s,
            memo=minted.memo(),
        )
        outcome = rotated.outcome
        if outcome is Rotation.REPEATED:
            first = _Minted.read(rotated.memo)
            if first is not None:
                return self._encode_pair(claims.user_id, claims.family, first)
            outcome = Rotation.REUSED  # pragma: no cover - only this class writes the memo
        if outcome is Rotation.REUSED:
            raise Unauthorized(
                "this refresh token was already used; the session has been ended",
                code="token_reused",
            )
        if outcome is Rotation.UNKNOWN:
            raise Unauthorized("the session has ended; log in again", code="token_revoked")
        return self._encode_pair(claims.user_id, claims.family, minted)

    async def end_family(self, family: str) -> None:
        await self.store.revoke_family(family)

    async def end_sessions(self, user_id: int) -> None:
        """End every login session of the user (suspension): no refresh token works again."""
        await self.store.revoke_user_families(user_id)

    async def logout(self, principal: Principal, refresh: RefreshClaims | None) -> None:
        """End the session: revoke the family, blacklist the access (and refresh) jti."""
        now = self._now()
        await self.store.revoke_family(principal.family)
        await self.store.revoke_token(principal.jti, principal.expires_at - now)
        if refresh is not None and refresh.user_id == principal.user_id:
            await self.store.revoke_family(refresh.family)
            await self.store.revoke_token(refresh.jti, refresh.expires_at - now)
