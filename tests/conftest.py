"""Component tests talk to a real embedded simulator over HTTP, and read its database to prove what was
(or was not) written."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from faker import Faker

from fixtures.payers import NingboPayerProvider, Payer
from fixtures.simulator import EmbeddedSimulator, SimControl, embedded
from steps.drivers.api.client import connect
from tests.channel_user import ChannelUser

_ids = itertools.count(1)


@pytest.fixture(scope="session")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedSimulator]:
    with embedded(Path(tmp_path_factory.mktemp("sim")) / "sim.db") as running:
        yield running


@pytest.fixture(scope="session")
def sim_control(sim: EmbeddedSimulator) -> Iterator[SimControl]:
    client = SimControl(sim.url)
    yield client
    client.close()


@pytest.fixture
def fake() -> Faker:
    faker = Faker("zh_CN")
    faker.seed_instance(20240301)
    faker.add_provider(NingboPayerProvider)
    return faker


@dataclass
class Wechat(ChannelUser):
    """A WeChat user of one tenant: authorized (静默授权) before anything else."""

    channel: str = "wechat"
    login_header = "X-Wechat-Openid"
    gateway = "wechatpay"

    def authorize(self) -> Wechat:
        self.token = self.call("POST", "/oauth/authorize", {}).json()["openid"]
        return self

    @property
    def openid(self) -> str:
        return self.token


@pytest.fixture
def tenant(sim_control: SimControl) -> str:
    tenant_id = f"t-{next(_ids)}-{secrets.token_hex(3)}"
    sim_control.create_tenant(tenant_id, 7)
    return tenant_id


@pytest.fixture
def wechat(sim: EmbeddedSimulator, tenant: str) -> Iterator[Wechat]:
    with connect(sim.url, tenant) as http:
        yield Wechat(sim, tenant, http).authorize()


@pytest.fixture
def enrol(sim_control: SimControl, tenant: str, fake: Faker):
    """Register a generated payer with the tenant and return it."""

    def add(**traits: Any) -> Payer:
        payer: Payer = fake.ningbo_payer(**traits)
        sim_control.add_payers(tenant, [payer.to_json()])
        return payer

    return add
