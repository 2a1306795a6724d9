"""An Alipay user of one tenant, talking to the mini-program's back end as its pages do, and what the database
holds for that tenant (to prove what a refusal did not write)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator
from simulators.alipay.models import AlipayAccount
from simulators.core.models import Bill, ChannelSession, Order, PaymentRecord
from simulators.gateways.bank.batch import BatchEnrolment
from simulators.gateways.bank.models import BankAgreement
from simulators.gateways.models import GatewayTrade

API = "/alipay/api"


@dataclass
class AlipayUser:
    sim: EmbeddedSimulator
    tenant: str
    http: httpx.Client
    token: str = ""
    me: dict[str, Any] | None = None

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        headers = {"X-Alipay-Token": self.token} if self.token else {}
        headers.update(kwargs.pop("headers", {}))
        return self.http.request(method, API + path, json=body, headers=headers, **kwargs)

    def log_in(self, payer: Payer, *, authorize: bool = True) -> AlipayUser:
        response = self.http.post(f"{API}/login", json={"phone": payer.phone})
        assert response.status_code == 200, response.text
        self.token = response.json()["token"]
        self.http.cookies.clear()  # the header carries the login, as the API driver sends it
        if authorize:
            self.me = self.call("POST", "/oauth/authorize").json()
        return self

    def own(self) -> dict[str, str]:
        """我为自己缴: the identity the account gave the mini-program."""
        assert self.me is not None
        return {"name": self.me["name"], "id_type": self.me["id_type"], "id_number": self.me["id_number"]}

    @staticmethod
    def named(payer: Payer) -> dict[str, str]:
        return {"name": payer.name, "id_type": "居民身份证", "id_number": payer.id_number}

    def order(self, payer: dict[str, str], **choice: Any) -> httpx.Response:
        return self.call("POST", "/orders", {**payer, "insurance": "pension", "pay_type": "选档缴费", "year": 2024,
                                             "tier": 300, "idempotency_key": secrets.token_hex(12), **choice})

    def enrol(self, tier: int = 500, year: int = 2024) -> httpx.Response:
        return self.call("POST", "/batch/enrolments", {"year": year, "tier": tier})

    # what the database holds for this tenant ------------------------------------------------------------
    def rows(self) -> dict[str, int]:
        with self.sim.app.state.db.transaction() as session:
            counts = {
                model.__tablename__: session.scalar(
                    select(func.count()).select_from(model).where(model.tenant_id == self.tenant)) or 0
                for model in (Bill, Order, PaymentRecord, GatewayTrade, BatchEnrolment, BankAgreement,
                              AlipayAccount, ChannelSession)
            }
            counts["paid_charges"] = session.scalar(select(func.count()).select_from(GatewayTrade).where(
                GatewayTrade.tenant_id == self.tenant, GatewayTrade.success_at.is_not(None))) or 0
            return counts
