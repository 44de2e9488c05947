"""The Paystack components' app keys."""

from __future__ import annotations

from aiohttp import web

from gateway.paystack.accounts import DedicatedAccounts
from gateway.paystack.client import PaystackClient
from gateway.paystack.fundings import Fundings
from gateway.paystack.sweep import FundingSweep
from gateway.paystack.webhook import WebhookProcessor

paystack_client_key = web.AppKey("paystack_client", PaystackClient)
fundings_key = web.AppKey("fundings", Fundings)
dedicated_accounts_key = web.AppKey("dedicated_accounts", DedicatedAccounts)
paystack_webhooks_key = web.AppKey("paystack_webhooks", WebhookProcessor)
paystack_base_url_key = web.AppKey("paystack_base_url", str)
paystack_sweep_key = web.AppKey("paystack_sweep", FundingSweep)
