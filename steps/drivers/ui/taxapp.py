"""UI driver of the 宁波税务 APP: what its pages add to the app channels' (app_channel): 注册 with an SMS code, 登录
with the phone number and password, 【个人业务】, and 社保缴费 → (城乡养老)缴费 on the home page."""

from __future__ import annotations

import re

from playwright.sync_api import Locator

from steps.drivers.accounts import password_of
from steps.drivers.protocol import PayerRef
from steps.drivers.ui.app_channel import AppChannelUi
from steps.drivers.ui.app_page import AGREEMENT, AppChannelPage


class TaxappPage(AppChannelPage):
    """Locators by role and label, and the verbs a person does in the app: no assertions."""

    SITE = "taxapp"
    APP = "宁波税务APP"
    SBJF = "/taxapp/sbjf"
    WAYS = {"ccb": "建行", "wechatpay": "微信支付", "alipay_qr": "支付宝", AGREEMENT: "协议支付"}
    ID_NUMBER = "身份证件号码"

    @property
    def home_path(self) -> str:
        return f"/{self.SITE}/home"

    # 注册 and 登录 ------------------------------------------------------------------------------------------
    def open_app(self) -> None:
        self.goto(f"/{self.SITE}/")

    def open_registration(self) -> None:
        self.open_app()
        self.link("注册").click()

    def fill_registration(self, person: PayerRef, password: str) -> None:
        self.field("手机号码").fill(person.phone)
        self.field("密码").fill(password)
        self.field("确认密码").fill(password)
        self.field("姓名").fill(person.name)
        self.field("证件类型").select_option(person.id_type)
        self.field("证件号码").fill(person.id_number)

    def log_in(self, phone: str, password: str) -> None:
        self.field("手机号码").fill(phone)
        self.field("密码").fill(password)
        self.button("登录").click()

    def signed_in(self) -> Locator:
        """Where 注册 and 登录 lead: the choice of 业务类型."""
        return self.page.get_by_role("region", name="选择业务类型")

    def registered(self) -> Locator:
        return self.signed_in()

    def enter_home(self) -> None:
        """【个人业务】, to the home page."""
        self.button("个人业务").click()
        self.home().wait_for()

    def home(self) -> Locator:
        return self.page.get_by_role("navigation", name="首页服务")

    def at_home(self) -> bool:
        self.goto(self.home_path)
        return self.home().is_visible()

    def log_out(self) -> None:
        self.goto(self.home_path)
        self.button("退出登录").click()
        self.page.wait_for_url(re.compile(rf"/{self.SITE}/$"))

    # 社保缴费 → (城乡养老)缴费 ------------------------------------------------------------------------------
    def open_pension(self) -> None:
        self.link("社保缴费").click()
        self.link("(城乡养老)缴费").click()

    def choose_way(self, gateway: str) -> None:
        """【第三方支付】 with 建行, 微信支付 or 支付宝, or 【协议支付】."""
        if gateway != AGREEMENT:
            self.labelled(self.payment_ways().get_by_role("radio", name="第三方支付", exact=True), "第三方支付").check()
        super().choose_way(gateway)

    def open_receipts(self) -> None:
        self.goto(self.SBJF)
        self.link("打印缴费回执单").click()


class TaxappUi(AppChannelUi):
    """The ChannelDriver of the 宁波税务 APP: register or log in as the person at the screen, 个人业务, then the
    guide's steps 2–7 on the pages."""

    channel = "taxapp"
    PAGE = TaxappPage
    pages: TaxappPage

    def log_in(self, person: PayerRef, password: str | None = None) -> str:
        p = self.pages
        p.open_app()
        p.link("登录").click()
        p.log_in(person.phone, password or password_of(person))
        message = p.wait_for(p.signed_in())
        if not message:
            self.logged_in(person)
        return message

    def open_pension(self) -> None:
        self.pages.open_pension()
