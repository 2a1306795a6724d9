"""UI driver of the 宁波市电子税务局 (a desktop website): a page object of its pages and the ChannelDriver that walks
them, with the phone beside the screen where the guide needs one (扫码登录 with the tax apps, 支付宝 scan)."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page

from steps.drivers.accounts import password_of
from steps.drivers.protocol import PayerRef, Senses
from steps.drivers.ui.access import EtaxFactors
from steps.drivers.ui.app_channel import AppChannelUi
from steps.drivers.ui.app_page import AGREEMENT, AppChannelPage
from steps.drivers.ui.pages import ChannelPage

FACTORS = {"sms": "短信验证", "taxapp": "税务APP扫码", "iit": "个人所得税APP扫码"}
SCAN_APPS = {"taxapp": "税务APP", "iit": "个人所得税APP"}
REUSED = "reused"  # 登录验证 sent the code already on the phone: no new one comes within a minute of the last


class EtaxPage(AppChannelPage):
    """Locators by role and label, and the verbs a person does on the site: no assertions."""

    SITE = "etax"
    APP = "宁波市电子税务局"
    SBJF = "/etax/bszx/sbjf"
    WAYS = {"ccb": "建设银行", "alipay_qr": "支付宝", AGREEMENT: "协议支付"}
    RECEIPT = "社保费电子缴款回执单"
    ASKS_ID_TYPE = False  # 他人 is a 居民身份证 holder
    REGISTERING_LOGS_IN = False

    # 登录, 登录验证 and 用户注册 ------------------------------------------------------------------------------------
    def open_site(self) -> None:
        self.goto("/etax/")

    def open_login(self) -> None:
        """The home page's 【登录】, top right."""
        self.open_site()
        self.link("登录", exact=False, within=self.top_bar()).click()
        self.shown()

    def log_in(self, login_name: str, password: str) -> None:
        """【自然人业务】, the account and its 个人用户密码, 【登录】."""
        self.tab("自然人业务").click()
        self.enter_credentials(login_name, password)
        self.press_login()

    def press_login(self) -> None:
        self.button("登录", exact=False, within=self.login_form()).click()

    def enter_password(self, password: str) -> None:
        """The 个人用户密码 again, the account left as typed."""
        self.field("个人用户密码").fill(password)

    def asks_password(self) -> bool:
        """Whether the login form shows a 个人用户密码 box."""
        return self.page.get_by_label("个人用户密码").is_visible()

    def choose_registration(self) -> None:
        """The login form's 【用户注册】, for who has no account yet."""
        self.link("用户注册", exact=False, within=self.login_form()).click()
        self.shown()

    def notice(self) -> str:
        """What the page's notice line says (注册成功,请登录); '' when it says nothing."""
        notice = self.page.locator("#notice")
        return notice.inner_text().strip() if notice.is_visible() else ""

    def top_bar_text(self) -> str:
        """The 用户 bar at the top right, its words on one line."""
        return " ".join(self.top_bar().inner_text().split())

    def top_bar(self) -> Locator:
        return self.page.get_by_role("group", name="用户")

    def login_form(self) -> Locator:
        return self.page.get_by_role("region", name="登录")

    def registered(self) -> Locator:
        """用户注册 leads back to 登录."""
        return self.login_form()

    def enter_credentials(self, login_name: str, password: str) -> None:
        self.field("居民身份证号码/手机号码/用户名").fill(login_name)
        self.field("个人用户密码").fill(password)

    def verification(self) -> Locator:
        return self.page.get_by_role("region", name="登录验证")

    def verifying(self) -> bool:
        """Whether the 登录验证 shows."""
        return self.verification().is_visible()

    def panel(self, name: str) -> Locator:
        """The panel of a tab: 自然人业务 or 企业业务, or a way of 登录验证 (短信验证, 税务APP扫码 …)."""
        return self.page.get_by_role("tabpanel", name=name)

    def panel_text(self, name: str) -> str:
        return self.panel(name).inner_text()

    # 登录验证 -------------------------------------------------------------------------------------------------
    def request_verification_code(self) -> str:
        """短信验证's 【获取验证码】; the page's message when it refuses ('' when sent)."""
        return self.request_sms_code(self.panel(FACTORS["sms"]))

    def enter_verification_code(self, code: str) -> None:
        self.field("短信验证码", within=self.panel(FACTORS["sms"])).fill(code)

    def confirm_login(self, factor: str) -> None:
        """The 【登录】 of the way of 登录验证 named ``factor``."""
        self.press("登录", within=self.panel(factor))

    def scan_confirmed(self, factor: str) -> str:
        """What the scan panel named ``factor`` says once the phone confirmed the login (已在税务APP上确认登录)."""
        status = self.panel(factor).get_by_role("status").filter(has_text="已在")
        status.wait_for()
        return status.inner_text().strip()

    def login_qr_picture(self, app: str) -> bytes:
        """A picture of the login QR code for the app (taxapp, iit)."""
        return self.qr_code(app).screenshot()

    def qr_code(self, app: str) -> Locator:
        """The login QR code for the app, once its picture has loaded."""
        code = self.page.get_by_role("img", name=f"{FACTORS[app]}登录二维码")
        code.wait_for()
        self.page.wait_for_function(
            f"() => {{ const i = document.querySelector('#factor-{app} img');"
            " return i.src && i.complete && i.naturalWidth > 0; }"
        )
        return code

    def logged_in(self) -> Locator:
        return self.top_bar().get_by_role("button", name="退出")

    def at_home(self) -> bool:
        self.open_site()
        return self.logged_in().is_visible()

    def open_registration(self) -> None:
        self.open_site()
        self.link("用户注册", exact=False, within=self.top_bar()).click()
        self.shown()

    def fill_registration(self, person: PayerRef, password: str, username: str = "") -> None:
        self.field("姓名").fill(person.name)
        self.field("证件号码").fill(person.id_number)
        self.field("手机号码").fill(person.phone)
        self.field("密码").fill(password)
        self.field("确认密码").fill(password)
        self.field("用户名(选填)").fill(username)

    def log_out(self) -> None:
        self.open_site()
        if self.logged_in().is_visible():
            # 退出 reloads the home page it was pressed on: wait for that navigation, not for a URL already there
            with self.page.expect_navigation(url=re.compile(r"/etax/$")):
                self.logged_in().click()
            self.shown()

    # 办税中心 → 涉税业务办理 → 社保缴费 → 社保缴费办理(城乡养老) -----------------------------------------------------
    def open_tax_centre(self) -> None:
        """The main navigation's 【办税中心】, once its 【涉税业务办理】 shows."""
        self.link("办税中心", within=self.page.get_by_role("navigation", name="主导航")).click()
        self.link("涉税业务办理", exact=False, within=self.page.get_by_role("navigation", name="办税中心"))

    def open_pension(self) -> None:
        self.open_tax_centre()
        self.link("涉税业务办理").click()
        self.link("社保缴费").click()
        self.link("社保缴费办理(城乡养老)").click()
        self.shown()

    def item_rows(self) -> Locator:
        rows = self.page.get_by_role("table", name="参保条目").locator("tbody tr")
        rows.first.wait_for()
        return rows

    def item_names(self) -> tuple[str, ...]:
        return tuple(t.strip() for t in self.item_rows().locator("td:nth-child(2)").all_inner_texts())

    def item_statuses(self) -> tuple[str, ...]:
        """The 状态 column of each item row."""
        return tuple(t.strip() for t in self.item_rows().locator("td:nth-child(5)").all_inner_texts())

    def choose_tier(self, tier: int) -> None:
        """The 应缴档次金额: choosing one closes the list."""
        dialog = self.page.get_by_role("dialog", name="缴费金额")
        dialog.get_by_text(f"{tier}元", exact=True).click()
        dialog.wait_for(state="hidden")

    def ask_for_confirmation(self, *, tier: bool) -> None:
        """【缴费】 brings up the 提示框, whoever settled the amount."""
        self.pay()

    def choose_way(self, gateway: str) -> None:
        """【第三方支付】 → 建设银行 or 支付宝, or 【协议支付】."""
        ways = self.payment_ways()
        if gateway == AGREEMENT:
            self.button("协议支付", within=ways).click()
            return
        self.button("第三方支付", within=ways).click()
        self.button(self.WAYS[gateway], within=ways.get_by_role("group", name="第三方支付")).click()

    def pay_with(self, gateway: str) -> None:
        """Choosing the way goes on: the site has no 【确认缴费】."""
        self.choose_way(gateway)

    # 已缴费查询, 社保费电子缴款回执单 -------------------------------------------------------------------------------
    def open_receipts(self) -> None:
        self.goto(self.SBJF)
        self.link(self.RECEIPT, exact=False, within=self.page.get_by_role("navigation", name="社保缴费")).click()
        self.shown()

    def record_fields(self, name: str) -> tuple[dict[str, str], ...]:
        """Each row of the payer's records table: column (without its unit) → cell."""
        self.page.locator("#records section").or_(self.message_shown()).first.wait_for()
        section = self.records_of(name)
        if not section.is_visible():
            return ()
        columns = [c.strip().removesuffix("(元)") for c in section.locator("thead th").all_inner_texts()]
        rows = (row.locator("td").all_inner_texts() for row in section.locator("tbody tr").all())
        return tuple(dict(zip(columns, cells, strict=True)) for cells in rows if len(cells) == len(columns))


class EtaxUi(AppChannelUi, EtaxFactors):
    """The ChannelDriver of the 电子税务局: 用户注册 if new here, 登录 (自然人业务, 居民身份证号码 and password),
    登录验证 (``second_factor``: 短信验证 by default, or a scan with 税务APP / 个人所得税APP), then the guide's steps
    4–8."""

    channel = "etax"
    PAGE = EtaxPage
    pages: EtaxPage

    def __init__(self, page: Page, base_url: str, senses: Senses, second_factor: str = "sms") -> None:
        super().__init__(page, base_url, senses)
        self.second_factor = second_factor

    def log_in(self, person: PayerRef, password: str | None = None, login_name: str | None = None) -> str:
        """【登录】 → 【自然人业务】 → 账号 and 个人用户密码 → 【登录】 → 登录验证 → 【登录】; '' once logged in."""
        p = self.pages
        p.open_login()
        p.log_in(login_name or person.id_number, password or password_of(person))
        message = p.wait_for(p.verification())
        if message:
            return message
        p.shown()
        said = self.pass_second_factor(person)
        reused = said == REUSED
        if said and not reused:
            return said
        message = p.wait_for(p.logged_in())
        if message and reused and "验证码" in message:
            # the code on the phone was another login's, and no new one comes within the minute: the 税务APP scans
            self.pass_scan("taxapp")
            message = p.wait_for(p.logged_in())
        if not message:
            self.logged_in(person)
        return message

    def pass_second_factor(self, person: PayerRef) -> str:
        """登录验证: 短信验证 (获取验证码, the code from the phone) or a scan with the tax app, then 【登录】. ''
        once sent; ``REUSED`` when no new code came (one was sent within the minute) and the one on the phone was
        sent; else the page's message."""
        p = self.pages
        if self.second_factor != "sms":
            self.pass_scan(self.second_factor)
            return ""
        p.open_tab(FACTORS["sms"])
        message = p.request_verification_code()
        if message and "重新获取" not in message:
            return message
        p.enter_verification_code(self.senses.sms_code(person.phone))
        p.confirm_login(FACTORS["sms"])
        return REUSED if message else ""

    def pass_scan(self, app: str) -> None:
        """登录验证 by a scan with ``app`` (taxapp, iit), then 【登录】."""
        p = self.pages
        name = FACTORS[app]
        p.open_tab(name)
        self.scan_login(app)
        p.scan_confirmed(name)
        p.confirm_login(name)

    def scan_login(self, app: str) -> None:
        """The phone beside the screen: the tax app's 扫一扫 reads a picture of the login QR code, and the person
        confirms on the phone."""
        p = self.pages
        picture = p.login_qr_picture(app)
        phone = p.page.context.new_page()
        try:
            phone.goto(f"{p.base_url}/etax/scan")
            phone.locator("html:not(.loading)").wait_for(state="attached")
            phone.get_by_role("radiogroup", name="扫码APP").get_by_role("radio", name=SCAN_APPS[app]).check()
            ChannelPage(phone, p.base_url).labelled(phone.get_by_text("从相册选择", exact=True), "从相册选择")
            phone.get_by_label("从相册选择").set_input_files(
                {"name": "login-qr.png", "mimeType": "image/png", "buffer": picture}
            )
            phone.get_by_role("status").or_(phone.locator("#message:visible")).first.wait_for()
            failed = phone.locator("#message:visible")
            assert not failed.is_visible(), failed.inner_text()
        finally:
            phone.close()

    def open_pension(self) -> None:
        self.pages.open_pension()
