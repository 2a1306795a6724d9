"""Outbox of signed payment notifications: sent at once, resent on the provider's schedule.

The schedule runs on the tenant's virtual clock: advancing the clock delivers what has fallen due.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from simulators.core import clock, faults
from simulators.core.db import Database
from simulators.core.models import Tenant
from simulators.gateways import outbound
from simulators.gateways.models import Notification

# WeChat Pay resends at 15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m, 30m, 60m, 3h, 3h, 3h, 6h, 6h.
WECHAT_SCHEDULE = (15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600)
Accepts = Callable[[httpx.Response], bool]


def accepts_2xx(response: httpx.Response) -> bool:
    return response.is_success


ACCEPTANCE: dict[str, tuple[Accepts, tuple[int, ...]]] = {}


def register(gateway: str, accepts: Accepts, schedule: tuple[int, ...]) -> None:
    ACCEPTANCE[gateway] = (accepts, schedule)


def enqueue(session: Any, tenant: Tenant, *, gateway: str, notify_id: str, url: str, body: str,
            headers: dict[str, str], due_at: datetime, copies: int = 1) -> None:
    for _ in range(copies):
        session.add(Notification(
            tenant_id=tenant.id, gateway=gateway, notify_id=notify_id, url=url, body=body,
            headers=headers, next_at=due_at,
        ))


def announce(session: Any, tenant: Tenant, *, gateway: str, notify_id: str, url: str, body: str,
             headers: dict[str, str], now: datetime) -> None:
    """Queue a provider's notification as the tenant's fault plan has it: on time, late or twice. Every copy
    and every resend carries the same ``notify_id``."""
    late = faults.take(tenant, "notify_late", gateway)
    twice = faults.take(tenant, "notify_twice", gateway)
    enqueue(session, tenant, gateway=gateway, notify_id=notify_id, url=url, body=body,
            headers={**headers, "X-Sim-Tenant": tenant.id},
            due_at=now + timedelta(seconds=late.get("delay_seconds", 600) if late else 0),
            copies=2 if twice else 1)


_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _tenant_lock(tenant_id: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(tenant_id, threading.Lock())


def deliver_due(db: Database, tenant_id: str, first: Callable[[], None] | None = None) -> int:
    """Send every notification of the tenant that has fallen due; returns how many this call had accepted.

    One delivery round per tenant at a time: a caller that finds the poller mid-round waits for it, so
    when this returns nothing due is left pending or in flight. ``first`` runs inside the same turn (a clock
    change), so what it makes due is delivered by this call, never by the poller in between.
    """
    with _tenant_lock(tenant_id):
        if first is not None:
            first()
        return _deliver_round(db, tenant_id)


def _deliver_round(db: Database, tenant_id: str) -> int:
    with db.transaction() as session:
        tenant = session.get(Tenant, tenant_id)
        if tenant is None:
            return 0
        now = clock.now(tenant)
        due = list(session.scalars(
            select(Notification)
            .where(Notification.tenant_id == tenant_id, Notification.status == "pending",
                   Notification.next_at <= now)
            .order_by(Notification.id)
        ))
        for note in due:  # claimed: a concurrent call does not send them again
            note.status = "sending"
    accepted = 0
    for note in due:
        accepts, schedule = ACCEPTANCE.get(note.gateway, (accepts_2xx, WECHAT_SCHEDULE))
        try:
            with outbound.client() as http:
                response = http.post(note.url, content=note.body.encode(), headers=note.headers)
            ok, result = accepts(response), f"HTTP {response.status_code} {response.text[:120]}"
        except httpx.HTTPError as error:
            ok, result = False, f"{type(error).__name__}: {error}"[:200]
        with db.transaction() as session:
            row = session.get(Notification, note.id)
            tenant = session.get(Tenant, tenant_id)
            if row is None or tenant is None:
                continue
            row.status = "pending"
            row.attempts += 1
            row.last_result = result
            if ok:
                row.status = "delivered"
                accepted += 1
            elif row.attempts > len(schedule):
                row.status = "gave_up"
            else:
                row.next_at = clock.now(tenant) + timedelta(seconds=schedule[row.attempts - 1])
    return accepted


def pending_tenants(db: Database) -> list[str]:
    with db.transaction() as session:
        return list(session.scalars(
            select(Notification.tenant_id).where(Notification.status == "pending").distinct()
        ))
