"""Each tenant's virtual clock: a base time that runs with the wall clock unless frozen."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from simulators.core.errors import InvalidInput
from simulators.core.models import Tenant

DEFAULT_START = datetime(2024, 3, 1, 9, 0, 0)
EARLIEST, LATEST = datetime(1970, 1, 1), datetime(2099, 12, 31, 23, 59, 59)


def now(tenant: Tenant) -> datetime:
    if tenant.clock_frozen:
        return tenant.clock_base
    return tenant.clock_base + timedelta(seconds=time.time() - tenant.clock_anchor)


def in_range(when: datetime) -> datetime:
    """A time a clock may show: far enough from datetime's ends for every expiry and limit computed from it."""
    if not EARLIEST <= when.replace(tzinfo=None) <= LATEST:
        raise InvalidInput(f"模拟时钟应在{EARLIEST.year}年至{LATEST.year}年之间", field="now")
    return when


def set_clock(tenant: Tenant, when: datetime, *, frozen: bool | None = None, whole_seconds: bool = True) -> None:
    when = in_range(when).replace(tzinfo=None)
    tenant.clock_base = when.replace(microsecond=0) if whole_seconds else when
    tenant.clock_anchor = time.time()
    if frozen is not None:
        tenant.clock_frozen = frozen


def advance(tenant: Tenant, seconds: float) -> datetime:
    """Exactly ``seconds`` later: a lock of 30 minutes has ended after ``advance(tenant, 1800)``."""
    set_clock(tenant, now(tenant) + timedelta(seconds=seconds), whole_seconds=False)
    return now(tenant)


def minutes(span: timedelta) -> int:
    """A time limit in whole minutes, as the messages word it."""
    return int(span.total_seconds() // 60)


def unexpired(now: datetime, expires_at: datetime | None, ttl: timedelta, what: str, then: str, *, field: str) -> None:
    """Refuse a code good for ``ttl`` once ``now`` is past its ``expires_at`` (None: it does not expire), with
    InvalidInput '<what>已过期(N分钟内有效),<then>'."""
    if expires_at is not None and now > expires_at:
        raise InvalidInput(f"{what}已过期({minutes(ttl)}分钟内有效),{then}", field=field)
