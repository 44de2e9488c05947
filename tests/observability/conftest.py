"""Observability end to end: the USSD suite's gateway (Postgres, Redis, simulator, a worker)
with its handsets, reused under their own names (tests/ussd/conftest.py, tests/sms_in)."""

from __future__ import annotations

from tests.sms_in import conftest as sms_in
from tests.ussd import conftest as ussd

client, conversations_config, gateway = ussd.client, ussd.conversations_config, ussd.gateway
redis, redis_prefix, phone = ussd.redis, ussd.redis_prefix, ussd.phone
gateway_overrides, handset = sms_in.gateway_overrides, sms_in.handset
