"""The `/pay` request_id format check (vtpass.md §3), against the injected Lagos clock.

Only the date is enforced by default; the hour check is a GUESS switched on by
`strict_request_id_hour` (VTPass's own `085` texts talk about the date only).
"""

from __future__ import annotations

from datetime import date, datetime

from gateway.clock import LAGOS

NO_DATE = "IMPROPER REQUEST ID: DOES NOT CONTAIN DATE"
BAD_DATE = (
    "IMPROPER REQUEST ID: NOT PROPER DATE FORMAT – FIRST 8 CHARACTERS MUST BE DATE "
    "(TODAY'S DATE – YYYYMMDD)"
)
NOT_TODAY = (
    "IMPROPER REQUEST ID: DATE NOT TODAY'S DATE – FIRST 8 CHARACTERS MUST BE TODAY'S DATE IN "
    "THIS FORMAT: YYYYMMDD"
)
# Not a VTPass text: a VTPass-style reseller's wording, used only in strict-hour mode.
BAD_TIME = "IMPROPER REQUEST ID: INCORRECT TIME – MAKE SURE YOU ARE USING GMT+1"


def request_id_problem(
    request_id: str, now: datetime, *, strict_hour: bool = False, hour_tolerance: int = 1
) -> str | None:
    """The `085` description for a malformed request_id, or None when it is acceptable."""
    head = request_id[:12]
    if len(request_id) < 12 or not (head.isascii() and head.isdigit()):
        return NO_DATE
    try:
        stamped = date(int(head[0:4]), int(head[4:6]), int(head[6:8]))
    except ValueError:
        return BAD_DATE
    lagos_now = now.astimezone(LAGOS)
    if stamped != lagos_now.date():
        return NOT_TODAY
    if strict_hour:
        hour, minute = int(head[8:10]), int(head[10:12])
        if hour > 23 or minute > 59 or abs(hour - lagos_now.hour) > hour_tolerance:
            return BAD_TIME
    return None
