"""The coordinator: one inbound message in, one reply out, for one registered channel.

Per message (engine contract in `gateway.flows.engine`): load the conversation, decode the
input with the channel's decoder, advance the engine, run the effects it asks for and feed each
result back (bounded rounds), save. A save that loses the race to another message of the same
conversation is worked out once more from what that message stored; if effects already ran
(a PIN check, a purchase), they never run again and the stored answer is given instead.
Any failure answers a friendly ending and logs the conversation key and the masked phone,
never the input.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from gateway.clock import Clock
from gateway.conversations.catalogue_provider import CatalogueProvider
from gateway.conversations.config import ConversationConfig, keyed_hash
from gateway.conversations.contract import ChannelProfile, Directory, Inbound, Reply, Sender
from gateway.conversations.effects import EffectRunner, HopContext
from gateway.conversations.failures import masked_traceback
from gateway.conversations.lines import Lines
from gateway.conversations.memo import ValueMemo
from gateway.conversations.record import SessionRecord
from gateway.conversations.services import Services
from gateway.conversations.sessions import (
    NEW,
    ChannelSessions,
    LostRace,
    SessionStore,
    Version,
)
from gateway.flows.catalogue import CatalogueSnapshot
from gateway.flows.engine import advance
from gateway.flows.model import Conversation, Event, Screen, SessionStarted, Transition, UserInput
from gateway.flows.screens import ScreenError, render
from gateway.flows.steps import ending
from gateway.logs import mask_msisdn
from gateway.metrics import HOP_SECONDS, HOPS

logger = logging.getLogger(__name__)

RETRIES = 1  # a lost race is worked out once more from the winner's record, then answered


@dataclass(frozen=True, slots=True)
class _Start:
    """Open a conversation with these inputs (a dial string's segments)."""

    opening: tuple[str, ...]
    consumed: int


@dataclass(frozen=True, slots=True)
class _Go:
    """The engine's answer to one new input of a conversation under way."""

    transition: Transition
    consumed: int


@dataclass(frozen=True, slots=True)
class _Turn:
    reply: Reply
    save: SessionRecord | None = None  # None: answered as the store holds it
    version: Version = NEW
    acted: bool = False  # effects ran: never worked out again


class Coordinator:
    """Runs the messages of one channel (`profile`) against the engine."""

    def __init__(
        self,
        profile: ChannelProfile,
        sessions: ChannelSessions,
        services: Services,
        catalog: CatalogueProvider,
        runner: EffectRunner,
        lines: Lines,
        clock: Clock,
        key: bytes,
        *,
        config: ConversationConfig | None = None,
        directory: Directory | None = None,
    ) -> None:
        self.profile = profile
        self.channel = profile.name
        self._sessions = sessions
        self._services = services
        self._catalog = catalog
        self._runner = runner
        self._lines = lines
        self._clock = clock
        self._key = key
        self._config = config or ConversationConfig()
        self._directory = directory
        self._memo = ValueMemo()  # what the engine derives from repeating values (flows.memo)
        # bound once: a hop pays one add and one observe, no label lookup
        self._hop_seconds = HOP_SECONDS.labels(self.channel)
        self._continued = HOPS.labels(self.channel, "continued")
        self._ended = HOPS.labels(self.channel, "ended")
        self._failed = HOPS.labels(self.channel, "failed")

    async def handle(self, message: Inbound) -> Reply:
        """Answer one message, counted and timed per channel; never raises."""
        started = time.perf_counter()
        try:
            reply = await self._handle(message)
        except Exception as exc:
            self._failed.inc()
            logger.error(
                "%s message failed in conversation %s (phone %s)\n%s",
                self.channel,
                message.conversation,
                _masked(message.sender),
                masked_traceback(exc),
            )
            reply = self._ending(self.profile.sorry)
        else:
            (self._continued if reply.goes_on else self._ended).inc()
        self._hop_seconds.observe(time.perf_counter() - started)
        return reply

    async def dropped(self, key: str) -> bool:
        """The channel says conversation `key` dropped mid-way: keep it for resuming (True if
        there was an open one to keep). Never raises."""
        try:
            record, _ = await self._sessions.load(key)
            return record is not None and await self._lines.dropped(self.channel, record)
        except Exception as exc:
            logger.error("could not keep dropped session %s\n%s", key, masked_traceback(exc))
            return False

    async def _handle(self, message: Inbound) -> Reply:
        started = asyncio.get_running_loop().time()
        phone = message.sender.phone
        if phone is None:
            phone = await self._chat_user_phone(message.sender)
        if phone is None:
            return self._ending(self.profile.unlinked, goes_on=False)
        delivery = keyed_hash(self._key, message.conversation, message.delivery_id)
        # A message that opens a conversation under a new key skips the load. Were one stored
        # after all (a repeated dial), the save loses the race and the retry answers from it.
        if message.input is None:
            record, version = None, NEW
        else:
            record, version = await self._sessions.load(message.conversation)
        for attempt in range(RETRIES + 1):
            turn = await self._turn(message, phone, delivery, started, record, version)
            if turn.save is None:
                return turn.reply
            try:
                await self._sessions.save(message.conversation, turn.version, turn.save)
            except LostRace as race:
                if turn.acted or attempt == RETRIES:
                    return self._settled(message, phone, race.record, turn.reply)
                record, version = race.record, race.version
                continue
            return turn.reply
        raise AssertionError("unreachable")  # pragma: no cover

    async def _turn(
        self,
        message: Inbound,
        phone: str,
        delivery: str,
        started: float,
        record: SessionRecord | None,
        version: Version,
    ) -> _Turn:
        catalog = await self._catalog.snapshot()
        decided = self._decide(message, phone, delivery, record, catalog)
        if isinstance(decided, Reply):
            return _Turn(decided)
        conv = None if isinstance(decided, _Start) else _open(record)
        ctx = HopContext(
            channel=self.channel,
            session_id=message.conversation,
            phone=phone,
            seed=self._seed(message, delivery) if conv is None else conv.caller.seed,
            user_id=None if record is None else record.user_id,
            recent=() if conv is None else conv.caller.recent,
            pin_ok=False if record is None or conv is None else record.pin_ok,
            deadline=started + self.profile.reply_budget_s,
        )
        if isinstance(decided, _Start):
            transition = await self._start(message, ctx, catalog, decided.opening)
        else:
            transition = decided.transition
        acted = bool(transition.effects)
        if acted:
            transition = await self._run_effects(transition, ctx, catalog)
        screen, text = self._fit(transition.reply, message.conversation)
        saved = SessionRecord(
            phone=phone,
            conv=transition.state if screen is transition.reply else None,
            rev=version.rev + 1,
            consumed=decided.consumed,
            delivery=delivery,
            answer=screen,
            user_id=ctx.user_id,
            pin_ok=ctx.pin_ok,
            at=self._clock.now().timestamp(),
        )
        return _Turn(Reply(screen, not screen.ends, text), saved, version, acted)

    def _decide(
        self,
        message: Inbound,
        phone: str,
        delivery: str,
        record: SessionRecord | None,
        catalog: CatalogueSnapshot,
    ) -> Reply | _Start | _Go:
        """What `message` does to `record`, before any I/O: answer as it stands (another
        sender's conversation, a repeated delivery, a message after the end, an older message
        with nothing new), open a conversation, or one engine step."""
        if record is not None:
            if record.phone != phone:
                return self._wrong_sender(message)
            if record.delivery == delivery or (record.conv is None and not self.profile.reopens):
                return _stored(record)
        conv = _open(record)
        consumed = 0 if conv is None or record is None else record.consumed
        decoded = self.profile.decode(message.input or "", consumed)
        if conv is None:
            return _Start(message.shortcut + decoded.opening, decoded.consumed)
        if decoded.input is None:
            assert record is not None  # noqa: S101 - `conv` came from it
            return _stored(record)
        return _Go(self._advance(conv, UserInput(decoded.input), catalog), decoded.consumed)

    def _advance(
        self, conv: Conversation | None, event: Event, catalog: CatalogueSnapshot
    ) -> Transition:
        return advance(
            conv,
            event,
            catalog,
            self.profile.screen,
            sandbox_numbers=self._config.sandbox_numbers,
            funding_hint=self._config.funding_hint,
            memo=self._memo,
        )

    def _seed(self, message: Inbound, delivery: str) -> str:
        """Unique per conversation (intent ids come from it): a USSD session id is; a chat id
        is reused by every conversation of that chat, so its opening message's hash is added."""
        if self.profile.reopens:
            return f"{message.conversation}:{delivery}"
        return message.conversation

    async def _chat_user_phone(self, sender: Sender) -> str | None:
        if sender.chat_user is None or self._directory is None:
            return None
        return await self._directory.phone_of(self.channel, sender.chat_user)

    async def _start(
        self,
        message: Inbound,
        ctx: HopContext,
        catalog: CatalogueSnapshot,
        opening: tuple[str, ...],
    ) -> Transition:
        line = await self._lines.start(self.channel, ctx.phone, message.conversation)
        caller = line.caller
        if caller is None:  # not cached (new, no PIN yet, or not seen for a while)
            caller = await self._services.caller(ctx.phone)
            await self._lines.remember(self.channel, ctx.phone, caller)
        ctx.user_id = caller.user_id
        ctx.recent = caller.recent
        event = SessionStarted(
            phone=ctx.phone,
            seed=ctx.seed,
            has_pin=caller.has_pin,
            recent=caller.recent,
            shortcut=opening,
            resumable=None if opening else line.resumable,
        )
        return self._advance(None, event, catalog)

    async def _run_effects(
        self, transition: Transition, ctx: HopContext, catalog: CatalogueSnapshot
    ) -> Transition:
        for _ in range(self._config.max_rounds):
            result: Event | None = None
            for effect in transition.effects:
                event = await self._runner.run(effect, ctx)
                if result is None:  # the engine gives each transition at most one result
                    result = event
            if result is None:
                return transition
            transition = self._advance(transition.state, result, catalog)
        if transition.effects:  # the engine promises this never happens; do not loop on it
            logger.warning(
                "effects left unrun after %d rounds in session %s",
                self._config.max_rounds,
                ctx.session_id,
            )
        return transition

    def _fit(self, screen: Screen, key: str) -> tuple[Screen, str | None]:
        """`screen` and its text if the channel can show it; else (a bug in a flow) the
        apology."""
        try:
            return screen, render(screen, self.profile.screen)
        except ScreenError as exc:  # the message holds the screen's text
            logger.error(
                "unfit screen in %s session %s\n%s", self.channel, key, masked_traceback(exc)
            )
            return ending(self.profile.sorry), None

    def _settled(
        self, message: Inbound, phone: str, current: SessionRecord | None, mine: Reply
    ) -> Reply:
        """The answer after a lost race: what the winner stored."""
        if current is None:
            logger.warning("session %s vanished while saving", message.conversation)
            return mine
        if current.phone != phone:
            return self._wrong_sender(message)
        return _stored(current)

    def _wrong_sender(self, message: Inbound) -> Reply:
        logger.warning(
            "%s session %s was asked for by another sender (%s)",
            self.channel,
            message.conversation,
            _masked(message.sender),
        )
        return self._ending(self.profile.wrong_sender)

    def _ending(self, message: str, *, goes_on: bool = False) -> Reply:
        return Reply(ending(message), goes_on)


class Coordinators(dict[str, Coordinator]):
    """The coordinator of each registered channel, by channel name."""


@dataclass(frozen=True, slots=True)
class Parts:
    """What every channel's coordinator runs on (one of each per app)."""

    store: SessionStore
    services: Services
    catalog: CatalogueProvider
    runner: EffectRunner
    lines: Lines
    clock: Clock
    config: ConversationConfig
    directory: Directory | None = None


def build(profile: ChannelProfile, parts: Parts, key: bytes) -> Coordinator:
    """The coordinator for one channel: its sessions kept for the profile's TTL, delivery ids
    hashed with `key` (the channel's own)."""
    return Coordinator(
        profile,
        ChannelSessions(parts.store, profile.name, profile.session_ttl_s),
        parts.services,
        parts.catalog,
        parts.runner,
        parts.lines,
        parts.clock,
        key,
        config=parts.config,
        directory=parts.directory,
    )


def _open(record: SessionRecord | None) -> Conversation | None:
    return None if record is None else record.conv


def _stored(record: SessionRecord) -> Reply:
    return Reply(record.answer, record.conv is not None)


def _masked(sender: Sender) -> str:
    return mask_msisdn(sender.phone) if sender.phone is not None else "chat user"
