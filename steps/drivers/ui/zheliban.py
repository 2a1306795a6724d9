"""UI driver of the 浙里办 APP: a page object of the app's pages and the ChannelDriver that walks them.

Its 注册 and 登录 are the 宁波税务 APP's (without 【个人业务】), and its (城乡养老)缴费 is the app channels' page, so
its page object and driver extend the 宁波税务 APP's; what differs is the way there (办事服务 → the district →
线上一站办 → 按部门 → the district's tax bureau → … → 在线办理) and the payment (第三方支付: save the payment code,
scan it with Alipay).
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page

from steps.drivers.protocol import PayerRef, Senses
from steps.drivers.ui.app_page import AGREEMENT, AppChannelPage
from steps.drivers.ui.taxapp import TaxappPage, TaxappUi

DEFAULT_DISTRICT = "奉化区"  # the guide's example
SOCIAL_INSURANCE = "社会保险费及非税收入业务办理"
RESIDENTS_FEE = "城乡居民社会保险费申报缴费"


def bureau(district: str) -> re.Pattern[str]:
    """The name of the district's tax bureau: 国家税务总局宁波市奉化区税务局; a county-level city's or county's has
    no 宁波市 in it (国家税务总局余姚市税务局)."""
    return re.compile(rf"国家税务总局(?:宁波市)?{re.escape(district)}税务局")


class ZhelibanPage(TaxappPage):
    """Locators by role and label, and the verbs a person does in the app: no assertions."""

    SITE = "zheliban"
    APP = "浙里办"
    SBJF = "/zheliban/sbf"
    WAYS = {"alipay_qr": "第三方支付", AGREEMENT: "协议支付"}
    WAYS_SECTION = "支付方式"
    ID_NUMBER = "身份证件号码"

    def signed_in(self) -> Locator:
        """Where 注册 and 登录 lead: 首页."""
        return self.home()

    def enter_home(self) -> None:
        """Already there: no 【个人业务】 to choose."""

    # 首页 → 办事服务 → district → 线上一站办 → 按部门 → the tax bureau → 事项 → 在线办理 → (城乡养老)缴费 ---------
    def open_services(self) -> None:
        """首页的【办事服务】."""
        self.link("办事服务", exact=False, within=self.home()).click()

    def choose_district(self, district: str) -> None:
        """办事服务: 选择【奉化区】, until its services show."""
        self.press(district, within=self.page.get_by_role("region", name="选择地区"))
        self.district_services(district).wait_for()

    def district_services(self, district: str) -> Locator:
        return self.page.get_by_role("navigation", name=f"{district}办事服务")

    def open_one_stop(self) -> None:
        """【线上一站办】 → 【按部门】."""
        self.link("线上一站办").click()
        self.button("按部门").click()

    def departments(self) -> Locator:
        return self.page.get_by_role("navigation", name="部门列表")

    def departments_listed(self) -> str:
        """The 按部门 list, its words on one line."""
        return " ".join(self.departments().inner_text().split())

    def open_department(self, name: str | re.Pattern[str]) -> None:
        link = self.departments().get_by_role("link", name=name, exact=True)
        self.labelled(link, name if isinstance(name, str) else "本地区的税务局").click()

    def open_residents_fee(self) -> None:
        """【社会保险费及非税收入业务办理】 → 【城乡居民社会保险费申报缴费】."""
        self.button(SOCIAL_INSURANCE).click()
        self.link(RESIDENTS_FEE, exact=False, within=self.page.get_by_role("navigation", name=SOCIAL_INSURANCE)).click()

    def open_online(self, choice: str = "(城乡养老)缴费") -> None:
        """【在线办理】, then a choice of the sheet: 【(城乡养老)缴费】, 已缴费查询 or 打印缴费回执单."""
        self.button("在线办理").click()
        self.link(choice, exact=False, within=self.page.get_by_role("dialog", name="在线办理")).click()

    def walk_to_pension(self, district: str) -> None:
        """From 首页 to (城乡养老)缴费 through the district's tax bureau, as the guide's steps 1–4 go."""
        self.goto(self.home_path)
        self.open_services()
        self.choose_district(district)
        self.open_one_stop()
        self.open_department(bureau(district))
        self.open_residents_fee()
        self.open_online()
        self.targets().wait_for()

    # (城乡养老)缴费 ---------------------------------------------------------------------------------------------
    def ask_for_confirmation(self, *, tier: bool) -> None:
        """The tier's 【确定】 brings up the 提示框; an amount the system generates needs 【缴费】."""
        if not tier:
            self.pay()

    choose_way = AppChannelPage.choose_way  # 【第三方支付】 or 【协议支付】: no providers to choose among

    def payment_picture(self) -> tuple[str, bytes]:
        """【保存图片】: the PNG the page downloads, with the name it is saved under."""
        self.payment_code().wait_for()
        with self.page.expect_download() as download:
            self.link("保存图片").click()
        with open(download.value.path(), "rb") as picture:
            return download.value.suggested_filename, picture.read()

    def open_receipts(self) -> None:
        self.goto(self.SBJF)
        self.open_online("打印缴费回执单")


class ZhelibanUi(TaxappUi):
    """The ChannelDriver of the 浙里办 APP: register or log in as the person at the screen, then the guide's steps
    1–9 on the pages, in the district ``district`` (奉化区 unless a step picks another)."""

    channel = "zheliban"
    PAGE = ZhelibanPage
    pages: ZhelibanPage
    DEFAULT_GATEWAY = "alipay_qr"  # 第三方支付

    def __init__(self, page: Page, base_url: str, senses: Senses, district: str = DEFAULT_DISTRICT) -> None:
        super().__init__(page, base_url, senses)
        self.district = district

    def open_pension(self) -> None:
        self.pages.walk_to_pension(self.district)

    def not_let_in(self, payer: PayerRef) -> None:
        """Sent to 办事服务 to choose the district first, or away because the login ended (then log in again)."""
        p = self.pages
        if "/zheliban/services" not in p.page.url:
            super().not_let_in(payer)
            p.goto("/zheliban/services")
        p.choose_district(self.district)
