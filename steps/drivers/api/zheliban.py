"""API driver of the 浙里办 APP: the app's JSON back end under /zheliban/api/, as its pages call it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from steps.drivers.accounts import password_of
from steps.drivers.api import cashier
from steps.drivers.api.backend import Refused, answer, items, ordering, quoted, records
from steps.drivers.protocol import CHOOSE_TIER, Choice, Items, Outcome, PayerRef, Paying, Record, Senses, through

API = "/zheliban/api"
DEFAULT_DISTRICT = "奉化区"  # the guide's example
DEFAULT_GATEWAY = "alipay_qr"  # 第三方支付: a payment code to save and scan


class ZhelibanApi:
    """The ChannelDriver of the 浙里办 APP over HTTP: register or log in as the person at the screen, choose the
    district in 办事服务 (``district``, 奉化区 unless a step picks another), 本人 or 他人 (with the random code read
    off its picture), then order and pay as the pages do."""

    channel = "zheliban"

    def __init__(self, http: httpx.Client, senses: Senses, district: str = DEFAULT_DISTRICT) -> None:
        self.http, self.senses, self.district = http, senses, district
        self.token = ""
        self.registered: set[str] = set()
        self.current = ""  # the ID number of the logged-in person
        self.chosen = ""  # the district this login chose
        self.verified: set[str] = set()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        return answer(self.http.request(method, path, json=body, headers={"X-App-Token": self.token}))

    # the way in ---------------------------------------------------------------------------------------------
    def sign_in(self, person: PayerRef) -> None:
        """Register (with the SMS code) if new here, else log in; then 办事服务 → the district."""
        if self.current == person.id_number and not self._alive():
            self.current = ""  # the login ended (idle too long on the tenant's clock): log in again
        if self.current != person.id_number:
            password = password_of(person)
            if person.id_number in self.registered:
                self.token = self._call("POST", f"{API}/sessions",
                                        {"phone": person.phone, "password": password})["token"]
            else:
                self._call("POST", f"{API}/sms/code", {"phone": person.phone, "purpose": "register"})
                self.token = self._call("POST", f"{API}/accounts", {
                    "phone": person.phone, "sms_code": self.senses.sms_code(person.phone), "password": password,
                    "password_confirm": password, "name": person.name, "id_type": person.id_type,
                    "id_number": person.id_number,
                })["token"]
                self.registered.add(person.id_number)
            self.current, self.chosen, self.verified = person.id_number, "", set()
        if self.chosen != self.district:
            self._call("POST", f"{API}/district", {"district": self.district})
            self.chosen = self.district

    def verify_other(self, payer: PayerRef) -> None:
        """办理对象 他人: 证件类型, 姓名, 身份证件号码, 手机号码 and the 随机验证码 read off its picture."""
        shown = self._call("POST", f"{API}/captchas")
        self._call("POST", f"{API}/others", {
            "id_type": payer.id_type, "name": payer.name, "id_number": payer.id_number, "phone": payer.phone,
            "captcha_id": shown["captcha_id"], "captcha": self.senses.captcha_text(shown["captcha_id"]),
        })
        self.verified.add(payer.id_number)

    def open_payer(self, payer: PayerRef, by: PayerRef | None) -> None:
        self.sign_in(by or payer)
        if by is not None and by.id_number != payer.id_number:
            self.verify_other(payer)

    @staticmethod
    def _payer(payer: PayerRef) -> dict[str, str]:
        return {"name": payer.name, "id_type": payer.id_type, "id_number": payer.id_number}

    # ChannelDriver --------------------------------------------------------------------------------------------
    def insured_items(self, payer: PayerRef) -> Items:
        try:
            self.open_payer(payer, None)
            return items(self._call("POST", f"{API}/payer/items", self._payer(payer)))
        except Refused as refused:
            return Items(message=refused.message)

    def _selection(self, payer: PayerRef, choice: Choice) -> dict[str, Any]:
        tiered = choice.pay_type == CHOOSE_TIER
        return {**self._payer(payer), "insurance": "pension", "pay_type": choice.pay_type,
                "year": choice.year if tiered else None, "tier": choice.tier if tiered else None}

    def quote(self, payer: PayerRef, choice: Choice) -> Outcome:
        try:
            self.open_payer(payer, None)
            return quoted(self._call("POST", f"{API}/quote", self._selection(payer, choice)))
        except Refused as refused:
            return Outcome("refused", refused.message)

    def pay(self, payer: PayerRef, choice: Choice, *, by: PayerRef | None = None) -> Outcome:
        return through(self.paying(payer, choice, by=by))

    def paying(self, payer: PayerRef, choice: Choice, *, by: PayerRef | None = None) -> Paying:
        try:
            self.open_payer(payer, by)
            quote = quoted(self._call("POST", f"{API}/quote", self._selection(payer, choice)))
        except Refused as refused:
            return Outcome("refused", refused.message)
        return (yield from ordering(self._call, API, self._selection(payer, choice), quote.amount,
                                    choice.gateway or DEFAULT_GATEWAY, self.complete))

    def complete(self, url: str) -> None:
        """What the person does after 【确认缴费】: 第三方支付 saves the payment code's picture, scans it with
        Alipay and confirms at its cashier; 协议支付 has settled already and is back at the result page."""
        if urlsplit(url).path.startswith("/zheliban/"):
            return
        cashier.confirm(self.http, cashier.save_and_scan(self.http, url))

    def _alive(self) -> bool:
        return bool(self.token) and self.http.get(f"{API}/me", headers={"X-App-Token": self.token}).is_success

    def _admitted(self, payer: PayerRef) -> None:
        """Logged in as someone who may look at the payer's records: a verified 他人's login, or the payer's."""
        if payer.id_number in self.verified and self._alive():
            return
        self.sign_in(payer)

    def records(self, payer: PayerRef) -> tuple[Record, ...]:
        """已缴费查询: of the person logged in, or of a 他人 verified in this login."""
        self._admitted(payer)
        return records(self._call("POST", f"{API}/records/query", self._payer(payer)))

    def receipt(self, payer: PayerRef) -> bytes:
        """打印缴费回执单 of the payer's newest payment: the PDF."""
        self._admitted(payer)
        rows = self._call("POST", f"{API}/records/query", self._payer(payer))["records"]
        if not rows:
            raise Refused("没有缴费记录,无法打印缴费回执单")
        newest = max(rows, key=lambda r: (r["paid_at"], r["year"]))
        response = self.http.get(f"{API}/orders/{newest['order_no']}/receipt", headers={"X-App-Token": self.token})
        if response.is_error:
            answer(response)  # raises Refused with the back end's message
        return response.content
