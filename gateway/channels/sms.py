"""Africa's Talking SMS, inbound: `POST /sms/africastalking/inbound`, answered by SMS.

Added through `at_guard` like the USSD callback: with `PAYLINK_AT_CALLBACK_TOKEN` set the route
is `/sms/africastalking/{token}/inbound` only. AT posts a form per message (channels.md B3:
`from`, `to`, `text`, `date`, `id`, `linkId`, `networkCode`) and wants a 200; the answer goes
back as an SMS of its own, queued in the outbox (the worker sends it) and the worker woken.
So the route always answers 200 at once with an empty body, and:

- a malformed form (no id, a sender that is no Nigerian mobile, a text over AT's 1,600
  characters) is logged and nothing is written;
- AT's `id` is claimed once (`sms_gate`): a second delivery of it changes and sends nothing;
- each phone may send `PAYLINK_SMS_INBOUND_LIMIT` messages per `PAYLINK_SMS_INBOUND_WINDOW`;
  past that a message gets no reply (logged), so a handset that answers every SMS cannot
  loop with us at our cost;
- a sender without an account (or a PIN) is told how to join on USSD; STOP and START set the
  account's notices; a buy command while "SMS purchases" is off says how to turn them on;
- everything else is a message of the phone's one conversation (keyed by a keyed hash of the
  phone, so no phone is in a log line or a Redis key), through the channel's
  coordinator: the flows read commands (`gateway.flows.commands`) and menu answers alike, and a
  purchase is confirmed by the PIN typed back, through the one purchase call.

The text is never logged or stored (it may be a PIN); the conversation keeps only what USSD
keeps, and AT's id as a keyed hash.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

from aiohttp import web

from gateway.channels.at_guard import add_at_callback
from gateway.channels.sms_gate import InboundGate, MemoryInboundGate, RedisInboundGate
from gateway.clock import Clock
from gateway.conversations.config import derive_key, keyed_hash
from gateway.conversations.contract import ChannelProfile, Decoded, Inbound, Sender
from gateway.conversations.coordinator import Coordinator
from gateway.conversations.failures import masked_traceback
from gateway.conversations.keys import coordinators_key
from gateway.flows import commands
from gateway.flows.screens import SMS, ScreenError, render
from gateway.keys import clock_key, db_key, engine_key, redis_key, settings_key
from gateway.logs import mask_msisdn
from gateway.phones import normalize_phone
from gateway.purchases.keys import wakeup_key
from gateway.purchases.wakeup import WakeUp
from gateway.settings import Settings
from gateway.store import outbox, sms_settings
from gateway.worker.keys import worker_key

logger = logging.getLogger(__name__)

ROUTE = "/sms/africastalking"
INBOUND_SUFFIX = "/inbound"
NAME = "sms"
SESSION_TTL_S = 600.0  # ten minutes of silence end a conversation
REPLY_BUDGET_S = 5.0  # no telco waits on the answer, but AT's callback should not
MAX_TEXT = 1600  # AT's cap on one (concatenated) message
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,100}")


def decode_message(raw: str, consumed: int) -> Decoded:
    """One input per message; a message that opens a conversation is its opening input (the
    command it holds), unlike a chat's greeting."""
    return Decoded((raw,), raw, consumed + 1)


def profile(_settings: Settings) -> ChannelProfile:
    """The SMS channel: two GSM-7 parts a reply, ten-minute conversations, one per phone."""
    return ChannelProfile(
        NAME, SMS, SESSION_TTL_S, reply_budget_s=REPLY_BUDGET_S, decode=decode_message
    )


@dataclass(frozen=True, slots=True)
class Texted:
    """One message as AT delivered it: its id, the sender in E.164, the text."""

    id: str
    phone: str
    text: str


def parse_form(form: Mapping[str, object]) -> Texted | str:
    """The message this form describes, or why it cannot be read (for the log)."""
    message_id, sender, text = (form.get(k) for k in ("id", "from", "text"))
    if not isinstance(message_id, str) or not _ID.fullmatch(message_id):
        return "no usable id"
    if not isinstance(sender, str):
        return "no sender"
    try:
        phone = normalize_phone(sender.strip())
    except ValueError:
        return "a sender that is no Nigerian mobile number"
    if not isinstance(text, str):
        return "no text"
    if len(text) > MAX_TEXT:
        return "a text over 1,600 characters"
    return Texted(message_id, phone, text)


@dataclass(frozen=True, slots=True)
class Wording:
    """The channel's own answers, naming this deployment's USSD code."""

    join: str
    purchases_off: str
    stopped: str = (
        "You will get no more PayLink notices by SMS. Receipts and codes still come."
        " Text START to get notices again."
    )
    started: str = "PayLink notices by SMS are on again. Text STOP to stop them."

    @staticmethod
    def of(settings: Settings) -> Wording:
        code = settings.ussd_code
        return Wording(
            join=f"Welcome to PayLink! To join, dial {code} and create your PIN."
            " Then text HELP to use PayLink by SMS.",
            purchases_off="Buying by SMS is off for your account. To turn it on, dial"
            f" {code}, then 6 Wallet, 5 SMS purchases.",
        )


@dataclass(frozen=True, slots=True)
class Answer:
    body: str
    user_id: int | None


class SmsInbox:
    """The inbound side of the SMS channel: one message in, at most one reply queued."""

    def __init__(
        self,
        coordinator: Coordinator,
        gate: InboundGate,
        app: web.Application,
        *,
        limit: int,
        window_s: int,
    ) -> None:
        settings = app[settings_key]
        self._coordinator = coordinator
        self._gate = gate
        self._engine = app[engine_key]
        self._db = app[db_key]
        self._clock: Clock = app[clock_key]
        self._wakeup: WakeUp = app[wakeup_key]
        self._worker = app.get(worker_key)  # the embedded default runs one in this process
        self._wording = Wording.of(settings)
        self._key = derive_key(settings.jwt_secret, "sms-conversation")
        self._limit = limit
        self._window_s = window_s

    async def receive(self, message: Texted) -> bool:
        """Handle one message; True if a reply was queued. Never raises."""
        masked = mask_msisdn(message.phone)
        try:
            if not await self._gate.claim(message.id):
                logger.info("SMS %s from %s delivered again: ignored", message.id, masked)
                return False
            count = await self._gate.hit(message.phone, self._window_s)
        except Exception as exc:
            logger.error("SMS %s could not be checked\n%s", message.id, masked_traceback(exc))
            return False
        if count > self._limit:
            log = logger.warning if count == self._limit + 1 else logger.info
            log("SMS %s from %s over the inbound limit: no reply", message.id, masked)
            return False
        try:
            answer = await self._answer(message)
            await self._queue(message.phone, answer)
        except Exception as exc:
            logger.error("SMS %s from %s failed\n%s", message.id, masked, masked_traceback(exc))
            await self._release(message.id)
            return False
        await self._wake()
        return True

    async def _answer(self, message: Texted) -> Answer:
        async with self._engine.connect() as connection:
            account = await sms_settings.account(connection, message.phone)
        if account is None or not account.has_pin:
            return Answer(self._wording.join, None if account is None else account.user_id)
        command = commands.parse(message.text)
        if isinstance(command, commands.Plain) and command.verb in (
            commands.Verb.STOP,
            commands.Verb.START,
        ):
            return await self._notices(account.user_id, command.verb is commands.Verb.START)
        if commands.buys(command) and not account.purchases:
            return Answer(self._wording.purchases_off, account.user_id)
        # one conversation per phone, under a keyed hash: no phone in a log line or Redis key
        key = keyed_hash(self._key, message.phone)
        inbound = Inbound(NAME, key, Sender(phone=message.phone), message.text, message.id)
        reply = await self._coordinator.handle(inbound)
        try:
            body = render(reply.screen, self._coordinator.profile.screen)
        except ScreenError:  # the coordinator fits every screen; this is a safety net
            body = self._coordinator.profile.sorry
        return Answer(body, account.user_id)

    async def _notices(self, user_id: int, on: bool) -> Answer:
        async with self._db.begin() as session:
            await sms_settings.set_notices(session, user_id, on, self._clock.now())
        return Answer(self._wording.started if on else self._wording.stopped, user_id)

    async def _queue(self, phone: str, answer: Answer) -> None:
        async with self._db.begin() as session:
            await outbox.enqueue(
                session, phone=phone, body=answer.body, at=self._clock.now(), user_id=answer.user_id
            )

    async def _wake(self) -> None:
        """Tell the workers a reply is queued: this process's SMS lane directly, and every
        worker through the wake-up. A hint only: a worker's own interval sends it anyway."""
        lane = None if self._worker is None else self._worker.lanes.get(NAME)
        if lane is not None:
            lane.poke()
        try:
            await self._wakeup.notify()
        except Exception as exc:
            logger.warning("could not wake the worker for an SMS reply: %s", type(exc).__name__)

    async def _release(self, message_id: str) -> None:
        try:
            await self._gate.release(message_id)
        except Exception as exc:
            logger.warning("could not release SMS %s: %s", message_id, type(exc).__name__)


sms_inbox_key = web.AppKey("sms_inbox", SmsInbox)


async def sms_inbox_ctx(app: web.Application) -> AsyncIterator[None]:
    """The inbox for the app's lifetime, once the coordinators, database and Redis are up."""
    settings = app[settings_key]
    redis = app.get(redis_key)
    gate: InboundGate = (
        MemoryInboundGate(app[clock_key])
        if redis is None
        else RedisInboundGate(redis, settings.redis_prefix)
    )
    app[sms_inbox_key] = SmsInbox(
        app[coordinators_key][NAME],
        gate,
        app,
        limit=settings.sms_inbound_limit,
        window_s=settings.sms_inbound_window_s,
    )
    yield


async def sms_inbound(request: web.Request) -> web.Response:
    """One incoming message: always 200 (AT only retries otherwise), the reply goes by SMS."""
    try:
        form = await request.post()
        parsed = parse_form(form)
        if isinstance(parsed, str):
            logger.info("unreadable incoming SMS ignored: %s", parsed)
        else:
            await request.app[sms_inbox_key].receive(parsed)
    except web.HTTPRequestEntityTooLarge:
        logger.warning("incoming SMS with a body over the size limit ignored")
    except Exception as exc:  # AT must still get its 200; nothing was written
        logger.error("incoming SMS failed before it was read\n%s", masked_traceback(exc))
    return web.Response(text="", content_type="text/plain")


def setup_sms_routes(app: web.Application) -> None:
    """The inbound route, and the inbox it needs (started after everything it uses)."""
    add_at_callback(app, ROUTE, INBOUND_SUFFIX, sms_inbound)
    app.cleanup_ctx.append(sms_inbox_ctx)
