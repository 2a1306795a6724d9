"""What every provider simulator does with its trades: find them, let an unpaid one lapse, and take the payer's
confirmation at its cashier (charge or decline, then deliver the notification that fell due)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import BackgroundTasks, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from simulators import web
from simulators.core import clock, tenants
from simulators.core.models import Tenant
from simulators.gateways import notify
from simulators.gateways.models import GatewayTrade


def find(session: Session, tenant: Tenant, gateways: tuple[str, ...], out_trade_no: str) -> GatewayTrade | None:
    """The tenant's trade for a merchant order number, under any of the provider's gateway codes."""
    return session.scalars(select(GatewayTrade).where(
        GatewayTrade.tenant_id == tenant.id, GatewayTrade.gateway.in_(gateways),
        GatewayTrade.out_trade_no == out_trade_no,
    )).one_or_none()


def by_id(session: Session, gateways: tuple[str, ...], trade_id: str) -> GatewayTrade | None:
    """A trade by the provider's own id (the payer's cashier knows no tenant: the trade does)."""
    trade = session.get(GatewayTrade, trade_id)
    return trade if trade is not None and trade.gateway in gateways else None


def lapse(tenant: Tenant, trade: GatewayTrade, *, unpaid: str, closed: str, desc: str) -> None:
    """An unpaid trade past its expiry is closed, whoever looks at it first."""
    if trade.state == unpaid and clock.now(tenant) > trade.expires_at:
        trade.state, trade.state_desc = closed, desc


@dataclass(frozen=True)
class Confirmed:
    state: str
    desc: str


Lookup = Callable[[Session], GatewayTrade]
Charge = Callable[[Session, Tenant, GatewayTrade], None]


def confirm_at_cashier(request: Request, background: BackgroundTasks, lookup: Lookup, charge: Charge) -> Confirmed:
    """The payer pressed the cashier's pay button: charge in the trade's tenant, then deliver what fell due."""
    db = web.database(request)
    with db.transaction() as session:
        trade = lookup(session)
        tenant = tenants.get(session, trade.tenant_id)
        charge(session, tenant, trade)
        done, tenant_id = Confirmed(trade.state, trade.state_desc), tenant.id
    background.add_task(notify.deliver_due, db, tenant_id)
    return done
