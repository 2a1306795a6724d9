"""Component tests talk to a real embedded simulator over HTTP, and read its database to prove what was
(or was not) written."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from faker import Faker
from sqlalchemy import func, select

from fixtures.payers import NingboPayerProvider, Payer
from fixtures.simulator import EmbeddedSimulator, SimControl, embedded
from simulators.core.models import Bill, Order, PaymentRecord, Person
from simulators.gateways.models import GatewayTrade, Notification
from steps.drivers.api.client import connect

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
class Wechat:
    """A WeChat user of one tenant, talking to the channel's back end as its pages do."""

    sim: EmbeddedSimulator
    tenant: str
    http: httpx.Client
    openid: str = ""

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        headers = {"X-Wechat-Openid": self.openid} if self.openid else {}
        headers.update(kwargs.pop("headers", {}))
        return self.http.request(method, path, json=body, headers=headers, **kwargs)

    def authorize(self) -> Wechat:
        self.openid = self.call("POST", "/wechat/api/oauth/authorize", {}).json()["openid"]
        return self

    def order(self, payer: Payer, **choice: Any) -> httpx.Response:
        body = {"name": payer.name, "id_type": "居民身份证", "id_number": payer.id_number,
                "insurance": "pension", "pay_type": "选档缴费", "year": 2024, "tier": 300,
                "idempotency_key": secrets.token_hex(12), **choice}
        return self.call("POST", "/wechat/api/orders", body)

    def pay(self, order_no: str) -> httpx.Response:
        return self.call("POST", f"/wechat/api/orders/{order_no}/pay", {"gateway": "wechatpay"})

    def confirm_at_cashier(self, cashier_url: str) -> httpx.Response:
        return self.http.post(cashier_url.split("?")[0] + "/pay", json={})

    def status(self, order_no: str) -> dict[str, Any]:
        return self.call("GET", f"/wechat/api/orders/{order_no}").json()

    def pay_through(self, payer: Payer, **choice: Any) -> dict[str, Any]:
        order = self.order(payer, **choice)
        assert order.status_code == 201, order.text
        order_no = order.json()["order_no"]
        cashier = self.pay(order_no)
        assert cashier.status_code == 200, cashier.text
        self.confirm_at_cashier(cashier.json()["cashier_url"])
        return self.status(order_no)

    # what the database holds for this tenant ------------------------------------------------------------
    def rows(self) -> dict[str, int]:
        with self.sim.app.state.db.transaction() as session:
            return {
                model.__tablename__: session.scalar(
                    select(func.count()).select_from(model).where(model.tenant_id == self.tenant)
                ) or 0
                for model in (Person, Bill, Order, PaymentRecord, GatewayTrade, Notification)
            }


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
def enrol(sim_control: SimControl, tenant: str, fake: Faker):  # type: ignore[no-untyped-def]
    """Register a generated payer with the tenant and return it."""

    def add(**traits: Any) -> Payer:
        payer = fake.ningbo_payer(**traits)
        sim_control.add_payers(tenant, [payer.to_json()])
        return payer

    return add
