"""A person at one channel of one tenant, talking to the channel's JSON back end as its pages do, and what the
database holds for the tenant: enough to prove that a refused request wrote nothing. The WeChat user, the Alipay user
and the app-account user (宁波税务APP, 电子税务局, 浙里办) are this one person with their channel's way in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
from sqlalchemy import func, select

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator
from simulators.core.db import tenant_tables

# A request is journaled, refused or not: the journal is the one table a refusal writes to.
UNCOUNTED = frozenset({"journal_entry"})


def payer_body(payer: Payer) -> dict[str, str]:
    """Who pays, as the pages send it: 姓名, 证件类型, 证件号码."""
    return {"name": payer.name, "id_type": "居民身份证", "id_number": payer.id_number}


def choice_body(**choice: Any) -> dict[str, Any]:
    """选档缴费 of 2024 at 300 with a new submission key, unless ``choice`` says otherwise."""
    return {
        "insurance": "pension",
        "pay_type": "选档缴费",
        "year": 2024,
        "tier": 300,
        "idempotency_key": secrets.token_hex(12),
        **choice,
    }


def tenant_rows(sim: EmbeddedSimulator, tenant: str) -> dict[str, int]:
    """How many rows the tenant has in each table of tenant data (every part's, as the reset walks them)."""
    with sim.db.transaction() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table).where(table.c.tenant_id == tenant)) or 0
            for table in tenant_tables()
            if table.name not in UNCOUNTED
        }


@dataclass
class ChannelUser:
    """``call`` reaches the channel's back end (paths below ``api``) with the login in the channel's header."""

    sim: EmbeddedSimulator
    tenant: str
    http: httpx.Client
    token: str = ""
    channel: str = ""

    login_header: ClassVar[str] = ""
    gateway: ClassVar[str] = ""  # the provider ``pay`` uses unless told

    payer_body = staticmethod(payer_body)

    @property
    def api(self) -> str:
        return f"/{self.channel}/api"

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        headers = {self.login_header: self.token} if self.token else {}
        headers.update(kwargs.pop("headers", {}))
        return self.http.request(method, f"{self.api}{path}", json=body, headers=headers, **kwargs)

    def ok(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = self.call(method, path, body)
        assert response.is_success, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def order(self, payer: Payer | dict[str, str], **choice: Any) -> httpx.Response:
        who = payer if isinstance(payer, dict) else payer_body(payer)
        return self.call("POST", "/orders", {**who, **choice_body(**choice)})

    def order_no(self, payer: Payer | dict[str, str], **choice: Any) -> str:
        """A new order's number: the order must be made."""
        order = self.order(payer, **choice)
        assert order.status_code == 201, order.text
        return str(order.json()["order_no"])

    def pay(self, order_no: str, gateway: str | None = None) -> httpx.Response:
        return self.call("POST", f"/orders/{order_no}/pay", {"gateway": gateway or self.gateway})

    def confirm_at_cashier(self, cashier_url: str) -> httpx.Response:
        return self.http.post(cashier_url.split("?")[0] + "/pay", json={})

    def status(self, order_no: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.call("GET", f"/orders/{order_no}").json()
        return answer

    def pay_through(self, payer: Payer | dict[str, str], gateway: str | None = None, **choice: Any) -> dict[str, Any]:
        """Ordered, paid at the provider's cashier, and the order as the result page then reads it."""
        order_no = self.order_no(payer, **choice)
        cashier = self.pay(order_no, gateway)
        assert cashier.status_code == 200, cashier.text
        confirmed = self.confirm_at_cashier(cashier.json()["cashier_url"])
        assert confirmed.is_success, confirmed.text
        return self.status(order_no)

    def rows(self) -> dict[str, int]:
        return tenant_rows(self.sim, self.tenant)


__all__ = ["ChannelUser", "choice_body", "payer_body", "tenant_rows"]
