"""SMS through Africa's Talking: the outbox's "sms" sender and AT's delivery reports.

- `answers`: what AT's send answer means (pure): accepted, failed for good, or retry;
- `alerts`: operator alerts logged once per outage of our key or balance, not per message;
- `sender`: `AtSmsSender`, the official SDK in a bounded thread pool of its own;
- `delivery_status`: the order of delivery reports (pure); `delivery`: the report callback;
- `routes` and `context`: the wiring (`setup_sms_routes`, `sms_ctx`).
"""
