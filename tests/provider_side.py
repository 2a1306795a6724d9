"""Paying an order of the WeChat channel through any registered provider, as the merchant service does, so each
provider simulator is exercised over HTTP before (and apart from) the channels that offer it.

The order is the WeChat channel's (its back end offers only WeChat Pay); the payment goes through
``merchant.pay`` with the provider's code, so the provider's notification comes back to the channel's real
notify endpoint, /wechat/api/notify/<gateway>, and the channel's order query path asks that provider.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import zxingcpp
from PIL import Image
from sqlalchemy import select
from starlette.requests import Request

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator
from fixtures.waiting import poll
from simulators import web
from simulators.core.models import Order, Tenant
from simulators.gateways import merchant
from simulators.gateways.models import GatewayTrade, Notification
from steps.drivers.api.client import connect

if TYPE_CHECKING:
    from tests.conftest import Wechat


@dataclass
class Merchant:
    sim: EmbeddedSimulator
    wechat: Wechat

    @property
    def tenant(self) -> str:
        return self.wechat.tenant

    def request(self) -> Request:
        """What the merchant service needs of a request: the app, its address and the tenant."""
        return web.internal_request(self.sim.app, self.sim.url, self.tenant)

    def order(self, payer: Payer, **choice: Any) -> str:
        created = self.wechat.order(payer, **choice)
        assert created.status_code == 201, created.text
        return str(created.json()["order_no"])

    def pay(self, order_no: str, gateway: str) -> str:
        """The provider's cashier (or QR page) for the order; it returns to the channel's result page."""
        return merchant.pay(
            self.request(), order_no, gateway, payer=self.wechat.openid, redirect=f"/wechat/sbjf?order_no={order_no}"
        )

    def paying(self, payer: Payer, gateway: str) -> tuple[str, str]:
        order_no = self.order(payer)
        return order_no, self.pay(order_no, gateway)

    def client(self, gateway: str) -> merchant.GatewayClient:
        with self.sim.db.transaction() as session:
            tenant = session.get(Tenant, self.tenant)
            assert tenant is not None
            return merchant.CLIENTS[gateway](self.sim.url, tenant)

    def settle(self, order_no: str, *, close_if_pending: bool = False) -> str:
        return merchant.settle(self.request(), order_no, close_if_pending=close_if_pending)

    # what the database holds ----------------------------------------------------------------------------
    @property
    def key(self) -> str:
        with self.sim.db.transaction() as session:
            tenant = session.get(Tenant, self.tenant)
            assert tenant is not None
            return tenant.merchant_key

    def status(self, order_no: str) -> tuple[str, str]:
        with self.sim.db.transaction() as session:
            order = session.get(Order, order_no)
            assert order is not None
            return order.status, order.failure or ""

    def trade(self, order_no: str) -> GatewayTrade:
        with self.sim.db.transaction() as session:
            return session.scalars(
                select(GatewayTrade).where(GatewayTrade.tenant_id == self.tenant, GatewayTrade.out_trade_no == order_no)
            ).one()

    def notes(self) -> list[Notification]:
        with self.sim.db.transaction() as session:
            return list(
                session.scalars(
                    select(Notification).where(Notification.tenant_id == self.tenant).order_by(Notification.id)
                )
            )

    def notes_when(self, until: Callable[[list[Notification]], bool]) -> list[Notification]:
        """The outbox once ``until`` holds of it (bounded: the caller asserts on what it got)."""
        return poll(self.notes, until)

    # the provider's and the payer's side ----------------------------------------------------------------
    def http(self) -> httpx.Client:
        return connect(self.sim.url)

    def notify(self, gateway: str, form: str) -> httpx.Response:
        """A notification posted to the channel's notify endpoint, as the provider posts it."""
        with self.http() as http:
            return http.post(
                f"/wechat/api/notify/{gateway}",
                content=form.encode(),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                    "X-Sim-Tenant": self.tenant,
                },
            )

    def confirm(self, cashier_url: str) -> httpx.Response:
        """The cashier's pay button, as the API drivers press it."""
        with self.http() as http:
            return http.post(cashier_url.split("?")[0] + "/pay", json={})


def qr_payloads(picture: bytes) -> list[str]:
    with Image.open(io.BytesIO(picture)) as image:
        return [found.text for found in zxingcpp.read_barcodes(image.convert("L"))]
