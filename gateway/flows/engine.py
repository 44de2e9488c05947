"""`advance`: the one entry point, dispatching an event to the right flow step.

Why a single pure function: the coordinator loads the conversation, calls `advance`, runs the
returned effects, feeds each result back through `advance`, saves, and renders the last reply.
Global keys are handled here so every flow gets them the same way:

- on a profile that takes commands (SMS), a message starting with a command word opens that
  command (`command_flow`), whether it opens the conversation or arrives at any step;
- `00` main menu (the PIN set-up for a caller without a PIN), `0` back (the previous page of a
  list, else the previous screen), `98` next page, but only where the screen shows "98 More"
  (elsewhere 98 is ordinary input, e.g. an amount);
- `ServiceUnavailable` ends politely and `PinLocked` ends with the unlock time (or how to
  reset the PIN), from any step;
- a conversation in an unknown flow or step (an old schema, a hand-edited session) goes home.

Coordinator contract (what `flows/service.py` must do):

1. First hop: `advance(None, SessionStarted(phone, seed, has_pin, recent, shortcut, resumable))`.
   `seed` is a random value minted per session (e.g. `uuid4().hex`); `has_pin` is whether the
   user exists with a PIN; `recent` their last purchases as `Order`s, newest first (three are
   used); `shortcut` the extra dial-string segments; `resumable` a conversation this phone
   dropped less than two minutes ago, if any. Later hops: `UserInput(<the new input only>)`.
2. Run `transition.effects` in order. `StagePin` has no result. Every other effect has exactly
   one result event (listed on each effect in `model.py`); feed it with
   `advance(transition.state, result, ...)` in the same request and answer with the reply of
   that transition. A transition holds at most one such effect and a result event never starts
   another, so one round suffices. Any infrastructure failure is fed back as
   `ServiceUnavailable`.
3. PINs: `StagePin(pin)` keeps `HMAC(server key, seed + pin)` in a short-lived record beside
   the session, never in it. `RegisterUser(phone, pin)` / `ChangePin(pin)` compare with the staged
   HMAC (`PinMismatch` if different), then get-or-create the user / require a `CheckPin`
   success earlier in this session, store the argon2 hash and answer `PinSet`, dropping the
   staged record. `CheckPin` and `SubmitPurchase` verify the hash and count failures toward the
   lock: `PinRejected(attempts_left)` or `PinLocked(until)` (None: until a PIN reset). Never
   store or log the raw USSD `text` (it holds the PIN); keep a hash of it for resent-hop detection.
4. `SubmitPurchase(intent_id, order, pin)`: after the PIN check, submit
   `gateway.purchases.models.PurchaseOrder` (the order's category, service_id, amount, phone,
   customer_ref, variation_code and quantity; `product=order.label`; `options=
   {"subscription_type": ...}` when set) with `idempotency_key=intent_id` and
   `expected_total=total` (the quote the confirm screen showed), and feed
   `PurchaseAccepted`; `InsufficientFunds` -> `PurchaseRefused(INSUFFICIENT_FUNDS, balance)`,
   `DailyLimitExceeded` -> `DAILY_LIMIT`, `Forbidden` -> `ACCOUNT_BLOCKED`, `PriceMismatch` ->
   `PRICE_CHANGED` (with the total now), `InvalidInput` ->
   `INVALID`, anything else refused -> `UNAVAILABLE`. Never call `/pay` in the hop. The intent
   id is fixed per confirm screen, so a re-sent PIN hop or a resumed confirm submits the same key.
5. `VerifyCustomer` -> VTPass merchant-verify; feed `model.verification_event(info)`.
   `LoadBalance` -> `BalanceLoaded(kobo)`; `LoadHistory(limit)` -> `HistoryLoaded` (newest
   first, with the token or PINs of delivered purchases).
6. Save `codec.dumps(state)` (delete the session when `state` is None); the engine copies `rev`
   through untouched for the store's optimistic check. Render with
   `screens.render(reply, profile)`; `advance` never raises for any input or state, and
   `render` raises `ScreenError` only on a bug (answer END with a friendly line, log it).
7. Catalogue: build one `catalog.CatalogueSnapshot.build(categories, services, variations)` from
   `CachedCatalogue` (variations of every data, TV and education service) whenever the cache
   refreshes, and pass the same snapshot to every `advance`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC

from gateway.clock import LAGOS
from gateway.flows import (
    airtime,
    checkout,
    command_flow,
    commands,
    data,
    education,
    electricity,
    fund,
    menu,
    onboarding,
    repeat,
    sms_setting,
    tv,
    wallet,
)
from gateway.flows.catalogue import CatalogueSnapshot
from gateway.flows.memo import Memo, compute
from gateway.flows.model import (
    Caller,
    Conversation,
    Event,
    FlowName,
    Order,
    PinLocked,
    Screen,
    ServiceUnavailable,
    SessionStarted,
    Transition,
    UserInput,
)
from gateway.flows.screens import BACK_KEY, HOME_KEY, MORE_KEY, USSD, Profile
from gateway.flows.steps import HOME_STEP, Ctx, Flow, Move, back, end, ending, home, next_page
from gateway.pin_policy import RESET_HINT

FLOWS: Mapping[FlowName, Flow] = {
    FlowName.ONBOARDING: onboarding.FLOW,
    FlowName.MAIN: menu.FLOW,
    FlowName.AIRTIME: airtime.FLOW,
    FlowName.DATA: data.FLOW,
    FlowName.ELECTRICITY: electricity.FLOW,
    FlowName.TV: tv.FLOW,
    FlowName.EDUCATION: education.FLOW,
    FlowName.WALLET: wallet.FLOW,
    FlowName.CHECKOUT: checkout.FLOW,
    FlowName.COMMAND: command_flow.FLOW,
    FlowName.SMS_SETTING: sms_setting.FLOW,
    FlowName.FUND: fund.FLOW,
}

EXPIRED = "Your session has ended. Please {again}."  # the channel words how to start again
BUSY = "Sorry, we cannot serve you right now. Please try again later."
MAX_INPUT = 64  # longer inputs are cut before any flow sees them


def advance(
    conv: Conversation | None,
    event: Event,
    catalog: CatalogueSnapshot,
    profile: Profile = USSD,
    *,
    sandbox_numbers: bool = False,
    funding_hint: str | None = None,
    memo: Memo = compute,
) -> Transition:
    """The next state, the screen to show, and the effects to run. Never raises on any input.

    `conv` is None on the first hop (with `SessionStarted`) and after the conversation ended.
    `sandbox_numbers` lets recipients be VTPass's sandbox scenario numbers (`gateway.phones`);
    `funding_hint` is what a short wallet is told on every channel (None: each channel's own
    words, `Profile.fund_hint`; see `gateway.funding.shared_hint`); `memo` is the
    shell's cache for what is derived from values that repeat across hops (`gateway.flows.memo`).
    """
    ctx = Ctx(catalog, profile, sandbox_numbers, funding_hint, memo)
    if isinstance(event, SessionStarted):
        move = _start(event, ctx)
    elif conv is None:
        move = end(EXPIRED.format(again=profile.again))
    elif conv.flow not in FLOWS or conv.step not in FLOWS[conv.flow].steps:
        move = Move(home(conv))
    elif isinstance(event, UserInput):
        move = _input(conv, event.text, ctx)
    elif isinstance(event, ServiceUnavailable):
        move = end(BUSY)
    elif isinstance(event, PinLocked):
        move = end(_locked_text(event))
    else:
        move = FLOWS[conv.flow].on_event(conv, event, ctx)
    return _realise(move, ctx)


def _locked_text(event: PinLocked) -> str:
    """Always "locked", never "wrong PIN": until when (Lagos time), or how to reset."""
    if event.until is None:
        return f"PIN locked after too many wrong PINs. {RESET_HINT}"
    until = event.until if event.until.tzinfo else event.until.replace(tzinfo=UTC)
    return (
        f"PIN locked until {until.astimezone(LAGOS):%H:%M} after too many wrong PINs."
        f" Forgot it? {RESET_HINT}"
    )


def _realise(move: Move, ctx: Ctx) -> Transition:
    if move.screen is not None:
        return Transition(move.state, _marked(move.screen, move.state), move.effects)
    if move.state is None:  # flows always end with a screen; this is only a safety net
        return Transition(None, ending(EXPIRED.format(again=ctx.profile.again)), move.effects)
    screen = FLOWS[move.state.flow].prompt(move.state, ctx)
    if move.hint:
        screen = replace(screen, hint=move.hint)
    return Transition(move.state, _marked(screen, move.state), move.effects)


def _marked(screen: Screen, state: Conversation | None) -> Screen:
    """`screen`, marked `secret` when the step it leaves the caller on takes a PIN."""
    flow = None if state is None else FLOWS.get(state.flow)
    if flow is None or screen.secret or state is None or state.step not in flow.pin_steps:
        return screen
    return replace(screen, secret=True)


def _starting_orders(given: tuple[Order, ...]) -> tuple[Order, ...]:
    # through their stored form, so the state is exactly what the session store reloads; kept
    # as choices, so no price a line cache still holds is ever offered again
    stored = (Order.from_fields(repeat.as_choice(order).to_fields()) for order in given)
    return tuple(o for o in stored if o)[:3]


def _start(event: SessionStarted, ctx: Ctx) -> Move:
    # a phone line's sessions start with the same orders: worked out once per line's orders
    recent = ctx.memo(("starting-orders", event.recent), lambda: _starting_orders(event.recent))
    caller = Caller(event.phone, event.seed, event.has_pin, recent)
    conv = home(Conversation(FlowName.MAIN, HOME_STEP, caller))
    if ctx.profile.commands and event.shortcut:  # a text message: the command it holds
        return command_flow.open_command(conv, " ".join(event.shortcut), ctx)
    if not caller.has_pin:
        return Move(conv)
    if event.shortcut:
        return repeat.run_shortcut(conv, event.shortcut, ctx, _feeder(ctx), _asks_pin)
    if event.resumable is not None:
        return menu.offer_resume(conv, event.resumable, FLOWS)
    return Move(conv)


def _feeder(ctx: Ctx) -> repeat.Feed:
    def feed(conv: Conversation, text: str) -> Move:
        return _input(conv, text, ctx)

    return feed


def _asks_pin(conv: Conversation) -> bool:
    return conv.step in FLOWS[conv.flow].pin_steps


def _input(conv: Conversation, raw: str, ctx: Ctx) -> Move:
    if ctx.profile.commands and commands.verb_of(raw) is not None:  # starts over, any step
        return command_flow.open_command(conv, raw, ctx)
    text = raw.strip()[:MAX_INPUT]
    flow = FLOWS[conv.flow]
    if conv.step in flow.waiting:  # the result never came back: return to the step before
        return Move(back(conv) or home(conv))
    if text == HOME_KEY:
        return Move(home(conv))
    if text == BACK_KEY:
        return Move(back(conv) or conv)
    if text == MORE_KEY and flow.prompt(conv, ctx).more:
        return Move(next_page(conv))
    return flow.handle(conv, text, ctx)
