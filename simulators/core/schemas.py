"""Request and response shapes shared by the channel back ends, and how core rows are shown in them."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from simulators.core import idnumber
from simulators.core.billing import Due, Statement, yuan
from simulators.core.models import INSURANCE_NAMES, PENSION, Order, PaymentRecord, Person


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PayerIn(Strict):
    name: str = Field(min_length=1, max_length=50)
    id_type: str = Field(default="居民身份证", max_length=20)
    id_number: str = Field(min_length=1, max_length=18)


class SelectionIn(PayerIn):
    insurance: str = Field(default=PENSION, max_length=16)
    pay_type: str = Field(min_length=1, max_length=8)
    year: int | None = Field(default=None, ge=1900, le=2100)
    tier: int | None = Field(default=None, ge=0, le=100000)


class OrderIn(SelectionIn):
    idempotency_key: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    expected_amount: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)

    def expected_fen(self) -> int | None:
        return None if self.expected_amount is None else int(self.expected_amount * 100)


class PayIn(Strict):
    gateway: str = Field(min_length=1, max_length=16)


def payer_json(person: Person) -> dict[str, object]:
    return {"name": person.name, "id_type": person.id_type, "id_number": idnumber.mask(person.id_number),
            "special_status": person.special_status}


def due_json(due: Due) -> dict[str, object]:
    return {"year": due.year, "kind": due.kind, "amount": yuan(due.amount_fen),
            "government": yuan(due.government_fen), "tier": due.tier_yuan}


def items_json(st: Statement) -> list[dict[str, object]]:
    """The person's insured items, as the channels list them."""
    pension_state = "待缴费"
    if not st.system_dues:
        pension_state = "已缴费" if st.current_paid else st.notice or pension_state
    return [
        {"insurance": PENSION, "name": INSURANCE_NAMES[PENSION], "status": pension_state,
         "system_dues": [due_json(d) for d in st.system_dues],
         "years": [st.season.year] if st.season else [], "tiers": list(st.season.tiers) if st.season else []},
        *({"insurance": code, "name": name, "status": "不在本模拟范围", "system_dues": [], "years": [], "tiers": []}
          for code, name in INSURANCE_NAMES.items() if code != PENSION and code in st.person.insurances),
    ]


def quote_json(person: Person, pay_type: str, dues: tuple[Due, ...]) -> dict[str, object]:
    return {"payer": payer_json(person), "insurance": INSURANCE_NAMES[PENSION], "pay_type": pay_type,
            "lines": [due_json(d) for d in dues], "amount": yuan(sum(d.amount_fen for d in dues))}


def order_json(order: Order, person: Person, status_text: str) -> dict[str, object]:
    return {
        "order_no": order.order_no, "status": order.status, "status_text": status_text,
        "payer": payer_json(person), "insurance": INSURANCE_NAMES[order.insurance],
        "pay_type": order.pay_type, "channel": order.channel, "gateway": order.gateway,
        "amount": yuan(order.amount_fen), "failure": order.failure,
        "lines": [{"year": line.year, "kind": line.kind, "amount": yuan(line.amount_fen),
                   "government": yuan(line.government_fen), "tier": line.tier_yuan} for line in order.lines],
        "created_at": order.created_at.isoformat(sep=" "),
        "paid_at": order.paid_at.isoformat(sep=" ") if order.paid_at else None,
    }


def record_json(record: PaymentRecord, person: Person) -> dict[str, object]:
    return {
        "name": person.name, "id_number": idnumber.mask(person.id_number),
        "insurance": INSURANCE_NAMES[record.insurance], "year": record.year,
        "period": f"{record.year}-01-01 至 {record.year}-12-31", "kind": record.kind,
        "amount": yuan(record.amount_fen), "government": yuan(record.government_fen),
        "channel": record.channel, "gateway": record.gateway,
        "paid_at": record.paid_at.isoformat(sep=" "), "ticket_no": record.ticket_no,
        "tax_authority": record.tax_authority, "order_no": record.order_no,
    }
