"""API driver of the WeChat channel: its JSON back end under /wechat/api/."""

from __future__ import annotations

import json
from typing import Any

import httpx

from steps.drivers.api import cashier
from steps.drivers.api.backend import (
    Refused,
    answer,
    confirming,
    items,
    offered_tiers,
    ordering,
    quoted,
    records,
    resending,
    shown,
)
from steps.drivers.protocol import Choice, Items, Outcome, PayerRef, Paying, Record, Senses, Shown, through


class WechatApi:
    channel = "wechat"

    def __init__(self, http: httpx.Client, senses: Senses | None = None) -> None:
        self.http = http
        self.openid = ""
        self.sent: list[tuple[str, dict[str, Any]]] = []  # the 【确认】 requests sent (a retry resends the last)

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
        return items(data)

    def _selection(self, payer: PayerRef, choice: Choice) -> dict[str, Any]:
        return {
            **self._payer(payer),
            "insurance": "pension",
            "pay_type": choice.pay_type,
            "year": choice.year,
            "tier": choice.tier,
        }

    def quote(self, payer: PayerRef, choice: Choice) -> Outcome:
        try:
            data = self._call("POST", "/wechat/api/quote", self._selection(payer, choice))
        except Refused as refused:
            return Outcome("refused", refused.message)
        return quoted(data)

    def pay(self, payer: PayerRef, choice: Choice, *, by: PayerRef | None = None) -> Outcome:
        return through(self.paying(payer, choice, by=by))

    def paying(self, payer: PayerRef, choice: Choice, *, by: PayerRef | None = None) -> Paying:
        # WeChat pays for anyone by name and ID: who is at the screen changes nothing (guide step 3).
        quoted = self.quote(payer, choice)
        if quoted.status != "quoted":
            return quoted
        return (
            yield from ordering(
                self._call,
                "/wechat/api",
                self._selection(payer, choice),
                quoted.amount,
                choice.gateway or "wechatpay",
                lambda url: cashier.confirm(self.http, url, choice),
                choice=choice,
            )
        )

    def records(self, payer: PayerRef) -> tuple[Record, ...]:
        data = self._call("POST", "/wechat/api/records/query", self._payer(payer))
        return records(data)

    def offered_tiers(self, payer: PayerRef, year: int) -> tuple[int, ...]:
        """缴费类型 选档缴费: the 缴费档次 the page lists for the year."""
        try:
            return offered_tiers(self._call("POST", "/wechat/api/payer/items", self._payer(payer)), year)
        except Refused:
            return ()

    # OrdersByNumber: this phone's WeChat is the person (``by``), as its authorization knows them -----------------
    def confirm_order(self, payer: PayerRef, choice: Choice) -> Outcome:
        quoted = self.quote(payer, choice)
        if quoted.status != "quoted":
            return quoted
        return confirming(self._call, "/wechat/api", self._selection(payer, choice), quoted.amount, self.sent)

    def resend_confirmation(self) -> Outcome:
        return resending(self._call, self.sent)

    def _asked(self, method: str, path: str, body: dict[str, Any] | None = None) -> Shown:
        if not self.openid:
            self.openid = self._call("POST", "/wechat/api/oauth/authorize", {})["openid"]
        return shown(self.http.request(method, path, json=body, headers={"X-Wechat-Openid": self.openid}))

    def open_order(self, order_no: str, *, by: PayerRef) -> Shown:
        return self._asked("GET", f"/wechat/api/orders/{order_no}")

    def pay_order(self, order_no: str, *, by: PayerRef) -> Shown:
        """确认支付 of the order by its number; where the channel lets it through, paid at the cashier too."""
        paid = self._asked("POST", f"/wechat/api/orders/{order_no}/pay", {"gateway": "wechatpay"})
        if not paid.refused:
            cashier.confirm(self.http, str(json.loads(paid.text)["cashier_url"]))
        return paid
