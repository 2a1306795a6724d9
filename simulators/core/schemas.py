"""Request and response shapes shared by the channel back ends, and how core rows are shown in them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    JsonValue,
    WithJsonSchema,
    create_model,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from simulators.core import idnumber, sms
from simulators.core.billing import Due, Statement, yuan
from simulators.core.models import INSURANCE_NAMES, PENSION, Order, PaymentRecord, Person

# Rules a route checks itself, with its own Chinese refusal (field, message, status): the schema states them
# (``json_schema_extra``), the check and its words stay where they are.
PHONE: dict[str, JsonValue] = {"pattern": sms.PHONE.pattern}  # sms.check_phone
AMOUNT = re.compile(r"^\d{1,10}(\.\d{1,2})?$")  # 元, at most 2 decimals: what ``max_digits=12, decimal_places=2`` takes


def schema_required(schema: dict[str, JsonValue]) -> None:
    """``json_schema_extra`` of a field the schema requires while the route, not pydantic, refuses it missing (in
    the words it refuses a wrong value with): no ``default`` shown."""
    schema.pop("default", None)


def one_of(values: Iterable[str]) -> dict[str, JsonValue]:
    """The ``enum`` of a field whose values a route checks itself (its refusal names the choices in Chinese)."""
    return {"enum": list(values)}


NON_BLANK = r"\S"  # what ``min_length`` means once ``str_strip_whitespace`` took the spaces off


class Strict(BaseModel):
    """A request body: no undeclared key, text stripped of surrounding spaces (so a required text is non-blank)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler.resolve_ref_schema(handler(core_schema))
        for field in schema.get("properties", {}).values():
            for shown in [field, *field.get("anyOf", [])]:
                if shown.get("type") == "string" and shown.get("minLength", 0) >= 1 and "pattern" not in shown:
                    shown["pattern"] = NON_BLANK
        return schema


def _amount_text(value: object) -> object:
    """An amount given as text is 元 in digits with at most two decimals ("300.00"); anything else is refused as
    the number form is (缴费金额格式不正确)."""
    if isinstance(value, str) and not AMOUNT.fullmatch(value):
        raise ValueError("缴费金额格式不正确")
    return value


# The amount the page showed: a number or its text, 0 to 9999999999.99 元, at most two decimals.
Amount = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=2),
    BeforeValidator(_amount_text),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 9999999999.99, "multipleOf": 0.01},
                {"type": "string", "pattern": AMOUNT.pattern},
            ]
        }
    ),
]


class PayerIn(Strict):
    name: str = Field(min_length=1, max_length=50)
    id_type: str = Field(default="居民身份证", max_length=20)
    id_number: str = Field(min_length=1, max_length=18)


class SelectionIn(PayerIn):
    insurance: str = Field(
        default=PENSION,
        max_length=16,
        json_schema_extra=one_of([PENSION]),
        description="险种代码:本模拟只提供城乡居民基本养老保险(pension)",
    )
    pay_type: str = Field(min_length=1, max_length=8)
    year: int | None = Field(default=None, ge=1900, le=2100)
    tier: int | None = Field(default=None, ge=0, le=100000)


class OrderIn(SelectionIn):
    idempotency_key: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    expected_amount: Amount | None = Field(default=None, description="页面显示的应缴金额(元),与系统核定的不一致则拒绝")

    def expected_fen(self) -> int | None:
        return None if self.expected_amount is None else int(self.expected_amount * 100)


class PayIn(Strict):
    gateway: str = Field(min_length=1, max_length=16)


def pay_in(channel: str, gateways: tuple[str, ...], names: Mapping[str, str]) -> type[PayIn]:
    """The body of a channel's 支付: ``gateway`` one of the providers that channel offers (``Channel.gateways``,
    ``names`` their Chinese names); ``merchant.offered`` refuses any other in its own words."""
    offered = "、".join(f"{code}({names.get(code, code)})" for code in gateways)
    return create_model(
        f"{channel.capitalize()}PayIn",
        __base__=PayIn,
        gateway=(
            str,
            Field(
                min_length=1,
                max_length=16,
                json_schema_extra=one_of(gateways),
                description=f"支付渠道代码,本渠道提供:{offered}",
            ),
        ),
    )


def payer_json(person: Person) -> dict[str, object]:
    return {
        "name": person.name,
        "id_type": person.id_type,
        "id_number": idnumber.mask(person.id_number),
        "special_status": person.special_status,
    }


def due_json(due: Due) -> dict[str, object]:
    return {
        "year": due.year,
        "kind": due.kind,
        "amount": yuan(due.amount_fen),
        "government": yuan(due.government_fen),
        "tier": due.tier_yuan,
    }


def items_json(st: Statement) -> list[dict[str, object]]:
    """The person's insured items, as the channels list them."""
    pension_state = "待缴费"
    if not st.system_dues:
        pension_state = "已缴费" if st.current_paid else st.notice or pension_state
    outside: list[dict[str, object]] = [
        {"insurance": code, "name": name, "status": "不在本模拟范围", "system_dues": [], "years": [], "tiers": []}
        for code, name in INSURANCE_NAMES.items()
        if code != PENSION and code in st.person.insurances
    ]
    return [
        {
            "insurance": PENSION,
            "name": INSURANCE_NAMES[PENSION],
            "status": pension_state,
            "system_dues": [due_json(d) for d in st.system_dues],
            "years": [st.season.year] if st.season else [],
            "tiers": list(st.season.tiers) if st.season else [],
        },
        *outside,
    ]


def quote_json(person: Person, pay_type: str, dues: tuple[Due, ...]) -> dict[str, object]:
    return {
        "payer": payer_json(person),
        "insurance": INSURANCE_NAMES[PENSION],
        "pay_type": pay_type,
        "lines": [due_json(d) for d in dues],
        "amount": yuan(sum(d.amount_fen for d in dues)),
    }


def order_json(order: Order, person: Person, status_text: str) -> dict[str, object]:
    return {
        "order_no": order.order_no,
        "status": order.status,
        "status_text": status_text,
        "payer": payer_json(person),
        "insurance": INSURANCE_NAMES[order.insurance],
        "pay_type": order.pay_type,
        "channel": order.channel,
        "gateway": order.gateway,
        "amount": yuan(order.amount_fen),
        "failure": order.failure,
        "lines": [
            {
                "year": line.year,
                "kind": line.kind,
                "amount": yuan(line.amount_fen),
                "government": yuan(line.government_fen),
                "tier": line.tier_yuan,
            }
            for line in order.lines
        ],
        "created_at": order.created_at.isoformat(sep=" "),
        "paid_at": order.paid_at.isoformat(sep=" ") if order.paid_at else None,
    }


def record_json(record: PaymentRecord, person: Person) -> dict[str, object]:
    return {
        "name": person.name,
        "id_number": idnumber.mask(person.id_number),
        "insurance": INSURANCE_NAMES[record.insurance],
        "year": record.year,
        "period": f"{record.year}-01-01 至 {record.year}-12-31",
        "kind": record.kind,
        "amount": yuan(record.amount_fen),
        "government": yuan(record.government_fen),
        "channel": record.channel,
        "gateway": record.gateway,
        "paid_at": record.paid_at.isoformat(sep=" "),
        "ticket_no": record.ticket_no,
        "tax_authority": record.tax_authority,
        "order_no": record.order_no,
    }
