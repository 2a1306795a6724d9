"""The ledger's invariants: what must hold between orders, payment records, the providers' charges and refunds,
and the notification outbox, whatever happened between them (a race, a timeout, a crash, a late notification).

``load`` reads a tenant's books in a few queries, ``check`` judges them; each verdict names, in Chinese, what
breaks it (order numbers, years, amounts, masked ID numbers). A charge the merchant has not yet learned of (its
order still 支付中) is pending reconciliation, not broken: it is named as 待对账 and the invariant holds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select, union
from sqlalchemy.orm import InstrumentedAttribute, Session

from simulators.core import idnumber, orders
from simulators.core.billing import yuan
from simulators.core.models import Order, PaymentRecord, Person, Tenant
from simulators.gateways.merchant import GATEWAY_NAMES, STATUS_TEXT
from simulators.gateways.models import GatewayTrade, Notification, Refund
from simulators.gateways.notify import SENDING

UNPAID = frozenset({orders.CREATED, orders.FAILED, orders.CLOSED})
Row = TypeVar("Row", Order, PaymentRecord, GatewayTrade, Refund)  # the tenant's rows ``load`` reads whole


@dataclass(frozen=True)
class Invariant:
    name: str
    title: str
    ok: bool
    detail: str

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "title": self.title, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class Books:
    """One tenant's rows, read in one transaction."""

    people: dict[int, Person]
    orders: list[Order]
    records: list[PaymentRecord]
    trades: list[GatewayTrade]
    refunds: list[Refund]
    sending: list[Notification]  # the outbox rows being sent
    by_no: dict[str, Order] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_no.update((o.order_no, o) for o in self.orders)

    def order(self, order_no: str) -> Order | None:
        return self.by_no.get(order_no)


def load(session: Session, tenant: Tenant) -> Books:
    def rows(model: type[Row], *order_by: InstrumentedAttribute[Any]) -> list[Row]:
        return list(session.scalars(select(model).where(model.tenant_id == tenant.id).order_by(*order_by)))

    orders, records = rows(Order, Order.created_at), rows(PaymentRecord, PaymentRecord.id)
    involved = union(
        select(Order.person_id).where(Order.tenant_id == tenant.id),  # not every payer of the tenant
        select(PaymentRecord.person_id).where(PaymentRecord.tenant_id == tenant.id),
    )
    people = session.scalars(select(Person).where(Person.id.in_(select(involved.subquery()))))
    return Books(  # in the order the ledger has always shown them
        people={p.id: p for p in people},
        orders=orders,
        records=records,
        trades=rows(GatewayTrade),
        refunds=rows(Refund, Refund.id),
        sending=list(
            session.scalars(
                select(Notification)
                .where(Notification.tenant_id == tenant.id, Notification.status == SENDING)
                .order_by(Notification.id)
            )
        ),
    )


def invariants(session: Session, tenant: Tenant) -> list[Invariant]:
    return check(load(session, tenant))


def verdict(found: Iterable[Invariant]) -> str:
    broken = [i.title for i in found if not i.ok]
    return "一致" if not broken else "不一致:" + "、".join(broken)


# judging ----------------------------------------------------------------------------------------------------
def net_fen(trade: GatewayTrade) -> int:
    """What the provider took and kept of a trade."""
    return trade.amount_fen - trade.refunded_fen if trade.success_at is not None else 0


def _gateway(code: str | None) -> str:
    return GATEWAY_NAMES.get(code or "", code or "支付渠道")


def _charge(trade: GatewayTrade) -> str:
    return f"{_gateway(trade.gateway)}实收{yuan(net_fen(trade))}元"


def _state(order: Order) -> str:
    return STATUS_TEXT.get(order.status, order.status)


def _who(books: Books, person_id: int) -> str:
    person = books.people.get(person_id)
    return f"缴费人{person.name}({idnumber.mask(person.id_number)})" if person else f"缴费人#{person_id}"


def _judged(name: str, title: str, problems: list[str], fine: str, notes: list[str] | None = None) -> Invariant:
    detail = ";".join([*(problems or [fine]), *(notes or [])])
    return Invariant(name, title, not problems, detail)


def charges_match_orders(books: Books) -> Invariant:
    problems: list[str] = []
    pending: list[str] = []
    charged: dict[str, list[GatewayTrade]] = defaultdict(list)
    for trade in books.trades:
        if net_fen(trade) <= 0:
            continue
        charged[trade.out_trade_no].append(trade)
        order = books.order(trade.out_trade_no)
        if order is None:
            problems.append(f"{_charge(trade)}(商户订单号{trade.out_trade_no}),但没有这笔订单")
        elif order.status == orders.PAYING:
            pending.append(f"订单{order.order_no}支付中,{_charge(trade)}待对账")
        elif order.status in UNPAID:
            problems.append(f"订单{order.order_no}{_state(order)},但{_charge(trade)}未退款")
        elif net_fen(trade) != order.amount_fen:
            problems.append(f"订单{order.order_no}已缴费{yuan(order.amount_fen)}元,但{_charge(trade)}")
    paid = [o for o in books.orders if o.status == orders.PAID]
    for order in paid:
        if not charged[order.order_no]:
            problems.append(f"订单{order.order_no}已缴费{yuan(order.amount_fen)}元,但支付渠道没有实收")
        elif len(charged[order.order_no]) > 1:
            problems.append(
                f"订单{order.order_no}已缴费{yuan(order.amount_fen)}元,却有"
                f"{len(charged[order.order_no])}笔实收:" + "、".join(_charge(t) for t in charged[order.order_no])
            )
    paid_fen = sum(o.amount_fen for o in paid)
    settled_fen = sum(net_fen(t) for o in paid for t in charged[o.order_no])
    if paid_fen != settled_fen:
        problems.append(f"已缴费订单合计{yuan(paid_fen)}元,其实收合计{yuan(settled_fen)}元")
    return _judged(
        "charges_match_orders",
        "支付渠道实收与已缴费订单一致",
        problems,
        f"{len(paid)}笔已缴费订单合计{yuan(paid_fen)}元,与实收一致",
        pending,
    )


def records_match_orders(books: Books) -> Invariant:
    problems: list[str] = []
    by_order: dict[str, list[PaymentRecord]] = defaultdict(list)
    for record in books.records:
        order = books.order(record.order_no)
        what = f"{_who(books, record.person_id)}{record.year}年度缴费记录"
        if order is None:
            problems.append(f"{what}(订单{record.order_no})没有对应的订单")
        elif order.status != orders.PAID:
            problems.append(f"{what}所属订单{order.order_no}{_state(order)},未缴费")
        elif order.person_id != record.person_id:
            problems.append(f"{what}所属订单{order.order_no}是{_who(books, order.person_id)}的")
        else:
            by_order[order.order_no].append(record)
    paid = [o for o in books.orders if o.status == orders.PAID]
    for order in paid:
        expected = Counter((order.insurance, line.year, line.amount_fen, line.government_fen) for line in order.lines)
        found = Counter((r.insurance, r.year, r.amount_fen, r.government_fen) for r in by_order[order.order_no])
        for wrong, rows in (("缺少", expected - found), ("多出", found - expected)):
            problems.extend(
                f"订单{order.order_no}已缴费,但{wrong}{year}年度缴费记录"
                f"(金额{yuan(amount)}元,政府补贴{yuan(government)}元)"
                for _insurance, year, amount, government in sorted(rows.elements())
            )
    return _judged(
        "records_match_orders",
        "缴费记录与已缴费订单一致",
        problems,
        f"{len(books.records)}条缴费记录与{len(paid)}笔已缴费订单一致",
    )


def one_record_per_year(books: Books) -> Invariant:
    years: dict[tuple[int, str, int], list[PaymentRecord]] = defaultdict(list)
    for record in books.records:
        years[(record.person_id, record.insurance, record.year)].append(record)
    problems = [
        f"{_who(books, person_id)}{year}年度有{len(found)}条缴费记录(订单" + "、".join(r.order_no for r in found) + ")"
        for (person_id, _insurance, year), found in years.items()
        if len(found) > 1
    ]
    return _judged(
        "one_record_per_year", "每人每年度至多一条缴费记录", problems, f"{len(years)}个人次年度各一条缴费记录"
    )


def refunds_matched(books: Books) -> Invariant:
    problems: list[str] = []
    trades: dict[str, list[GatewayTrade]] = defaultdict(list)
    for trade in books.trades:
        trades[trade.out_trade_no].append(trade)
    refunded: dict[str, list[Refund]] = defaultdict(list)
    for refund in books.refunds:
        what = f"退款{refund.out_refund_no}({_gateway(refund.gateway)}{yuan(refund.amount_fen)}元)"
        candidates = trades[refund.out_trade_no]
        charge = next(
            (t for t in candidates if t.gateway == refund.gateway), candidates[0] if len(candidates) == 1 else None
        )
        if charge is None:
            problems.append(f"{what}没有对应的交易(商户订单号{refund.out_trade_no})")
            continue
        refunded[charge.prepay_id].append(refund)
        order = books.order(charge.out_trade_no)
        if charge.success_at is None:
            problems.append(f"{what}所退的交易{charge.out_trade_no}从未扣款")
        elif refund.amount_fen > charge.amount_fen:
            problems.append(f"{what}大于实收{yuan(charge.amount_fen)}元")
        elif refund.amount_fen != charge.amount_fen:
            problems.append(f"{what}不是全额退款(实收{yuan(charge.amount_fen)}元)")
        if order is not None and order.status == orders.PAID:
            problems.append(f"{what}退的是已缴费订单{order.order_no}的扣款")
    for trade in books.trades:
        found = refunded[trade.prepay_id]
        if len(found) > 1:
            problems.append(
                f"订单{trade.out_trade_no}的{_gateway(trade.gateway)}扣款被退款{len(found)}次:"
                + "、".join(f"{r.out_refund_no}({yuan(r.amount_fen)}元)" for r in found)
            )
        if sum(r.amount_fen for r in found) != trade.refunded_fen:
            problems.append(
                f"订单{trade.out_trade_no}的{_gateway(trade.gateway)}交易记已退{yuan(trade.refunded_fen)}元,"
                f"退款单合计{yuan(sum(r.amount_fen for r in found))}元"
            )
    return _judged(
        "refunds_matched", "退款与多收款项一一对应", problems, f"{len(books.refunds)}笔退款各退一笔多收款项的全额"
    )


def no_debit_on_unpaid_order(books: Books) -> Invariant:
    problems = []
    for trade in books.trades:
        order = books.order(trade.out_trade_no)
        if net_fen(trade) > 0 and order is not None and order.status in UNPAID:
            problems.append(f"订单{order.order_no}{_state(order)},但{_charge(trade)}未退款")
    unpaid = sum(1 for o in books.orders if o.status in UNPAID)
    return _judged(
        "no_debit_on_unpaid_order", "未缴费订单没有未退回的扣款", problems, f"{unpaid}笔未缴费订单都没有未退回的扣款"
    )


def one_open_order_per_bill(books: Books) -> Invariant:
    holders: dict[tuple[int, str, int], list[Order]] = defaultdict(list)
    for order in books.orders:
        if order.status in orders.OPEN:
            for year in sorted({line.year for line in order.lines}):
                holders[(order.person_id, order.insurance, year)].append(order)
    problems = [
        f"{_who(books, person_id)}{year}年度有{len(found)}笔未完成订单:"
        + "、".join(f"{o.order_no}({_state(o)})" for o in found)
        for (person_id, _insurance, year), found in holders.items()
        if len(found) > 1
    ]
    return _judged(
        "one_open_order_per_bill", "每笔费款至多一笔未完成订单", problems, f"{len(holders)}笔费款各至多一笔未完成订单"
    )


def no_stuck_delivery(books: Books, wall_now: datetime | None = None) -> Invariant:
    now = wall_now or datetime.now()
    problems: list[str] = []
    for note in books.sending:
        what = f"{_gateway(note.gateway)}通知{note.notify_id}"
        if note.lease_until is None:
            problems.append(f"{what}发送中,但没有租期")
        elif note.lease_until < now:
            problems.append(f"{what}发送中,租期已于{note.lease_until:%Y-%m-%d %H:%M:%S}到期")
    return _judged(
        "no_stuck_delivery", "没有超过租期仍在发送的通知", problems, f"{len(books.sending)}条发送中的通知都在租期内"
    )


CHECKS: tuple[Callable[[Books], Invariant], ...] = (
    charges_match_orders,
    records_match_orders,
    one_record_per_year,
    refunds_matched,
    no_debit_on_unpaid_order,
    one_open_order_per_bill,
    no_stuck_delivery,
)


def check(books: Books) -> list[Invariant]:
    return [judge(books) for judge in CHECKS]


__all__ = ["Books", "Invariant", "check", "invariants", "load", "net_fen", "verdict"]
