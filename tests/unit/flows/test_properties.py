"""Property: no sequence of inputs breaks the engine or the handset's screen.

From a fresh session over the full catalogue, any inputs (menu digits, 0/00/98, `*`, long
strings, empty, unicode) with plausible results fed back for every effect never raise, never
render a screen over 160 characters or outside GSM-7, keep `state is None` iff the screen ends,
survive a JSON round trip, and never put a PIN into the conversation.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.flows import codec
from gateway.flows.engine import FLOWS, advance
from gateway.flows.model import (
    AccountStatus,
    BalanceLoaded,
    Caller,
    ChangePin,
    CheckPin,
    Conversation,
    CustomerInvalid,
    CustomerVerified,
    Effect,
    Event,
    FlowName,
    FundingAccount,
    FundingAccountLoaded,
    HistoryItem,
    HistoryLoaded,
    LoadBalance,
    LoadFundingAccount,
    LoadHistory,
    Order,
    PinAccepted,
    PinLocked,
    PinMismatch,
    PinRejected,
    PinSet,
    PurchaseAccepted,
    PurchaseRefused,
    RefusalReason,
    RegisterUser,
    Screen,
    ServiceUnavailable,
    SessionStarted,
    SetSmsPurchases,
    SmsPurchasesSet,
    StagePin,
    SubmitPurchase,
    Transition,
    UserInput,
    VerifyCustomer,
)
from gateway.flows.screens import SMS, TELEGRAM, USSD, Profile, render
from tests.unit.flows.catalogue_data import CATALOG

PLAUSIBLE = [
    "0", "00", "98", "99", "*", "", " ", "#", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10",
    "11", "12", "1234", "7391", "2468", "0000", "4567", "50", "500", "2000", "50000", "1,500",
    "N500", "500.50", "08031234567", "08051234567", "+2348091234567", "2348121234567",
    "1111111111111", "1010101010101", "1212121212", "0123456789", "201000000000",
    "9" * 40, "1*2", "٣", "١٢٣٤", "₦500", "\n", "\t1",
]  # fmt: skip


def _naive(year: int) -> datetime:
    # hypothesis takes naive bounds and adds the time zone itself
    return datetime(year, 1, 1, tzinfo=UTC).replace(tzinfo=None)


inputs = st.one_of(
    st.sampled_from(PLAUSIBLE),
    st.sampled_from([str(n) for n in range(1, 13)]),
    st.from_regex(r"[0-9]{1,25}", fullmatch=True),
    st.text(max_size=40),
)
any_text = st.one_of(st.none(), st.text(max_size=120), st.sampled_from(["TESTMETER1", "A" * 200]))
kobo = st.integers(min_value=0, max_value=10**13)

verify_results = st.one_of(
    st.builds(
        CustomerVerified,
        name=any_text,
        address=any_text,
        current_bouquet=any_text,
        current_bouquet_code=any_text,
        renewal_amount=st.one_of(st.none(), st.integers(min_value=-100, max_value=10**12)),
        min_amount=st.one_of(st.none(), st.integers(min_value=-100, max_value=10**10)),
    ),
    st.builds(CustomerInvalid, any_text),
    st.just(ServiceUnavailable()),
)
locks = st.builds(
    PinLocked,
    st.datetimes(min_value=_naive(2020), max_value=_naive(2100), timezones=st.just(UTC)),
)
submit_results = st.one_of(
    st.just(PurchaseAccepted()),
    st.builds(PurchaseRefused, st.sampled_from(list(RefusalReason)), st.one_of(st.none(), kobo)),
    st.builds(PinRejected, st.integers(min_value=-1, max_value=12)),
    locks,
    st.just(ServiceUnavailable()),
)
history_items = st.builds(
    HistoryItem,
    label=st.text(max_size=80),
    amount=st.integers(min_value=-(10**6), max_value=10**13),
    status=st.one_of(
        st.sampled_from(["initiated", "pending", "delivered", "failed", "reversed"]),
        st.text(max_size=30),
    ),
    when=st.one_of(st.none(), st.datetimes(min_value=_naive(2000))),
    recipient=any_text,
    token=st.one_of(any_text, st.just("26362054405982757802")),
)
funding_accounts = st.builds(
    FundingAccount,
    status=st.sampled_from(AccountStatus),
    bank=st.one_of(st.none(), any_text),
    number=st.one_of(st.none(), any_text, st.just("9930000123")),
    name=st.one_of(st.none(), any_text),
    fee_cap=st.one_of(st.none(), st.integers(min_value=-(10**6), max_value=10**13)),
)
orders = st.one_of(
    st.sampled_from(
        [
            Order("airtime", "mtn", 50000, "+2348031234567", label="MTN Airtime"),
            Order(
                "data",
                "mtn-data",
                100000,
                "+2348051234567",
                "08051234567",
                "mtn-100mb-1000",
                label="MTN Data 1.5GB",
            ),
            Order(
                "electricity-bill",
                "ikeja-electric",
                5_000_000_000,
                "+2348031234567",
                "1111111111111",
                "prepaid",
                label="IKEDC Prepaid",
            ),
            Order(
                "tv-subscription",
                "dstv",
                790000,
                "+2348031234567",
                "1212121212",
                "dstv79",
                subscription_type="renew",
                label="DStv Compact",
            ),
            Order(
                "education",
                "waec",
                90000,
                "+2348031234567",
                None,
                "waecdirect",
                quantity=10,
                label="WAEC Result Checker",
            ),
            Order("data", "gone-data", 100, "+2348031234567", label="Old"),
        ]
    ),
    st.builds(
        Order,
        category=st.text(max_size=20),
        service_id=st.sampled_from(["mtn", "glo", "dstv", "jamb", "nope"]),
        amount=st.integers(min_value=1, max_value=10**13),
        phone=st.just("+2348031234567"),
        customer_ref=st.one_of(st.none(), st.text(max_size=30)),
        variation_code=st.one_of(st.none(), st.text(max_size=30)),
        quantity=st.integers(min_value=1, max_value=99),
        label=st.text(max_size=120),
    ),
)
phones = st.sampled_from(["+2348031234567", "+2348051234567", "+2349091234567", "+2347020000001"])


def result_for(effect: Effect, data: st.DataObject) -> Event | None:
    """A plausible event for the coordinator to feed back (None: the effect has no result)."""
    if isinstance(effect, VerifyCustomer):
        verified: Event = data.draw(verify_results)
        return verified
    if isinstance(effect, SubmitPurchase):
        submitted: Event = data.draw(submit_results)
        return submitted
    if isinstance(effect, LoadBalance):
        return data.draw(st.one_of(st.builds(BalanceLoaded, kobo), st.just(ServiceUnavailable())))
    if isinstance(effect, LoadHistory):
        return data.draw(
            st.one_of(
                st.builds(HistoryLoaded, st.lists(history_items, max_size=7).map(tuple)),
                st.just(ServiceUnavailable()),
            )
        )
    if isinstance(effect, LoadFundingAccount):
        loaded: Event = data.draw(
            st.one_of(
                st.builds(FundingAccountLoaded, funding_accounts), st.just(ServiceUnavailable())
            )
        )
        return loaded
    if isinstance(effect, CheckPin):
        checked: Event = data.draw(
            st.one_of(st.just(PinAccepted()), st.builds(PinRejected, st.integers(0, 3)), locks)
        )
        return checked
    if isinstance(effect, SetSmsPurchases):
        saved: Event = data.draw(
            st.one_of(
                st.builds(SmsPurchasesSet, st.booleans()),
                st.builds(PinRejected, st.integers(0, 3)),
                locks,
                st.just(ServiceUnavailable()),
            )
        )
        return saved
    if isinstance(effect, RegisterUser | ChangePin):
        pin_results: list[Event] = [PinSet(), PinMismatch(), ServiceUnavailable()]
        return data.draw(st.sampled_from(pin_results))
    assert isinstance(effect, StagePin)
    return None


def pins_of(effects: tuple[Effect, ...]) -> list[str]:
    return [
        e.pin
        for e in effects
        if isinstance(
            e, SubmitPurchase | StagePin | RegisterUser | CheckPin | ChangePin | SetSmsPurchases
        )
    ]


def check(before: Conversation | None, t: Transition, profile: Profile) -> None:
    text = render(t.reply, profile)  # raises on a non-GSM-7 character or an over-budget screen
    assert text
    assert (t.state is None) == t.reply.ends
    if t.reply.ends:
        assert not t.reply.options
    awaiting = [e for e in t.effects if not isinstance(e, StagePin)]
    assert len(awaiting) <= 1
    if t.state is not None:
        saved = codec.dumps(t.state)
        assert codec.loads(saved) == t.state
        old = codec.dumps(before) if before is not None else ""
        for pin in pins_of(t.effects):
            assert pin not in saved or pin in old, "a PIN was put into the conversation"


def run_session(data: st.DataObject, profile: Profile, steps: int) -> None:
    def start(resumable: Conversation | None) -> Transition:
        event = SessionStarted(
            phone=data.draw(phones),
            seed=data.draw(st.text(min_size=1, max_size=40)),
            has_pin=data.draw(st.booleans()),
            recent=data.draw(st.lists(orders, max_size=4).map(tuple)),
            shortcut=data.draw(st.lists(inputs, max_size=5).map(tuple)),
            resumable=resumable,
        )
        return advance(None, event, CATALOG, profile)

    def settle(before: Conversation | None, t: Transition) -> Transition:
        check(before, t, profile)
        for _ in range(3):  # the coordinator's bounded rounds
            results = [r for r in (result_for(e, data) for e in t.effects) if r is not None]
            if not results:
                return t
            before, t = t.state, advance(t.state, results[0], CATALOG, profile)
            check(before, t, profile)
            assert t.effects == (), "a result event must not start another effect"
        raise AssertionError("effects kept coming")

    t = settle(None, start(None))
    for _ in range(steps):
        if t.state is None or data.draw(st.integers(0, 30)) == 0:
            # dropped or finished: dial again, sometimes offered to resume
            t = settle(None, start(t.state if data.draw(st.booleans()) else None))
            continue
        before = t.state
        t = settle(before, advance(before, UserInput(data.draw(inputs)), CATALOG, profile))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_inputs_on_ussd_keep_every_screen_on_the_handset(data: st.DataObject) -> None:
    run_session(data, USSD, steps=40)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from([SMS, TELEGRAM]))
def test_any_inputs_on_other_profiles_never_raise(data: st.DataObject, profile: Profile) -> None:
    run_session(data, profile, steps=30)


DATA_KEYS = [
    "svc", "to", "amt", "var", "ref", "vt", "name", "addr", "bq", "bqc", "renew", "min", "_p",
    "bal", "hist", "sel", "sum", "alt", "alt_flow", "alt_step", "o.svc", "o.amt", "o.qty",
    "o.cat", "o.to", "doing",
]  # fmt: skip

garbage_states = st.builds(
    Conversation,
    flow=st.sampled_from(list(FlowName)),
    step=st.one_of(
        st.sampled_from(sorted({s for f in FLOWS.values() for s in f.steps})), st.text()
    ),
    caller=st.builds(Caller, phone=phones, seed=st.text(max_size=10), has_pin=st.booleans()),
    data=st.dictionaries(
        st.one_of(st.sampled_from(DATA_KEYS), st.text(max_size=5)),
        st.one_of(st.text(max_size=30), st.from_regex(r"[0-9]{1,20}", fullmatch=True)),
        max_size=8,
    ),
    intent_id=st.one_of(st.none(), st.text(max_size=10)),
    stack=st.just(()),
)


@settings(max_examples=500, deadline=None)
@given(garbage_states, st.lists(inputs, min_size=1, max_size=10), st.data())
def test_inputs_on_garbage_or_outdated_state_never_raise(
    conv: Conversation, texts: list[str], data: st.DataObject
) -> None:
    """A session saved by an older release, or tampered with, still gets a sane screen."""
    t = Transition(conv, Screen(""))
    for text in texts:
        if t.state is None:
            break
        before = t.state
        t = advance(before, UserInput(text), CATALOG)
        render(t.reply, USSD)
        assert (t.state is None) == t.reply.ends
        for effect in t.effects:
            result = result_for(effect, data)
            if result is not None and t.state is not None:
                t = advance(t.state, result, CATALOG)
                render(t.reply, USSD)


def test_an_input_without_a_session_says_it_has_ended() -> None:
    t = advance(None, UserInput("1"), CATALOG)
    assert t.state is None
    assert render(t.reply, USSD) == "END Your session has ended. Please dial again."
