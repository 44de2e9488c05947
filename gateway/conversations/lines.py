"""What the gateway remembers about a phone line between its sessions, in one small record.

Why one record per phone (three fields, read and updated in one round trip on every session's
first hop, renewed for `ttl_s`):

- `caller`: the user lookup (user id, recent delivered orders for "buy again"), so a new session
  needs no database query. Kept only once the user has a PIN (that never goes back); a USSD
  purchase drops it (the next session reads the database, where the purchase counts once
  delivered), while purchases made through other channels reach "buy again" within the TTL
  (five minutes).
- `sid`: the newest session. If the telco never reports that a session dropped, the session a
  new one displaces is offered for resuming when it was still open and active within the window
  (the store reads that session's record in the same round trip as the line's).
- `drop`: the conversation of a session the telco reported ended `Incomplete`/`Failed`, offered
  once within the window (two minutes).

The phone appears only as a keyed hash in the key, never in clear.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import cachetools

from gateway.clock import Clock
from gateway.conversations.config import keyed_hash
from gateway.conversations.record import SessionRecord
from gateway.conversations.services import CallerInfo
from gateway.conversations.sessions import SessionStore
from gateway.flows import codec
from gateway.flows.model import Conversation, Order
from gateway.flows.repeat import as_choice

logger = logging.getLogger(__name__)

RECENT_KEPT = 3
_PARSED_KEPT = 4096  # parsed callers kept: the recently active lines, with room


@dataclass(frozen=True, slots=True)
class LineStart:
    """What a session's first hop learns from the line: a cached caller, a conversation to offer."""

    caller: CallerInfo | None
    resumable: Conversation | None


class Lines:
    """`start` on each first hop; `remember`/`bought` keep the caller fresh; `dropped` on events."""

    def __init__(
        self,
        store: SessionStore,
        key: bytes,
        clock: Clock,
        *,
        window_s: float = 120.0,
        ttl_s: float = 300.0,
    ) -> None:
        self._store = store
        self._key = key
        self._clock = clock
        self._window_s = window_s
        self._ttl_s = ttl_s
        # Callers parsed from line records, by the record's bytes: every dial reads the line,
        # which rarely changes, and decoding its recent orders cost more than the rest of the
        # dial's work for callers with purchase history. Keyed by value, so a changed record
        # is a new entry; the least recently dialled lines leave first.
        self._parsed: cachetools.LRUCache[bytes, tuple[float, CallerInfo]] = cachetools.LRUCache(
            _PARSED_KEPT
        )

    def _name(self, channel: str, phone: str) -> str:
        return f"{channel}:line:{keyed_hash(self._key, 'phone', phone)}"

    def _fresh(self, at: float) -> bool:
        return 0 <= self._clock.now().timestamp() - at <= self._window_s

    async def start(self, channel: str, phone: str, session_id: str) -> LineStart:
        """Point the line at this session; take the dropped conversation (offered once)."""
        # One round trip: the line's fields and the record of the session it displaces.
        before, record = await self._store.repoint(
            self._name(channel, phone), channel, session_id, ("drop",), self._ttl_s
        )
        caller = self._cached(before.get("caller"))
        resumable = self._kept(before.get("drop"))
        if (
            resumable is None
            and record is not None
            and record.conv is not None
            and record.phone == phone
            and self._fresh(record.at)
        ):
            resumable = record.conv
        return LineStart(caller, resumable)

    async def remember(self, channel: str, phone: str, caller: CallerInfo) -> None:
        """Cache a caller who has a PIN (anyone else is looked up again next time)."""
        if caller.user_id is None or not caller.has_pin:
            return
        body = {
            "at": self._clock.now().timestamp(),
            "user_id": caller.user_id,
            "recent": [as_choice(o).to_fields() for o in caller.recent[:RECENT_KEPT]],
        }
        await self._store.exchange(
            self._name(channel, phone), {"caller": json.dumps(body).encode()}, (), self._ttl_s
        )

    async def bought(self, channel: str, phone: str) -> None:
        """A purchase was recorded: forget the cached caller, so the next session reads "buy
        again" from the database, where only delivered purchases count (this one is not yet)."""
        await self._store.exchange(self._name(channel, phone), {}, ("caller",), self._ttl_s)

    async def dropped(self, channel: str, record: SessionRecord) -> bool:
        """Keep `record`'s open conversation for the window; False if there is none."""
        if record.conv is None or not self._fresh(record.at):
            return False
        body = json.dumps({"at": record.at, "conv": codec.to_dict(record.conv)})
        await self._store.exchange(
            self._name(channel, record.phone), {"drop": body.encode()}, (), self._ttl_s
        )
        return True

    def _cached(self, raw: bytes | None) -> CallerInfo | None:
        """The cached caller unless older than the TTL (each dial renews the record, not this)."""
        if raw is None:
            return None
        parsed = self._parsed.get(raw)
        if parsed is None:
            parsed = _parse_caller(raw)
            if parsed is None:
                return None
            self._parsed[raw] = parsed
        at, caller = parsed
        if self._clock.now().timestamp() - at > self._ttl_s:
            return None
        return caller

    def _kept(self, raw: bytes | None) -> Conversation | None:
        if raw is None:
            return None
        try:
            body = json.loads(raw)
            at = float(body["at"])
            conv = codec.from_dict(body["conv"])
        except (ValueError, TypeError, KeyError):
            return None
        return conv if self._fresh(at) else None


def _parse_caller(raw: bytes) -> tuple[float, CallerInfo] | None:
    """(when it was cached, the caller) from a line's `caller` field; None if unreadable."""
    try:
        body = json.loads(raw)
        at, user_id = float(body["at"]), body["user_id"]
        orders = tuple(Order.from_fields(fields) for fields in body["recent"])
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if not isinstance(user_id, int) or any(o is None for o in orders):
        return None
    return at, CallerInfo(user_id, True, tuple(o for o in orders if o is not None))
