"""Raw VTPass JSON -> typed models, tolerant of the drift in vtpass.md §9, and `classify`.

Three rules. Never trust a JSON type: numbers arrive as strings and back, flags as `"true"`.
Never raise on an odd *value*: it becomes None (`"N/A"`, `"null"` and `""` mean nothing). And
a `/pay` or `/requery` answer that is not clearly final is PENDING, which is VTPass's own rule
(§4.1: anything unclear is pending, requery it). Only an unreadable *shape* on a non-purchase
call raises `MalformedResponse`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gateway.clock import LAGOS
from gateway.errors import UpstreamRejected
from gateway.money import Kobo, naira_to_kobo
from gateway.vtpass.models import (
    Card,
    Category,
    CustomerInfo,
    Outcome,
    PayResult,
    Service,
    Variation,
    WebhookEvent,
)


class MalformedResponse(ValueError):
    """A body whose shape cannot be read at all (not JSON, or not the documented structure)."""


# --- lenient scalars -----------------------------------------------------------------------

_NULLISH = frozenset({"", "n/a", "na", "null", "none", "nil", "undefined"})
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})
_CURRENCY = re.compile(r"^(?:₦|NGN|N)\s*", re.IGNORECASE)


def _text(value: object) -> str | None:
    """A stripped string, or None for null-ish values; numbers become their decimal text."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        return None if text.lower() in _NULLISH else text
    return None


def _kobo(value: object) -> Kobo | None:
    """A naira figure (`"100.00"`, `27.75`, `"N1,500"`) as kobo, or None if it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        value = _CURRENCY.sub("", value.strip()).replace(",", "")
        if value.lower() in _NULLISH:
            return None
    if not isinstance(value, str | int | float):
        return None
    try:
        return naira_to_kobo(value)
    except ValueError:
        return None


def _flag(value: object) -> bool | None:
    """`true`, `"true"`, `1`, `"yes"` -> True; their opposites -> False; anything else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    return None


def _code(value: object) -> str | None:
    """A response code as VTPass's three digits: `0` -> `"000"`, `"16"` -> `"016"`."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return f"{value:03d}"
    text = _text(value)
    if text is not None and text.isdigit() and len(text) <= 3:
        return text.zfill(3)
    return text


def _mapping(value: object) -> Mapping[str, Any]:
    value = _maybe_json(value)
    return value if isinstance(value, Mapping) else {}


def _maybe_json(value: object) -> object:
    """Decode a JSON document smuggled inside a string (WAEC `cards` sometimes is one)."""
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _items(value: object) -> list[Any]:
    value = _maybe_json(value)
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _first_text(obj: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        text = _text(obj.get(key))
        if text is not None:
            return text
    return None


_CREDENTIAL_KEYS = frozenset(
    {"api-key", "api_key", "apikey", "public-key", "public_key", "secret-key", "secret_key"}
    | {"password", "authorization", "basic_pass"}
)


def scrub(value: Any) -> Any:
    """A copy with every credential-looking key removed, so audit copies can be stored as is."""
    if isinstance(value, Mapping):
        return {
            str(k): scrub(v) for k, v in value.items() if str(k).lower() not in _CREDENTIAL_KEYS
        }
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def decode_json(content: bytes | str) -> Any:
    """Decode a response body; raise `MalformedResponse` saying why it could not be read."""
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    if not text.strip():
        raise MalformedResponse("empty body")
    try:
        return json.loads(text)
    except RecursionError:  # nested past the parser's stack: unreadable, not a crash
        raise MalformedResponse("body is nested too deeply") from None
    except ValueError:
        head = text.lstrip()[:15].lower()
        kind = "an HTML page" if head.startswith(("<!doctype", "<html")) else "not JSON"
        raise MalformedResponse(f"body is {kind}") from None


def _require_mapping(body: object, what: str) -> Mapping[str, Any]:
    if isinstance(body, bytes | str):
        body = decode_json(body)
    if not isinstance(body, Mapping):
        raise MalformedResponse(f"{what}: expected a JSON object, got {type(body).__name__}")
    return body


def _describe(obj: Mapping[str, Any]) -> str:
    """The most useful words VTPass gave: description text, else `content.errors`/`error`."""
    description = _text(obj.get("response_description"))
    if description is not None and not description.isdigit():
        return description
    content = _mapping(obj.get("content"))
    errors = content.get("errors", content.get("error"))
    parts = [t for t in (_text(e) for e in _items(errors)) if t]
    return "; ".join(parts) or "no description"


def _refuse(obj: Mapping[str, Any], what: str, code: str | None) -> UpstreamRejected:
    return UpstreamRejected(f"VTPass refused {what}: {code} {_describe(obj)}", upstream_code=code)


# --- catalogue, balance, verify --------------------------------------------------------------


def _catalogue_content(body: object, what: str) -> Any:
    """`content` of a catalogue answer, whose code sits in `response_description` (§2)."""
    obj = _require_mapping(body, what)
    code = _code(obj["code"]) if "code" in obj else _code(obj.get("response_description"))
    if code != "000":
        raise _refuse(obj, what, code)
    return _maybe_json(obj.get("content"))


def parse_categories(body: object) -> list[Category]:
    content = _catalogue_content(body, "service-categories")
    if not isinstance(content, list):
        raise MalformedResponse("service-categories: content is not a list")
    categories = []
    for item in content:
        entry = _mapping(item)
        identifier = _text(entry.get("identifier"))
        if identifier:
            categories.append(Category(identifier, _text(entry.get("name")) or identifier))
    return categories


def parse_services(body: object, category: str) -> list[Service]:
    content = _catalogue_content(body, f"services of {category!r}")
    if not isinstance(content, list):
        raise MalformedResponse(f"services of {category!r}: content is not a list")
    services = []
    for item in content:
        entry = _mapping(item)
        service_id = _text(entry.get("serviceID"))
        if not service_id:
            continue
        services.append(
            Service(
                service_id=service_id,
                name=_text(entry.get("name")) or service_id,
                category=category,
                product_type=(_text(entry.get("product_type")) or "").lower(),
                # VTPass spells it "minimium_amount"; accept the correct spelling too
                min_amount=_kobo(entry.get("minimium_amount", entry.get("minimum_amount"))),
                max_amount=_kobo(entry.get("maximum_amount")),
                convenience_fee=_first_text(entry, "convinience_fee", "convenience_fee") or "",
                image=_text(entry.get("image")),
            )
        )
    return services


def parse_variations(body: object) -> list[Variation]:
    content = _mapping(_catalogue_content(body, "service-variations"))
    # current pages send both "variations" and the misspelt "varations"; old ones only the latter
    items = _items(content.get("variations")) or _items(content.get("varations"))
    variations = []
    for item in items:
        entry = _mapping(item)
        code = _text(entry.get("variation_code"))
        if not code:
            continue
        amount = _kobo(entry.get("variation_amount"))
        fixed = _flag(entry.get("fixedPrice"))
        variations.append(
            Variation(
                code=code,
                name=_text(entry.get("name")) or code,
                amount=amount if amount is not None else Kobo(0),
                fixed_price=fixed if fixed is not None else amount is not None,
            )
        )
    return variations


def parse_balance(body: object) -> Kobo:
    """`{"code":1,"contents":{"balance":12345.67}}` (note `contents`) -> kobo."""
    obj = _require_mapping(body, "balance")
    holder = _mapping(obj.get("contents", obj.get("content")))
    balance = _kobo(holder.get("balance", obj.get("balance")))
    if balance is not None:
        return balance
    code = _code(obj.get("code"))
    if code is not None and code not in {"000", "001"}:
        raise _refuse(obj, "the balance query", code)
    raise MalformedResponse("balance: no balance in the answer")


def parse_customer_info(body: object) -> CustomerInfo:
    """A merchant-verify answer. An invalid number is `valid=False`, not an exception.

    VTPass says "wrong number" with `code 000` and `content.error` (and/or `WrongBillersCode`,
    a bool or a string), so `000` alone proves nothing (§2.4, §9.4).

    Raises:
        UpstreamRejected: any other code (011 bad arguments, 012 unknown product, 087 auth,
            030 biller unreachable, ...); `upstream_code` carries it.
    """
    obj = _require_mapping(body, "merchant-verify")
    code = _code(obj.get("code"))
    if code is None:
        raise MalformedResponse("merchant-verify: no code in the answer")
    if code not in {"000", "020"}:
        raise _refuse(obj, "the verification", code)
    content = _mapping(obj.get("content"))
    raw = scrub(content)
    error = _first_text(content, "error", "errors")
    if error is not None or _flag(content.get("WrongBillersCode")) is True:
        return CustomerInfo(valid=False, error=error or "VTPass says the number is wrong", raw=raw)
    accounts = tuple(
        (account_id, _text(entry.get("FriendlyName")) or account_id)
        for entry in map(_mapping, _items(_mapping(content.get("AccountList")).get("Account")))
        if (account_id := _text(entry.get("AccountId"))) is not None
    )
    info = CustomerInfo(
        valid=True,
        customer_name=_first_text(content, "Customer_Name", "CustomerName", "customerName"),
        address=_first_text(content, "Address", "Customer_Address", "CustomerAddress"),
        meter_number=_first_text(content, "Meter_Number", "MeterNumber", "Account_Number"),
        customer_number=_first_text(content, "Customer_Number", "CustomerNumber"),
        meter_type=_first_text(content, "Meter_Type", "MeterType"),
        account_type=_first_text(content, "Customer_Account_Type"),
        status=_first_text(content, "Status"),
        due_date=_first_text(content, "Due_Date", "DUE_DATE"),
        current_bouquet=_first_text(content, "Current_Bouquet"),
        current_bouquet_code=_first_text(content, "Current_Bouquet_Code"),
        renewal_amount=_kobo(content.get("Renewal_Amount")),
        min_amount=_kobo(_first_text(content, "Minimum_Amount", "Min_Purchase_Amount")),
        accounts=accounts,
        raw=raw,
    )
    if not (info.customer_name or info.meter_number or info.customer_number or accounts):
        # Jos returns an empty name with a meter number (valid); nothing at all is not valid
        return CustomerInfo(valid=False, error="VTPass returned no customer details", raw=raw)
    return info


# --- dates -------------------------------------------------------------------------------------


def parse_transaction_date(value: object) -> datetime | None:
    """`transaction_date` in any of its three shapes -> an aware datetime (None for null/garbage).

    ISO-8601 UTC string (current), `{"date": "...", "timezone": "Africa/Lagos"}` (old), or null
    (webhooks). A naive string is read as Lagos time, VTPass's home zone.
    """
    zone: tzinfo = LAGOS
    if isinstance(value, Mapping):
        zone = _zone(_text(value.get("timezone")))
        value = value.get("date")
    text = _text(value)
    if text is None:
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def _zone(name: str | None) -> tzinfo:
    if name is None or name == "Africa/Lagos":
        return LAGOS
    if name.upper() in {"UTC", "Z", "GMT"}:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return LAGOS


# --- tokens, PINs, vouchers ------------------------------------------------------------------

_LABEL = re.compile(
    r"^\s*(?:main\s*token|token|pin|voucher|serial\s*no)\s*(?:no\.?)?\s*[:=]?\s*", re.IGNORECASE
)
_BONUS = re.compile(r"\s*bonus\s*token.*$", re.IGNORECASE | re.DOTALL)
_WAEC_PAIR = re.compile(r"serial\s*(?:no)?\s*:?\s*([^,|]+?)\s*,\s*pin\s*:?\s*([^,|\s]+)", re.I)
_TOKEN_KEYS = ("token", "Token", "mainToken")
_UNIT_KEYS = ("units", "Units", "mainTokenUnits")


def _strip_label(value: object) -> str | None:
    text = _text(value)
    return None if text is None else _text(_LABEL.sub("", text, count=1))


def clean_token(value: object) -> str | None:
    """An electricity token as digits only, or None.

    Strips the `"Token : "` prefix and a trailing Eko `"Bonus Token : ..."`, and drops the dashes
    and spaces Jos and others group digits with. `"N/A"`, `"null"` and non-digit text are None,
    so a garbage token never makes a prepaid vend look delivered.
    """
    text = _strip_label(value)
    if text is None:
        return None
    text = _BONUS.sub("", text)
    digits = re.sub(r"[\s-]", "", text)
    return digits if re.fullmatch(r"\d{6,}", digits) else None


def _units(obj: Mapping[str, Any]) -> str | None:
    for key in _UNIT_KEYS:
        text = _text(obj.get(key))
        if text is not None:
            return f"{text} kWh" if re.fullmatch(r"[\d.]+", text) else text
    return None


def _is_electricity(obj: Mapping[str, Any], txn: Mapping[str, Any]) -> bool:
    kind = f"{_text(txn.get('type')) or ''} {_text(txn.get('product_name')) or ''}".lower()
    return "electric" in kind or any(k in obj for k in (*_TOKEN_KEYS, *_UNIT_KEYS))


def _looks_prepaid(obj: Mapping[str, Any], txn: Mapping[str, Any]) -> bool:
    """Whether a delivered body shows a prepaid vend (units sold), when the caller gave no hint."""
    if not _is_electricity(obj, txn):
        return False
    hinted = " ".join(
        _text(src.get(k)) or "" for src in (obj, txn) for k in ("variation_code", "product_name")
    )
    units_sold = _units(obj) is not None or _kobo(obj.get("tokenAmount")) is not None
    return "prepaid" in hinted.lower() or units_sold


def _token(obj: Mapping[str, Any], txn: Mapping[str, Any]) -> str | None:
    candidates = [obj.get(k) for k in _TOKEN_KEYS]
    candidates += [txn.get("extras"), obj.get("extras"), obj.get("purchased_code")]
    return next((t for t in map(clean_token, candidates) if t is not None), None)


def _cards(obj: Mapping[str, Any], txn: Mapping[str, Any]) -> tuple[Card, ...]:
    cards = []
    for item in _items(obj.get("cards")):
        entry = {str(k).lower(): v for k, v in _mapping(item).items()}
        serial, pin = _text(entry.get("serial")), _text(entry.get("pin"))
        if serial and pin:
            cards.append(Card(serial, pin))
    if not cards:  # fall back to "Serial No:WRN.., pin: ..||Serial No:.."
        for source in (obj.get("purchased_code"), txn.get("extras")):
            cards = [Card(s, p) for s, p in _WAEC_PAIR.findall(_text(source) or "")]
            if cards:
                break
    return tuple(cards)


def _pins(obj: Mapping[str, Any], txn: Mapping[str, Any], cards: Iterable[Card]) -> list[str]:
    pins = [f"Serial No: {card.serial}, PIN: {card.pin}" for card in cards]
    for key in ("tokens", "Pin", "pin", "Voucher", "voucher"):  # waec-registration, JAMB, Showmax
        pins += [p for p in map(_strip_label, _items(obj.get(key))) if p]
    if not pins:
        for source in (txn.get("extras"), obj.get("purchased_code")):
            pins = [p for p in map(_strip_label, (_text(source) or "").split("||")) if p]
            if pins:
                break
    return list(dict.fromkeys(pins))  # de-duplicated, order kept


# --- classification ----------------------------------------------------------------------------

_P, _F, _R = Outcome.PENDING, Outcome.FAILED, Outcome.REJECTED
_CODES: Mapping[str, tuple[Outcome, str]] = {
    "099": (_P, "VTPass is still processing the transaction"),
    "089": (_P, "VTPass is still processing an earlier request; wait, then requery"),
    "083": (_P, "VTPass reported a system error; the transaction may still go through"),
    "044": (_P, "VTPass staff resolved the transaction by hand; contact VTPass to settle it"),
    "014": (_P, "this request_id was already used; requery it to learn that outcome"),
    "016": (_F, "VTPass reports the transaction failed"),
    "091": (_F, "VTPass did not process the transaction and did not charge us"),
    "010": (_R, "the plan (variation_code) does not exist"),
    "011": (_R, "the request had missing or invalid fields"),
    "012": (_R, "the product (serviceID) does not exist"),
    "013": (_R, "the amount is below the minimum allowed"),
    "017": (_R, "the amount is above the maximum allowed"),
    "018": (_R, "our VTPass wallet balance is too low"),
    "019": (_R, "VTPass suspects a duplicate: same product and number within 30 seconds"),
    "020": (_R, "VTPass answered a purchase with a verification code; treat it as refused"),
    "021": (_R, "our VTPass account is locked"),
    "022": (_R, "our VTPass account is suspended"),
    "023": (_R, "API access is not enabled on our VTPass account"),
    "024": (_R, "our VTPass account is inactive"),
    "025": (_R, "the recipient bank is invalid"),
    "026": (_R, "the recipient account could not be verified"),
    "027": (_R, "our server's IP address is not whitelisted at VTPass"),
    "028": (_R, "this product is not enabled (whitelisted) on our VTPass account"),
    "030": (_R, "the biller cannot be reached at the moment; nothing was charged"),
    "031": (_R, "the quantity is below the minimum allowed"),
    "032": (_R, "the quantity is above the maximum allowed"),
    "034": (_R, "the service is suspended at VTPass"),
    "035": (_R, "the service is inactive at VTPass"),
    "085": (_R, "the request_id is not dated today in Lagos time (YYYYMMDDHHII)"),
    "087": (_R, "VTPass rejected our API credentials"),
}
_STATUS_PENDING = {
    "initiated": "VTPass accepted the transaction but has not processed it yet",
    "pending": "VTPass charged us and is waiting for the provider; do not refund",
    "resolved": "VTPass staff resolved the transaction by hand; contact VTPass to settle it",
}


def needs_token(service_id: str, variation_code: str | None) -> bool:
    """Prepaid electricity: only delivered once a token came back."""
    return service_id.endswith("-electric") and (variation_code or "").lower() == "prepaid"


def classify(
    http_status: int,
    body: object,
    *,
    request_id: str | None = None,
    expects_token: bool | None = None,
    requery: bool = False,
) -> PayResult:
    """Classify a `/pay` or `/requery` answer per the decision matrix of vtpass.md §4.2.

    Args:
        body: the decoded JSON, or the raw bytes/str (empty, HTML or broken JSON -> pending).
        expects_token: prepaid electricity, so "delivered" without a token is pending. None
            infers it from the body (electricity with units sold); pass it when you know.
        requery: the answer is from `/requery`, where `015` means VTPass never saw the id.
    """
    try:
        obj: object = decode_json(body) if isinstance(body, bytes | str) else body
    except MalformedResponse as exc:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        return PayResult(
            outcome=Outcome.PENDING,
            request_id=request_id or "",
            reason=f"HTTP {http_status}, {exc}: the outcome is unknown; requery",
            http_status=http_status,
            raw={"unparsed_body": text[:2000]},
        )
    if not isinstance(obj, Mapping):
        return PayResult(
            outcome=Outcome.PENDING,
            request_id=request_id or "",
            reason=f"HTTP {http_status}, JSON {type(obj).__name__} instead of an object; requery",
            http_status=http_status,
            raw={"unparsed_body": obj},
        )
    return _classify_mapping(http_status, obj, request_id, expects_token, requery)


def _classify_mapping(
    http_status: int,
    obj: Mapping[str, Any],
    request_id: str | None,
    hint: bool | None,
    requery: bool,
) -> PayResult:
    content = _mapping(obj.get("content"))
    txn = _mapping(content.get("transactions"))
    code = _code(obj.get("code"))
    status = (_text(txn.get("status")) or "").lower() or None
    description = _text(obj.get("response_description"))
    electricity = _is_electricity(obj, txn)
    token = _token(obj, txn) if electricity else None
    cards = () if electricity else _cards(obj, txn)
    pins = () if electricity else tuple(_pins(obj, txn, cards))

    def result(outcome: Outcome, reason: str | None) -> PayResult:
        return PayResult(
            outcome=outcome,
            request_id=request_id or _first_text(obj, "requestId", "request_id") or "",
            code=code,
            description=description,
            reason=reason,
            status=status,
            transaction_id=_first_text(txn, "transactionId") or _first_text(obj, "transactionId"),
            amount=_kobo(txn.get("amount")) or _kobo(obj.get("amount")),
            total_amount=_kobo(txn.get("total_amount")),
            commission=_kobo(txn.get("commission")),
            token=token,
            units=_units(obj) if electricity else None,
            pins=pins,
            cards=cards,
            transaction_date=parse_transaction_date(obj.get("transaction_date")),
            http_status=http_status,
            raw=scrub(obj),
        )

    known = _CODES.get(code or "")
    if http_status >= 500:
        why = known[1] if known and known[0] is _P else "VTPass may have processed it"
        return result(Outcome.PENDING, f"HTTP {http_status} (code {code}): {why}; requery")
    if code == "040" or status == "reversed":
        return result(Outcome.REVERSED, "VTPass reversed the payment back to our wallet")
    if code == "000":
        if status == "delivered":
            prepaid = hint if hint is not None else _looks_prepaid(obj, txn)
            if prepaid and token is None:
                return result(Outcome.PENDING, "prepaid electricity delivered without a token")
            return result(Outcome.DELIVERED, None)
        if status == "failed":
            return result(Outcome.FAILED, "VTPass reports the transaction failed")
        if status in _STATUS_PENDING:
            return result(Outcome.PENDING, _STATUS_PENDING[status])
        if status is None and "REVERS" in (description or "").upper():
            return result(Outcome.REVERSED, "VTPass says the transaction was reversed")
        return result(Outcome.PENDING, f"code 000 with status {status or 'missing'}; requery")
    if code == "015":
        if requery:
            return result(Outcome.NOT_FOUND, "VTPass has no transaction with this request_id")
        return result(Outcome.PENDING, "unexpected code 015 from /pay; requery")
    if known is not None:
        return result(*known)
    return result(Outcome.PENDING, f"unknown code {code or 'missing'} ({_describe(obj)}); requery")


# --- webhooks ----------------------------------------------------------------------------------


def parse_webhook(body: object) -> WebhookEvent:
    """A VTPass callback body -> `WebhookEvent`; money never moves on it, only a requery.

    Raises:
        MalformedResponse: not a JSON object, or a transaction-update without `data`.
    """
    obj = _require_mapping(body, "webhook")
    kind = _text(obj.get("type")) or "unknown"
    if kind == "transaction-update":
        data = _maybe_json(obj.get("data"))
        if not isinstance(data, Mapping):
            raise MalformedResponse("transaction-update without a data object")
        result = classify(200, data, requery=True)
        return WebhookEvent(kind=kind, request_id=result.request_id or None, result=result)
    service_id = _text(obj.get("serviceID")) or _text(
        _mapping(_mapping(obj.get("data")).get("content")).get("serviceID")
    )
    return WebhookEvent(kind=kind, request_id=None, result=None, service_id=service_id)
