"""Catalogue, balance and merchant-verify answers -> typed models.

These calls buy nothing, so an unreadable shape raises `MalformedResponse` and a refusal code
raises `UpstreamRejected`; odd values are read leniently (`gateway.vtpass.reading`).
"""

from __future__ import annotations

from typing import Any

from gateway.money import Kobo
from gateway.scrub import scrub
from gateway.vtpass.codes import BALANCE_ANSWERED, VERIFY_ANSWERED, ResponseCode
from gateway.vtpass.models import Category, CustomerInfo, Service, Variation
from gateway.vtpass.reading import (
    MalformedResponse,
    first_text,
    read_code,
    read_flag,
    read_items,
    read_kobo,
    read_mapping,
    read_text,
    refusal,
    require_mapping,
    unwrap_json,
)


def _catalogue_content(body: object, what: str) -> Any:
    """`content` of a catalogue answer, whose code sits in `response_description` (§2)."""
    obj = require_mapping(body, what)
    code = read_code(obj["code"]) if "code" in obj else read_code(obj.get("response_description"))
    if code != ResponseCode.OK:
        raise refusal(obj, what, code)
    return unwrap_json(obj.get("content"))


def parse_categories(body: object) -> list[Category]:
    content = _catalogue_content(body, "service-categories")
    if not isinstance(content, list):
        raise MalformedResponse("service-categories: content is not a list")
    categories = []
    for item in content:
        entry = read_mapping(item)
        identifier = read_text(entry.get("identifier"))
        if identifier:
            categories.append(Category(identifier, read_text(entry.get("name")) or identifier))
    return categories


def parse_services(body: object, category: str) -> list[Service]:
    content = _catalogue_content(body, f"services of {category!r}")
    if not isinstance(content, list):
        raise MalformedResponse(f"services of {category!r}: content is not a list")
    services = []
    for item in content:
        entry = read_mapping(item)
        service_id = read_text(entry.get("serviceID"))
        if not service_id:
            continue
        services.append(
            Service(
                service_id=service_id,
                name=read_text(entry.get("name")) or service_id,
                category=category,
                product_type=(read_text(entry.get("product_type")) or "").lower(),
                # VTPass spells it "minimium_amount"; accept the correct spelling too
                min_amount=read_kobo(entry.get("minimium_amount", entry.get("minimum_amount"))),
                max_amount=read_kobo(entry.get("maximum_amount")),
                convenience_fee=first_text(entry, "convinience_fee", "convenience_fee") or "",
                image=read_text(entry.get("image")),
            )
        )
    return services


def parse_variations(body: object) -> list[Variation]:
    content = read_mapping(_catalogue_content(body, "service-variations"))
    # current pages send both "variations" and the misspelt "varations"; old ones only the latter
    items = read_items(content.get("variations")) or read_items(content.get("varations"))
    variations = []
    for item in items:
        entry = read_mapping(item)
        code = read_text(entry.get("variation_code"))
        if not code:
            continue
        amount = read_kobo(entry.get("variation_amount"))
        fixed = read_flag(entry.get("fixedPrice"))
        variations.append(
            Variation(
                code=code,
                name=read_text(entry.get("name")) or code,
                amount=amount if amount is not None else Kobo(0),
                fixed_price=fixed if fixed is not None else amount is not None,
            )
        )
    return variations


def parse_balance(body: object) -> Kobo:
    """`{"code":1,"contents":{"balance":12345.67}}` (note `contents`) -> kobo."""
    obj = require_mapping(body, "balance")
    holder = read_mapping(obj.get("contents", obj.get("content")))
    balance = read_kobo(holder.get("balance", obj.get("balance")))
    if balance is not None:
        return balance
    code = read_code(obj.get("code"))
    if code is not None and code not in BALANCE_ANSWERED:
        raise refusal(obj, "the balance query", code)
    raise MalformedResponse("balance: no balance in the answer")


def parse_customer_info(body: object) -> CustomerInfo:
    """A merchant-verify answer. An invalid number is `valid=False`, not an exception.

    VTPass says "wrong number" with `code 000` and `content.error` (and/or `WrongBillersCode`,
    a bool or a string), so `000` alone proves nothing (§2.4, §9.4).

    Raises:
        UpstreamRejected: any other code (011 bad arguments, 012 unknown product, 087 auth,
            030 biller unreachable, ...); `upstream_code` carries it.
    """
    obj = require_mapping(body, "merchant-verify")
    code = read_code(obj.get("code"))
    if code is None:
        raise MalformedResponse("merchant-verify: no code in the answer")
    if code not in VERIFY_ANSWERED:
        raise refusal(obj, "the verification", code)
    content = read_mapping(obj.get("content"))
    raw = scrub(content)
    error = first_text(content, "error", "errors")
    if error is not None or read_flag(content.get("WrongBillersCode")) is True:
        return CustomerInfo(valid=False, error=error or "VTPass says the number is wrong", raw=raw)
    accounts = tuple(
        (account_id, read_text(entry.get("FriendlyName")) or account_id)
        for entry in map(
            read_mapping, read_items(read_mapping(content.get("AccountList")).get("Account"))
        )
        if (account_id := read_text(entry.get("AccountId"))) is not None
    )
    info = CustomerInfo(
        valid=True,
        customer_name=first_text(content, "Customer_Name", "CustomerName", "customerName"),
        address=first_text(content, "Address", "Customer_Address", "CustomerAddress"),
        meter_number=first_text(content, "Meter_Number", "MeterNumber", "Account_Number"),
        customer_number=first_text(content, "Customer_Number", "CustomerNumber"),
        meter_type=first_text(content, "Meter_Type", "MeterType"),
        account_type=first_text(content, "Customer_Account_Type"),
        status=first_text(content, "Status"),
        due_date=first_text(content, "Due_Date", "DUE_DATE"),
        current_bouquet=first_text(content, "Current_Bouquet"),
        current_bouquet_code=first_text(content, "Current_Bouquet_Code"),
        renewal_amount=read_kobo(content.get("Renewal_Amount")),
        min_amount=read_kobo(first_text(content, "Minimum_Amount", "Min_Purchase_Amount")),
        accounts=accounts,
        raw=raw,
    )
    if not (info.customer_name or info.meter_number or info.customer_number or accounts):
        # Jos returns an empty name with a meter number (valid); nothing at all is not valid
        return CustomerInfo(valid=False, error="VTPass returned no customer details", raw=raw)
    return info
