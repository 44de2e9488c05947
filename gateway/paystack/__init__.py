"""Wallet funding through Paystack: the client, the simulator, webhooks and the funding service.

Modules with one job each: `signature` and `fees` are pure (the simulator shares them);
`client` is the only place that talks HTTP to Paystack; `store` holds the SQL; `crediting` is
the one verify-then-credit routine every path (webhook, return page, sweep) goes through.
"""
