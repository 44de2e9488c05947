"""The API's answer to a one-time code that did not verify, the same for every use of codes."""

from __future__ import annotations

from gateway.api.errors import ApiError
from gateway.security.otp import OtpCheck, OtpStatus

NO_VALID_CODE = "no valid code (expired, used or too many tries); ask for a new one"


def refuse_unless_verified(check: OtpCheck, *, gone: str = NO_VALID_CODE) -> None:
    """Return when `check` verified; otherwise raise 422 `invalid_code` (with the tries left)
    or 422 `code_expired` worded by `gone`."""
    if check.ok:
        return
    if check.status is OtpStatus.WRONG:
        raise ApiError(
            "the code is not right",
            status=422,
            code="invalid_code",
            details={"attempts_left": check.attempts_left},
        )
    raise ApiError(gone, status=422, code="code_expired")
