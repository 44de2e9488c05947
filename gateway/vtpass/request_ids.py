"""VTPass `request_id`s: `YYYYMMDDHHII` in Africa/Lagos, then random alphanumerics (vtpass.md §3).

VTPass rejects ids whose first 8 characters are not *today in Lagos* with `085`, so the prefix is
always computed in Lagos time (UTC+1): at 23:30 UTC it is already tomorrow there (§9.1). The id is
minted once per purchase and stored before `/pay`; a retry reuses it, never mints a new one.
"""

from __future__ import annotations

import re
import secrets
import string
from datetime import date, datetime

from gateway.clock import LAGOS, Clock

PREFIX_LEN = 12  # YYYYMMDDHHII
MAX_LEN = 36  # undocumented upper bound; real ids seen are 19-40 chars, so stay well inside
DEFAULT_SUFFIX_LEN = 16  # 62**16 ~ 4.8e28 per minute: collisions are not a practical concern
_ALPHABET = string.ascii_letters + string.digits
_SHAPE = re.compile(r"^\d{12}[0-9A-Za-z-]*$")


def new_request_id(clock: Clock, *, suffix_len: int = DEFAULT_SUFFIX_LEN) -> str:
    """A fresh request id dated by `clock` in Lagos time: `[0-9A-Za-z]`, at most 36 chars.

    Raises:
        ValueError: `suffix_len` would leave no randomness or exceed 36 characters in total.
    """
    if not 1 <= suffix_len <= MAX_LEN - PREFIX_LEN:
        raise ValueError(f"suffix_len must be between 1 and {MAX_LEN - PREFIX_LEN}")
    prefix = clock.now().astimezone(LAGOS).strftime("%Y%m%d%H%M")
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(suffix_len))
    return prefix + suffix


def request_id_date(request_id: str) -> date | None:
    """The Lagos date an id claims to be minted on, or None if it has no valid date prefix."""
    if not _SHAPE.match(request_id):
        return None
    try:
        return datetime.strptime(request_id[:8], "%Y%m%d").date()  # noqa: DTZ007 - a date only
    except ValueError:
        return None


def request_id_date_is_today(request_id: str, clock: Clock) -> bool:
    """Whether VTPass would accept the id's date today (it answers `085` otherwise).

    Use it before re-paying after a `015` requery: a stale id must be replaced by a fresh one.
    """
    return request_id_date(request_id) == clock.now().astimezone(LAGOS).date()
