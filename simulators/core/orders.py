"""Payment orders: created once per confirmation, holding their bills until paid, failed or closed.

The declared transitions are the only way an order's status changes. A paid order writes one payment
record per year; the record table's unique constraint is what makes a second payment impossible.

An order is paid through one attempt at one provider, *claimed* before the provider is called: CREATED →
PAYING with the gateway and a lease, in one transaction that checks the order is still unclaimed. Two attempts
can therefore never both reach a provider; a claim the provider refused outright is released (PAYING → CREATED).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from simulators.core import defects, idnumber
from simulators.core.billing import Due
from simulators.core.db import rows_changed
from simulators.core.errors import InvalidInput, RuleRefused
from simulators.core.models import PENSION, Bill, Order, OrderLine, PaymentRecord, Person, Tenant
from simulators.core.refdata import ReferenceData

CREATED, PAYING, PAID, FAILED, CLOSED = "CREATED", "PAYING", "PAID", "FAILED", "CLOSED"
TRANSITIONS: dict[str, frozenset[str]] = {
    CREATED: frozenset({PAYING, CLOSED}),
    PAYING: frozenset({PAID, FAILED, CLOSED, CREATED}),  # → CREATED: a claim released, the provider holds nothing
    PAID: frozenset(),
    FAILED: frozenset(),
    CLOSED: frozenset(),
}
OPEN = frozenset({CREATED, PAYING})
SUPERSEDED = "该笔费款已另行提交缴费"  # why an open order was closed: a newer confirmation took its bills
PAID_ELSEWHERE = "该年度费款已由另一笔订单缴纳"  # why a charge could not be applied: it is refunded


class BillHeld(Exception):
    """A bill of this confirmation is held by another open order, which the caller must settle first."""

    def __init__(self, order_no: str) -> None:
        super().__init__(order_no)
        self.order_no = order_no


@dataclass(frozen=True)
class Confirmation:
    tenant: Tenant
    person: Person
    pay_type: str
    channel: str
    idempotency_key: str
    dues: tuple[Due, ...]
    expected_amount_fen: int | None = None
    tax_district: str | None = None  # the county code of the tax bureau paid through; None: the payer's own
    visitor: str = ""  # who confirmed it, as the channel knows them: the order is theirs alone


def transition(order: Order, to: str) -> None:
    if to not in TRANSITIONS[order.status]:
        raise RuleRefused(f"订单{order.order_no}状态为{order.status},不能变为{to}", field="order_no")
    order.status = to


def _order_no(tenant: Tenant, key: str, at: datetime) -> str:
    digest = hashlib.sha256(f"{tenant.id}/{key}".encode()).hexdigest()[:10].upper()
    return f"NB{at:%Y%m%d%H%M%S}{digest}"


def confirm(session: Session, ref: ReferenceData, c: Confirmation, now: datetime) -> Order:
    """The order for this confirmation: the same one again for a repeated key, else a new one."""
    existing = session.scalars(
        select(Order).where(Order.tenant_id == c.tenant.id, Order.idempotency_key == c.idempotency_key)
    ).one_or_none()
    if existing is not None:
        if existing.person_id != c.person.id or existing.pay_type != c.pay_type or existing.visitor != c.visitor:
            raise InvalidInput("提交编号已用于另一笔缴费,请刷新页面后重新提交", field="idempotency_key")
        return existing
    amount = sum(d.amount_fen for d in c.dues)
    if c.expected_amount_fen is not None and c.expected_amount_fen != amount:
        raise InvalidInput(
            f"缴费金额与系统核定的应缴金额({amount / 100:.2f}元)不一致,请刷新页面后重新确认",
            field="expected_amount",
        )
    order = Order(
        order_no=_order_no(c.tenant, c.idempotency_key, now),
        tenant_id=c.tenant.id,
        person_id=c.person.id,
        insurance=PENSION,
        pay_type=c.pay_type,
        channel=c.channel,
        amount_fen=amount,
        status=CREATED,
        idempotency_key=c.idempotency_key,
        created_at=now,
        expires_at=now + timedelta(minutes=ref.order_ttl_minutes),
        tax_district=c.tax_district,
        visitor=c.visitor,
        lines=[
            OrderLine(
                year=d.year,
                kind=d.kind,
                tier_yuan=d.tier_yuan,
                amount_fen=d.amount_fen,
                government_fen=d.government_fen,
            )
            for d in c.dues
        ],
    )
    session.add(order)
    session.flush()
    for due in c.dues:
        _hold(session, c, due.year, order.order_no, now)
    return order


def _hold(session: Session, c: Confirmation, year: int, order_no: str, now: datetime) -> None:
    key = dict(tenant_id=c.tenant.id, person_id=c.person.id, insurance=PENSION, year=year)
    bill = session.scalars(select(Bill).filter_by(**key)).one_or_none()
    if bill is None:
        bill = Bill(**key, status="open")
        session.add(bill)
        session.flush()
    if not defects.at(c.tenant, "bill.hold", True, paid=bill.status == "paid"):
        return
    if bill.status == "paid":
        raise RuleRefused(f"{year}年度城乡居民基本养老保险费已缴纳,不能重复缴费", field="year")
    if bill.order_no is not None:
        holder = session.get(Order, bill.order_no)
        if holder is not None and holder.status == CREATED:
            close(session, holder, SUPERSEDED)  # never reached a gateway: nothing to ask anyone
        elif holder is not None and holder.status in OPEN:
            raise BillHeld(holder.order_no)
    taken = rows_changed(
        session,
        update(Bill)
        .where(Bill.id == bill.id, Bill.order_no.is_(None), Bill.status == "open")
        .values(order_no=order_no),
    )
    if taken != 1:
        raise RuleRefused(f"{year}年度的费款正在另一笔订单中支付,请稍后再试", field="year")


def _release(session: Session, order: Order) -> None:
    session.execute(update(Bill).where(Bill.order_no == order.order_no).values(order_no=None))


def close(session: Session, order: Order, reason: str | None = None) -> None:
    transition(order, CLOSED)
    if reason:
        order.failure = reason[:200]
    _release(session, order)


def fail(session: Session, order: Order, reason: str) -> None:
    transition(order, FAILED)
    order.failure = reason[:200]
    _release(session, order)


def claim(session: Session, order: Order, gateway: str, lease_until: datetime) -> bool:
    """Claim the order's one payment attempt for ``gateway``: True when this call took it (the order was still
    CREATED), False when another attempt holds it. The conditional update is the guarantee, not the check."""
    if order.status != CREATED:
        return False
    taken = rows_changed(
        session,
        update(Order)
        .where(
            Order.order_no == order.order_no,
            Order.status == CREATED,
            or_(Order.gateway.is_(None), Order.gateway == gateway),
        )
        .values(status=PAYING, gateway=gateway, claimed_until=lease_until),
    )
    session.refresh(order)
    return taken == 1


def past_deadline(order: Order, now: datetime) -> bool:
    """Whether the order's payment deadline has come. Providers are told the deadline to the second and refuse a
    trade whose deadline has come (Alipay's time_expire, CCB's TIMEOUT): so does the merchant, from that second on,
    whichever provider the payer chose."""
    return now >= order.expires_at.replace(microsecond=0)


def opened(order: Order, trade_no: str) -> None:
    """The provider answered the claimed attempt: it knows the trade now, so the claim's lease ends."""
    order.gateway_trade_no, order.claimed_until = trade_no or order.gateway_trade_no, None


def release(order: Order) -> None:
    """The provider holds no trade for the attempt (refused outright, or never reached): the order may be paid
    again, through the same provider only, so that a late trade of the old attempt is the same trade."""
    transition(order, CREATED)
    order.gateway_trade_no, order.claimed_until = None, None


def paid_elsewhere(session: Session, order: Order) -> bool:
    """Whether a year of this order already has a payment record of another order."""
    years = [line.year for line in order.lines]
    return (
        session.scalars(
            select(PaymentRecord.id)
            .where(
                PaymentRecord.tenant_id == order.tenant_id,
                PaymentRecord.person_id == order.person_id,
                PaymentRecord.insurance == order.insurance,
                PaymentRecord.year.in_(years),
                PaymentRecord.order_no != order.order_no,
            )
            .limit(1)
        ).first()
        is not None
    )


def ticket_no(order_no: str, year: int) -> str:
    digest = int(hashlib.sha256(f"{order_no}/{year}".encode()).hexdigest(), 16)
    return f"3{year % 100:02d}33{digest % 10**13:013d}"


def tax_authority(ref: ReferenceData, county_code: str) -> str:
    county = idnumber.current_district(county_code)
    name = county.name if county and county.code != "330200" else ""
    return ref.authority(name)


def settle_paid(session: Session, ref: ReferenceData, order: Order, *, amount_fen: int, paid_at: datetime) -> bool:
    """Apply a gateway's word that the order is paid. True the first time; False when already applied."""
    if order.status == PAID:
        return False
    if amount_fen != order.amount_fen:
        raise InvalidInput(
            f"支付金额{amount_fen / 100:.2f}元与订单金额{order.amount_fen / 100:.2f}元不一致", field="amount"
        )
    transition(order, PAID)
    order.paid_at = paid_at
    person = session.get(Person, order.person_id)
    assert person is not None
    authority = tax_authority(ref, order.tax_district or person.county_code)
    tenant = session.get(Tenant, order.tenant_id)  # in the session already: no query
    for line in order.lines:
        session.add(
            defects.at(
                tenant,
                "record.written",
                PaymentRecord(
                    tenant_id=order.tenant_id,
                    person_id=order.person_id,
                    order_no=order.order_no,
                    insurance=order.insurance,
                    year=line.year,
                    kind=line.kind,
                    amount_fen=line.amount_fen,
                    government_fen=line.government_fen,
                    channel=order.channel,
                    gateway=order.gateway or "",
                    paid_at=paid_at,
                    ticket_no=ticket_no(order.order_no, line.year),
                    tax_authority=authority,
                ),
                line=line,
            )
        )
    session.execute(update(Bill).where(Bill.order_no == order.order_no).values(status="paid"))
    return True
