"""The address of whoever sent an HTTP request, for rate limits and callback allow-lists."""

from __future__ import annotations

from aiohttp import web


def client_ip(request: web.Request, trusted_hops: int) -> str:
    """The caller's address: the peer, or the `X-Forwarded-For` entry our own proxies added.

    With `trusted_hops` proxies in front (load balancers we run), the client is the entry that
    many places from the right; anything further left is whatever the client chose to send.
    """
    if trusted_hops > 0:
        forwarded = [
            part.strip()
            for header in request.headers.getall("X-Forwarded-For", [])
            for part in header.split(",")
            if part.strip()
        ]
        if len(forwarded) >= trusted_hops:
            return forwarded[-trusted_hops]
    return request.remote or "unknown"
