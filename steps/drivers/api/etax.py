"""API driver of the 宁波市电子税务局: the site's JSON back end under /etax/api/, as its pages call it."""

from __future__ import annotations

import httpx

from steps.drivers.accounts import password_of
from steps.drivers.api.app_channel import AppChannelApi
from steps.drivers.api.backend import Refused, answer
from steps.drivers.protocol import Outcome, PayerRef, Senses

NATURAL = "自然人业务"


class EtaxApi(AppChannelApi):
    """The ChannelDriver of the 电子税务局 over HTTP: 用户注册 if new here, 登录 with the 居民身份证号码 and the
    password, then the second factor (``second_factor``: sms, or taxapp / iit to scan the login QR code with that
    app's 扫一扫); from there as the 宁波税务APP: 本人 or 他人, order and pay."""

    channel = "etax"
    api = "/etax/api"
    default_gateway = "ccb"  # 第三方支付 建设银行

    def __init__(self, http: httpx.Client, senses: Senses, second_factor: str = "sms") -> None:
        super().__init__(http, senses)
        self.second_factor = second_factor
        self.pending = ""  # the ID number of a login waiting for its 登录验证
        self.qr: dict[str, str] = {}  # the login QR code shown last

    def log_in(self, person: PayerRef) -> None:
        """用户注册 (which does not log in) if new here; 登录 as 自然人业务; 登录验证."""
        password = password_of(person)
        if person.id_number not in self.registered:
            self._call("POST", f"{self.api}/sms/code", {"phone": person.phone, "purpose": "register"})
            self._call(
                "POST",
                f"{self.api}/accounts",
                {
                    "phone": person.phone,
                    "sms_code": self.senses.sms_code(person.phone),
                    "password": password,
                    "password_confirm": password,
                    "name": person.name,
                    "id_number": person.id_number,
                },
            )
            self.registered.add(person.id_number)
        self.token = self._call(
            "POST", f"{self.api}/sessions", {"login_name": person.id_number, "password": password, "business": NATURAL}
        )["token"]
        self.pass_second_factor(person)

    def password_login(self, person: PayerRef, password: str) -> None:
        """登录 as 自然人业务 with the 居民身份证号码 and this password, then 登录验证."""
        self.token = self._call(
            "POST", f"{self.api}/sessions", {"login_name": person.id_number, "password": password, "business": NATURAL}
        )["token"]
        self.pass_second_factor(person)

    def pass_second_factor(self, person: PayerRef) -> None:
        """登录验证 → 登录."""
        if self.second_factor != "sms":
            self.scan_login(self.second_factor)
            return
        try:
            self._call("POST", f"{self.api}/login/sms-code")
        except Refused as refused:  # asked within the minute: the code already on the phone, unless a login used it
            if "重新获取" not in refused.message:
                raise
            try:
                self._call("POST", f"{self.api}/login/sms", {"sms_code": self.senses.sms_code(person.phone)})
            except Refused as spent:  # that code was another login's: no new one for a minute, so the 税务APP scans
                if "验证码" not in spent.message:
                    raise
                self.scan_login("taxapp")
            return
        self._call("POST", f"{self.api}/login/sms", {"sms_code": self.senses.sms_code(person.phone)})

    def scan_login(self, app: str) -> None:
        """税务APP扫码 or 个人所得税APP扫码: the app scans the login QR code and its user confirms, then 登录."""
        qr = self._call("POST", f"{self.api}/login/qr", {"scan_app": app})
        picture = self.http.get(qr["image_url"], headers={"X-App-Token": self.token})
        answer(
            self.http.post(
                f"{self.api}/scans",
                params={"scan_app": app},
                content=picture.content,
                headers={"Content-Type": "image/png"},
            )
        )
        self._call("POST", f"{self.api}/login/qr/{qr['ticket']}/finish")

    # LoginFactors: 登录 up to 登录验证, and each way of it on its own -----------------------------------------------
    def start_login(self, person: PayerRef) -> Outcome:
        self.current, self.verified = "", set()
        try:
            self.token = self._call(
                "POST",
                f"{self.api}/sessions",
                {"login_name": person.id_number, "password": password_of(person), "business": NATURAL},
            )["token"]
        except Refused as refused:
            return Outcome("refused", refused.message)
        self.pending = person.id_number
        return Outcome("second_factor")

    def request_login_code(self) -> Outcome:
        try:
            self._call("POST", f"{self.api}/login/sms-code")
        except Refused as refused:
            return Outcome("refused", refused.message)
        return Outcome("sent")

    def _finished(self, path: str, body: dict[str, str] | None = None) -> Outcome:
        try:
            self._call("POST", path, body)
        except Refused as refused:
            return Outcome("refused", refused.message)
        self.current, self.verified = self.pending, set()
        return Outcome("logged_in")

    def finish_with_code(self, sms_code: str) -> Outcome:
        return self._finished(f"{self.api}/login/sms", {"sms_code": sms_code})

    def login_qr_picture(self, app: str) -> bytes:
        """税务APP扫码 / 个人所得税APP扫码: a QR code for this login, the picture the page shows."""
        self.qr = self._call("POST", f"{self.api}/login/qr", {"scan_app": app})
        picture = self.http.get(self.qr["image_url"], headers={"X-App-Token": self.token})
        if picture.is_error:
            answer(picture)  # raises Refused with the back end's message
        return picture.content

    def finish_with_scan(self, app: str) -> Outcome:
        return self._finished(f"{self.api}/login/qr/{self.qr['ticket']}/finish")

    def login_qr_ticket(self) -> str:
        return self.qr.get("ticket", "")

    def finish_with_ticket(self, ticket: str) -> Outcome:
        return self._finished(f"{self.api}/login/qr/{ticket}/finish")

    def items_before_verifying(self, person: PayerRef) -> Outcome:
        started = self.start_login(person)
        if started.status != "second_factor":
            return started
        try:
            self._call("POST", f"{self.api}/payer/items", self._payer(person))
        except Refused as refused:
            return Outcome("refused", refused.message)
        return Outcome("logged_in", "未完成登录验证即查到了本人的参保信息")

    def login_qr_for(self, app: str) -> Outcome:
        try:
            self._call("POST", f"{self.api}/login/qr", {"scan_app": app})
        except Refused as refused:
            return Outcome("refused", refused.message)
        return Outcome("sent", f"已生成用{app}扫码的登录二维码")

    def login_holder(self) -> str:
        pending = self._call("GET", f"{self.api}/login")
        return f"账号:{pending['name']} 手机号码:{pending['phone']}"
