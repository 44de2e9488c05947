"""The background worker: vends queued purchases, requeries pending ones, sends the outbox.

`runner.Worker` is the loop, `context.worker_ctx` runs it inside `paylink serve` (embedded) or
`paylink worker`; `wakeup` and `notifier` are its two ports.
"""
