"""How a command fails in front of an operator: one line on stderr and an exit code, never a
traceback, for everything outside the program's control.

A traceback is for a bug. A database or Redis that does not answer, a port someone else holds,
or a reader that closed the pipe (`paylink outbox | head -1`) are the operator's to fix, so
each becomes one line that names what failed (URLs with their password masked) and how to go
on. Exit codes: 2 a usage mistake (`common.run`), 1 a failed check (`reconcile`), 3 a service
that cannot be reached or used, 141 a closed pipe (what a shell shows for SIGPIPE).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from gateway.settings import Settings, mask_url

EXIT_UNAVAILABLE = 3
EXIT_BROKEN_PIPE = 128 + 13  # SIGPIPE

_REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError)


class Unavailable(Exception):
    """A service the command needs cannot be reached or used; the message says which."""


def first_line(exc: BaseException) -> str:
    """The first line of what the driver said, without SQLAlchemy's wrapping and links."""
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = str(inner).strip() or type(inner).__name__
    return text.splitlines()[0].strip()


def describe(exc: BaseException, settings: Settings) -> str | None:
    """The one line for an environment failure, or None when `exc` is not one (a bug)."""
    if isinstance(exc, Unavailable):
        return str(exc)
    if isinstance(exc, OperationalError | InterfaceError):
        where = mask_url(settings.database_url.value)
        said = first_line(exc)
        unmigrated = "no such table" in said or ("relation" in said and "does not exist" in said)
        hint = "; run `paylink migrate`" if unmigrated else ""
        return f"database {where}: {said}{hint}"
    if isinstance(exc, _REDIS_ERRORS):
        where = mask_url(settings.redis_url.value) if settings.redis_url else "Redis"
        return f"Redis {where} is not reachable: {first_line(exc)}"
    if isinstance(exc, ConnectionError | TimeoutError):
        return f"a service did not answer: {first_line(exc)}"
    return None


def quiet_broken_pipe() -> int:
    """The reader went away: say nothing, and keep Python's exit-time flush from failing too."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_BROKEN_PIPE


def guarded(run: Callable[[], int], settings: Settings) -> int:
    """Run a command; environment failures become one line on stderr and an exit code."""
    try:
        code = run()
        sys.stdout.flush()  # here, not at exit, so a closed pipe is caught below
        return code
    except BrokenPipeError:
        return quiet_broken_pipe()
    except Exception as exc:
        line = describe(exc, settings)
        if line is None:
            raise
        sys.stderr.write(f"paylink: {line}\n")
        return EXIT_UNAVAILABLE
