"""Logging a failure with its traceback, without a phone number in it.

Why: exception messages carry data (a screen's text, SQL parameters, a form value), and the
masking filter of `gateway.logs` rewrites only a record's message, not its traceback. So these
logs put the traceback in the message, masked, and never pass `exc_info`.
"""

from __future__ import annotations

import traceback

from gateway.logs import mask_msisdn


def masked_traceback(exc: BaseException) -> str:
    """The formatted traceback of `exc` with every Nigerian phone number masked."""
    return mask_msisdn("".join(traceback.format_exception(exc)).rstrip())
