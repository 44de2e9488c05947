"""The coordinator: one hop in, one reply out (engine contract in `gateway.flows.engine`).

Per hop: load the session record (or start from this process's copy of it, see `_answer`); a
resent hop (same session, same text) gets the stored answer and changes nothing; otherwise work
out the new input, `advance` the engine, run its effects and feed each result back (bounded
rounds), render, and save with a revision check. A save that loses the race to a concurrent hop
of the same session answers with what that hop stored. So a menu hop costs one Redis round
trip (the compare-and-set) when its session's last hop was answered by the same process.
Any failure answers a friendly END and logs the session id and the masked phone, never the text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.clock import Clock
from gateway.conversations.catalog_provider import CatalogProvider
from gateway.conversations.config import ConversationConfig, keyed_hash
from gateway.conversations.effects import EffectRunner, HopContext
from gateway.conversations.failures import masked_traceback
from gateway.conversations.lines import Lines
from gateway.conversations.record import SessionRecord
from gateway.conversations.services import Services
from gateway.conversations.sessions import SessionStore, StaleRevision
from gateway.flows.catalog import CatalogSnapshot
from gateway.flows.engine import advance
from gateway.flows.model import Conversation, Event, SessionStarted, Transition, UserInput
from gateway.flows.screens import USSD, Profile, ScreenError, render
from gateway.flows.steps import ending
from gateway.logs import mask_msisdn

logger = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong. Please dial again."
WRONG_PHONE = "This session belongs to another phone. Please dial again."


@dataclass(frozen=True, slots=True)
class Hop:
    """One request of a channel session, already translated by the channel.

    `inputs` is every input the session has delivered so far, in order (USSD resends them all,
    split on `*`); the coordinator feeds only those past the ones it consumed. `shortcut` holds
    dial-string segments that arrived outside `inputs` (the USSD service code). `text` is the
    raw request text: only a keyed hash of it is kept, to recognise a resent hop.
    """

    session_id: str
    phone: str  # E.164
    text: str
    inputs: tuple[str, ...]
    shortcut: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reply:
    text: str  # as rendered for the channel's profile (USSD: with `CON `/`END `)
    ends: bool


def new_input(inputs: Sequence[str], consumed: int, separator: str = "*") -> str | None:
    """What the user typed since the last hop, or None if nothing new arrived.

    More than one new segment means an answer that itself contained the separator (USSD joins
    the history with `*`, so a typed `*` splits one answer in two): join them back.
    """
    if len(inputs) <= consumed:
        return None
    return separator.join(inputs[consumed:])


class Coordinator:
    """Runs hops of one channel (`channel`, rendered with `profile`) against the engine."""

    def __init__(
        self,
        store: SessionStore,
        services: Services,
        catalog: CatalogProvider,
        runner: EffectRunner,
        lines: Lines,
        clock: Clock,
        hop_key: bytes,
        *,
        reply_budget_s: float = 2.0,
        config: ConversationConfig | None = None,
        channel: str = "ussd",
        profile: Profile = USSD,
    ) -> None:
        self._store = store
        self._services = services
        self._catalog = catalog
        self._runner = runner
        self._lines = lines
        self._clock = clock
        self._hop_key = hop_key
        self._budget_s = reply_budget_s
        self._config = config or ConversationConfig()
        self.channel = channel
        self._profile = profile
        self._sandbox = self._config.sandbox_numbers

    def _advance(
        self, conv: Conversation | None, event: Event, catalog: CatalogSnapshot
    ) -> Transition:
        return advance(
            conv,
            event,
            catalog,
            self._profile,
            sandbox_numbers=self._sandbox,
            funding_hint=self._config.funding_hint,
        )

    def _text(self, transition: Transition) -> str:
        return render(transition.reply, self._profile)

    def _ending(self, message: str) -> Reply:
        return Reply(render(ending(message), self._profile), ends=True)

    async def handle(self, hop: Hop) -> Reply:
        """Answer one hop; never raises."""
        try:
            return await self._handle(hop)
        except Exception as exc:
            logger.error(
                "%s hop failed in session %s (phone %s)\n%s",
                self.channel,
                hop.session_id,
                mask_msisdn(hop.phone),
                masked_traceback(exc),
            )
            return self._ending(SORRY)

    async def _handle(self, hop: Hop) -> Reply:
        started = asyncio.get_running_loop().time()
        digest = keyed_hash(self._hop_key, hop.session_id, hop.text)
        # A dial (no input yet) opens a new session, so it skips the load. Were the session
        # there after all (a resent dial), the save below fails its revision check and the
        # stored answer is returned, exactly as for any resent hop.
        if not hop.inputs:
            return await self._answer(hop, digest, started, None, checked=True)
        record = self._store.recall(self.channel, hop.session_id)
        if record is not None:
            return await self._answer(hop, digest, started, record, checked=False)
        record = await self._store.load(self.channel, hop.session_id)
        return await self._answer(hop, digest, started, record, checked=True)

    async def _answer(
        self, hop: Hop, digest: str, started: float, record: SessionRecord | None, checked: bool
    ) -> Reply:
        """Answer `hop` from `record`: as read from the store (`checked`), or this process's copy.

        Why a copy is safe: it saves a read per hop, and the save's revision check refuses it
        if any other process saved the session meanwhile; nothing has happened then, so the
        hop is simply worked out again from the record the refusal carries. Two things must
        not happen on a stale copy, so the store is read first: answering without a save (a
        resent or late hop is judged by the stored record), and running effects (a PIN check
        or a purchase is never run for a hop the stored record has already answered).
        """
        conv, text = None, None
        if record is not None:
            if _changes_nothing(hop, record, digest):
                redo = await self._confirmed(hop, digest, started, record, checked)
                if redo is not None:
                    return redo
                if record.phone != hop.phone:
                    return self._wrong_phone(hop)
                return _stored(record)
            conv, text = record.conv, new_input(hop.inputs, record.consumed)
        catalog = await self._catalog.snapshot()
        ctx = HopContext(
            channel=self.channel,
            session_id=hop.session_id,
            phone=hop.phone,
            seed=hop.session_id if conv is None else conv.caller.seed,
            user_id=None if record is None else record.user_id,
            recent=() if conv is None else conv.caller.recent,
            pin_ok=False if record is None else record.pin_ok,
            deadline=started + self._budget_s,
        )
        if conv is None or text is None:
            transition = await self._start(hop, ctx, catalog)
        else:
            transition = self._advance(conv, UserInput(text), catalog)
        if transition.effects and not checked:
            redo = await self._confirmed(hop, digest, started, record, checked)
            if redo is not None:
                return redo
            checked = True  # the store holds our copy: run them, as on any checked record
        transition = await self._run_effects(transition, ctx, catalog)
        try:
            answer = self._text(transition)
        except ScreenError as exc:  # a bug in a flow: the message holds the screen's text
            logger.error(
                "unfit screen in %s session %s\n%s",
                self.channel,
                hop.session_id,
                masked_traceback(exc),
            )
            transition = Transition(None, ending(SORRY))
            answer = self._text(transition)
        saved = SessionRecord(
            phone=hop.phone,
            conv=transition.state,
            rev=1 if record is None else record.rev + 1,
            consumed=len(hop.inputs),
            hop=digest,
            answer=answer,
            user_id=ctx.user_id,
            pin_ok=ctx.pin_ok,
            at=self._clock.now().timestamp(),
        )
        try:
            await self._store.save(self.channel, hop.session_id, saved)
        except StaleRevision as exc:
            if not checked:  # our copy was overtaken before anything ran: work it out again
                return await self._answer(hop, digest, started, exc.current, checked=True)
            return self._lost_race(hop, exc.current, answer, transition.reply.ends)
        return Reply(answer, transition.reply.ends)

    async def _confirmed(
        self,
        hop: Hop,
        digest: str,
        started: float,
        record: SessionRecord | None,
        checked: bool,
    ) -> Reply | None:
        """None if `record` is what the store holds; else the answer worked out from that."""
        if checked:
            return None
        current = await self._store.load(self.channel, hop.session_id)
        if current is record or current == record:
            return None
        return await self._answer(hop, digest, started, current, checked=True)

    async def _start(self, hop: Hop, ctx: HopContext, catalog: CatalogSnapshot) -> Transition:
        line = await self._lines.start(self.channel, hop.phone, hop.session_id)
        caller = line.caller
        if caller is None:  # not cached (new, no PIN yet, or not seen for a while)
            caller = await self._services.caller(hop.phone)
            await self._lines.remember(self.channel, hop.phone, caller)
        ctx.user_id = caller.user_id
        ctx.recent = caller.recent
        event = SessionStarted(
            phone=hop.phone,
            seed=hop.session_id,
            has_pin=caller.has_pin,
            recent=caller.recent,
            shortcut=hop.shortcut + hop.inputs,
            resumable=None if hop.shortcut or hop.inputs else line.resumable,
        )
        return self._advance(None, event, catalog)

    async def _run_effects(
        self, transition: Transition, ctx: HopContext, catalog: CatalogSnapshot
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

    def _lost_race(self, hop: Hop, current: SessionRecord | None, answer: str, ends: bool) -> Reply:
        if current is None:
            logger.warning("session %s vanished while saving", hop.session_id)
            return Reply(answer, ends)
        if current.phone != hop.phone:
            return self._wrong_phone(hop)
        return _stored(current)

    def _wrong_phone(self, hop: Hop) -> Reply:
        logger.warning(
            "%s session %s was asked for by another phone (%s)",
            self.channel,
            hop.session_id,
            mask_msisdn(hop.phone),
        )
        return self._ending(WRONG_PHONE)

    async def session_ended(self, session_id: str, status: str) -> bool:
        """The telco ended a session; `Incomplete`/`Failed` keep it for resuming. Never raises."""
        if status not in {"Incomplete", "Failed"}:
            return False
        try:
            record = await self._store.load(self.channel, session_id)
            return record is not None and await self._lines.dropped(self.channel, record)
        except Exception as exc:
            logger.error("could not keep dropped session %s\n%s", session_id, masked_traceback(exc))
            return False


def _changes_nothing(hop: Hop, record: SessionRecord, digest: str) -> bool:
    """Whether `hop` is answered from `record` as it stands: another phone's session, a resent
    hop, a hop after the END, or an older hop arriving late (nothing new in its inputs)."""
    return (
        record.phone != hop.phone
        or record.hop == digest
        or record.conv is None
        or len(hop.inputs) <= record.consumed
    )


def _stored(record: SessionRecord) -> Reply:
    return Reply(record.answer, record.conv is None)
