"""The checkout page (spec §C): Pay, Decline or Cancel, then back to the callback URL.

A plain HTML form, so a newcomer can fund a wallet from a browser; the JSON twin for headless
tests is `POST /__sim/checkout/{reference}` (control_routes.py).
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

from aiohttp import web

from gateway.money import format_rich
from gateway.paystack.simulator.keys import state_key
from gateway.paystack.simulator.state import SimTransaction, SimulatorError

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Paystack checkout (simulator)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}}
button{{font-size:1rem;padding:.6rem 1rem;margin:.3rem .3rem 0 0}}</style></head>
<body><h1>Pay {amount}</h1><p>{email} &middot; reference <code>{reference}</code></p>
<p><em>Paystack simulator: no real money moves.</em></p>{body}</body></html>"""
_FORM = """<form method="post">
<label>Test card <input name="card" value="4084 0840 8408 4081" size="22"></label><br>
<button name="outcome" value="success">Pay</button>
<button name="outcome" value="failed">Decline</button>
<button name="outcome" value="abandon">Cancel</button></form>"""


def _transaction(request: web.Request) -> SimTransaction:
    txn = request.app[state_key].by_access.get(request.match_info["access_code"])
    if txn is None:
        raise web.HTTPNotFound(text="no such checkout")
    return txn


def _page(txn: SimTransaction, body: str) -> web.Response:
    text = _PAGE.format(
        amount=html.escape(format_rich(txn.amount)),
        email=html.escape(txn.email),
        reference=html.escape(txn.reference),
        body=body,
    )
    return web.Response(text=text, content_type="text/html")


async def show(request: web.Request) -> web.Response:
    txn = _transaction(request)
    if txn.status != "abandoned":
        return _page(txn, f"<p>This payment is <strong>{html.escape(txn.status)}</strong>.</p>")
    return _page(txn, _FORM)


async def submit(request: web.Request) -> web.Response:
    txn = _transaction(request)
    form = await request.post()
    outcome = str(form.get("outcome", "abandon"))
    card = str(form.get("card", "")).strip() or None
    try:
        request.app[state_key].complete_checkout(
            txn, outcome, card if outcome == "success" else None
        )
    except SimulatorError as exc:
        return _page(txn, f"<p>{html.escape(str(exc))}</p>")
    cancel = txn.metadata.get("cancel_action") if isinstance(txn.metadata, dict) else None
    if outcome == "abandon" and isinstance(cancel, str):
        raise web.HTTPFound(cancel)
    if txn.callback_url and outcome != "abandon":
        query = urlencode({"trxref": txn.reference, "reference": txn.reference})
        sep = "&" if "?" in txn.callback_url else "?"
        raise web.HTTPFound(f"{txn.callback_url}{sep}{query}")
    return _page(txn, f"<p>Payment {html.escape(txn.status)}. You can close this page.</p>")


def add_checkout_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/checkout/{access_code}", show)
    router.add_post("/checkout/{access_code}", submit)
