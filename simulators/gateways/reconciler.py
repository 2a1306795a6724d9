"""The reconciler: asks the providers about every payment attempt still open, so nothing stays unmatched.

It runs on a query (``merchant.settle`` of the order asked about), after every change of a tenant's clock (a step
of the clock job on the delivery worker) and at start-up (a job the worker runs first). At start-up no claim is in
flight any more — the simulator is the one process on its database — so every claim's lease ends there and then.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

import httpx
from fastapi import FastAPI, Request
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from simulators import web
from simulators.core import clock, orders, tenants
from simulators.core.db import Database
from simulators.core.errors import GatewayUnavailable
from simulators.core.models import Order
from simulators.gateways import merchant, notify

# How long the merchant waits for a provider's notification before it asks (主动查询), on the tenant's clock.
QUIET = timedelta(minutes=15)
STARTUP_WAIT = 30.0  # seconds the start-up round waits for the app to answer on its own address
log = logging.getLogger(__name__)


def unsettled(
    session: Session, tenant_id: str | None = None, *, quiet_since: datetime | None = None
) -> list[tuple[str, str]]:
    """(tenant, order number) of every attempt the reconciler must ask about: orders at a provider, and charges
    still to be refunded. With ``quiet_since`` (a tenant's time), an attempt the provider has answered is asked
    about only once its order is older than that, or expired: a notification may still be on its way."""
    waiting = Order.status == orders.PAYING
    if quiet_since is not None:
        waiting = waiting & or_(
            Order.created_at <= quiet_since, Order.expires_at < quiet_since + QUIET, Order.claimed_until.is_not(None)
        )
    query = select(Order.tenant_id, Order.order_no).where(or_(waiting, Order.refund_due.is_(True)))
    if tenant_id is not None:
        query = query.where(Order.tenant_id == tenant_id)
    return [(t, o) for t, o in session.execute(query.order_by(Order.created_at))]


def reconcile(request: Request, tenant_id: str | None = None, *, quiet: bool = False) -> int:
    """Settle every open attempt (of one tenant, or of all): completes what was paid, closes what expired, refunds
    what landed where it could not be applied. Returns how many it could not reach (asked again next time).
    ``quiet``: only attempts whose notification is overdue (``QUIET`` on the tenant's clock, see ``unsettled``)."""
    with web.database(request).transaction() as session:
        since = None
        if quiet and tenant_id is not None:
            since = clock.now(tenants.get(session, tenant_id)) - QUIET
        due = unsettled(session, tenant_id, quiet_since=since)
    unreachable = 0
    for tenant, order_no in due:
        try:
            merchant.settle(web.acting_for(request, tenant), order_no)
        except GatewayUnavailable:
            unreachable += 1
    return unreachable


def clock_job(request: Request, tenant_id: str) -> int:
    """After a clock change: the tenant's attempts whose notification is overdue; the answer counts those still
    unreachable."""
    return reconcile(request, tenant_id, quiet=True)


def after_restart(db: Database) -> None:
    """End every lease left by the process before: claims may be asked about at once, and the outbox's rows that
    were being sent are sent again."""
    now = datetime.now()
    with db.transaction() as session:
        session.execute(
            update(Order).where(Order.claimed_until.is_not(None), Order.claimed_until > now).values(claimed_until=now)
        )
    notify.release_leases(db)


def at_startup(app: FastAPI) -> None:
    """The start-up round: once the app answers on its address (``app.state.self_url``), every open attempt."""
    with app.state.db.transaction() as session:
        if not unsettled(session):
            return
    deadline = time.monotonic() + STARTUP_WAIT
    while time.monotonic() < deadline:
        url = getattr(app.state, "self_url", None)
        if url and _answers(url):
            left = reconcile(web.internal_request(app, url))
            log.info("start-up reconciliation done; %d attempts could not be reached", left)
            return
        time.sleep(0.05)
    log.warning("start-up reconciliation skipped: the app did not answer in %.0f s", STARTUP_WAIT)


def _answers(url: str) -> bool:
    try:
        with httpx.Client(timeout=2, trust_env=False) as http:
            return http.get(f"{url}/__sim/tenants/demo/clock").status_code < 500
    except httpx.HTTPError:
        return False


def install(app: FastAPI) -> None:
    """Wire the reconciler into the app: leases ended now, the start-up round first on the worker, a clock job."""
    after_restart(app.state.db)
    app.state.deliveries.schedule(lambda: at_startup(app))
    app.state.deliveries.clock_jobs["unreconciled"] = clock_job


__all__ = ["after_restart", "at_startup", "install", "reconcile", "unsettled"]
