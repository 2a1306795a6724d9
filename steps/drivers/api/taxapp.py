"""API driver of the 宁波税务 APP: the app's JSON back end under /taxapp/api/, as its pages call it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from steps.drivers.accounts import password_of
from steps.drivers.api import cashier
from steps.drivers.api.backend import Refused, answer, items, ordering, quoted, records
from steps.drivers.protocol import CHOOSE_TIER, Choice, Items, Outcome, PayerRef, Paying, Record, Senses, through

API = "/taxapp/api"
DEFAULT_GATEWAY = "ccb"  # the app's usual way: 第三方支付 建行
QR_IMAGE = re.compile(r"<img[^>]*\balt=\"支付宝付款码\"[^>]*>")
SRC = re.compile(r"\bsrc=\"([^\"]+)\"")


class TaxappApi:
    """The ChannelDriver of the 宁波税务 APP over HTTP: register or log in as the person at the screen, 个人业务,
    本人 or 他人 (with the random code read off its picture), then order and pay as the pages do."""

    channel = "taxapp"
    api = API

    def __init__(self, http: httpx.Client, senses: Senses) -> None:
        self.http, self.senses = http, senses
        self.token = ""
        self.registered: set[str] = set()
        self.current = ""  # the ID number of the logged-in person
        self.verified: set[str] = set()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.request(method, path, json=body, headers={"X-App-Token": self.token})
        return answer(response)

    # the way in ---------------------------------------------------------------------------------------------
    def sign_in(self, person: PayerRef) -> None:
        """Register (with the SMS code) if new here, else log in; then 个人业务."""
        if self.current == person.id_number:
            if self._alive():
                return
            self.current = ""  # the login ended (idle too long on the tenant's clock): log in again
        password = password_of(person)
        if person.id_number in self.registered:
            self.token = self._call("POST", f"{self.api}/sessions",
                                    {"phone": person.phone, "password": password})["token"]
        else:
            self._call("POST", f"{self.api}/sms/code", {"phone": person.phone, "purpose": "register"})
            self.token = self._call("POST", f"{self.api}/accounts", {
                "phone": person.phone, "sms_code": self.senses.sms_code(person.phone), "password": password,
                "password_confirm": password, "name": person.name, "id_type": person.id_type,
                "id_number": person.id_number,
            })["token"]
            self.registered.add(person.id_number)
        self.current, self.verified = person.id_number, set()
        self._call("POST", f"{self.api}/business", {"business": "个人业务"})

    def verify_other(self, payer: PayerRef) -> None:
        """办理对象 他人: 证件类型, 姓名, 证件号码, 手机号码 and the 随机验证码 read off its picture."""
        shown = self._call("POST", f"{self.api}/captchas")
        self._call("POST", f"{self.api}/others", {
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
            data = self._call("POST", f"{self.api}/payer/items", self._payer(payer))
        except Refused as refused:
            return Items(message=refused.message)
        return items(data)

    def _selection(self, payer: PayerRef, choice: Choice) -> dict[str, Any]:
        tiered = choice.pay_type == CHOOSE_TIER
        return {**self._payer(payer), "insurance": "pension", "pay_type": choice.pay_type,
                "year": choice.year if tiered else None, "tier": choice.tier if tiered else None}

    def _quote(self, payer: PayerRef, choice: Choice) -> Outcome:
        data = self._call("POST", f"{self.api}/quote", self._selection(payer, choice))
        return quoted(data)

    def quote(self, payer: PayerRef, choice: Choice) -> Outcome:
        try:
            self.open_payer(payer, None)
            return self._quote(payer, choice)
        except Refused as refused:
            return Outcome("refused", refused.message)

    def pay(self, payer: PayerRef, choice: Choice, *, by: PayerRef | None = None) -> Outcome:
        return through(self.paying(payer, choice, by=by))

    def paying(self, payer: PayerRef, choice: Choice, *, by: PayerRef | None = None) -> Paying:
        try:
            self.open_payer(payer, by)
            quote = self._quote(payer, choice)
        except Refused as refused:
            return Outcome("refused", refused.message)
        return (yield from ordering(self._call, self.api, self._selection(payer, choice), quote.amount,
                                    choice.gateway or DEFAULT_GATEWAY, self.complete))

    def complete(self, url: str) -> None:
        """What the person does at the provider: confirm at its cashier, or save and scan the Alipay QR code;
        nothing when the provider settled at once and sent them back to the result page."""
        path = urlsplit(url).path
        if path.startswith(f"/{self.channel}/"):  # the provider settled at once: back at our result page
            return
        if path.startswith("/pay/alipay/qr/"):
            page = self.http.get(url)
            tag = QR_IMAGE.search(page.text)
            source = SRC.search(tag.group(0)) if tag else None
            if source is None:
                raise Refused("支付宝付款码页面上没有付款码图片")
            image = self.http.get(urljoin(str(page.url), source.group(1).replace("&amp;", "&"))).content
            scanned = self.http.post("/pay/alipay/scan", content=image, headers={"Content-Type": "image/png"})
            if scanned.is_error:
                raise Refused(scanned.json()["error"]["message"])
            url = scanned.json()["cashier_url"]
        cashier.confirm(self.http, url)

    def _alive(self) -> bool:
        return bool(self.token) and self.http.get(f"{self.api}/me", headers={"X-App-Token": self.token}).is_success

    def _admitted(self, payer: PayerRef) -> None:
        """Logged in as someone who may look at the payer's records: a verified 他人's login, or the payer's."""
        if payer.id_number in self.verified and self._alive():
            return
        self.sign_in(payer)

    def records(self, payer: PayerRef) -> tuple[Record, ...]:
        """已缴费查询: of the person logged in, or of a 他人 verified in this login."""
        self._admitted(payer)
        data = self._call("POST", f"{self.api}/records/query", self._payer(payer))
        return records(data)

    def receipt(self, payer: PayerRef) -> bytes:
        """打印缴费回执单 of the payer's newest payment: the PDF."""
        self._admitted(payer)
        rows = self._call("POST", f"{self.api}/records/query", self._payer(payer))["records"]
        if not rows:
            raise Refused("没有缴费记录,无法打印缴费回执单")
        newest = max(rows, key=lambda r: (r["paid_at"], r["year"]))
        response = self.http.get(f"{self.api}/orders/{newest['order_no']}/receipt", headers={"X-App-Token": self.token})
        if response.is_error:
            raise Refused(response.json()["error"]["message"])
        return response.content

