"""What every provider simulator does with its trades: find them, change their state only as the provider
declares, let an unpaid one lapse, take the payer's confirmation at its cashier (charge or decline, then deliver
the notification that fell due), and give a charge back in full (a refund, the bank's 冲正).

Each provider names its states its own way; ``states.DECLARED`` holds, per gateway code, the states a trade may
move to from each state, and the trade itself refuses any other change (``transition`` is the one way to make one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from simulators import web
from simulators.core import clock, faults, tenants
from simulators.core.db import rows_changed
from simulators.core.models import Tenant
from simulators.gateways import deliveries, notify, states
from simulators.gateways.models import GatewayTrade, Refund

DECLARED = states.DECLARED


def transition(trade: GatewayTrade, to: str, desc: str) -> None:
    """Move the trade to ``to`` (with the provider's description of it), if its provider declares the change;
    else RuleRefused, and the trade is left as it was."""
    trade.state = to  # checked by GatewayTrade against states.DECLARED
    trade.state_desc = desc


def find(session: Session, tenant: Tenant, gateways: tuple[str, ...], out_trade_no: str) -> GatewayTrade | None:
    """The tenant's trade for a merchant order number, under any of the provider's gateway codes."""
    return session.scalars(
        select(GatewayTrade).where(
            GatewayTrade.tenant_id == tenant.id,
            GatewayTrade.gateway.in_(gateways),
            GatewayTrade.out_trade_no == out_trade_no,
        )
    ).one_or_none()


def by_id(session: Session, gateways: tuple[str, ...], trade_id: str) -> GatewayTrade | None:
    """A trade by the provider's own id (the payer's cashier knows no tenant: the trade does)."""
    trade = session.get(GatewayTrade, trade_id)
    return trade if trade is not None and trade.gateway in gateways else None


def lapse(tenant: Tenant, trade: GatewayTrade, *, unpaid: str, closed: str, desc: str) -> None:
    """An unpaid trade past its expiry is closed, whoever looks at it first."""
    if trade.state == unpaid and clock.now(tenant) > trade.expires_at:
        transition(trade, closed, desc)


def held(trade: GatewayTrade, now: datetime | None) -> bool:
    """Charged, but the provider answers late (fault timeout_then_success): until its success time has come on the
    tenant's clock, the provider's queries say the trade is still being paid (``now`` None: no holding back)."""
    return now is not None and trade.success_at is not None and trade.success_at > now


def success_time(tenant: Tenant, gateway: str, now: datetime) -> datetime:
    """When a charge made now is confirmed to the merchant: now, or ``faults.HOLD`` later under the fault
    timeout_then_success (its notification is due then too)."""
    return now + faults.HOLD if faults.take(tenant, "timeout_then_success", gateway) else now


def cancelled(tenant: Tenant, trade: GatewayTrade, *, unpaid: str, closed: str) -> bool:
    """The payer cancels at the cashier instead of paying (fault cancel): an unpaid trade is closed, nothing is
    charged. True when it was."""
    if trade.state == unpaid and faults.take(tenant, "cancel", trade.gateway):
        transition(trade, closed, CANCELLED)
        return True
    return False


@dataclass(frozen=True)
class Confirmed:
    state: str
    desc: str


Lookup = Callable[[Session], GatewayTrade]
Charge = Callable[[Session, Tenant, GatewayTrade], None]


CANCELLED = "用户取消支付"


def as_paid(trade: GatewayTrade, state: str, desc: str, now: datetime, spoof: str = "") -> GatewayTrade:
    """A copy of the trade as if paid now, in no session: what a spoofed 支付成功 notification claims of it (with
    ``spoof`` notify_wrong_amount, one fen more than the trade's amount)."""
    copy = GatewayTrade(**{column.key: getattr(trade, column.key) for column in GatewayTrade.__table__.columns})
    transition(copy, state, desc)
    copy.success_at = now
    if spoof == "notify_wrong_amount":
        copy.amount_fen = trade.amount_fen + 1
    copy.transaction_id = trade.transaction_id or "FORGED" + trade.prepay_id[-16:]
    return copy


def confirm_at_cashier(request: Request, lookup: Lookup, charge: Charge) -> Confirmed:
    """The payer pressed the cashier's pay button: charge in the trade's tenant, then wake the delivery worker for
    the notification that fell due (it is sent off the request thread). A spoofed notification (``faults.SPOOFS``)
    is delivered before the payer is back from the cashier: it reaches the channel ahead of the real answer."""
    with web.database(request).transaction() as session:
        trade = lookup(session)
        tenant = tenants.get(session, trade.tenant_id)
        forging = any(fault.get("kind") in faults.SPOOFS for fault in tenant.faults)
        charge(session, tenant, trade)
        done = Confirmed(trade.state, trade.state_desc)
    if forging:
        deliveries.of(request).run(lambda: notify.deliver_due(web.database(request), trade.tenant_id))
    else:
        deliveries.of(request).wake()
    return done


def cancel_at_cashier(request: Request, lookup: Lookup, cancel: Charge) -> Confirmed:
    """The payer pressed the cashier's 取消支付: ``cancel`` closes the unpaid trade in its tenant (a paid one is
    left as it is), and the payer goes back to the merchant, who learns it by its query."""
    with web.database(request).transaction() as session:
        trade = lookup(session)
        cancel(session, tenants.get(session, trade.tenant_id), trade)
        return Confirmed(trade.state, trade.state_desc)


def earlier_refund(session: Session, tenant: Tenant, gateways: tuple[str, ...], out_refund_no: str) -> Refund | None:
    """The refund already made under the merchant's refund number, if any (a refund is idempotent by it)."""
    return session.scalars(
        select(Refund).where(
            Refund.tenant_id == tenant.id,
            Refund.gateway.in_(gateways),
            Refund.out_refund_no == out_refund_no,
        )
    ).one_or_none()


def refund(
    session: Session,
    trade: GatewayTrade,
    *,
    out_refund_no: str,
    refund_id: str,
    reason: str,
    to: str,
    desc: str,
    now: datetime,
) -> Refund | None:
    """Give the whole charge back: claim it on the trade (a compare-and-set, so two refunds never both take it),
    write the refund and move the trade to ``to``. None when the charge was no longer there to give back;
    RuleRefused, with nothing claimed, when the provider declares no change of the trade's state to ``to``."""
    states.check(trade.gateway, trade.out_trade_no, trade.state, to)
    claimed = rows_changed(
        session,
        update(GatewayTrade)
        .where(
            GatewayTrade.prepay_id == trade.prepay_id,
            GatewayTrade.state == trade.state,
            GatewayTrade.refunded_fen == 0,
        )
        .values(refunded_fen=GatewayTrade.amount_fen)
        .execution_options(synchronize_session=False),
    )
    if claimed != 1:
        return None
    session.refresh(trade, ["refunded_fen"])
    transition(trade, to, desc)
    made = Refund(
        tenant_id=trade.tenant_id,
        gateway=trade.gateway,
        out_trade_no=trade.out_trade_no,
        out_refund_no=out_refund_no,
        refund_id=refund_id,
        amount_fen=trade.amount_fen,
        reason=reason[:100],
        created_at=now,
    )
    session.add(made)
    return made
