"""An Alipay user of one tenant, talking to the mini-program's back end as its pages do, and what the database
holds for that tenant (to prove what a refusal did not write)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select

from fixtures.payers import Payer
from simulators.gateways.models import GatewayTrade
from tests.channel_user import ChannelUser, payer_body

API = "/alipay/api"


@dataclass
class AlipayUser(ChannelUser):
    """An Alipay user: logged in with the phone, the mini-program authorized for the account's identity."""

    channel: str = "alipay"
    me: dict[str, Any] | None = None

    login_header = "X-Alipay-Token"
    gateway = "alipay"

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
        return payer_body(payer)

    def enrol(self, tier: int = 500, year: int = 2024) -> httpx.Response:
        return self.call("POST", "/batch/enrolments", {"year": year, "tier": tier})

    def rows(self) -> dict[str, int]:
        """The tenant's rows, and how many charges the providers took."""
        with self.sim.db.transaction() as session:
            paid = (
                session.scalar(
                    select(func.count())
                    .select_from(GatewayTrade)
                    .where(GatewayTrade.tenant_id == self.tenant, GatewayTrade.success_at.is_not(None))
                )
                or 0
            )
        return {**super().rows(), "paid_charges": paid}
