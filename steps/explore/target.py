"""Where an exploration runs: a simulator's control API, a fresh tenant per sequence (with the defects asked for
switched on), API drivers on it and a seeded payer generator."""

from __future__ import annotations

import itertools
import os
import secrets
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from faker import Faker

from fixtures.payers import NingboPayerProvider
from fixtures.simulator import SimControl, TenantSenses
from steps.drivers.api import API_DRIVERS
from steps.drivers.api.client import connect
from steps.drivers.protocol import ChannelDriver
from steps.model.reference import DEFAULT_REFERENCE


@dataclass(frozen=True)
class Target:
    control: SimControl
    new_tenant: Callable[[], str]
    drivers_for: Callable[[str], Callable[[str], ChannelDriver]]  # tenant → (channel → driver)
    faker_for: Callable[[str], Any]  # tenant → a Faker with the Ningbo payer provider, seeded
    release: Callable[[str], None] = lambda tenant: None  # the tenant's sequence is over: close its drivers
    reference: Path = DEFAULT_REFERENCE  # the reference data the model predicts from
    restart: Callable[[], None] | None = None  # restart the simulator on its database mid-sequence, where ours to


@contextmanager
def api_target(
    control: SimControl,
    url: str,
    run_seed: int,
    defects: list[str],
    reference: Path | None = None,
    restart: Callable[[], None] | None = None,
) -> Iterator[Target]:
    """Tenants named after the run's seed, the worker and a counter (nothing collides on a shared simulator)."""
    clients: dict[str, list[httpx.Client]] = {}
    counter = itertools.count(1)
    worker = f"{os.environ.get('PYTEST_XDIST_WORKER', 'gw0')}-{secrets.token_hex(3)}"  # two runs never collide

    def new_tenant() -> str:
        tenant = f"explore-{run_seed}-{worker}-{next(counter):05d}"
        control.create_tenant(tenant, zlib.crc32(tenant.encode()))
        if defects:
            control.set_defects(tenant, defects)
        return tenant

    def drivers_for(tenant: str) -> Callable[[str], ChannelDriver]:
        senses = TenantSenses(control, tenant)

        def make(channel: str) -> ChannelDriver:
            http = connect(url, tenant)
            clients.setdefault(tenant, []).append(http)
            return API_DRIVERS[channel](http, senses)

        return make

    def faker_for(tenant: str) -> Faker:
        fake = Faker("zh_CN")
        fake.seed_instance(zlib.crc32(f"{run_seed}:{tenant.rsplit('-', 1)[-1]}".encode()))
        fake.add_provider(NingboPayerProvider)
        return fake

    def release(tenant: str) -> None:
        for http in clients.pop(tenant, []):
            http.close()

    try:
        yield Target(control, new_tenant, drivers_for, faker_for, release, reference or DEFAULT_REFERENCE, restart)
    finally:
        for tenant in list(clients):
            release(tenant)
