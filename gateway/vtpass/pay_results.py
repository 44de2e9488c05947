"""`/pay` and `/requery` answers -> `PayResult`, per the decision matrix of vtpass.md §4.2.

A `/pay` or `/requery` answer that is not clearly final is PENDING, which is VTPass's own rule
(§4.1: anything unclear is pending, requery it): nothing here raises. The code table lives in
`gateway.vtpass.codes`; this module reads tokens, PINs and vouchers and applies the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from gateway.scrub import scrub
from gateway.vtpass.codes import PAY_OUTCOMES, PENDING_STATUSES, ResponseCode
from gateway.vtpass.models import Card, Outcome, PayResult
from gateway.vtpass.reading import (
    MalformedResponse,
    decode_json,
    describe,
    first_text,
    parse_transaction_date,
    read_code,
    read_items,
    read_kobo,
    read_mapping,
    read_text,
)

# --- tokens, PINs, vouchers ------------------------------------------------------------------

_LABEL = re.compile(
    r"^\s*(?:main\s*token|token|pin|voucher|serial\s*no)\s*(?:no\.?)?\s*[:=]?\s*", re.IGNORECASE
)
_BONUS = re.compile(r"\s*bonus\s*token.*$", re.IGNORECASE | re.DOTALL)
_WAEC_PAIR = re.compile(r"serial\s*(?:no)?\s*:?\s*([^,|]+?)\s*,\s*pin\s*:?\s*([^,|\s]+)", re.I)
_TOKEN_KEYS = ("token", "Token", "mainToken")
_UNIT_KEYS = ("units", "Units", "mainTokenUnits")


def _strip_label(value: object) -> str | None:
    text = read_text(value)
    return None if text is None else read_text(_LABEL.sub("", text, count=1))


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
        text = read_text(obj.get(key))
        if text is not None:
            return f"{text} kWh" if re.fullmatch(r"[\d.]+", text) else text
    return None


def _is_electricity(obj: Mapping[str, Any], txn: Mapping[str, Any]) -> bool:
    kind = f"{read_text(txn.get('type')) or ''} {read_text(txn.get('product_name')) or ''}".lower()
    return "electric" in kind or any(k in obj for k in (*_TOKEN_KEYS, *_UNIT_KEYS))


def _looks_prepaid(obj: Mapping[str, Any], txn: Mapping[str, Any]) -> bool:
    """Whether a delivered body shows a prepaid vend (units sold), when the caller gave no hint."""
    if not _is_electricity(obj, txn):
        return False
    hinted = " ".join(
        read_text(src.get(k)) or ""
        for src in (obj, txn)
        for k in ("variation_code", "product_name")
    )
    units_sold = _units(obj) is not None or read_kobo(obj.get("tokenAmount")) is not None
    return "prepaid" in hinted.lower() or units_sold


def _token(obj: Mapping[str, Any], txn: Mapping[str, Any]) -> str | None:
    candidates = [obj.get(k) for k in _TOKEN_KEYS]
    candidates += [txn.get("extras"), obj.get("extras"), obj.get("purchased_code")]
    return next((t for t in map(clean_token, candidates) if t is not None), None)


def _cards(obj: Mapping[str, Any], txn: Mapping[str, Any]) -> tuple[Card, ...]:
    cards = []
    for item in read_items(obj.get("cards")):
        entry = {str(k).lower(): v for k, v in read_mapping(item).items()}
        serial, pin = read_text(entry.get("serial")), read_text(entry.get("pin"))
        if serial and pin:
            cards.append(Card(serial, pin))
    if not cards:  # fall back to "Serial No:WRN.., pin: ..||Serial No:.."
        for source in (obj.get("purchased_code"), txn.get("extras")):
            cards = [Card(s, p) for s, p in _WAEC_PAIR.findall(read_text(source) or "")]
            if cards:
                break
    return tuple(cards)


def _pins(obj: Mapping[str, Any], txn: Mapping[str, Any], cards: Iterable[Card]) -> list[str]:
    pins = [f"Serial No: {card.serial}, PIN: {card.pin}" for card in cards]
    for key in ("tokens", "Pin", "pin", "Voucher", "voucher"):  # waec-registration, JAMB, Showmax
        pins += [p for p in map(_strip_label, read_items(obj.get(key))) if p]
    if not pins:
        for source in (txn.get("extras"), obj.get("purchased_code")):
            pins = [p for p in map(_strip_label, (read_text(source) or "").split("||")) if p]
            if pins:
                break
    return list(dict.fromkeys(pins))  # de-duplicated, order kept


# --- classification ----------------------------------------------------------------------------


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
    content = read_mapping(obj.get("content"))
    txn = read_mapping(content.get("transactions"))
    code = read_code(obj.get("code"))
    status = (read_text(txn.get("status")) or "").lower() or None
    description = read_text(obj.get("response_description"))
    electricity = _is_electricity(obj, txn)
    token = _token(obj, txn) if electricity else None
    cards = () if electricity else _cards(obj, txn)
    pins = () if electricity else tuple(_pins(obj, txn, cards))

    def result(outcome: Outcome, reason: str | None) -> PayResult:
        return PayResult(
            outcome=outcome,
            request_id=request_id or first_text(obj, "requestId", "request_id") or "",
            code=code,
            description=description,
            reason=reason,
            status=status,
            transaction_id=first_text(txn, "transactionId") or first_text(obj, "transactionId"),
            amount=read_kobo(txn.get("amount")) or read_kobo(obj.get("amount")),
            total_amount=read_kobo(txn.get("total_amount")),
            commission=read_kobo(txn.get("commission")),
            token=token,
            units=_units(obj) if electricity else None,
            pins=pins,
            cards=cards,
            transaction_date=parse_transaction_date(obj.get("transaction_date")),
            http_status=http_status,
            raw=scrub(obj),
        )

    known = PAY_OUTCOMES.get(code or "")
    if http_status >= 500:
        why = known[1] if known and known[0] is Outcome.PENDING else "VTPass may have processed it"
        return result(Outcome.PENDING, f"HTTP {http_status} (code {code}): {why}; requery")
    if code == ResponseCode.REVERSED or status == "reversed":
        return result(Outcome.REVERSED, "VTPass reversed the payment back to our wallet")
    if code == ResponseCode.OK:
        if status == "delivered":
            prepaid = hint if hint is not None else _looks_prepaid(obj, txn)
            if prepaid and token is None:
                return result(Outcome.PENDING, "prepaid electricity delivered without a token")
            return result(Outcome.DELIVERED, None)
        if status == "failed":
            return result(Outcome.FAILED, "VTPass reports the transaction failed")
        if (still_open := PENDING_STATUSES.get(status or "")) is not None:
            return result(Outcome.PENDING, still_open)
        if status is None and "REVERS" in (description or "").upper():
            return result(Outcome.REVERSED, "VTPass says the transaction was reversed")
        return result(Outcome.PENDING, f"code 000 with status {status or 'missing'}; requery")
    if code == ResponseCode.REQUEST_ID_UNKNOWN:
        if requery:
            return result(Outcome.NOT_FOUND, "VTPass has no transaction with this request_id")
        return result(Outcome.PENDING, "unexpected code 015 from /pay; requery")
    if known is not None:
        return result(*known)
    return result(Outcome.PENDING, f"unknown code {code or 'missing'} ({describe(obj)}); requery")
