"""API driver of the WeChat channel: its JSON back end under /wechat/api/."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from steps.drivers.api import cashier
from steps.drivers.api.backend import Refused, answer, quoted, records, settled
from steps.drivers.protocol import Choice, Items, Outcome, PayerRef, Record, Senses


class WechatApi:
    channel = "wechat"

    def __init__(self, http: httpx.Client, senses: Senses | None = None) -> None:
        self.http = http
        self.openid = ""

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        if not self.openid and not path.endswith("/oauth/authorize"):
            self.openid = self._call("POST", "/wechat/api/oauth/authorize", {})["openid"]
        response = self.http.request(method, path, json=body, headers={"X-Wechat-Openid": self.openid})
        return answer(response)

    @staticmethod
    def _payer(payer: PayerRef) -> dict[str, str]:
        return {"name": payer.name, "id_type": payer.id_type, "id_number": payer.id_number}

    def insured_items(self, payer: PayerRef) -> Items:
        try:
            data = self._call("POST", "/wechat/api/payer/items", self._payer(payer))
        except Refused as refused:
            return Items(message=refused.message)
        return Items(names=tuple(item["name"] for item in data["items"]))

    def _selection(self, payer: PayerRef, choice: Choice) -> dict[str, Any]:
        return {**self._payer(payer), "insurance": "pension", "pay_type": choice.pay_type,
                "year": choice.year, "tier": choice.tier}

    def quote(self, payer: PayerRef, choice: Choice) -> Outcome:
        try:
            data = self._call("POST", "/wechat/api/quote", self._selection(payer, choice))
        except Refused as refused:
            return Outcome("refused", refused.message)
        return quoted(data)

    def pay(self, payer: PayerRef, choice: Choice, *, by: PayerRef | None = None) -> Outcome:
        # WeChat pays for anyone by name and ID: who is at the screen changes nothing (guide step 3).
        quoted = self.quote(payer, choice)
        if quoted.status != "quoted":
            return quoted
        try:
            order = self._call("POST", "/wechat/api/orders", {
                **self._selection(payer, choice), "idempotency_key": secrets.token_hex(16),
                "expected_amount": quoted.amount,
            })
            url = self._call("POST", f"/wechat/api/orders/{order['order_no']}/pay",
                             {"gateway": choice.gateway or "wechatpay"})["cashier_url"]
            cashier.confirm(self.http, url)
            order = self._call("GET", f"/wechat/api/orders/{order['order_no']}")
        except Refused as refused:
            return Outcome("refused", refused.message)
        return settled(order)

    def records(self, payer: PayerRef) -> tuple[Record, ...]:
        data = self._call("POST", "/wechat/api/records/query", self._payer(payer))
        return records(data)

