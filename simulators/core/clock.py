"""Each tenant's virtual clock: a base time that runs with the wall clock unless frozen."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from simulators.core.models import Tenant

DEFAULT_START = datetime(2024, 3, 1, 9, 0, 0)


def now(tenant: Tenant) -> datetime:
    if tenant.clock_frozen:
        return tenant.clock_base
    return tenant.clock_base + timedelta(seconds=time.time() - tenant.clock_anchor)


def set_clock(tenant: Tenant, when: datetime, *, frozen: bool | None = None) -> None:
    tenant.clock_base = when.replace(tzinfo=None, microsecond=0)
    tenant.clock_anchor = time.time()
    if frozen is not None:
        tenant.clock_frozen = frozen


def advance(tenant: Tenant, seconds: float) -> datetime:
    set_clock(tenant, now(tenant) + timedelta(seconds=seconds))
    return now(tenant)
