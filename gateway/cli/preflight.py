"""Checks a long-running command makes before it says it is serving: the port is free, the
database answers and is migrated, Redis answers.

Why before: `paylink serve` and `paylink worker` otherwise announce themselves and then fail
deep inside start-up (a traceback per cleanup context), or, for the worker, start and log an
error every few seconds. Each check fails with `Unavailable`, one line that names what.
"""

from __future__ import annotations

import errno
import socket

import redis
from redis.exceptions import RedisError

from gateway.cli.failures import Unavailable, first_line
from gateway.settings import Settings, mask_url
from gateway.store.migrate import current

_CHECK_TIMEOUT_S = 3.0


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on `host:port` for `web.run_app(sock=...)`: the port is held from
    this check on, so no other process can take it between the check and serving.

    Raises:
        Unavailable: the address is taken or cannot be used.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise Unavailable(f"cannot serve on {host}:{port}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp does
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise Unavailable(
                f"cannot serve on {host}:{port}: the port is already in use"
                " (another `paylink serve`? choose one with --port)"
            ) from None
        raise Unavailable(f"cannot serve on {host}:{port}: {exc.strerror}") from None
    return sock


def check_database(settings: Settings) -> None:
    """The database answers and has been migrated.

    Raises:
        Unavailable: it does not answer (the driver's first line), or has no tables yet.
    """
    where = mask_url(settings.database_url.value)
    try:
        revision = current(settings.database_url.value)
    except Exception as exc:  # the driver's own errors; each one means "cannot use it"
        raise Unavailable(f"database {where}: {first_line(exc)}") from None
    if revision is None:
        raise Unavailable(f"database {where} has no tables yet: run `paylink migrate`")


def check_redis(settings: Settings) -> None:
    """Redis answers a PING, when one is configured.

    Raises:
        Unavailable: it does not.
    """
    if settings.redis_url is None:
        return
    client = redis.Redis.from_url(
        settings.redis_url.value,
        socket_timeout=_CHECK_TIMEOUT_S,
        socket_connect_timeout=_CHECK_TIMEOUT_S,
    )
    try:
        client.ping()
    except RedisError as exc:
        where = mask_url(settings.redis_url.value)
        raise Unavailable(f"Redis {where} is not reachable: {first_line(exc)}") from None
    finally:
        client.close()
