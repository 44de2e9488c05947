"""The web app's session: its refresh token only ever in an httpOnly, SameSite=Strict cookie.

The web app sends `X-PayLink-Session: cookie`; every other client sends nothing and keeps the
JSON body it always had.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

from gateway.keys import db_key
from tests.api.helpers import PASSWORD, PHONE, bearer, register, signup, sms_code

WEB = {"X-PayLink-Session": "cookie"}


def set_cookie(response) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.getall("Set-Cookie", []):
        jar.load(header)
    return jar


async def web_login(client):
    body = {"phone": PHONE, "password": PASSWORD}
    return await client.post("/api/v1/auth/login", json=body, headers=WEB)


def cookie_header(response) -> dict[str, str]:
    return {**WEB, "Cookie": f"paylink_refresh={set_cookie(response)['paylink_refresh'].value}"}


async def test_a_web_login_sets_the_refresh_token_as_an_httponly_strict_cookie(client, settings):
    await signup(client)

    response = await web_login(client)

    assert response.status == 200
    cookie = set_cookie(response)["paylink_refresh"]
    assert cookie.value
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/api/v1/auth"
    assert cookie["secure"] is True  # outside the embedded default, https only
    assert int(cookie["max-age"]) == settings.jwt_refresh_ttl_s


async def test_a_web_login_keeps_the_refresh_token_out_of_the_body(client):
    await signup(client)

    body = await (await web_login(client)).json()

    assert body["refresh_token"] == ""
    assert (await client.get("/api/v1/me", headers=bearer(body))).status == 200


async def test_other_clients_get_the_refresh_token_in_the_body_and_no_cookie(client):
    await signup(client)

    response = await client.post("/api/v1/auth/login", json={"phone": PHONE, "password": PASSWORD})

    assert response.headers.getall("Set-Cookie", []) == []
    assert (await response.json())["refresh_token"]


async def test_finishing_sign_up_from_the_web_sets_the_cookie(client):
    registration_id = (await (await register(client)).json())["registration_id"]
    code = await sms_code(client.app[db_key], PHONE)

    response = await client.post(
        "/api/v1/auth/verify-phone",
        json={"phone": PHONE, "code": code, "registration_id": registration_id},
        headers=WEB,
    )

    assert response.status == 200
    assert set_cookie(response)["paylink_refresh"].value
    assert (await response.json())["refresh_token"] == ""


async def test_the_web_app_refreshes_with_the_cookie_alone(client):
    await signup(client)
    logged_in = await web_login(client)

    response = await client.post("/api/v1/auth/refresh", json={}, headers=cookie_header(logged_in))

    assert response.status == 200
    fresh = await response.json()
    assert (await client.get("/api/v1/me", headers=bearer(fresh))).status == 200
    rotated = set_cookie(response)["paylink_refresh"].value
    assert rotated
    assert rotated != set_cookie(logged_in)["paylink_refresh"].value


async def test_a_cookie_used_twice_ends_the_session_like_a_reused_refresh_token(
    client, settings, clock
):
    await signup(client)
    logged_in = await web_login(client)
    await client.post("/api/v1/auth/refresh", json={}, headers=cookie_header(logged_in))
    clock.advance(settings.jwt_refresh_grace_s)

    reuse = await client.post("/api/v1/auth/refresh", json={}, headers=cookie_header(logged_in))

    assert reuse.status == 401
    assert (await reuse.json())["error"]["code"] == "token_reused"


async def test_a_page_reloaded_mid_refresh_keeps_its_session(client):
    await signup(client)
    logged_in = await web_login(client)
    # the refresh went through but the page unloaded before its new cookie was stored
    lost = await client.post("/api/v1/auth/refresh", json={}, headers=cookie_header(logged_in))

    reloaded = await client.post("/api/v1/auth/refresh", json={}, headers=cookie_header(logged_in))

    assert reloaded.status == 200
    same = set_cookie(reloaded)["paylink_refresh"].value
    assert same == set_cookie(lost)["paylink_refresh"].value
    assert (await client.get("/api/v1/me", headers=bearer(await reloaded.json()))).status == 200


async def test_the_cookie_is_ignored_without_the_web_apps_header(client):
    await signup(client)
    logged_in = await web_login(client)
    cookie = {"Cookie": cookie_header(logged_in)["Cookie"]}

    response = await client.post("/api/v1/auth/refresh", json={}, headers=cookie)

    assert response.status == 401
    assert (await response.json())["error"]["code"] == "invalid_token"


async def test_a_web_logout_revokes_and_deletes_the_cookie(client):
    await signup(client)
    logged_in = await web_login(client)
    tokens = await logged_in.json()

    response = await client.post(
        "/api/v1/auth/logout", json={}, headers={**cookie_header(logged_in), **bearer(tokens)}
    )

    assert response.status == 204
    assert set_cookie(response)["paylink_refresh"]["max-age"] == "0"
    again = await client.post("/api/v1/auth/refresh", json={}, headers=cookie_header(logged_in))
    assert again.status == 401
