"""Purchases: the state machine, pricing, receipts, the service that moves money, reconcile."""
