"""`/pay` validation, steps 2-9 of spec §E in order (first failure wins), then the scenario.

Nothing here stores or debits: a `Rejected` leaves no trace, a `PricedPay` is what `state.record`
stores. Auth (step 1) is the API middleware's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gateway.vtpass.simulator.accounts import AccountState
from gateway.vtpass.simulator.amounts import parse_count, parse_naira, percent_of
from gateway.vtpass.simulator.envelopes import (
    error_body,
    invalid_arguments,
    request_id_exists,
)
from gateway.vtpass.simulator.fields import JSONObject, missing_fields, text_field
from gateway.vtpass.simulator.products import Kind, Service
from gateway.vtpass.simulator.request_ids import request_id_problem
from gateway.vtpass.simulator.state import PricedPay, SimulatorState
from gateway.vtpass.simulator.transactions import (
    POSTPAID_METER,
    PREPAID_METER,
    SMARTCARD,
    SPECIAL_NUMBERS,
    SUCCESS_PHONE,
    TEST_NUMBERS,
    Scenario,
)

_PHONE_KEYED = frozenset({Kind.AIRTIME, Kind.DATA, Kind.SHOWMAX})
_ALWAYS_SUCCEED = frozenset({Kind.WAEC, Kind.WAEC_REGISTRATION, Kind.JAMB, Kind.INSURANCE})
_NO_BILLERS_CODE = frozenset({Kind.AIRTIME, Kind.WAEC, Kind.WAEC_REGISTRATION})
_NEEDS_VARIATION = frozenset(
    {
        Kind.DATA,
        Kind.STARTIMES,
        Kind.SHOWMAX,
        Kind.WAEC,
        Kind.WAEC_REGISTRATION,
        Kind.JAMB,
        Kind.INSURANCE,
        Kind.ELECTRICITY,
    }
)
_METER_TYPES = {"prepaid": PREPAID_METER, "postpaid": POSTPAID_METER}
_SUBSCRIPTION_TYPES = frozenset({"change", "renew"})
_TEXT_FIELDS = ("request_id", "serviceID", "phone", "billersCode", "variation_code")


@dataclass(frozen=True, slots=True)
class Rejected:
    """A `/pay` refused before processing: HTTP 200 with this body, nothing stored."""

    body: JSONObject


def check_pay(
    state: SimulatorState, account: AccountState, body: Mapping[str, Any]
) -> Rejected | PricedPay:
    """Run spec §E steps 2-9 for an authenticated account."""
    config = state.config
    service_id = text_field(body, "serviceID")
    service = state.plans.service(service_id) if service_id else None
    subscription = (text_field(body, "subscription_type") or "").lower() or None
    kind = service.kind if service else None

    # 2. required fields, and the numeric ones must parse
    missing = missing_fields(body, _required(kind, subscription))
    if missing:
        return Rejected(invalid_arguments(missing))
    client_amount = parse_naira(body["amount"]) if body.get("amount") not in (None, "") else None
    quantity = parse_count(body["quantity"]) if body.get("quantity") not in (None, "") else None
    malformed = [
        name
        for name, raw, parsed in (
            ("amount", body.get("amount"), client_amount),
            ("quantity", body.get("quantity"), quantity),
        )
        if raw not in (None, "") and parsed is None
    ]
    malformed += [
        name
        for name in _TEXT_FIELDS
        if body.get(name) not in (None, "") and text_field(body, name) is None
    ]
    if malformed:
        return Rejected(invalid_arguments(malformed))
    request_id = text_field(body, "request_id") or ""
    phone = text_field(body, "phone") or ""
    billers_code = text_field(body, "billersCode")

    # 3. request_id format, dated today in Lagos
    problem = request_id_problem(
        request_id,
        state.clock.now(),
        strict_hour=config.strict_request_id_hour,
        hour_tolerance=config.request_id_hour_tolerance,
    )
    if problem is not None:
        return Rejected(error_body("085", problem))

    # 4. request_id is globally unique; the stored transaction is left alone
    if request_id in state.transactions:
        return Rejected(request_id_exists())

    # 5. product exists and is enabled for the account
    if service is None or kind is None:
        return Rejected(error_body("012"))
    if not account.allows(service.service_id):
        return Rejected(error_body("028"))

    # 6. variation and subscription type
    variation_code = text_field(body, "variation_code")
    variation = None
    if kind == Kind.ELECTRICITY:
        variation_code = (variation_code or "").lower()
        if variation_code not in _METER_TYPES:
            return Rejected(error_body("010"))
    elif kind != Kind.AIRTIME and variation_code is not None:
        variation = state.plans.find(service.service_id, variation_code)
        if variation is None:
            return Rejected(error_body("010"))
    if kind == Kind.TV and subscription not in _SUBSCRIPTION_TYPES:
        return Rejected(invalid_arguments(["subscription_type must be change or renew"]))

    # 7. price: quantity limits first (a zero quantity would otherwise read as "below minimum")
    free_amount = kind.is_flexible or (kind == Kind.TV and subscription == "renew")
    if free_amount:
        count = 1
        amount = client_amount if client_amount is not None else Decimal(0)
        unit_price = amount
    else:
        if variation is None:  # required in step 2, so only a plan-less service gets here
            return Rejected(error_body("010"))
        count = quantity if quantity is not None else 1
        if count < 1:
            return Rejected(error_body("031"))
        if count > config.max_quantity:
            return Rejected(error_body("032"))
        tops_up = kind == Kind.STARTIMES or (kind == Kind.TV and subscription == "change")
        if tops_up and client_amount is not None:
            amount = client_amount
        else:
            amount = variation.amount * count
        unit_price = variation.amount
    limits = config.limits.get(service.service_id, service.limits)
    if amount < limits.minimum:
        return Rejected(error_body("013"))
    if amount > limits.maximum:
        return Rejected(error_body("017"))

    # 8. duplicate guard, skipped for the documented test numbers
    unique_element = phone if kind in _PHONE_KEYED or not billers_code else billers_code
    duplicate_key: str | None = phone if kind == Kind.AIRTIME else (billers_code or phone)
    scenario_numbers = {unique_element, duplicate_key}
    if kind in _ALWAYS_SUCCEED:
        scenario_numbers.add(phone)
    if scenario_numbers & TEST_NUMBERS:
        duplicate_key = None
    if duplicate_key is not None and state.is_duplicate(account, service.service_id, duplicate_key):
        return Rejected(error_body("019"))

    # 9. commission, convenience fee, wallet
    rate = config.commission_rates.get(service.service_id, Decimal(0))
    commission = percent_of(amount, rate)
    fee = config.convenience_fees.get(service.service_id, Decimal(0))
    total = amount - commission + fee
    if account.balance < total:
        return Rejected(error_body("018"))

    return PricedPay(
        request_id=request_id,
        service=service,
        variation=variation,
        variation_code=variation_code,
        phone=phone,
        billers_code=billers_code,
        subscription_type=subscription if kind == Kind.TV else None,
        quantity=count,
        unit_price=unit_price,
        amount=amount,
        commission_rate=rate,
        commission=commission,
        convenience_fee=fee,
        total_amount=total,
        unique_element=unique_element,
        duplicate_key=duplicate_key,
        scenario=_scenario(service, phone, billers_code, variation_code),
    )


def _required(kind: Kind | None, subscription: str | None) -> tuple[str, ...]:
    names = ["request_id", "serviceID", "phone"]
    if kind is None:
        return tuple(names)
    if kind.is_flexible or (kind == Kind.TV and subscription == "renew"):
        names.append("amount")
    if kind not in _NO_BILLERS_CODE:
        names.append("billersCode")
    if kind in _NEEDS_VARIATION or (kind == Kind.TV and subscription == "change"):
        names.append("variation_code")
    return tuple(names)


def _scenario(
    service: Service, phone: str, billers_code: str | None, variation_code: str | None
) -> Scenario:
    """Spec §E step 10: which sandbox row the key number selects."""
    kind = service.kind
    if kind in _ALWAYS_SUCCEED:
        for number in (billers_code, phone):
            if number in SPECIAL_NUMBERS:
                return SPECIAL_NUMBERS[number]
        return Scenario.SUCCESS
    key = phone if kind in _PHONE_KEYED else (billers_code or "")
    if key in SPECIAL_NUMBERS:
        return SPECIAL_NUMBERS[key]
    if kind in _PHONE_KEYED:
        succeeded = key == SUCCESS_PHONE
    elif kind == Kind.ELECTRICITY:
        succeeded = _METER_TYPES.get(variation_code or "") == key
    else:
        succeeded = key == SMARTCARD
    return Scenario.SUCCESS if succeeded else Scenario.FAILED
