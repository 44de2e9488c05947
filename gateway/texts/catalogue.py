"""Every SMS template by name, with its kind: what the tests size and what STOP may silence.

A template added to `texts` and left out here fails `tests/notices` (every public template must
be listed, and the kind it returns must be the kind listed).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from gateway.texts.sms import Kind

KINDS: Mapping[str, Kind] = MappingProxyType(
    {
        "receipts.receipt": Kind.RECEIPT,
        "receipts.pending_notice": Kind.NOTICE,
        "account.one_time_code": Kind.CODE,
        "account.email_change_code": Kind.CODE,
        "account.pin_locked": Kind.SECURITY,
        "account.pin_reset": Kind.SECURITY,
        "account.email_changed": Kind.SECURITY,
        "account.wallet_credited": Kind.RECEIPT,
        "account.wallet_funded": Kind.RECEIPT,
    }
)
