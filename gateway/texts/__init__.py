"""What PayLink tells a customer by SMS (every template in one place, GSM-7, at most two parts),
and what it tells a Telegram chat.

Why one package: receipts (written at settlement), codes (sign-up, PIN reset, e-mail change),
security notices (PIN locked or reset, e-mail changed), wallet credits and the "still
confirming" notice are queued from purchases, security and the worker, yet they must follow the
same rules (GSM-7 only, `N1,500` never `₦`, an electricity token receipt in one SMS, nothing over
two parts) and be tested together. Pure: values in, `Sms` out; below the store and the services
so every layer that queues a message can import it.

- `sms`: an SMS value with its `Kind` (what STOP may turn off), sizing and clipping.
- `facts`: what a purchase receipt says, as data (each channel words it its own way).
- `receipts`: purchase receipts and the pending-for-long notice.
- `account`: codes, security notices, wallet credits.
- `catalogue`: every template by name with its kind.
- `telegram`: receipts and the pending notice for a chat (`₦1,500.00`, HTML), each carrying
  its SMS wording for when the chat cannot take it.
"""
