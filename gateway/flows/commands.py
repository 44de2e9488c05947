"""Text commands: what a message such as `airtime 500 0803 123 4567` asks for.

Why pure and in the core: the engine opens a command at any step of a conversation on a
channel whose profile takes commands (SMS), and the SMS adapter reads the same parse to decide
what needs the account first (STOP/START, whether purchases by SMS are on). Forgiving, as
people type on a keypad: any case, extra spaces, `N1,500` or `1500`, a verb glued to its
number (`WAEC2`), a phone number in any Nigerian form with spaces or dashes inside it, and the
optional words (a network, `postpaid`) wherever they cannot be confused. Names (networks,
discos, providers, plan codes) are kept as typed, lower-cased: the catalogue decides what they
name (`gateway.flows.command_flow`). Never raises; nothing here is logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from gateway.flows.steps import parse_amount
from gateway.phones import SANDBOX_NUMBERS, normalize_phone


class Verb(StrEnum):
    HELP = "HELP"
    BAL = "BAL"
    AIRTIME = "AIRTIME"
    DATA = "DATA"
    LIGHT = "LIGHT"
    TV = "TV"
    WAEC = "WAEC"
    HISTORY = "HISTORY"
    STOP = "STOP"
    START = "START"
    FUND = "FUND"  # the caller's account number for bank transfers


_VERBS = {
    "help": Verb.HELP,
    "menu": Verb.HELP,
    "?": Verb.HELP,
    "bal": Verb.BAL,
    "balance": Verb.BAL,
    "airtime": Verb.AIRTIME,
    "recharge": Verb.AIRTIME,
    "data": Verb.DATA,
    "light": Verb.LIGHT,
    "power": Verb.LIGHT,
    "electricity": Verb.LIGHT,
    "nepa": Verb.LIGHT,
    "tv": Verb.TV,
    "cable": Verb.TV,
    "waec": Verb.WAEC,
    "history": Verb.HISTORY,
    "hist": Verb.HISTORY,
    "stop": Verb.STOP,
    "start": Verb.START,
    "fund": Verb.FUND,
    "funding": Verb.FUND,
}

AIRTIME_NETWORKS = frozenset({"mtn", "glo", "airtel", "9mobile", "etisalat"})
# words that ask for a data provider's plan list (`DATA MTN`); anything else is a plan code
DATA_PROVIDERS = AIRTIME_NETWORKS | {"glosme", "smile", "spectranet"}
KINDS = {"prepaid": "prepaid", "pre": "prepaid", "postpaid": "postpaid", "post": "postpaid"}
PHONE_BILLED_TV = frozenset({"showmax"})  # billed to a phone number: a plan code, no card

MAX_TEXT = 320  # two SMS parts; a longer message is no command a person typed
MAX_WORDS = 12
MAX_PAGE = 99
_WORD = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}")
_GLUED = re.compile(r"([a-z]+)([0-9][0-9,.]*)")  # `waec2`, `airtime500`
_NUMBERISH = re.compile(r"[0-9+()-]+")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class Plain:
    """A command without arguments: HELP, BAL, HISTORY, STOP, START, FUND."""

    verb: Verb


@dataclass(frozen=True, slots=True)
class Airtime:
    amount: int  # kobo, whole naira
    recipient: str | None = None  # E.164 (or a sandbox scenario number as typed)
    network: str | None = None


@dataclass(frozen=True, slots=True)
class DataPlans:
    """`DATA MTN [page]`: the provider's plan codes."""

    provider: str
    page: int = 1


@dataclass(frozen=True, slots=True)
class DataBuy:
    code: str  # a plan code as listed (`mtn5`) or VTPass's own (`mtn-10mb-100`)
    recipient: str | None = None


@dataclass(frozen=True, slots=True)
class Light:
    disco: str
    meter: str
    amount: int  # kobo
    kind: str = "prepaid"


@dataclass(frozen=True, slots=True)
class TvPlans:
    """`TV DSTV [page]`: the provider's bouquet codes."""

    provider: str
    page: int = 1


@dataclass(frozen=True, slots=True)
class Tv:
    """A smartcard's renewal (no bouquet) or a bouquet for it."""

    provider: str
    card: str
    bouquet: str | None = None


@dataclass(frozen=True, slots=True)
class TvByPhone:
    """A plan of a phone-billed TV service (Showmax) for a number (the sender's if None)."""

    provider: str
    code: str
    recipient: str | None = None


@dataclass(frozen=True, slots=True)
class Waec:
    quantity: int = 1


@dataclass(frozen=True, slots=True)
class Usage:
    """A known command whose arguments do not fit: answered with how to write it."""

    verb: Verb


@dataclass(frozen=True, slots=True)
class Unknown:
    """No command: answered with a one-line hint."""


Command = (
    Plain
    | Airtime
    | DataPlans
    | DataBuy
    | Light
    | TvPlans
    | Tv
    | TvByPhone
    | Waec
    | Usage
    | Unknown
)
PURCHASES = (Airtime, DataBuy, Light, Tv, TvByPhone, Waec)


def buys(command: Command) -> bool:
    """Whether the command leads to a purchase (a confirm screen and the PIN)."""
    return isinstance(command, PURCHASES)


def verb_of(text: str) -> Verb | None:
    """The command word `text` starts with, if any (cheap: the engine asks on every input)."""
    words = text[:MAX_TEXT].lower().split(maxsplit=1)
    return _split_verb(words[0])[0] if words else None


def parse(text: str) -> Command:
    """The command `text` holds; `Unknown` when it starts with no command word."""
    words = text[:MAX_TEXT].lower().split()
    if not words:
        return Unknown()
    verb, glued = _split_verb(words[0])
    if verb is None:
        return Unknown()
    rest = [*glued, *words[1:]]
    if len(rest) > MAX_WORDS:
        return Usage(verb)
    if verb is Verb.AIRTIME:
        return _airtime(rest)
    if verb is Verb.DATA:
        return _data(rest)
    if verb is Verb.LIGHT:
        return _light(rest)
    if verb is Verb.TV:
        return _tv(rest)
    if verb is Verb.WAEC:
        return _waec(rest)
    return Plain(verb)


def _split_verb(word: str) -> tuple[Verb | None, list[str]]:
    word = word.rstrip(".,!:;") or word
    verb = _VERBS.get(word)
    if verb is not None:
        return verb, []
    glued = _GLUED.fullmatch(word)
    if glued is not None and glued.group(1) in _VERBS:
        return _VERBS[glued.group(1)], [glued.group(2)]
    return None, []


def recipient(text: str) -> str | None:
    """A number to buy for: a Nigerian mobile in E.164, or a sandbox scenario number as typed
    (whether one may be used is the flows' decision, `steps.parse_phone`)."""
    bare = re.sub(r"[\s()-]", "", text)
    if bare in SANDBOX_NUMBERS:
        return bare
    try:
        return normalize_phone(bare)
    except ValueError:
        return None


def _phone_at(words: list[str], start: int) -> tuple[str, int] | None:
    """The number typed from `words[start]` on, perhaps in pieces (`0803 123 4567`), and how
    many words it took; the longest run that makes a number wins."""
    run = 0
    while start + run < len(words) and run < 4 and _NUMBERISH.fullmatch(words[start + run]):
        run += 1
    for length in range(run, 0, -1):
        found = recipient("".join(words[start : start + length]))
        if found is not None:
            return found, length
    return None


def _amount(word: str) -> int | None:
    return parse_amount(word.upper())


def _airtime(rest: list[str]) -> Command:
    amount: int | None = None
    phone: str | None = None
    network: str | None = None
    i = 0
    while i < len(rest):
        word = rest[i]
        found = _phone_at(rest, i) if phone is None else None
        if found is not None:
            phone, taken = found
            i += taken
            continue
        if word in AIRTIME_NETWORKS and network is None:
            network = word
        elif amount is None and (parsed := _amount(word)) is not None:
            amount = parsed
        else:
            return Usage(Verb.AIRTIME)
        i += 1
    if amount is None:
        return Usage(Verb.AIRTIME)
    return Airtime(amount, phone, network)


def _page(rest: list[str]) -> int | None:
    """An optional page number (the only word left), 1 when none."""
    if not rest:
        return 1
    if len(rest) == 1 and _DIGITS.fullmatch(rest[0]) and 1 <= int(rest[0]) <= MAX_PAGE:
        return int(rest[0])
    return None


def _only_phone(rest: list[str]) -> tuple[bool, str | None]:
    """(whether `rest` is empty or exactly one number, that number)."""
    if not rest:
        return True, None
    found = _phone_at(rest, 0)
    if found is None or found[1] != len(rest):
        return False, None
    return True, found[0]


def _data(rest: list[str]) -> Command:
    if not rest:
        return Usage(Verb.DATA)
    first = rest[0]
    if first in DATA_PROVIDERS:
        page = _page(rest[1:])
        return Usage(Verb.DATA) if page is None else DataPlans(first, page)
    if not _WORD.fullmatch(first):
        return Usage(Verb.DATA)
    fits, phone = _only_phone(rest[1:])
    return DataBuy(first, phone) if fits else Usage(Verb.DATA)


def _light(rest: list[str]) -> Command:
    kinds = [KINDS[word] for word in rest if word in KINDS]
    others = [word for word in rest if word not in KINDS]
    if len(kinds) > 1 or len(others) != 3 or not others[0].isalpha():
        return Usage(Verb.LIGHT)
    disco, meter, amount = others[0], others[1], _amount(others[2])
    if not re.fullmatch(r"[0-9]{6,20}", meter) or amount is None:
        return Usage(Verb.LIGHT)
    return Light(disco, meter, amount, kinds[0] if kinds else "prepaid")


def _tv(rest: list[str]) -> Command:
    if not rest or not rest[0].isalnum():
        return Usage(Verb.TV)
    provider, args = rest[0], rest[1:]
    page = _page(args)
    if page is not None and (not args or len(args[0]) <= 2):
        return TvPlans(provider, page)
    if provider in PHONE_BILLED_TV:
        if not args or not _WORD.fullmatch(args[0]):
            return Usage(Verb.TV)
        fits, phone = _only_phone(args[1:])
        return TvByPhone(provider, args[0], phone) if fits else Usage(Verb.TV)
    if len(args) > 2 or not re.fullmatch(r"[0-9]{6,20}", args[0]):
        return Usage(Verb.TV)
    if len(args) == 2 and not _WORD.fullmatch(args[1]):
        return Usage(Verb.TV)
    return Tv(provider, args[0], args[1] if len(args) == 2 else None)


def _waec(rest: list[str]) -> Command:
    if not rest:
        return Waec()
    if len(rest) == 1 and _DIGITS.fullmatch(rest[0]) and len(rest[0]) <= 2:
        return Waec(int(rest[0]))
    return Usage(Verb.WAEC)
