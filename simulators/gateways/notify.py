"""Outbox of signed payment notifications: sent at once, resent on the provider's schedule.

The schedule runs on the tenant's virtual clock: advancing the clock delivers what has fallen due. Every delivery,
the first and each resend, is signed when it is sent, with the tenant's time then: a merchant that refuses stale
notifications still takes a resend hours later. A row being sent holds a lease on the wall clock; a lease that ran
out (its process died mid-delivery) makes the row claimable again. Rounds run one at a time on the app's delivery
worker (``simulators.gateways.deliveries``); the claim itself is a compare-and-set, so even two processes on one
database never send one row twice at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import and_, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from simulators.core import clock, faults
from simulators.core.db import Database, rows_changed
from simulators.core.errors import InvalidInput
from simulators.core.models import Tenant
from simulators.gateways import outbound
from simulators.gateways.models import Notification

# WeChat Pay resends at 15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m, 30m, 60m, 3h, 3h, 3h, 6h, 6h.
WECHAT_SCHEDULE = (15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600)
LEASE = timedelta(seconds=60)  # longer than an outbound call may take (5 s connect, 20 s read): a live one keeps it
FRESHNESS = timedelta(minutes=5)  # how far a notification's signed time may be from the merchant's now
PENDING, SENDING, DELIVERED, GAVE_UP = "pending", "sending", "delivered", "gave_up"
FORGED = "X-Sim-Forged"  # an outbox row that must not count (faults.SPOOFS): its kind says how it is sent; sent once
ACK_LOST = "X-Sim-Ack-Lost"  # an outbox row whose merchant's 已收到 is lost once (fault notify_resent): resent
HELD = "X-Sim-Held-For"  # an outbox row held until the merchant queries this out_trade_no (fault query_first)
HOLD_BACK = timedelta(days=1)  # a held row is due this late unless a query releases it first
STALE = timedelta(minutes=10)  # how far before the tenant's now a notify_stale row is signed (beyond FRESHNESS)

Accepts = Callable[[httpx.Response], bool]
Signer = Callable[[str, str, datetime], tuple[str, dict[str, str]]]
"""``(merchant_key, body, tenant_now) -> (body, headers)``: the notification as sent now."""


def accepts_2xx(response: httpx.Response) -> bool:
    return response.is_success


def as_stored(_key: str, body: str, _now: datetime) -> tuple[str, dict[str, str]]:
    return body, {}


@dataclass(frozen=True)
class Provider:
    accepts: Accepts
    schedule: tuple[int, ...]
    sign: Signer


PROVIDERS: dict[str, Provider] = {}
_UNKNOWN = Provider(accepts_2xx, WECHAT_SCHEDULE, as_stored)


def register(gateway: str, accepts: Accepts, schedule: tuple[int, ...], sign: Signer = as_stored) -> None:
    """How the provider's merchant says received, when the provider resends, and how it signs a delivery: each
    provider registers at the app's start (its ``install``), not on import."""
    PROVIDERS[gateway] = Provider(accepts, schedule, sign)


def refuse_stale(signed_at: datetime | None, now: datetime, field: str) -> None:
    """The merchant's check of a notification's signed time (``field``): InvalidInput unless it is within
    ``FRESHNESS`` of the merchant's now, either way."""
    if signed_at is None or abs(signed_at - now) > FRESHNESS:
        raise InvalidInput(
            f"通知时间{field}缺失或与当前时间相差超过{clock.minutes(FRESHNESS)}分钟:可能是重放的旧通知,不予处理",
            field=field,
        )


def enqueue(
    session: Any,
    tenant: Tenant,
    *,
    gateway: str,
    notify_id: str,
    url: str,
    body: str,
    headers: dict[str, str],
    due_at: datetime,
    copies: int = 1,
) -> None:
    for _ in range(copies):
        session.add(
            Notification(
                tenant_id=tenant.id,
                gateway=gateway,
                notify_id=notify_id,
                url=url,
                body=body,
                headers=headers,
                next_at=due_at,
            )
        )


def announce(
    session: Any,
    tenant: Tenant,
    *,
    gateway: str,
    notify_id: str,
    url: str,
    body: str,
    headers: dict[str, str],
    now: datetime,
    forged: bool | str = False,
    out_trade_no: str = "",
) -> None:
    """Queue a provider's notification as the tenant's fault plan has it: on time, late, twice, or held until the
    merchant queries ``out_trade_no``. Every copy and every resend carries the same ``notify_id``. A ``forged`` one
    (True, or the kind of ``faults.SPOOFS`` it is) is due at once and goes out once, as its kind says (a wrong
    signature, a stale signed time; a wrong amount is in its body already), whatever the plan says."""
    if forged:
        kind = "notify_forged" if forged is True else str(forged)
        enqueue(
            session,
            tenant,
            gateway=gateway,
            notify_id=notify_id,
            url=url,
            body=body,
            headers={**headers, "X-Sim-Tenant": tenant.id, FORGED: kind},
            due_at=now,
        )
        return
    late = faults.take(tenant, "notify_late", gateway)
    twice = faults.take(tenant, "notify_twice", gateway)
    resent = faults.take(tenant, "notify_resent", gateway)
    held = faults.take(tenant, "query_first", gateway) if out_trade_no else None
    delay = timedelta(seconds=late.get("delay_seconds", 600)) if late else timedelta(0)
    enqueue(
        session,
        tenant,
        gateway=gateway,
        notify_id=notify_id,
        url=url,
        body=body,
        headers={
            **headers,
            "X-Sim-Tenant": tenant.id,
            **({HELD: out_trade_no} if held else {}),
            **({ACK_LOST: "1"} if resent else {}),
        },
        due_at=now + (HOLD_BACK if held else delay),
        copies=2 if twice else 1,
    )


def release_held(session: Any, tenant: Tenant, gateway: str, out_trade_no: str) -> int:
    """The merchant queried the trade: its notifications held for that (fault query_first) are due now. Returns how
    many were released."""
    released = 0
    for note in session.scalars(
        select(Notification).where(
            Notification.tenant_id == tenant.id, Notification.gateway == gateway, Notification.status == PENDING
        )
    ):
        if note.headers.get(HELD) == out_trade_no:
            note.headers = {k: v for k, v in note.headers.items() if k != HELD}
            note.next_at = clock.now(tenant)
            released += 1
    return released


def _claimable(tenant_now: datetime, wall_now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(Notification.status == PENDING, Notification.next_at <= tenant_now),
        and_(
            Notification.status == SENDING, or_(Notification.lease_until.is_(None), Notification.lease_until < wall_now)
        ),
    )


@dataclass(frozen=True)
class _Claim:
    id: int
    gateway: str
    url: str
    body: str
    headers: dict[str, str]
    lease: datetime


def deliver_due(db: Database, tenant_id: str) -> int:
    """Send every notification of the tenant that has fallen due (and every one whose sender died); returns how
    many were accepted. Callers run it on the delivery worker, so when it returns nothing due is in flight."""
    with db.transaction() as session:
        tenant = session.get(Tenant, tenant_id)
        if tenant is None:
            return 0
        key, tenant_clock = tenant.merchant_key, outbound.clock_of(tenant)
        wall = datetime.now()
        lease = wall + LEASE
        claimable = _claimable(clock.now(tenant), wall)
        claims = []
        for note in session.scalars(
            select(Notification).where(Notification.tenant_id == tenant_id, claimable).order_by(Notification.id)
        ):
            taken = rows_changed(
                session,
                update(Notification)
                .where(Notification.id == note.id, claimable)
                .values(status=SENDING, lease_until=lease)
                .execution_options(synchronize_session=False),
            )
            if taken == 1:
                claims.append(_Claim(note.id, note.gateway, note.url, note.body, dict(note.headers), lease))
    return sum(_send(db, tenant_id, key, tenant_clock, claim) for claim in claims)


def _send(db: Database, tenant_id: str, key: str, tenant_clock: Callable[[], datetime], claim: _Claim) -> bool:
    provider = PROVIDERS.get(claim.gateway, _UNKNOWN)
    spoof = claim.headers.pop(FORGED, None)
    forged = spoof is not None
    claim.headers.pop(HELD, None)
    ack_lost = claim.headers.pop(ACK_LOST, None) is not None
    signed_at = tenant_clock() - (STALE if spoof == "notify_stale" else timedelta(0))
    body, signed = provider.sign("forged-" + key if spoof in ("1", "notify_forged") else key, claim.body, signed_at)
    try:
        with outbound.client() as http:
            response = http.post(claim.url, content=body.encode(), headers={**claim.headers, **signed})
        ok, result = provider.accepts(response), f"HTTP {response.status_code} {response.text[:120]}"
    except httpx.HTTPError as error:
        ok, result = False, f"{type(error).__name__}: {error}"[:200]
    with db.transaction() as session:
        row = session.get(Notification, claim.id)
        tenant = session.get(Tenant, tenant_id)
        if row is None or tenant is None or (row.status, row.lease_until) != (SENDING, claim.lease):
            return False  # our lease ran out and the row is another round's now
        row.attempts += 1
        row.last_result = result
        row.lease_until = None
        if ok and ack_lost:  # the merchant took it, the provider never heard so: resent on its schedule, once
            row.headers = {k: v for k, v in row.headers.items() if k != ACK_LOST}
            row.status = PENDING
            row.next_at = clock.now(tenant) + timedelta(seconds=provider.schedule[0])
        elif ok:
            row.status = DELIVERED
        elif forged or row.attempts > len(provider.schedule):
            row.status = GAVE_UP
        else:
            row.status = PENDING
            row.next_at = clock.now(tenant) + timedelta(seconds=provider.schedule[row.attempts - 1])
        return ok


def release_leases(db: Database) -> None:
    """At start-up, on a database no other process sends from: every row left ``sending`` is due again at once
    (a notification is idempotent at the merchant), without waiting for its lease to run out."""
    with db.transaction() as session:
        session.execute(
            update(Notification).where(Notification.status == SENDING).values(status=PENDING, lease_until=None)
        )


def pending_tenants(db: Database) -> list[str]:
    """Tenants with something to deliver: a pending row, or one whose sender's lease ran out."""
    with db.transaction() as session:
        return list(
            session.scalars(
                select(Notification.tenant_id)
                .where(
                    or_(
                        Notification.status == PENDING,
                        and_(
                            Notification.status == SENDING,
                            or_(Notification.lease_until.is_(None), Notification.lease_until < datetime.now()),
                        ),
                    )
                )
                .distinct()
            )
        )


def install(app: FastAPI) -> None:
    """The outbox follows each tenant's clock: after a clock change, what fell due is sent before the call answers
    (a job of the delivery worker's ``clock_jobs``, counted as ``notifications_delivered``)."""
    db: Database = app.state.db
    app.state.deliveries.clock_jobs["notifications_delivered"] = lambda _request, tenant_id: deliver_due(db, tenant_id)
