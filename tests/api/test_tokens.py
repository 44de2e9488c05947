"""Forged, expired and misused tokens are all 401 in the one error shape.

Each case builds a token the way an attacker could (no signature, another algorithm, another
key, edited claims) and checks the API refuses it; none reaches a view.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import jwt
import pytest

from tests.api.conftest import JWT_SECRET
from tests.api.helpers import signup

ACCESS_TTL_S = 900  # the default PAYLINK_JWT_ACCESS_TTL


def _b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


async def _me(client, token: str):
    return await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


async def _refused(client, token: str, code: str = "invalid_token") -> None:
    response = await _me(client, token)
    assert response.status == 401
    body = await response.json()
    assert body["error"]["code"] == code
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.fixture
async def tokens(client):
    return await signup(client)


async def test_a_valid_access_token_works(client, tokens):
    assert (await _me(client, tokens["access_token"])).status == 200


async def test_alg_none_is_refused(client, tokens):
    claims = _claims(tokens["access_token"])
    for alg in ("none", "None", "NONE"):
        forged = f"{_b64({'alg': alg, 'typ': 'JWT'})}.{_b64(claims)}."
        await _refused(client, forged)


async def test_another_hmac_algorithm_is_refused(client, tokens):
    claims = _claims(tokens["access_token"])
    forged = jwt.encode(claims, JWT_SECRET + "-padding-to-64-bytes-for-hs512-" + "p" * 20, "HS512")
    await _refused(client, forged)


async def test_an_rs256_header_is_refused(client, tokens):
    claims = _claims(tokens["access_token"])
    signing_input = f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{_b64(claims)}"
    forged = f"{signing_input}.{base64.urlsafe_b64encode(b'x' * 256).rstrip(b'=').decode()}"
    await _refused(client, forged)


async def test_a_token_signed_with_another_key_is_refused(client, tokens):
    claims = _claims(tokens["access_token"])
    await _refused(client, jwt.encode(claims, "another-secret-" + "z" * 40, "HS256"))


async def test_an_expired_token_is_refused_as_expired(client, tokens, clock):
    now = int(clock.now().timestamp())
    claims = _claims(tokens["access_token"])
    claims.update(iat=now - 3600, exp=now - 60)
    await _refused(client, jwt.encode(claims, JWT_SECRET, "HS256"), "token_expired")


async def test_an_access_token_dies_when_the_apps_clock_passes_its_expiry(client, tokens, clock):
    clock.advance(ACCESS_TTL_S - 1)
    assert (await _me(client, tokens["access_token"])).status == 200

    clock.advance(1)
    await _refused(client, tokens["access_token"], "token_expired")


async def test_the_machines_date_does_not_decide_a_tokens_life(client, clock):
    # a clock years behind the machine's: pyjwt alone would call every token expired
    clock.set(datetime(2020, 1, 6, 9, 0, tzinfo=UTC))
    tokens = await signup(client)
    assert (await _me(client, tokens["access_token"])).status == 200


async def test_a_token_issued_in_the_apps_future_is_refused(client, tokens, clock):
    now = int(clock.now().timestamp())
    claims = {**_claims(tokens["access_token"]), "iat": now + 3600, "exp": now + 7200}
    await _refused(client, jwt.encode(claims, JWT_SECRET, "HS256"))


async def test_non_integer_times_are_refused(client, tokens):
    claims = _claims(tokens["access_token"])
    for broken in ({"exp": str(claims["exp"])}, {"exp": True}, {"iat": float(claims["iat"])}):
        await _refused(client, jwt.encode({**claims, **broken}, JWT_SECRET, "HS256"))


async def test_tampered_claims_break_the_signature(client, tokens):
    header, _payload, signature = tokens["access_token"].split(".")
    claims = _claims(tokens["access_token"])
    for change in ({"sub": str(int(claims["sub"]) + 1)}, {"role": "admin"}):
        forged = f"{header}.{_b64({**claims, **change})}.{signature}"
        await _refused(client, forged)


async def test_claims_we_did_not_issue_are_refused_even_when_signed(client, tokens):
    claims = _claims(tokens["access_token"])
    for broken in (
        {k: v for k, v in claims.items() if k != "sub"},
        {k: v for k, v in claims.items() if k != "exp"},
        {**claims, "iss": "someone-else"},
        {**claims, "typ": "refresh"},
        {**claims, "role": "superuser"},
        {**claims, "sub": "not-a-number"},
    ):
        await _refused(client, jwt.encode(broken, JWT_SECRET, "HS256"))


async def test_a_refresh_token_is_not_an_access_token(client, tokens):
    await _refused(client, tokens["refresh_token"])


async def test_an_access_token_is_not_a_refresh_token(client, tokens):
    response = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["access_token"]}
    )
    assert response.status == 401


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "Bearer not.a.jwt", "Bearer x"],
)
async def test_malformed_authorization_headers_are_401(client, header):
    response = await client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert response.status == 401
    assert (await response.json())["error"]["code"] in {"unauthorized", "invalid_token"}


async def test_a_token_after_logout_is_refused(client, tokens):
    await client.post("/api/v1/auth/logout", json={}, headers=_h(tokens))
    await _refused(client, tokens["access_token"], "token_revoked")


def _h(tokens: dict) -> dict:
    return {"Authorization": f"Bearer {tokens['access_token']}"}
