"""The web app's refresh token as an httpOnly cookie, instead of in the JSON body.

A browser app should never hold a refresh token where script can read it. The web app asks for
this with the `X-PayLink-Session: cookie` header on login, sign-up verification, refresh and
logout: the refresh token then travels only as the `paylink_refresh` cookie (httpOnly,
SameSite=Strict, sent only to `/api/v1/auth`), and the body's `refresh_token` is empty. Other
clients send no such header and get the JSON body exactly as before.

Why the header and not the cookie alone: a custom header cannot be sent cross-site without a
CORS preflight, which the API refuses for it, so another site cannot make a browser swap its
cookie even where SameSite is not enforced.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

from aiohttp import web

from gateway.api.schemas import TokenOut
from gateway.keys import settings_key

HEADER = "X-PayLink-Session"
COOKIE = "paylink_refresh"
PATH = "/api/v1/auth"


def wants_cookie(request: web.Request) -> bool:
    return request.headers.get(HEADER, "").strip().lower() == "cookie"


def cookie_token(request: web.Request) -> str | None:
    """The refresh token of the cookie, when the web app asked for cookie sessions."""
    if not wants_cookie(request):
        return None
    return request.cookies.get(COOKIE) or None


def _set_cookie(request: web.Request, value: str, max_age: int) -> str:
    jar: SimpleCookie = SimpleCookie()
    jar[COOKIE] = value
    morsel = jar[COOKIE]
    morsel["httponly"] = True
    morsel["samesite"] = "Strict"
    morsel["path"] = PATH
    morsel["max-age"] = str(max_age)
    # plain http only on the embedded default (a demo on loopback); everywhere else https
    if request.secure or not request.app[settings_key].embedded:
        morsel["secure"] = True
    return morsel.OutputString()


def deliver(request: web.Request, tokens: TokenOut) -> tuple[TokenOut, dict[str, str]]:
    """The body and headers of a token answer: unchanged, or the refresh token as a cookie."""
    if not wants_cookie(request):
        return tokens, {}
    cookie = _set_cookie(request, tokens.refresh_token, tokens.refresh_expires_in)
    return tokens.model_copy(update={"refresh_token": ""}), {"Set-Cookie": cookie}


def clearing(request: web.Request) -> dict[str, str]:
    """Headers that delete the cookie (logout, or a refresh the API refused)."""
    if not wants_cookie(request):
        return {}
    return {"Set-Cookie": _set_cookie(request, "", 0)}
