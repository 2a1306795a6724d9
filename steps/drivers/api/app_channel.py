"""What the API drivers of the channels that are apps of their own (宁波税务APP, 电子税务局, 浙里办) share: the login
kept across calls, 本人 or 他人 (with the random code read off its picture), ordering and paying as the pages do,
and the records and receipts of the payers of the login. Each channel's driver says only how it gets in."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any
from urllib.parse import urlsplit

import httpx
from PIL import Image

from steps.drivers.accounts import password_of
from steps.drivers.api import cashier
from steps.drivers.api.backend import (
    Refused,
    UnreadableAnswer,
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
    CAPTCHA_AGAIN,
    CAPTCHA_MISREAD,
    CAPTCHA_SHOWN,
    CHOOSE_TIER,
    Choice,
    Items,
    Outcome,
    PayerRef,
    Paying,
    Record,
    Senses,
    Shown,
    misread,
    through,
)

DARK = 120  # grey level below which a pixel counts as dark: the characters' strokes, not the lines and the background
STROKES = 20  # dark pixels a picture with characters has at least (four characters: 49 and more; noise alone: < 10)


class AppChannelApi:
    """A ChannelDriver over an app channel's JSON back end under ``api``, with its login in ``X-App-Token``.

    ``log_in`` is the channel's way in (here: 注册 with the SMS code if new here, else 登录 with phone and
    password); ``enter`` what a login does before it can pay (nothing here)."""

    channel = ""
    api = ""
    default_gateway = ""  # the way 第三方支付 pays when a step names none

    def __init__(self, http: httpx.Client, senses: Senses) -> None:
        self.http, self.senses = http, senses
        self.token = ""
        self.registered: set[str] = set()
        self.current = ""  # the ID number of the logged-in person
        self.verified: set[str] = set()
        self.last_captcha: tuple[str, str] | None = None  # (picture, code typed) of the last check of a 他人
        self.sent: list[tuple[str, dict[str, Any]]] = []  # the 【确认】 requests sent (a retry resends the last)
        self.saved_code = b""  # the payment code picture saved at the last 支付宝扫码

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        return answer(self.http.request(method, path, json=body, headers={"X-App-Token": self.token}))

    # the way in ---------------------------------------------------------------------------------------------
    def sign_in(self, person: PayerRef) -> None:
        """Logged in as the person at the screen: still, or again (the login ends when idle too long on the
        tenant's clock), or for the first time; then whatever the channel asks before paying."""
        if self.current == person.id_number and not self._alive():
            self.current = ""
        if self.current != person.id_number:
            self.log_in(person)
            self.current, self.verified = person.id_number, set()
        self.enter()

    def log_in(self, person: PayerRef) -> None:
        """注册 with the SMS code if new here (which logs in), else 登录 with the phone and the password."""
        password = password_of(person)
        if person.id_number in self.registered:
            self.token = self._call("POST", f"{self.api}/sessions", {"phone": person.phone, "password": password})[
                "token"
            ]
            return
        self._call("POST", f"{self.api}/sms/code", {"phone": person.phone, "purpose": "register"})
        self.token = self._call(
            "POST",
            f"{self.api}/accounts",
            self._registration(person, self.senses.sms_code(person.phone)),
        )["token"]
        self.registered.add(person.id_number)

    @staticmethod
    def _registration(person: PayerRef, sms_code: str) -> dict[str, Any]:
        """The 注册 form: the person's phone, name and ID, the SMS code, and their password twice."""
        password = password_of(person)
        return {
            "phone": person.phone,
            "sms_code": sms_code,
            "password": password,
            "password_confirm": password,
            "name": person.name,
            "id_type": person.id_type,
            "id_number": person.id_number,
        }

    def enter(self) -> None:
        """What a login does before it can pay, each time the driver goes in: nothing here."""

    def check_other(self, payer: PayerRef, captcha: str = CAPTCHA_SHOWN) -> None:
        """办理对象 他人: 证件类型, 姓名, 证件号码, 手机号码 and the 随机验证码 of a new picture as ``captcha`` says
        (or the last check's picture and code again); Refused when the channel says no."""
        if captcha == CAPTCHA_AGAIN and self.last_captcha:
            captcha_id, text = self.last_captcha
        else:
            made = self._call("POST", f"{self.api}/captchas")
            captcha_id = made["captcha_id"]
            self.captcha_picture(str(made["image_url"]))
            text = self.senses.captcha_text(captcha_id)
            text = misread(text) if captcha == CAPTCHA_MISREAD else text
        self.last_captcha = (captcha_id, text)
        self._call(
            "POST",
            f"{self.api}/others",
            {
                "id_type": payer.id_type,
                "name": payer.name,
                "id_number": payer.id_number,
                "phone": payer.phone,
                "captcha_id": captcha_id,
                "captcha": text,
            },
        )
        self.verified.add(payer.id_number)

    def captcha_picture(self, url: str) -> bytes:
        """The 随机验证码 picture the page shows (its ``img`` loads it): a PNG with dark strokes of characters on it
        (more dark pixels than its noise dots could make), else the person has nothing to read the code off
        (UnreadableAnswer). What the characters say the person's eyes read (``Senses.captcha_text``)."""
        response = self.http.get(url, headers={"X-App-Token": self.token})
        if response.is_error:
            answer(response)  # raises Refused with the back end's message
        picture = response.content
        where = f"渠道接口 GET {urlsplit(url).path}"
        try:
            with Image.open(io.BytesIO(picture)) as image:
                kind, dark = image.format, sum(image.convert("L").histogram()[:DARK])
        except OSError:
            raise UnreadableAnswer(
                f"{where} 应答复随机验证码的PNG图片,实际{len(picture)}字节,开头{picture[:8]!r}"
            ) from None
        if kind != "PNG" or dark < STROKES:
            raise UnreadableAnswer(f"{where} 的随机验证码图片上应有可辨认的字符,实际是{kind}图片,深色像素只有{dark}个")
        return picture

    def login_token(self, person: PayerRef) -> str:
        self.sign_in(person)
        return self.token

    def items_with_token(self, person: PayerRef, token: str) -> Outcome:
        response = self.http.post(f"{self.api}/payer/items", json=self._payer(person), headers={"X-App-Token": token})
        try:
            answer(response)
        except Refused as refused:
            return Outcome("refused", refused.message)
        return Outcome("logged_in", "凭这个登录凭证查到了本人的参保信息")

    def captcha_picture_of(self, captcha_id: str) -> Shown:
        response = self.http.get(f"{self.api}/captchas/{captcha_id}.png", headers={"X-App-Token": self.token})
        if response.is_error:
            return shown(response)
        return Shown(False, text=f"{len(response.content)}字节的{response.headers.get('content-type', '')}图片")

    def open_payer(self, payer: PayerRef, by: PayerRef | None) -> None:
        self.sign_in(by or payer)
        if by is not None and by.id_number != payer.id_number:
            self.check_other(payer)

    # AppAccounts: 注册 with an SMS code, 登录 with a password, 办理对象 他人 ----------------------------------------
    def request_sms_code(self, person: PayerRef, *, username: str = "") -> Outcome:
        """【获取验证码】 (the 用户名 travels with 注册, not here)."""
        try:
            self._call("POST", f"{self.api}/sms/code", {"phone": person.phone, "purpose": "register"})
        except Refused as refused:
            return Outcome("refused", refused.message)
        return Outcome("sent")

    def register_with(self, person: PayerRef, sms_code: str, *, username: str = "", confirm: str = "") -> Outcome:
        """注册 with this code (and ``username`` as 用户名, ``confirm`` as 确认密码 when given); where registering logs
        in, the login is kept (its 个人业务 still to choose)."""
        form = {**self._registration(person, sms_code), **({"username": username} if username else {})}
        if confirm:
            form["password_confirm"] = confirm
        try:
            token = self._call("POST", f"{self.api}/accounts", form)["token"]
        except Refused as refused:
            return Outcome("refused", refused.message)
        self.registered.add(person.id_number)
        self.token = token or self.token
        return Outcome("registered")

    def log_in_with_password(self, person: PayerRef, password: str) -> Outcome:
        self.current, self.verified = "", set()
        try:
            self.password_login(person, password)
        except Refused as refused:
            return Outcome("refused", refused.message)
        self.current = person.id_number
        return Outcome("logged_in")

    def password_login(self, person: PayerRef, password: str) -> None:
        """登录 with the phone number and this password, and whatever the channel does after it; Refused if not."""
        self.token = self._call("POST", f"{self.api}/sessions", {"phone": person.phone, "password": password})["token"]

    def log_out(self) -> None:
        if self.token:
            self._call("POST", f"{self.api}/logout")
        self.token, self.current, self.verified = "", "", set()

    def verify_other(self, payer: PayerRef, *, by: PayerRef, captcha: str = CAPTCHA_SHOWN) -> Outcome:
        try:
            self.sign_in(by)
            self.check_other(payer, captcha)
        except Refused as refused:
            return Outcome("refused", refused.message)
        return Outcome("verified")

    @staticmethod
    def _payer(payer: PayerRef) -> dict[str, str]:
        return {"name": payer.name, "id_type": payer.id_type, "id_number": payer.id_number}

    # ChannelDriver --------------------------------------------------------------------------------------------
    def insured_items(self, payer: PayerRef) -> Items:
        try:
            self.open_payer(payer, None)
            return items(self._call("POST", f"{self.api}/payer/items", self._payer(payer)))
        except Refused as refused:
            return Items(message=refused.message)

    def _selection(self, payer: PayerRef, choice: Choice) -> dict[str, Any]:
        tiered = choice.pay_type == CHOOSE_TIER
        return {
            **self._payer(payer),
            "insurance": "pension",
            "pay_type": choice.pay_type,
            "year": choice.year if tiered else None,
            "tier": choice.tier if tiered else None,
        }

    def _quote(self, payer: PayerRef, choice: Choice) -> Outcome:
        return quoted(self._call("POST", f"{self.api}/quote", self._selection(payer, choice)))

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
        return (
            yield from ordering(
                self._call,
                self.api,
                self._selection(payer, choice),
                quote.amount,
                choice.gateway or self.default_gateway,
                lambda url: self.complete(url, choice),
                choice=choice,
            )
        )

    def complete(self, url: str, choice: Choice | None = None) -> None:
        """What the person does after 【确认缴费】: nothing when the provider settled at once (协议支付: back at the
        channel's result page); else scan the Alipay payment code if that is what opened, and confirm at the
        provider's cashier."""
        path = urlsplit(url).path
        if path.startswith(f"/{self.channel}/"):
            return
        if not path.startswith(cashier.ALIPAY_QR):
            cashier.confirm(self.http, url, choice)
            return
        self.saved_code = cashier.payment_picture(self.http, url)
        url = cashier.scan_picture(self.http, self.saved_code)
        with contextlib.suppress(Refused):  # said in the Alipay app; back at the channel: 我已完成支付, its result
            cashier.confirm(self.http, url, choice)

    def scan_saved_code(self, payer: PayerRef) -> Outcome:
        """The saved payment code scanned again with the Alipay app, and paid at the cashier it opens."""
        if not self.saved_code:
            return Outcome("refused", "没有保存的支付宝付款码图片")
        try:
            cashier.confirm(self.http, cashier.scan_picture(self.http, self.saved_code))
        except Refused as refused:
            return Outcome("refused", refused.message)
        return Outcome("paid", "支付成功")

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
        return records(self._call("POST", f"{self.api}/records/query", self._payer(payer)))

    def offered_tiers(self, payer: PayerRef, year: int) -> tuple[int, ...]:
        """本人: the tiers 【缴费金额】 lists for the year's item."""
        try:
            self.open_payer(payer, None)
            return offered_tiers(self._call("POST", f"{self.api}/payer/items", self._payer(payer)), year)
        except Refused:
            return ()

    def receipt(self, payer: PayerRef) -> bytes:
        """打印缴费回执单 of the payer's newest payment: the PDF."""
        self._admitted(payer)
        rows = self._call("POST", f"{self.api}/records/query", self._payer(payer))["records"]
        if not rows:
            raise Refused("没有缴费记录,无法打印缴费回执单")
        newest = max(rows, key=lambda r: (r["paid_at"], r["year"]))
        response = self.http.get(f"{self.api}/orders/{newest['order_no']}/receipt", headers={"X-App-Token": self.token})
        if response.is_error:
            answer(response)  # raises Refused with the back end's message
        return response.content

    # OrdersByNumber, OthersRecords: asked for by the person logged in (``by``) ----------------------------------
    def confirm_order(self, payer: PayerRef, choice: Choice) -> Outcome:
        try:
            self.open_payer(payer, None)
            quote = self._quote(payer, choice)
        except Refused as refused:
            return Outcome("refused", refused.message)
        return confirming(self._call, self.api, self._selection(payer, choice), quote.amount, self.sent)

    def resend_confirmation(self) -> Outcome:
        return resending(self._call, self.sent)

    def _asked(self, by: PayerRef, method: str, path: str, body: dict[str, Any] | None = None) -> Shown:
        self.sign_in(by)
        return shown(self.http.request(method, path, json=body, headers={"X-App-Token": self.token}))

    def open_order(self, order_no: str, *, by: PayerRef) -> Shown:
        return self._asked(by, "GET", f"{self.api}/orders/{order_no}")

    def pay_order(self, order_no: str, *, by: PayerRef) -> Shown:
        """缴费 of the order by its number the channel's usual way; where it lets it through, paid at the provider."""
        paid = self._asked(by, "POST", f"{self.api}/orders/{order_no}/pay", {"gateway": self.default_gateway})
        if not paid.refused:
            self.complete(str(json.loads(paid.text)["cashier_url"]))
        return paid

    def records_seen(self, payer: PayerRef, *, by: PayerRef) -> Shown:
        return self._asked(by, "POST", f"{self.api}/records/query", self._payer(payer))

    def receipt_seen(self, order_no: str, *, by: PayerRef) -> Shown:
        return self._asked(by, "GET", f"{self.api}/orders/{order_no}/receipt")
