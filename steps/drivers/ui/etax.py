"""UI driver of the 宁波市电子税务局 (a desktop website): a page object of its pages and the ChannelDriver that walks
them, with the phone beside the screen where the guide needs one (扫码登录 with the tax apps, 支付宝 scan)."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page

from steps.drivers.accounts import password_of
from steps.drivers.protocol import CHOOSE_TIER, Choice, Items, Line, Outcome, PayerRef, Paying, Record, Senses, through
from steps.drivers.ui.cashier import AlipayScanner
from steps.drivers.ui.pages import ChannelPage

PENSION_ITEM = "城乡居民社会养老保险"
SYSTEM_ITEM = f"{PENSION_ITEM}(系统核定)"
PROVIDERS = {"ccb": "建设银行", "alipay_qr": "支付宝"}
AGREEMENT = "agreement"
DEFAULT_GATEWAY = "ccb"
FACTORS = {"sms": "短信验证", "taxapp": "税务APP扫码", "iit": "个人所得税APP扫码"}
SCAN_APPS = {"taxapp": "税务APP", "iit": "个人所得税APP"}
RESULT = re.compile(r"/etax/bszx/sbjf/result")
SBJF = "/etax/bszx/sbjf"


class EtaxPage(ChannelPage):
    """Locators by role and label, and the verbs a person does on the site: no assertions."""

    def goto(self, path: str) -> None:
        """Open a page and wait until it shows itself (its scripts ran and it knows who is logged in)."""
        self.page.goto(f"{self.base_url}{path}")
        self.shown()

    def shown(self) -> None:
        self.page.locator("html:not(.loading)").wait_for(state="attached")

    def button(self, name: str) -> Locator:
        return self.page.get_by_role("button", name=name, exact=True)

    def link(self, name: str) -> Locator:
        return self.page.get_by_role("link", name=name, exact=True)

    def said(self) -> str:
        return self.message.inner_text().strip() if self.message.is_visible() else ""

    def wait_for(self, target: Locator) -> str:  # type: ignore[override]
        """Wait until ``target`` shows or the page says why not; returns the message ('' when it showed)."""
        target.or_(self.page.locator("body.etax #message:visible")).first.wait_for()
        return "" if target.first.is_visible() else self.said()

    # 登录, 登录验证 and 用户注册 ------------------------------------------------------------------------------------
    def open_site(self) -> None:
        self.goto("/etax/")

    def top_bar(self) -> Locator:
        return self.page.get_by_role("group", name="用户")

    def login_form(self) -> Locator:
        return self.page.get_by_role("region", name="登录")

    def enter_credentials(self, login_name: str, password: str) -> None:
        self.page.get_by_label("居民身份证号码/手机号码/用户名", exact=True).fill(login_name)
        self.page.get_by_label("个人用户密码", exact=True).fill(password)

    def verification(self) -> Locator:
        return self.page.get_by_role("region", name="登录验证")

    def factor(self, name: str) -> Locator:
        """The panel of one way of 登录验证: 短信验证, 税务APP扫码 or 个人所得税APP扫码."""
        return self.page.get_by_role("tabpanel", name=name)

    def request_sms_code(self, within: Locator | None = None) -> str:
        """获取验证码; the page's message when it refuses ('' when sent)."""
        (within or self.page).get_by_role("button", name="获取验证码").click()
        self.page.locator("#send-code:disabled, body.etax #message:visible").first.wait_for()
        return self.said()

    def qr_code(self, app: str) -> Locator:
        """The login QR code for the app, once its picture has loaded."""
        code = self.page.get_by_role("img", name=f"{FACTORS[app]}登录二维码")
        code.wait_for()
        self.page.wait_for_function(f"() => {{ const i = document.querySelector('#factor-{app} img');"
                                    " return i.src && i.complete && i.naturalWidth > 0; }")
        return code

    def logged_in(self) -> Locator:
        return self.top_bar().get_by_role("button", name="退出")

    def fill_registration(self, person: PayerRef, password: str, username: str = "") -> None:
        self.page.get_by_label("姓名", exact=True).fill(person.name)
        self.page.get_by_label("证件号码", exact=True).fill(person.id_number)
        self.page.get_by_label("手机号码", exact=True).fill(person.phone)
        self.page.get_by_label("密码", exact=True).fill(password)
        self.page.get_by_label("确认密码", exact=True).fill(password)
        self.page.get_by_label("用户名(选填)", exact=True).fill(username)

    def log_out(self) -> None:
        self.open_site()
        if self.logged_in().is_visible():
            self.logged_in().click()
            self.page.wait_for_url(re.compile(r"/etax/$"))
            self.shown()

    # 办税中心 → 涉税业务办理 → 社保缴费 → 社保缴费办理(城乡养老) -----------------------------------------------------
    def open_pension(self) -> None:
        self.page.get_by_role("navigation", name="主导航").get_by_role("link", name="办税中心", exact=True).click()
        self.link("涉税业务办理").click()
        self.link("社保缴费").click()
        self.link("社保缴费办理(城乡养老)").click()
        self.shown()

    def choose_target(self, target: str) -> None:
        """办理对象: 本人 or 他人."""
        self.page.get_by_role("radiogroup", name="办理对象").get_by_role("radio", name=target, exact=True).check()

    def enter_other(self, payer: PayerRef) -> None:
        """他人: 姓名, 证件号码, 手机号码 (no 证件类型 on this site: a 居民身份证)."""
        self.page.get_by_label("姓名", exact=True).fill(payer.name)
        self.page.get_by_label("证件号码", exact=True).fill(payer.id_number)
        self.page.get_by_label("手机号码", exact=True).fill(payer.phone)

    def captcha_id(self) -> str:
        """Which random-code picture is shown (its address names it), once it has loaded."""
        self.page.get_by_role("img", name="随机验证码图片").wait_for()
        self.page.wait_for_function("() => { const i = document.getElementById('captcha-image');"
                                    " return i.src && i.complete && i.naturalWidth > 0; }")
        source = self.page.get_by_role("img", name="随机验证码图片").get_attribute("src") or ""
        return source.rsplit("/", 1)[-1].removesuffix(".png")

    def enter_captcha(self, text: str) -> None:
        self.page.get_by_label("随机验证码", exact=True).fill(text)

    def items_section(self) -> Locator:
        return self.section("缴费信息")

    def item_rows(self) -> Locator:
        table = self.page.get_by_role("table", name="参保条目")
        table.locator("tbody tr").first.wait_for()
        return table.locator("tbody tr")

    def item_names(self) -> tuple[str, ...]:
        return tuple(t.strip() for t in self.item_rows().locator("td:nth-child(2)").all_inner_texts())

    def item_statuses(self) -> tuple[str, ...]:
        """The 状态 column of each item row."""
        return tuple(t.strip() for t in self.item_rows().locator("td:nth-child(5)").all_inner_texts())

    def tick(self, item: str) -> None:
        self.page.get_by_role("checkbox", name=item, exact=True).check()

    def open_amount(self, item: str) -> None:
        """【缴费金额】 of the item's row."""
        row = self.page.locator("tbody tr").filter(has=self.page.get_by_role("checkbox", name=item, exact=True))
        row.get_by_role("button", name="缴费金额").click()

    def choose_tier(self, tier: int) -> None:
        """The 应缴档次金额: choosing one closes the list."""
        dialog = self.page.get_by_role("dialog", name="缴费金额")
        dialog.get_by_text(f"{tier}元", exact=True).click()
        dialog.wait_for(state="hidden")

    def pay(self, *, wait: bool = True) -> None:
        """【缴费】."""
        self.items_section().get_by_role("button", name="缴费", exact=True).click(no_wait_after=not wait)

    def confirmation(self) -> Locator:
        """The 提示框 with the payment information."""
        return self.page.get_by_role("dialog", name="缴费信息确认")

    def confirmation_lines(self) -> tuple[Line, ...]:
        return self.table_lines("应缴明细")

    def confirmation_amount(self) -> str:
        return self.confirmation().locator("dd").last.inner_text().removesuffix("元")

    def confirm(self) -> None:
        """提示框中的【确定】."""
        self.confirmation().get_by_role("button", name="确定").click()
        self.confirmation().wait_for(state="hidden")

    def payment_ways(self) -> Locator:
        return self.section("缴费方式")

    def order_no(self) -> str:
        return self.page.locator("#way-order").inner_text().strip()

    def choose_way(self, gateway: str) -> None:
        """【第三方支付】 → 建设银行 or 支付宝, or 【协议支付】."""
        ways = self.payment_ways()
        if gateway == AGREEMENT:
            ways.get_by_role("button", name="协议支付").click()
            return
        ways.get_by_role("button", name="第三方支付").click()
        ways.get_by_role("group", name="第三方支付").get_by_role("button", name=PROVIDERS[gateway], exact=True).click()

    # 缴费结果, 已缴费查询, 社保费电子缴款回执单 ----------------------------------------------------------------------
    def result_title(self) -> Locator:
        return self.section("缴费结果").get_by_role("status")

    def records_of(self, name: str) -> Locator:
        return self.section(f"{name}的缴费记录")

    def record_rows(self, name: str) -> tuple[Record, ...]:
        self.page.locator("#records section, body.etax #message:visible").first.wait_for()
        section = self.records_of(name)
        if not section.is_visible():
            return ()
        cells = (row.locator("td").all_inner_texts() for row in section.locator("tbody tr").all())
        return tuple(Record(int(c[0]), c[2], c[3], c[5]) for c in cells if len(c) > 1)

    def print_receipt(self, name: str) -> bytes:
        """【社保费电子缴款回执单】 of the payer's newest payment: the PDF the site hands over."""
        link = self.records_of(name).get_by_role("link", name="社保费电子缴款回执单").first
        with self.page.expect_download() as download:
            link.click()
        with open(download.value.path(), "rb") as pdf:
            return pdf.read()


class EtaxUi:
    """The ChannelDriver of the 电子税务局: 用户注册 if new here, 登录 (自然人业务, 居民身份证号码 and password),
    登录验证 (``second_factor``: 短信验证 by default, or a scan with 税务APP / 个人所得税APP), then the guide's steps
    4–8."""

    channel = "etax"

    def __init__(self, page: Page, base_url: str, senses: Senses, second_factor: str = "sms") -> None:
        self.pages = EtaxPage(page, base_url)
        self.senses = senses
        self.second_factor = second_factor
        self.registered: set[str] = set()
        self.current: str = ""  # the ID number of the logged-in person
        self.verified: set[str] = set()  # 他人 verified in this login

    # the way in ---------------------------------------------------------------------------------------------
    def register(self, person: PayerRef, username: str = "") -> str:
        """用户注册 with an SMS code; the page's message when it refuses ('' when registered, back at 登录)."""
        p = self.pages
        p.open_site()
        p.top_bar().get_by_role("link", name="用户注册").click()
        p.shown()
        p.fill_registration(person, password_of(person), username)
        message = p.request_sms_code()
        if message:
            return message
        p.page.get_by_label("短信验证码", exact=True).fill(self.senses.sms_code(person.phone))
        p.button("注册").click()
        message = p.wait_for(p.login_form())
        if not message:
            self.registered.add(person.id_number)
        return message

    def log_in(self, person: PayerRef, login_name: str | None = None) -> str:
        """【登录】 → 【自然人业务】 → 账号 and 个人用户密码 → 【登录】 → 登录验证 → 【登录】; '' once logged in."""
        p = self.pages
        p.open_site()
        p.top_bar().get_by_role("link", name="登录").click()
        p.shown()
        p.page.get_by_role("tab", name="自然人业务").click()
        p.enter_credentials(login_name or person.id_number, password_of(person))
        p.login_form().get_by_role("button", name="登录").click()
        message = p.wait_for(p.verification())
        if message:
            return message
        p.shown()
        message = self.pass_second_factor(person)
        if message:
            return message
        message = p.wait_for(p.logged_in())
        if not message:
            self.current, self.verified = person.id_number, set()
        return message

    def pass_second_factor(self, person: PayerRef) -> str:
        """登录验证: 短信验证 (获取验证码, the code from the phone) or a scan with the tax app, then 【登录】."""
        p = self.pages
        name = FACTORS[self.second_factor]
        p.page.get_by_role("tab", name=name).click()
        panel = p.factor(name)
        if self.second_factor == "sms":
            message = p.request_sms_code(panel)
            if message and "重新获取" not in message:  # asked a minute ago: that code is still good
                return message
            panel.get_by_label("短信验证码").fill(self.senses.sms_code(person.phone))
        else:
            self.scan_login(self.second_factor)
            panel.get_by_role("status").filter(has_text="已在").wait_for()
        panel.get_by_role("button", name="登录").click()
        return ""

    def scan_login(self, app: str) -> None:
        """The phone beside the screen: the tax app's 扫一扫 reads a picture of the login QR code, and the person
        confirms on the phone."""
        p = self.pages
        picture = p.qr_code(app).screenshot()
        phone = p.page.context.new_page()
        try:
            phone.goto(f"{p.base_url}/etax/scan")
            phone.locator("html:not(.loading)").wait_for(state="attached")
            phone.get_by_role("radiogroup", name="扫码APP").get_by_role("radio", name=SCAN_APPS[app]).check()
            phone.get_by_label("从相册选择").set_input_files(
                {"name": "login-qr.png", "mimeType": "image/png", "buffer": picture})
            phone.get_by_role("status").or_(phone.locator("#message:visible")).first.wait_for()
            failed = phone.locator("#message:visible")
            assert not failed.is_visible(), failed.inner_text()
        finally:
            phone.close()

    def sign_in(self, person: PayerRef) -> str:
        """The person at the screen: registered if new here, logged in; at the site's home page."""
        p = self.pages
        if self.current:
            p.open_site()
            logged_in = p.logged_in().is_visible()
            if logged_in and self.current == person.id_number:
                return ""
            if logged_in:
                p.log_out()
            self.current, self.verified = "", set()
        if person.id_number not in self.registered:
            message = self.register(person)
            if message:
                return message
        return self.log_in(person)

    def sign_out(self) -> None:
        if self.current:
            self.pages.log_out()
            self.current, self.verified = "", set()

    def open_payer(self, payer: PayerRef, by: PayerRef | None) -> str:
        """社保缴费办理(城乡养老) for the payer: 本人 → 下一步, or 他人 with 姓名, 证件号码, 手机号码 and
        随机验证码 → 下一步."""
        message = self.sign_in(by or payer)
        if message:
            return message
        p = self.pages
        p.open_pension()
        if by is None or by.id_number == payer.id_number:
            p.choose_target("本人")
        else:
            p.choose_target("他人")
            p.enter_other(payer)
            p.enter_captcha(self.senses.captcha_text(p.captcha_id()))
        p.button("下一步").click()
        message = p.wait_for(p.items_section())
        if not message and by is not None:
            self.verified.add(payer.id_number)
        return message

    # ChannelDriver --------------------------------------------------------------------------------------------
    def insured_items(self, payer: PayerRef) -> Items:
        message = self.open_payer(payer, None)
        if message:
            return Items(message=message)
        return Items(names=self.pages.item_names(), statuses=self.pages.item_statuses())

    def _choose(self, choice: Choice) -> Outcome:
        """Tick the item, its amount (【缴费金额】 → the tier, or the system's), 【缴费】: the 提示框, or the
        refusal."""
        p = self.pages
        names = p.item_names()
        if choice.pay_type == CHOOSE_TIER:
            item = f"{PENSION_ITEM}({choice.year}年度)"
            if item not in names:
                return Outcome("refused", f"没有{choice.year}年度的缴费条目")
            p.tick(item)
            p.open_amount(item)
            p.choose_tier(choice.tier or 0)
        else:
            if SYSTEM_ITEM not in names:
                return Outcome("refused", "没有由系统自动生成缴费金额的条目")
            p.tick(SYSTEM_ITEM)
        p.pay()
        message = p.wait_for(p.confirmation())
        if message:
            return Outcome("refused", message)
        return Outcome("quoted", amount=p.confirmation_amount(), lines=p.confirmation_lines())

    def quote(self, payer: PayerRef, choice: Choice) -> Outcome:
        message = self.open_payer(payer, None)
        return Outcome("refused", message) if message else self._choose(choice)

    def pay(self, payer: PayerRef, choice: Choice, *, by: PayerRef | None = None) -> Outcome:
        return through(self.paying(payer, choice, by=by))

    def paying(self, payer: PayerRef, choice: Choice, *, by: PayerRef | None = None) -> Paying:
        message = self.open_payer(payer, by)
        if message:
            return Outcome("refused", message)
        quoted = self._choose(choice)
        if quoted.status != "quoted":
            return quoted
        p = self.pages
        p.confirm()
        yield
        p.pay(wait=False)  # 再点击【缴费】: the order
        yield
        message = p.wait_for(p.payment_ways())
        if message:
            return Outcome("refused", message)
        order_no = p.order_no()
        message = self.pay_by(choice.gateway or DEFAULT_GATEWAY)
        if message:
            return Outcome("refused", message, order_no)
        return self.result(order_no, quoted)

    def pay_by(self, gateway: str) -> str:
        """【第三方支付】 or 【协议支付】, then whatever the provider asks of the person; '' once at the result page."""
        p = self.pages
        p.choose_way(gateway)
        landing = {"ccb": p.button("确认支付"), "alipay_qr": p.page.get_by_role("img", name="支付宝付款码")}
        message = p.wait_for(landing.get(gateway, p.result_title()))
        if message:
            return message
        if gateway == "ccb":
            p.button("确认支付").click()
        elif gateway == "alipay_qr":
            AlipayScanner(p.page, p.base_url).pay(p.page.get_by_role("img", name="支付宝付款码").screenshot())
            p.button("我已完成支付").click()
        p.page.wait_for_url(RESULT)
        return ""

    def result(self, order_no: str, quoted: Outcome) -> Outcome:
        title = self.pages.result_title()
        title.filter(has_text=re.compile("缴费|确认中")).first.wait_for()
        text = title.inner_text().strip()
        status = "paid" if text == "缴费成功" else ("pending" if "确认中" in text else "failed")
        if status == "failed":
            text = f"{text}({self.pages.section('缴费结果').locator('dd').last.inner_text()})"
        return Outcome(status, text, order_no, quoted.amount, quoted.lines)

    def _records_page(self, payer: PayerRef, path: str) -> None:
        if payer.id_number != self.current and payer.id_number not in self.verified:
            message = self.sign_in(payer)
            assert not message, message
        self.pages.goto(path)
        if f"{SBJF}/" not in self.pages.page.url:  # the login ended: log in again as the payer
            self.current, self.verified = "", set()
            message = self.sign_in(payer)
            assert not message, message
            self.pages.goto(path)

    def records(self, payer: PayerRef) -> tuple[Record, ...]:
        """已缴费查询: of the person logged in, or of a 他人 verified in this login."""
        self._records_page(payer, f"{SBJF}/records")
        return self.pages.record_rows(payer.name)

    def receipt(self, payer: PayerRef) -> bytes:
        """社保费电子缴款回执单 of the payer's newest payment."""
        self._records_page(payer, f"{SBJF}/receipts")
        self.pages.record_rows(payer.name)
        return self.pages.print_receipt(payer.name)
