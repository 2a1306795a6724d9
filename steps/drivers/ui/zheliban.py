"""UI driver of the 浙里办 APP: a page object of the app's pages and the ChannelDriver that walks them.

The (城乡养老)缴费 page has the same controls as the 宁波税务 APP's (办理对象, 参保条目, 缴费金额, the 提示框), so its
page object extends the 宁波税务 APP's; what differs is the way there (办事服务 → the district → 线上一站办 → 按部门 →
the district's tax bureau → … → 在线办理) and the payment (第三方支付: save the payment code, scan it with Alipay).
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page

from steps.drivers.accounts import password_of
from steps.drivers.protocol import CHOOSE_TIER, Choice, Items, Outcome, PayerRef, Paying, Record, Senses, through
from steps.drivers.ui.taxapp import SYSTEM_ITEM, TaxappPage

DEFAULT_DISTRICT = "奉化区"  # the guide's example
DEFAULT_GATEWAY = "alipay_qr"  # 第三方支付
WAYS = {"alipay_qr": "第三方支付", "agreement": "协议支付"}
SOCIAL_INSURANCE = "社会保险费及非税收入业务办理"
RESIDENTS_FEE = "城乡居民社会保险费申报缴费"
RESULT = re.compile(r"/zheliban/sbf/result")


def bureau(district: str) -> re.Pattern[str]:
    """The name of the district's tax bureau: 国家税务总局宁波市奉化区税务局; a county-level city's or county's has
    no 宁波市 in it (国家税务总局余姚市税务局)."""
    return re.compile(rf"国家税务总局(?:宁波市)?{re.escape(district)}税务局")


class ZhelibanPage(TaxappPage):
    """Locators by role and label, and the verbs a person does in the app: no assertions."""

    def wait_for(self, target: Locator) -> str:
        """Wait until ``target`` shows or the page says why not; returns the message ('' when it showed)."""
        target.or_(self.page.locator("body.zheliban #message:visible")).first.wait_for()
        return "" if target.first.is_visible() else self.said()

    # 注册 and 登录 ------------------------------------------------------------------------------------------
    def open_app(self) -> None:
        self.goto("/zheliban/")

    def home(self) -> Locator:
        return self.page.get_by_role("navigation", name="首页服务")

    def log_out(self) -> None:
        self.goto("/zheliban/home")
        self.button("退出登录").click()
        self.page.wait_for_url(re.compile(r"/zheliban/$"))

    # 首页 → 办事服务 → district → 线上一站办 → 按部门 → the tax bureau → 事项 → 在线办理 → (城乡养老)缴费 ---------
    def open_services(self) -> None:
        """首页的【办事服务】."""
        self.home().get_by_role("link", name="办事服务").click()

    def choose_district(self, district: str) -> None:
        """办事服务: 选择【奉化区】, then wait for the district's own page."""
        self.page.get_by_role("region", name="选择地区").get_by_role("button", name=district, exact=True).click()

    def district_services(self, district: str) -> Locator:
        return self.page.get_by_role("navigation", name=f"{district}办事服务")

    def open_one_stop(self) -> None:
        """【线上一站办】 → 【按部门】."""
        self.link("线上一站办").click()
        self.button("按部门").click()

    def departments(self) -> Locator:
        return self.page.get_by_role("navigation", name="部门列表")

    def open_department(self, name: str | re.Pattern[str]) -> None:
        self.departments().get_by_role("link", name=name, exact=True).click()

    def open_residents_fee(self) -> None:
        """【社会保险费及非税收入业务办理】 → 【城乡居民社会保险费申报缴费】."""
        self.button(SOCIAL_INSURANCE).click()
        self.page.get_by_role("navigation", name=SOCIAL_INSURANCE).get_by_role("link", name=RESIDENTS_FEE).click()

    def open_online(self, choice: str = "(城乡养老)缴费") -> None:
        """【在线办理】, then a choice of the sheet: 【(城乡养老)缴费】, 已缴费查询 or 打印缴费回执单."""
        self.button("在线办理").click()
        self.page.get_by_role("dialog", name="在线办理").get_by_role("link", name=choice).click()

    def walk_to_pension(self, district: str) -> None:
        """From 首页 to (城乡养老)缴费 through the district's tax bureau, as the guide's steps 1–4 go."""
        self.goto("/zheliban/home")
        self.open_services()
        self.choose_district(district)
        self.district_services(district).wait_for()
        self.open_one_stop()
        self.open_department(bureau(district))
        self.open_residents_fee()
        self.open_online()
        self.page.get_by_role("radiogroup", name="办理对象").wait_for()

    # (城乡养老)缴费 ---------------------------------------------------------------------------------------------
    def enter_other(self, payer: PayerRef) -> None:
        self.page.get_by_label("证件类型", exact=True).select_option(payer.id_type)
        self.page.get_by_label("姓名", exact=True).fill(payer.name)
        self.page.get_by_label("身份证件号码", exact=True).fill(payer.id_number)
        self.page.get_by_label("手机号码", exact=True).fill(payer.phone)

    def payment_ways(self) -> Locator:
        return self.page.get_by_role("region", name="支付方式")

    def choose_way(self, gateway: str) -> None:
        """【第三方支付】 or 【协议支付】."""
        self.payment_ways().get_by_role("radio", name=WAYS[gateway]).check()

    # 第三方支付: the payment code ----------------------------------------------------------------------------
    def payment_code(self) -> Locator:
        return self.page.get_by_role("img", name="支付宝付款码")

    def save_image(self) -> tuple[str, bytes]:
        """【保存图片】: the PNG the page downloads, with the name it is saved under."""
        with self.page.expect_download() as download:
            self.link("保存图片").click()
        path = download.value.path()
        with open(path, "rb") as picture:
            return download.value.suggested_filename, picture.read()

    def scan_with_alipay(self, name: str, picture: bytes) -> str:
        """The Alipay app's 扫一扫 → 从相册选择 the saved picture → 确认付款; the message when it fails ('' paid)."""
        alipay = self.page.context.new_page()
        try:
            alipay.goto(f"{self.base_url}/pay/alipay/scan")
            album = {"name": name, "mimeType": "image/png", "buffer": picture}
            alipay.get_by_label("从相册选择").set_input_files(album)
            cashier = alipay.get_by_role("button", name="确认付款")
            cashier.or_(alipay.locator("#message:visible")).first.wait_for()
            if not cashier.is_visible():
                return alipay.locator("#message").inner_text().strip()
            cashier.click()
            done = alipay.get_by_text("支付成功", exact=True)
            done.or_(alipay.locator("#message:visible")).first.wait_for()
            return "" if done.is_visible() else alipay.locator("#message").inner_text().strip()
        finally:
            alipay.close()

    def payment_done(self) -> None:
        """Back in the app: 【我已完成支付】."""
        self.button("我已完成支付").click()
        self.page.wait_for_url(RESULT)

    # 已缴费查询, 打印缴费回执单 ------------------------------------------------------------------------------------
    def record_rows(self, name: str) -> tuple[Record, ...]:
        self.page.locator("#records section, body.zheliban #message:visible").first.wait_for()
        return super().record_rows(name)

    def record_authorities(self, name: str) -> tuple[str, ...]:
        """The 税务机关 of each record of the payer."""
        self.record_rows(name)
        rows = self.records_of(name).get_by_role("list", name="已缴费信息").get_by_role("listitem")
        return tuple(rows.evaluate_all("""items => items.map((li) => {
            const term = [...li.querySelectorAll("dt")].find((dt) => dt.textContent === "税务机关");
            return term ? term.nextElementSibling.textContent.trim() : "";
        })"""))


class ZhelibanUi:
    """The ChannelDriver of the 浙里办 APP: register or log in as the person at the screen, then the guide's steps
    1–9 on the pages, in the district ``district`` (奉化区 unless a step picks another)."""

    channel = "zheliban"

    def __init__(self, page: Page, base_url: str, senses: Senses, district: str = DEFAULT_DISTRICT) -> None:
        self.pages = ZhelibanPage(page, base_url)
        self.senses, self.district = senses, district
        self.registered: set[str] = set()
        self.current = ""  # the ID number of the logged-in person
        self.verified: set[str] = set()  # 他人 verified in this login

    # the way in ---------------------------------------------------------------------------------------------
    def register(self, person: PayerRef) -> str:
        """注册 with an SMS code; the page's message when it refuses ('' when registered, at 首页)."""
        p = self.pages
        p.open_app()
        p.link("注册").click()
        p.fill_registration(person, password_of(person))
        message = p.request_sms_code()
        if message:
            return message
        p.enter_sms_code(self.senses.sms_code(person.phone))
        p.button("注册").click()
        message = p.wait_for(p.home())
        if not message:
            self.registered.add(person.id_number)
        return message

    def log_in(self, person: PayerRef) -> str:
        p = self.pages
        p.open_app()
        p.link("登录").click()
        p.log_in(person.phone, password_of(person))
        return p.wait_for(p.home())

    def sign_in(self, person: PayerRef) -> str:
        """The person opens the app: registered if new here, else logged in; at 首页."""
        p = self.pages
        if self.current:
            p.goto("/zheliban/home")
            at_home = p.home().is_visible()
            if at_home and self.current == person.id_number:
                return ""
            if at_home:
                p.log_out()
            self.current, self.verified = "", set()
        message = self.log_in(person) if person.id_number in self.registered else self.register(person)
        if not message:
            self.current = person.id_number
        return message

    def sign_out(self) -> None:
        """退出登录, when someone is logged in."""
        if self.current:
            self.pages.log_out()
            self.current, self.verified = "", set()

    def open_payer(self, payer: PayerRef, by: PayerRef | None) -> str:
        """(城乡养老)缴费 for the payer: 本人 → 下一步, or 他人 with the five fields → 下一步."""
        message = self.sign_in(by or payer)
        if message:
            return message
        p = self.pages
        p.walk_to_pension(self.district)
        if by is None or by.id_number == payer.id_number:
            p.choose_target("本人")
        else:
            p.choose_target("他人")
            p.enter_other(payer)
            p.enter_captcha(self.senses.captcha_text(p.captcha_id()))
        p.next()
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
        """Tick the item and bring up the 提示框 (current year: 【缴费金额】 → tier → 【确定】; an amount the system
        generates: 【缴费】); the quoted lines from the 提示框, or the refusal."""
        p = self.pages
        names = p.item_names()
        if choice.pay_type == CHOOSE_TIER:
            item = p.current_year_item(choice.year or 0)
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
        p.pay(wait=False)  # 【缴费】 after the 提示框: the order is submitted
        yield
        message = p.wait_for(p.payment_ways())
        if message:
            return Outcome("refused", message)
        order_no = p.page.locator("#way-order").inner_text().strip()
        message = self.pay_by(choice.gateway or DEFAULT_GATEWAY)
        if message:
            return Outcome("refused", message, order_no)
        return self.result(order_no, quoted)

    def pay_by(self, gateway: str) -> str:
        """支付方式 → 【确认缴费】, then 第三方支付's save-and-scan; '' once back at the result page."""
        p = self.pages
        if gateway not in WAYS:
            return f"浙里办没有{gateway}这种支付方式"
        p.choose_way(gateway)
        p.confirm_payment()
        landing = p.payment_code() if gateway == "alipay_qr" else p.result_title()
        message = p.wait_for(landing)
        if message:
            return message
        if gateway == "alipay_qr":
            p.scan_with_alipay(*p.save_image())  # paid or not, the person goes back and the app says how it ended
            p.payment_done()
        p.page.wait_for_url(RESULT)
        return ""

    def result(self, order_no: str, quoted: Outcome) -> Outcome:
        title = self.pages.result_title()
        title.filter(has_text=re.compile("缴费|确认中")).first.wait_for()
        text = title.inner_text().strip()
        status = "paid" if text == "缴费成功" else ("pending" if "确认中" in text else "failed")
        if status == "failed":
            reason = self.pages.page.get_by_role("region", name="缴费结果").locator("dd").last.inner_text()
            text = f"{text}({reason})"
        return Outcome(status, text, order_no, quoted.amount, quoted.lines)

    def _records_page(self, payer: PayerRef, path: str) -> None:
        """已缴费查询 or 打印缴费回执单 as someone who may see the payer's records, in the district chosen."""
        if payer.id_number != self.current and payer.id_number not in self.verified:
            message = self.sign_in(payer)
            assert not message, message
        p = self.pages
        p.goto(path)
        if "/zheliban/sbf/" in p.page.url:
            return
        if "/zheliban/services" not in p.page.url:  # the login ended: log in again as the payer
            self.current, self.verified = "", set()
            message = self.sign_in(payer)
            assert not message, message
            p.goto("/zheliban/services")
        p.choose_district(self.district)
        p.district_services(self.district).wait_for()
        p.goto(path)

    def records(self, payer: PayerRef) -> tuple[Record, ...]:
        """已缴费查询: of the person logged in, or of a 他人 verified in this login."""
        self._records_page(payer, "/zheliban/sbf/records")
        return self.pages.record_rows(payer.name)

    def receipt(self, payer: PayerRef) -> bytes:
        """打印缴费回执单 of the payer's newest payment."""
        self._records_page(payer, "/zheliban/sbf/receipts")
        self.pages.record_rows(payer.name)
        return self.pages.print_receipt(payer.name)
