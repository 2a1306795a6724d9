"""API driver of the Alipay channel: its JSON back end under /alipay/api/, as the mini-program calls it."""

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
from steps.drivers.protocol import (
    BatchEntry,
    Choice,
    Items,
    Outcome,
    PayerRef,
    Paying,
    Record,
    Senses,
    Shown,
    through,
)

API = "/alipay/api"


class AlipayApi:
    """One phone: the Alipay accounts logged in on it (by phone number), and the one in use."""

    channel = "alipay"

    def __init__(self, http: httpx.Client, senses: Senses | None = None) -> None:
        self.http = http
        self.logins: dict[str, tuple[str, dict[str, Any]]] = {}  # phone → (token, the account's identity)
        self.token = ""
        self.person: PayerRef | None = None  # whose Alipay is logged in on the phone now
        self.sent: list[tuple[str, dict[str, Any]]] = []  # the 【确认】 requests sent (a retry resends the last)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.request(method, API + path, json=body, headers={"X-Alipay-Token": self.token})
        if response.status_code == 401 and self.person is not None and self.person.phone in self.logins:
            # The login ended (支付宝登录已过期): the person opens Alipay again and logs in, as on a real phone.
            del self.logins[self.person.phone]
            self.log_in(self.person)
            response = self.http.request(method, API + path, json=body, headers={"X-Alipay-Token": self.token})
        return answer(response)

    def log_in(self, person: PayerRef) -> dict[str, Any]:
        """登录支付宝 as this person (实名认证 first for a phone Alipay does not know), then 同意授权 in the
        mini-program; returns the identity it gave the mini-program."""
        if person.phone not in self.logins:
            response = self.http.post(f"{API}/login", json={"phone": person.phone})
            if response.status_code == 404 and response.json()["error"]["code"] == "not_registered":
                response = self.http.post(
                    f"{API}/register", json={"phone": person.phone, "name": person.name, "id_number": person.id_number}
                )
            if response.is_error:
                raise Refused(response.json()["error"]["message"])
            self.token = response.json()["token"]
            self.logins[person.phone] = (self.token, self._call("POST", "/oauth/authorize", {}))
        self.token, identity = self.logins[person.phone]
        self.person = person
        return identity

    def _named(self, payer: PayerRef, by: PayerRef | None) -> dict[str, str]:
        """我为自己缴 (the identity the account gave) when the payer is at the screen, else 我帮他人缴."""
        me = self.log_in(by or payer)
        if by is None or by == payer:
            return {"name": me["name"], "id_type": me["id_type"], "id_number": me["id_number"]}
        return {"name": payer.name, "id_type": "居民身份证", "id_number": payer.id_number}

    def insured_items(self, payer: PayerRef) -> Items:
        try:
            data = self._call("POST", "/payer/items", self._named(payer, None))
        except Refused as refused:
            return Items(message=refused.message)
        return items(data)

    @staticmethod
    def _selection(named: dict[str, str], choice: Choice) -> dict[str, Any]:
        return {**named, "insurance": "pension", "pay_type": choice.pay_type, "year": choice.year, "tier": choice.tier}

    def quote(self, payer: PayerRef, choice: Choice) -> Outcome:
        try:
            named = self._named(payer, None)
            self._call("POST", "/payer/items", named)
            data = self._call("POST", "/quote", self._selection(named, choice))
        except Refused as refused:
            return Outcome("refused", refused.message)
        return quoted(data)

    def pay(self, payer: PayerRef, choice: Choice, *, by: PayerRef | None = None) -> Outcome:
        return through(self.paying(payer, choice, by=by))

    def paying(self, payer: PayerRef, choice: Choice, *, by: PayerRef | None = None) -> Paying:
        try:
            named = self._named(payer, by)
            self._call("POST", "/payer/items", named)
            quote = self._call("POST", "/quote", self._selection(named, choice))
        except Refused as refused:
            return Outcome("refused", refused.message)
        return (
            yield from ordering(
                self._call,
                "",
                self._selection(named, choice),
                quote["amount"],
                choice.gateway or "alipay",
                lambda url: cashier.confirm(self.http, url, choice),
                choice=choice,
                shows_ways=False,  # 去支付 confirms the order and opens Alipay's cashier at once
            )
        )

    def records(self, payer: PayerRef) -> tuple[Record, ...]:
        data = self._call("POST", "/records/query", self._named(payer, None))
        return records(data)

    def offered_tiers(self, payer: PayerRef, year: int) -> tuple[int, ...]:
        """我为自己缴, 缴费类型 选档缴费: the 缴费档次 the mini-program lists for the year."""
        try:
            return offered_tiers(self._call("POST", "/payer/items", self._named(payer, None)), year)
        except Refused:
            return ()

    # 缴费批扣定档 -----------------------------------------------------------------------------------------------
    def enrol_batch(self, payer: PayerRef, year: int, tier: int) -> Outcome:
        try:
            self.log_in(payer)
            self._call("GET", "/batch")
            e = self._call("POST", "/batch/enrolments", {"year": year, "tier": tier})
        except Refused as refused:
            return Outcome("refused", refused.message)
        return Outcome(
            "enrolled", f"已定档:{e['year']}年度{e['amount']}元,银行将于{e['due_on']}发起扣款", amount=e["amount"]
        )

    def batch_entries(self, payer: PayerRef) -> tuple[BatchEntry, ...]:
        self.log_in(payer)
        rows = self._call("GET", "/batch")["enrolments"]
        return tuple(
            BatchEntry(int(r["year"]), int(r["tier"]), r["status"], r["message"], str(r["done_at"] or r["due_on"])[:10])
            for r in rows
        )

    def batch_agreement(self, payer: PayerRef) -> dict[str, str]:
        """The agreement 缴费批扣定档 shows, under the page's labels."""
        self.log_in(payer)
        a = self._call("GET", "/batch")["agreement"]
        if not a:
            return {}
        return {
            "开户银行": a["bank"],
            "银行账号": a["account"],
            "三方协议号": a["agreement_no"],
            "协议状态": a["status"],
        }

    def batch_tiers(self, payer: PayerRef, year: int) -> tuple[int, ...]:
        """【缴费批扣定档】: the 缴费档次 it lists for the year."""
        self.log_in(payer)
        shown = self._call("GET", "/batch")
        return tuple(int(t) for t in shown["tiers"]) if year in shown["years"] else ()

    # OrdersByNumber: the person (``by``) logged in to Alipay on this phone ---------------------------------------
    def confirm_order(self, payer: PayerRef, choice: Choice) -> Outcome:
        try:
            named = self._named(payer, None)
            self._call("POST", "/payer/items", named)
            quote = self._call("POST", "/quote", self._selection(named, choice))
        except Refused as refused:
            return Outcome("refused", refused.message)
        return confirming(self._call, "", self._selection(named, choice), quote["amount"], self.sent)

    def resend_confirmation(self) -> Outcome:
        return resending(self._call, self.sent)

    def _asked(self, by: PayerRef, method: str, path: str, body: dict[str, Any] | None = None) -> Shown:
        self.log_in(by)
        return shown(self.http.request(method, API + path, json=body, headers={"X-Alipay-Token": self.token}))

    def open_order(self, order_no: str, *, by: PayerRef) -> Shown:
        return self._asked(by, "GET", f"/orders/{order_no}")

    def pay_order(self, order_no: str, *, by: PayerRef) -> Shown:
        """去支付 of the order by its number; where the channel lets it through, 确认付款 at the cashier too."""
        paid = self._asked(by, "POST", f"/orders/{order_no}/pay", {"gateway": "alipay"})
        if not paid.refused:
            cashier.confirm(self.http, str(json.loads(paid.text)["cashier_url"]))
        return paid
