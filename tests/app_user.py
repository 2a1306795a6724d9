"""A person using an app channel with its own accounts (宁波税务APP, …) over its JSON back end, as its pages do,
and what the database holds for the tenant: enough to prove that a refused request wrote nothing."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import func, select

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator, SimControl
from simulators.core.models import (
    AppAccount,
    Bill,
    Captcha,
    ChannelSession,
    Order,
    PaymentRecord,
    Person,
    SmsMessage,
)
from simulators.gateways.models import GatewayTrade, Notification

PASSWORD = "Abc12345"
COUNTED = (Person, Bill, Order, PaymentRecord, GatewayTrade, Notification, AppAccount, ChannelSession, SmsMessage,
           Captcha)


@dataclass
class AppUser:
    sim: EmbeddedSimulator
    control: SimControl
    tenant: str
    http: httpx.Client
    channel: str = "taxapp"
    token: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return f"/{self.channel}/api"

    def call(self, method: str, path: str, body: Any = None) -> httpx.Response:
        headers = {"X-App-Token": self.token} if self.token else {}
        return self.http.request(method, f"{self.api}{path}", json=body, headers=headers)

    def ok(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = self.call(method, path, body)
        assert response.is_success, response.text
        return response.json()

    # the way in -----------------------------------------------------------------------------------------------
    def send_code(self, phone: str) -> str:
        self.ok("POST", "/sms/code", {"phone": phone, "purpose": "register"})
        return self.code_of(phone)

    def code_of(self, phone: str) -> str:
        return [m for m in self.control.sms(self.tenant, phone) if m["code"]][-1]["code"]

    def registration(self, payer: Payer, **changes: Any) -> dict[str, Any]:
        return {"phone": payer.phone, "sms_code": "", "password": PASSWORD, "password_confirm": PASSWORD,
                "name": payer.name, "id_type": "居民身份证", "id_number": payer.id_number, **changes}

    def register(self, payer: Payer, **changes: Any) -> httpx.Response:
        body = self.registration(payer, **changes)
        if not body["sms_code"]:
            body["sms_code"] = self.send_code(body["phone"])
        return self.call("POST", "/accounts", body)

    def sign_in(self, payer: Payer) -> AppUser:
        """Registered, logged in, 个人业务."""
        response = self.register(payer)
        assert response.status_code == 201, response.text
        self.token = response.json()["token"]
        self.ok("POST", "/business", {"business": "个人业务"})
        return self

    def captcha(self) -> tuple[str, str]:
        shown = self.ok("POST", "/captchas")["captcha_id"]
        return shown, self.control.captcha(self.tenant, shown)["text"]

    def other(self, payer: Payer, **changes: Any) -> dict[str, Any]:
        """The 他人 form, with a fresh random code read off its picture."""
        shown, text = self.captcha()
        return {"id_type": "居民身份证", "name": payer.name, "id_number": payer.id_number, "phone": payer.phone,
                "captcha_id": shown, "captcha": text, **changes}

    # paying -----------------------------------------------------------------------------------------------------
    @staticmethod
    def payer_body(payer: Payer) -> dict[str, str]:
        return {"name": payer.name, "id_type": "居民身份证", "id_number": payer.id_number}

    def order(self, payer: Payer, **choice: Any) -> httpx.Response:
        return self.call("POST", "/orders", {**self.payer_body(payer), "insurance": "pension",
                                              "pay_type": "选档缴费", "year": 2024, "tier": 300,
                                              "idempotency_key": secrets.token_hex(12), **choice})

    def pay_through(self, payer: Payer, gateway: str = "ccb", **choice: Any) -> dict[str, Any]:
        order = self.order(payer, **choice)
        assert order.status_code == 201, order.text
        order_no = order.json()["order_no"]
        url = self.ok("POST", f"/orders/{order_no}/pay", {"gateway": gateway})["cashier_url"]
        confirmed = self.http.post(url.split("?")[0] + "/pay", json={})
        assert confirmed.is_success, confirmed.text
        return self.ok("GET", f"/orders/{order_no}")

    # what the database holds for this tenant --------------------------------------------------------------------
    def state(self) -> dict[str, object]:
        """Row counts, spent SMS codes and random codes, and what the logins keep: all a refusal must leave as is."""
        with self.sim.app.state.db.transaction() as session:
            counts: dict[str, object] = {
                model.__tablename__: session.scalar(
                    select(func.count()).select_from(model).where(model.tenant_id == self.tenant)) or 0
                for model in COUNTED
            }
            counts["sms_used"] = session.scalar(select(func.count()).select_from(SmsMessage).where(
                SmsMessage.tenant_id == self.tenant, SmsMessage.used_at.is_not(None)))
            counts["captchas_used"] = session.scalar(select(func.count()).select_from(Captcha).where(
                Captcha.tenant_id == self.tenant, Captcha.used_at.is_not(None)))
            counts["sessions"] = sorted(str(s.data) for s in session.scalars(
                select(ChannelSession).where(ChannelSession.tenant_id == self.tenant)))
            return counts


@contextmanager
def app_user(sim: EmbeddedSimulator, control: SimControl, tenant: str, channel: str = "taxapp") -> Iterator[AppUser]:
    with httpx.Client(base_url=sim.url, headers={"X-Sim-Tenant": tenant}, timeout=30, trust_env=False) as http:
        yield AppUser(sim, control, tenant, http, channel)
