"""What the UI drivers of the three app channels (宁波税务APP, 电子税务局, 浙里办APP) share: the (城乡养老)缴费 page
(本人, or 他人 with the random code; the items and their statuses; the tier; the 提示框; 缴费; the ways to pay and the
providers' pages after them; the result), 已缴费查询 and the receipts, as a page object and as the ChannelDriver
that walks them, with the way in (注册 with an SMS code, then home). A channel's own module adds its forms and its
登录, its way to the pension page, and says where its pages differ."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page

from steps.drivers.accounts import password_of
from steps.drivers.protocol import CHOOSE_TIER, Choice, Items, Line, Outcome, PayerRef, Paying, Record, Senses, through
from steps.drivers.ui.cashier import AlipayScanner, CcbCashier, WechatPayCashier
from steps.drivers.ui.pages import ChannelPage

PENSION_ITEM = "城乡居民社会养老保险"
SYSTEM_ITEM = f"{PENSION_ITEM}(系统核定)"
AGREEMENT = "agreement"
CASHIERS = {"wechatpay": WechatPayCashier, "ccb": CcbCashier}  # the providers whose cashier opens directly


class AppChannelPage(ChannelPage):
    """Locators by role and label, and the verbs a person does on an app channel's pension pages: no assertions.
    The defaults are the phone apps' pages; a channel's subclass says where its own differ."""

    APP = ""  # the channel's name on its pages and receipts: 宁波税务APP
    SBJF = ""  # where its pension pages are: /taxapp/sbjf
    WAYS: dict[str, str] = {}  # each way to pay the page offers (a gateway, or 协议支付), by the name it shows
    WAYS_SECTION = "缴费方式"
    RECEIPT = "打印缴费回执单"
    ID_NUMBER = "证件号码"  # the label of the 他人's ID number
    ASKS_ID_TYPE = True  # whether 他人 has a 证件类型 to choose
    REGISTERING_LOGS_IN = True  # or 注册 leads to 登录

    @property
    def result_url(self) -> re.Pattern[str]:
        return re.compile(rf"{self.SBJF}/result")

    def goto(self, path: str) -> None:
        """Open a page and wait until it shows itself (its scripts ran and it knows who is logged in)."""
        self.page.goto(f"{self.base_url}{path}")
        self.shown()

    def shown(self) -> None:
        self.page.locator("html:not(.loading)").wait_for(state="attached")

    def message_saying(self, text: str) -> Locator:
        """The channel's message line, once it says ``text``."""
        return self.page.locator(f"body.{self.SITE} #message").filter(has_text=text)

    def request_sms_code(self, within: Locator | None = None) -> str:
        """获取验证码; the page's message when it refuses ('' when sent)."""
        (within or self.page).get_by_role("button", name="获取验证码", exact=True).click()
        self.page.locator("#send-code:disabled").or_(self.message_shown()).first.wait_for()
        return self.said()

    def enter_sms_code(self, code: str) -> None:
        self.page.get_by_label("短信验证码", exact=True).fill(code)

    def open_registration(self) -> None:
        """From the channel's first page to its 注册 form."""
        raise NotImplementedError

    def fill_registration(self, person: PayerRef, password: str) -> None:
        raise NotImplementedError

    def registered(self) -> Locator:
        """Where 注册 leads."""
        raise NotImplementedError

    def at_home(self) -> bool:
        """Open the home page: whether someone is (still) logged in there."""
        raise NotImplementedError

    def enter_home(self) -> None:
        """What leads from a fresh login to the home page: nothing here."""

    def log_out(self) -> None:
        """退出登录."""
        raise NotImplementedError

    # 办理对象: 本人, or 他人 with the random code ---------------------------------------------------------------
    def choose_target(self, target: str) -> None:
        """办理对象: 本人 or 他人."""
        self.page.get_by_role("radiogroup", name="办理对象").get_by_text(target, exact=True).click()

    def enter_other(self, payer: PayerRef) -> None:
        """他人: 证件类型 (where the page asks for it), 姓名, 证件号码 and 手机号码."""
        if self.ASKS_ID_TYPE:
            self.page.get_by_label("证件类型", exact=True).select_option(payer.id_type)
        self.page.get_by_label("姓名", exact=True).fill(payer.name)
        self.page.get_by_label(self.ID_NUMBER, exact=True).fill(payer.id_number)
        self.page.get_by_label("手机号码", exact=True).fill(payer.phone)

    def captcha_id(self) -> str:
        """Which random-code picture is shown (its address names it), once it has loaded."""
        picture = self.page.get_by_role("img", name="随机验证码图片")
        picture.wait_for()
        self.page.wait_for_function("() => { const i = document.getElementById('captcha-image');"
                                    " return i.src && i.complete && i.naturalWidth > 0; }")
        source = picture.get_attribute("src") or ""
        return source.rsplit("/", 1)[-1].removesuffix(".png")

    def change_captcha(self) -> str:
        """【看不清,换一张】: the id of the new picture, once it has loaded."""
        shown = self.captcha_id()
        self.button("看不清,换一张").click()
        self.page.wait_for_function(f"() => !document.getElementById('captcha-image').src.includes('{shown}')")
        return self.captcha_id()

    def enter_captcha(self, text: str) -> None:
        self.page.get_by_label("随机验证码", exact=True).fill(text)

    def next(self) -> None:
        self.button("下一步").click()

    # 缴费信息: the items, their amounts, the 提示框 -------------------------------------------------------------
    def items_section(self) -> Locator:
        return self.section("缴费信息")

    def item_rows(self) -> Locator:
        """The rows of 参保条目, once listed."""
        rows = self.page.get_by_role("group", name="参保条目").locator(".item-row")
        rows.first.wait_for()
        return rows

    def item_row(self, item: str) -> Locator:
        return self.item_rows().filter(has=self.page.get_by_role("checkbox", name=item, exact=True))

    def item_names(self) -> tuple[str, ...]:
        self.item_rows()
        group = self.page.get_by_role("group", name="参保条目")
        return tuple(t.strip() for t in group.locator(".item-row > label").all_inner_texts())

    def item_statuses(self) -> tuple[str, ...]:
        """The 状态 shown in each item row ('' where a row shows none)."""
        return tuple(self.item_rows().evaluate_all(
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
        self.item_row(item).get_by_role("button", name="缴费金额").click()

    def choose_tier(self, tier: int) -> None:
        """The tier, then the sheet's 【确定】."""
        sheet = self.page.get_by_role("dialog", name="缴费金额")
        sheet.get_by_text(f"{tier}元", exact=True).click()
        sheet.get_by_role("button", name="确定").click()

    def ask_for_confirmation(self, *, tier: bool) -> None:
        """What brings up the 提示框 once the item is ticked and its amount settled (by a tier, or by the system):
        here nothing, it comes by itself."""

    def confirmation(self) -> Locator:
        """The 提示框 with the payment information."""
        return self.page.get_by_role("dialog", name="缴费信息确认")

    def confirmation_lines(self) -> tuple[Line, ...]:
        return self.table_lines("应缴明细", within=self.confirmation())

    def confirmation_amount(self) -> str:
        return self.confirmation().locator("dd").last.inner_text().removesuffix("元")

    def confirm(self) -> None:
        """提示框中的【确定】."""
        self.confirmation().get_by_role("button", name="确定").click()
        self.confirmation().wait_for(state="hidden")

    def pay(self, *, wait: bool = True) -> None:
        """【缴费】."""
        self.items_section().get_by_role("button", name="缴费", exact=True).click(no_wait_after=not wait)

    # 缴费方式 and the providers' pages ------------------------------------------------------------------------
    def payment_ways(self) -> Locator:
        return self.section(self.WAYS_SECTION)

    def order_no(self) -> str:
        return self.page.locator("#way-order").inner_text().strip()

    def gateway_named(self, name: str) -> str:
        """The way to pay the page shows as ``name``."""
        return next(gateway for gateway, shown in self.WAYS.items() if shown == name)

    def choose_way(self, gateway: str) -> None:
        """The way's radio button."""
        self.payment_ways().get_by_role("radio", name=self.WAYS[gateway], exact=True).check()

    def pay_with(self, gateway: str) -> None:
        """The way to pay, then 【确认缴费】."""
        self.choose_way(gateway)
        self.button("确认缴费").click()

    def payment_code(self) -> Locator:
        return self.page.get_by_role("img", name="支付宝付款码")

    def payment_picture(self) -> tuple[str, bytes]:
        """A screenshot of the payment code, and the name it is saved under."""
        code = self.payment_code()
        code.wait_for()
        return "screenshot.png", code.screenshot()

    def payment_done(self) -> None:
        """Back from paying: 【我已完成支付】, then the result page."""
        self.button("我已完成支付").click()
        self.page.wait_for_url(self.result_url)

    # 缴费结果, 已缴费查询, the receipts -------------------------------------------------------------------------
    def result_title(self) -> Locator:
        return self.section("缴费结果").get_by_role("status")

    def result_reason(self) -> str:
        return self.section("缴费结果").locator("dd").last.inner_text()

    def open_receipts(self) -> None:
        """From the pension pages' menu to the list with the receipts."""
        raise NotImplementedError

    def records_of(self, name: str) -> Locator:
        return self.section(f"{name}的缴费记录")

    def record_fields(self, name: str) -> tuple[dict[str, str], ...]:
        """Each of the payer's records as the page shows it: name → value (none where the page lists none)."""
        self.page.locator("#records section").or_(self.message_shown()).first.wait_for()
        section = self.records_of(name)
        if not section.is_visible():
            return ()
        items = section.get_by_role("list", name="已缴费信息").get_by_role("listitem").all()
        return tuple(dict(zip(i.locator("dt").all_inner_texts(), i.locator("dd").all_inner_texts(), strict=True))
                     for i in items)

    def record_rows(self, name: str) -> tuple[Record, ...]:
        return tuple(Record(int(f["缴费年度"]), f["缴费类型"], f["缴费金额"].removesuffix("元"), f["电子税票号码"])
                     for f in self.record_fields(name))

    def record_authorities(self, name: str) -> tuple[str, ...]:
        """The 税务机关 of each record of the payer."""
        return tuple(f.get("税务机关", "") for f in self.record_fields(name))

    def print_receipt(self, name: str) -> bytes:
        """The receipt of the payer's newest payment: the PDF the channel hands over."""
        link = self.records_of(name).get_by_role("link", name=self.RECEIPT).first
        with self.page.expect_download() as download:
            link.click()
        with open(download.value.path(), "rb") as pdf:
            return pdf.read()


class AppChannelUi:
    """The ChannelDriver of an app channel: the person signs in (each channel's way), goes to (城乡养老)缴费 (each
    channel's way), and from there walks the steps the channels share."""

    channel: str
    PAGE: type[AppChannelPage] = AppChannelPage
    DEFAULT_GATEWAY = "ccb"

    def __init__(self, page: Page, base_url: str, senses: Senses) -> None:
        self.pages = self.PAGE(page, base_url)
        self.senses = senses
        self.registered: set[str] = set()
        self.current: str = ""  # the ID number of the logged-in person
        self.verified: set[str] = set()  # 他人 verified in this login

    # the way in and the way to the page ----------------------------------------------------------------------
    def register(self, person: PayerRef, **extra: str) -> str:
        """注册 with an SMS code (``extra``: the form's optional fields); the page's message when it refuses ('' when
        registered, and logged in where registering does)."""
        p = self.pages
        p.open_registration()
        p.fill_registration(person, password_of(person), **extra)
        message = p.request_sms_code()
        if message:
            return message
        p.enter_sms_code(self.senses.sms_code(person.phone))
        p.button("注册").click()
        message = p.wait_for(p.registered())
        if not message:
            self.registered.add(person.id_number)
            if p.REGISTERING_LOGS_IN:
                self.logged_in(person)
        return message

    def log_in(self, person: PayerRef) -> str:
        """登录; the page's message when it refuses ('' when logged in)."""
        raise NotImplementedError

    def sign_in(self, person: PayerRef) -> str:
        """The person at the screen: registered if new here, logged in (unless registering did); '' once at the
        channel's home page."""
        p = self.pages
        if self.current:
            someone = p.at_home()
            if someone and self.current == person.id_number:
                return ""
            if someone:
                p.log_out()
            self.current, self.verified = "", set()
        if person.id_number not in self.registered:
            message = self.register(person)
            if message:
                return message
        message = "" if self.current else self.log_in(person)
        if not message:
            p.enter_home()
        return message

    def open_pension(self) -> None:
        """From the home page to (城乡养老)缴费."""
        raise NotImplementedError

    def logged_in(self, person: PayerRef) -> None:
        """The channel now knows the person at the screen, and no 他人 yet."""
        self.current, self.verified = person.id_number, set()

    def sign_out(self) -> None:
        """退出登录, when someone is logged in."""
        if self.current:
            self.pages.log_out()
            self.current, self.verified = "", set()

    def open_payer(self, payer: PayerRef, by: PayerRef | None) -> str:
        """(城乡养老)缴费 for the payer: 本人 → 下一步, or 他人 with their details and the random code → 下一步."""
        message = self.sign_in(by or payer)
        if message:
            return message
        self.open_pension()
        p = self.pages
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
        """Tick the item and settle its amount (a tier, or the system's); the quoted lines from the 提示框, or the
        refusal."""
        p = self.pages
        names = p.item_names()
        tier = choice.pay_type == CHOOSE_TIER
        if tier:
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
        p.ask_for_confirmation(tier=tier)
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
        p.pay(wait=False)  # 【缴费】 after the 提示框: the order
        yield
        message = p.wait_for(p.payment_ways())
        if message:
            return Outcome("refused", message)
        order_no = p.order_no()
        message = self.pay_by(choice.gateway or self.DEFAULT_GATEWAY)
        if message:
            return Outcome("refused", message, order_no)
        return self.result(order_no, quoted)

    def pay_by(self, gateway: str) -> str:
        """The way to pay, then whatever its provider asks of the person; '' once back at the result page."""
        p = self.pages
        if gateway not in p.WAYS:
            return f"{p.APP}没有{gateway}这种支付方式"
        p.pay_with(gateway)
        cashier = CASHIERS[gateway](p.page) if gateway in CASHIERS else None
        landing = cashier.sheet if cashier else p.payment_code() if gateway == "alipay_qr" else p.result_title()
        message = p.wait_for(landing)
        if message:
            return message
        if cashier:
            message = cashier.pay()
            if message:
                return message
        elif gateway == "alipay_qr":
            AlipayScanner(p.page, p.base_url).pay(*p.payment_picture())  # paid or not, the page says how it ended
            p.payment_done()
        p.page.wait_for_url(p.result_url)
        return ""

    def result(self, order_no: str, quoted: Outcome) -> Outcome:
        title = self.pages.result_title()
        title.filter(has_text=re.compile("缴费|确认中")).first.wait_for()
        text = title.inner_text().strip()
        status = "paid" if text == "缴费成功" else ("pending" if "确认中" in text else "failed")
        if status == "failed":
            text = f"{text}({self.pages.result_reason()})"
        return Outcome(status, text, order_no, quoted.amount, quoted.lines)

    def _records_page(self, payer: PayerRef, path: str) -> None:
        """已缴费查询 or the receipts, as someone who may see the payer's records."""
        if payer.id_number != self.current and payer.id_number not in self.verified:
            message = self.sign_in(payer)
            assert not message, message
        self.pages.goto(path)
        if f"{self.pages.SBJF}/" not in self.pages.page.url:
            self.not_let_in(payer)
            self.pages.goto(path)

    def not_let_in(self, payer: PayerRef) -> None:
        """The page sent the person away: the login ended, so log in again as the payer."""
        self.current, self.verified = "", set()
        message = self.sign_in(payer)
        assert not message, message

    def records(self, payer: PayerRef) -> tuple[Record, ...]:
        """已缴费查询: of the person logged in, or of a 他人 verified in this login."""
        self._records_page(payer, f"{self.pages.SBJF}/records")
        return self.pages.record_rows(payer.name)

    def receipt(self, payer: PayerRef) -> bytes:
        """The receipt of the payer's newest payment."""
        self._records_page(payer, f"{self.pages.SBJF}/receipts")
        self.pages.record_rows(payer.name)
        return self.pages.print_receipt(payer.name)
