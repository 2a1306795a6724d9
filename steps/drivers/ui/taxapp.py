"""UI driver of the 宁波税务 APP: a page object of the app's pages and the ChannelDriver that walks them."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page

from steps.drivers.accounts import password_of
from steps.drivers.protocol import CHOOSE_TIER, Choice, Items, Line, Outcome, PayerRef, Paying, Record, Senses, through
from steps.drivers.ui.cashier import WechatPayCashier

PENSION_ITEM = "城乡居民社会养老保险"
SYSTEM_ITEM = f"{PENSION_ITEM}(系统核定)"
THIRD_PARTY = {"ccb": "建行", "wechatpay": "微信支付", "alipay_qr": "支付宝"}
AGREEMENT = "agreement"
DEFAULT_GATEWAY = "ccb"


class TaxappPage:
    """Locators by role and label, and the verbs a person does in the app: no assertions."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page, self.base_url = page, base_url.rstrip("/")
        self.message = page.locator("#message")

    def goto(self, path: str) -> None:
        """Open a page and wait until it shows itself (its scripts ran and it knows who is logged in)."""
        self.page.goto(f"{self.base_url}{path}")
        self.page.locator("html:not(.loading)").wait_for(state="attached")

    def button(self, name: str) -> Locator:
        return self.page.get_by_role("button", name=name, exact=True)

    def link(self, name: str) -> Locator:
        return self.page.get_by_role("link", name=name, exact=True)

    def said(self) -> str:
        return self.message.inner_text().strip() if self.message.is_visible() else ""

    def wait_for(self, target: Locator) -> str:
        """Wait until ``target`` shows or the page says why not; returns the message ('' when it showed)."""
        target.or_(self.page.locator("body.taxapp #message:visible")).first.wait_for()
        return "" if target.first.is_visible() else self.said()

    # 注册 and 登录 ------------------------------------------------------------------------------------------
    def open_app(self) -> None:
        self.goto("/taxapp/")

    def fill_registration(self, person: PayerRef, password: str) -> None:
        self.page.get_by_label("手机号码", exact=True).fill(person.phone)
        self.page.get_by_label("密码", exact=True).fill(password)
        self.page.get_by_label("确认密码", exact=True).fill(password)
        self.page.get_by_label("姓名", exact=True).fill(person.name)
        self.page.get_by_label("证件类型", exact=True).select_option(person.id_type)
        self.page.get_by_label("证件号码", exact=True).fill(person.id_number)

    def request_sms_code(self) -> str:
        """获取验证码; returns the page's message when it refuses."""
        self.button("获取验证码").click()
        self.page.locator("#send-code:disabled, #message:visible").first.wait_for()
        return self.said()

    def enter_sms_code(self, code: str) -> None:
        self.page.get_by_label("短信验证码", exact=True).fill(code)

    def log_in(self, phone: str, password: str) -> None:
        self.page.get_by_label("手机号码", exact=True).fill(phone)
        self.page.get_by_label("密码", exact=True).fill(password)
        self.button("登录").click()

    def business_choice(self) -> Locator:
        return self.page.get_by_role("region", name="选择业务类型")

    def log_out(self) -> None:
        self.goto("/taxapp/home")
        self.button("退出登录").click()
        self.page.wait_for_url(re.compile(r"/taxapp/$"))

    # 社保缴费 → (城乡养老)缴费 ------------------------------------------------------------------------------
    def open_pension(self) -> None:
        self.link("社保缴费").click()
        self.link("(城乡养老)缴费").click()

    def choose_target(self, target: str) -> None:
        """办理对象: 本人 or 他人."""
        self.page.get_by_role("radiogroup", name="办理对象").get_by_text(target, exact=True).click()

    def enter_other(self, payer: PayerRef) -> None:
        self.page.get_by_label("证件类型", exact=True).select_option(payer.id_type)
        self.page.get_by_label("姓名", exact=True).fill(payer.name)
        self.page.get_by_label("证件号码", exact=True).fill(payer.id_number)
        self.page.get_by_label("手机号码", exact=True).fill(payer.phone)

    def captcha_picture(self) -> Locator:
        return self.page.get_by_role("img", name="随机验证码图片")

    def captcha_id(self) -> str:
        """Which picture is shown (its address names it), once it has loaded."""
        picture = self.captcha_picture()
        picture.wait_for()
        self.page.wait_for_function("() => { const i = document.getElementById('captcha-image');"
                                    " return i.src && i.complete && i.naturalWidth > 0; }")
        source = picture.get_attribute("src") or ""
        return source.rsplit("/", 1)[-1].removesuffix(".png")

    def enter_captcha(self, text: str) -> None:
        self.page.get_by_label("随机验证码", exact=True).fill(text)

    def next(self) -> None:
        self.button("下一步").click()

    def items_section(self) -> Locator:
        return self.page.get_by_role("region", name="缴费信息")

    def item_names(self) -> tuple[str, ...]:
        group = self.page.get_by_role("group", name="参保条目")
        group.locator(".item-row").first.wait_for()
        return tuple(t.strip() for t in group.locator(".item-row > label").all_inner_texts())

    def item_statuses(self) -> tuple[str, ...]:
        """The 状态 shown in each item row ('' where a row shows none)."""
        return tuple(self.page.get_by_role("group", name="参保条目").locator(".item-row").evaluate_all(
            """rows => rows.map((row) => {
                 const term = [...row.querySelectorAll("dt")].find((dt) => dt.textContent === "状态");
                 return term ? term.nextElementSibling.textContent.trim() : "";
               })"""))

    def current_year_item(self, year: int) -> str:
        return f"{PENSION_ITEM}({year}年度)"

    def tick(self, item: str) -> None:
        self.page.get_by_role("checkbox", name=item, exact=True).check()

    def open_amount(self, item: str) -> None:
        """【缴费金额】 of the item's row."""
        row = self.page.locator(".item-row").filter(has=self.page.get_by_role("checkbox", name=item, exact=True))
        row.get_by_role("button", name="缴费金额").click()

    def choose_tier(self, tier: int) -> None:
        sheet = self.page.get_by_role("dialog", name="缴费金额")
        sheet.get_by_text(f"{tier}元", exact=True).click()
        sheet.get_by_role("button", name="确定").click()

    def confirmation(self) -> Locator:
        """The 提示框 with the payment information."""
        return self.page.get_by_role("dialog", name="缴费信息确认")

    def confirmation_lines(self) -> tuple[Line, ...]:
        rows = self.confirmation().get_by_role("table", name="应缴明细").locator("tbody tr")
        return tuple(Line(int(c[0]), c[1], c[2]) for c in (r.locator("td").all_inner_texts() for r in rows.all()))

    def confirmation_amount(self) -> str:
        return self.confirmation().locator("dd").last.inner_text().removesuffix("元")

    def confirm(self) -> None:
        """提示框中的【确定】."""
        self.confirmation().get_by_role("button", name="确定").click()

    def pay(self, *, wait: bool = True) -> None:
        """【缴费】."""
        self.button("缴费").click(no_wait_after=not wait)

    def payment_ways(self) -> Locator:
        return self.page.get_by_role("region", name="缴费方式")

    def choose_way(self, gateway: str) -> None:
        """【第三方支付】 with 建行, 微信支付 or 支付宝, or 【协议支付】."""
        ways = self.payment_ways()
        if gateway == AGREEMENT:
            ways.get_by_role("radio", name="协议支付").check()
            return
        ways.get_by_role("radio", name="第三方支付").check()
        ways.get_by_role("radio", name=THIRD_PARTY[gateway], exact=True).check()

    def confirm_payment(self) -> None:
        """【确认缴费】."""
        self.button("确认缴费").click()

    # results, 已缴费查询, 打印缴费回执单 ---------------------------------------------------------------------
    def result_title(self) -> Locator:
        return self.page.get_by_role("status")

    def records_of(self, name: str) -> Locator:
        return self.page.get_by_role("region", name=f"{name}的缴费记录")

    def record_rows(self, name: str) -> tuple[Record, ...]:
        self.page.locator("#records section, body.taxapp #message:visible").first.wait_for()
        section = self.records_of(name)
        if not section.is_visible():
            return ()
        rows = []
        for item in section.get_by_role("list", name="已缴费信息").get_by_role("listitem").all():
            shown = dict(zip(item.locator("dt").all_inner_texts(), item.locator("dd").all_inner_texts(), strict=True))
            rows.append(Record(int(shown["缴费年度"]), shown["缴费类型"], shown["缴费金额"].removesuffix("元"),
                               shown["电子税票号码"]))
        return tuple(rows)

    def print_receipt(self, name: str) -> bytes:
        """【打印缴费回执单】 of the payer's newest payment: the PDF the app hands over."""
        link = self.records_of(name).get_by_role("link", name="打印缴费回执单").first
        with self.page.expect_download() as download:
            link.click()
        path = download.value.path()
        with open(path, "rb") as pdf:
            return pdf.read()


class TaxappUi:
    """The ChannelDriver of the 宁波税务 APP: register or log in as the person at the screen, 个人业务, then the
    guide's steps 2–7 on the pages."""

    channel = "taxapp"

    def __init__(self, page: Page, base_url: str, senses: Senses) -> None:
        self.pages = TaxappPage(page, base_url)
        self.senses = senses
        self.registered: set[str] = set()
        self.current: str = ""  # the ID number of the logged-in person
        self.verified: set[str] = set()  # 他人 verified in this login

    # the way in ---------------------------------------------------------------------------------------------
    def register(self, person: PayerRef) -> str:
        """注册 with an SMS code; the page's message when it refuses ('' when registered)."""
        p = self.pages
        p.open_app()
        p.link("注册").click()
        p.fill_registration(person, password_of(person))
        message = p.request_sms_code()
        if message:
            return message
        p.enter_sms_code(self.senses.sms_code(person.phone))
        p.button("注册").click()
        message = p.wait_for(p.business_choice())
        if not message:
            self.registered.add(person.id_number)
            self.current, self.verified = person.id_number, set()
        return message

    def log_in(self, person: PayerRef) -> str:
        p = self.pages
        p.open_app()
        p.link("登录").click()
        p.log_in(person.phone, password_of(person))
        message = p.wait_for(p.business_choice())
        if not message:
            self.current, self.verified = person.id_number, set()
        return message

    def sign_in(self, person: PayerRef) -> str:
        """The person opens the app: registered if new here, logged in, 【个人业务】; at the home page."""
        p = self.pages
        if self.current:
            p.goto("/taxapp/home")
            at_home = p.page.get_by_role("navigation", name="首页服务").is_visible()
            if at_home and self.current == person.id_number:
                return ""
            if at_home:
                p.log_out()
            self.current = ""
        message = self.log_in(person) if person.id_number in self.registered else self.register(person)
        if message:
            return message
        p.button("个人业务").click()
        p.page.get_by_role("navigation", name="首页服务").wait_for()
        return ""

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
        p.open_pension()
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
        """Tick the item and settle its amount; the quoted lines from the 提示框, or the refusal."""
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
        p.pay(wait=False)
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
        """缴费方式 → 确认缴费, then whatever the provider asks of the person; '' once back at the result page."""
        p = self.pages
        p.choose_way(gateway)
        p.confirm_payment()
        landing = {
            "wechatpay": p.page.get_by_role("main", name="微信支付"),
            "ccb": p.button("确认支付"),
            "alipay_qr": p.page.get_by_role("img", name="支付宝付款码"),
        }.get(gateway, p.result_title())
        message = p.wait_for(landing)
        if message:
            return message
        if gateway == "wechatpay":
            WechatPayCashier(p.page).pay()
        elif gateway == "ccb":
            p.button("确认支付").click()
        elif gateway == "alipay_qr":
            self.scan_and_pay()
        p.page.wait_for_url(re.compile(r"/taxapp/sbjf/result"))
        return ""

    def scan_and_pay(self) -> None:
        """支付宝: screenshot the 付款码, scan it from the album in the Alipay app, 确认付款, then 我已完成支付."""
        p = self.pages
        code = p.page.get_by_role("img", name="支付宝付款码")
        code.wait_for()
        screenshot = code.screenshot()
        alipay = p.page.context.new_page()
        try:
            alipay.goto(f"{p.base_url}/pay/alipay/scan")
            alipay.get_by_label("从相册选择").set_input_files(
                {"name": "screenshot.png", "mimeType": "image/png", "buffer": screenshot})
            alipay.wait_for_url(re.compile(r"/pay/alipay/cashier/"))
            alipay.get_by_role("button", name="确认付款").click()
            alipay.get_by_text("支付成功", exact=True).or_(alipay.locator("#message:visible")).first.wait_for()
        finally:
            alipay.close()
        p.button("我已完成支付").click()

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
        if payer.id_number != self.current and payer.id_number not in self.verified:
            message = self.sign_in(payer)
            assert not message, message
        self.pages.goto(path)
        if "/taxapp/sbjf/" not in self.pages.page.url:  # the login ended: log in again as the payer
            self.current, self.verified = "", set()
            message = self.sign_in(payer)
            assert not message, message
            self.pages.goto(path)

    def records(self, payer: PayerRef) -> tuple[Record, ...]:
        """已缴费查询: of the person logged in, or of a 他人 verified in this login."""
        self._records_page(payer, "/taxapp/sbjf/records")
        return self.pages.record_rows(payer.name)

    def receipt(self, payer: PayerRef) -> bytes:
        """打印缴费回执单 of the payer's newest payment."""
        self._records_page(payer, "/taxapp/sbjf/receipts")
        self.pages.record_rows(payer.name)
        return self.pages.print_receipt(payer.name)

