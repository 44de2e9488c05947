"""Who may call an Africa's Talking callback: the secret path token and the network allow-list.

AT signs nothing it posts, so anyone who can reach a callback route could act as any phone
number. Every AT route (USSD and its events now; SMS inbound and delivery reports later) is
added with `add_at_callback`, which applies both rules before the handler reads a byte:
- `PAYLINK_AT_CALLBACK_TOKEN` set: the route exists only as `/{channel}/africastalking/{token}…`;
  the token-less path is never registered, and a wrong token is the same 404 as no route.
- `PAYLINK_AT_ALLOWED_NETWORKS` set: a caller whose address (after `PAYLINK_TRUSTED_PROXY_HOPS`)
  is outside every block gets 403.
"""

from __future__ import annotations

import ipaddress
import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from gateway.client_address import client_ip
from gateway.keys import settings_key
from gateway.security.path_tokens import token_matches
from gateway.settings import IpNetwork, Secret, Settings

logger = logging.getLogger(__name__)

TOKEN_PARAM = "at_token"  # noqa: S105 - the route parameter's name, not a secret


def callback_path(base: str, suffix: str, token: Secret | None) -> str:
    """The route pattern: `/ussd/africastalking` + `/{at_token}` when a token is set + suffix."""
    return f"{base}/{{{TOKEN_PARAM}}}{suffix}" if token is not None else f"{base}{suffix}"


def address_allowed(address: str, networks: tuple[IpNetwork, ...]) -> bool:
    """True when no allow-list is set, or `address` parses and lies in one of `networks`."""
    if not networks:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False  # "unknown" (a Unix socket) or garbage: not provably inside
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # a dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d
    return any(ip in network for network in networks)


def guard(handler: Handler, settings: Settings) -> Handler:
    """`handler` behind the token and allow-list checks."""
    token, networks = settings.at_callback_token, settings.at_allowed_networks
    hops = settings.trusted_proxy_hops
    if token is None and not networks:
        return handler  # nothing to check: no wrapper to pay for on every hop

    async def guarded(request: web.Request) -> web.StreamResponse:
        if token is not None and not token_matches(request.match_info[TOKEN_PARAM], token):
            logger.warning("Africa's Talking callback with a wrong token refused (404)")
            raise web.HTTPNotFound()
        address = client_ip(request, hops)
        if not address_allowed(address, networks):
            logger.warning(
                "Africa's Talking callback from %s refused: outside PAYLINK_AT_ALLOWED_NETWORKS",
                address,
            )
            raise web.HTTPForbidden()
        return await handler(request)

    return guarded


def add_at_callback(app: web.Application, base: str, suffix: str, handler: Handler) -> None:
    """Register an AT callback `POST` under the rules of the app's settings.

    Args:
        base: the channel's AT prefix, e.g. `/ussd/africastalking` or `/sms/africastalking`.
        suffix: what follows the token, e.g. `""`, `/events`, `/inbound`, `/delivery`.
    """
    settings = app[settings_key]
    path = callback_path(base, suffix, settings.at_callback_token)
    app.router.add_post(path, guard(handler, settings))
