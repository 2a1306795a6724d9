"""The ChannelDriver the three app channels (宁波税务APP, 电子税务局, 浙里办APP) share: the way in (注册 with an SMS
code, then home), and from the (城乡养老)缴费 page on, the steps every app walks (本人 or 他人, items, tier, 提示框,
缴费, the ways to pay and the providers' pages after them, the result, 已缴费查询, the receipts) on the pages of
``app_page``. A channel's own module adds its 登录 and its way to the pension page."""

from __future__ import annotations

import json

from playwright.sync_api import Page

from steps.drivers.accounts import password_of
from steps.drivers.protocol import (
    AGAIN_AT_CASHIER,
    CAPTCHA_AGAIN,
    CAPTCHA_MISREAD,
    CAPTCHA_SHOWN,
    CHOOSE_TIER,
    ORDERED,
    Choice,
    Items,
    Outcome,
    PayerRef,
    Paying,
    Record,
    Senses,
    misread,
    pause,
    through,
)
from steps.drivers.ui.access import AppAccess, by_hand
from steps.drivers.ui.app_page import SYSTEM_ITEM, AppChannelPage
from steps.drivers.ui.cashier import CcbCashier, WechatPayCashier
from steps.drivers.ui.pages import Described, tier_not_offered

CASHIERS = {"wechatpay": WechatPayCashier, "ccb": CcbCashier}  # the providers whose cashier opens directly


class AppChannelUi(Described, AppAccess):
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
        self.form_of = ""  # whose 注册 form is open, its code asked for
        self.last_captcha = ""  # the 随机验证码 typed at the last check of a 他人
        self.saved_code: tuple[str, bytes] | None = None  # the payment code picture saved at the last 支付宝扫码

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
        p.submit_registration()
        message = p.wait_for(p.registered())
        if not message:
            self.registered.add(person.id_number)
            if p.REGISTERING_LOGS_IN:
                self.logged_in(person)
        return message

    def log_in(self, person: PayerRef, password: str | None = None) -> str:
        """登录 (with ``password``, else the one the person registered with); the page's message when it refuses
        ('' when logged in)."""
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

    # AppAccounts: 注册 with an SMS code, 登录 with a password, 办理对象 他人 ----------------------------------------
    def request_sms_code(self, person: PayerRef, *, username: str = "") -> Outcome:
        p = self.pages
        p.open_registration()
        p.fill_registration(person, password_of(person), **({"username": username} if username else {}))
        self.form_of = person.id_number
        message = p.request_sms_code()
        return Outcome("refused", message) if message else Outcome("sent")

    def register_with(self, person: PayerRef, sms_code: str, *, username: str = "", confirm: str = "") -> Outcome:
        p = self.pages
        if self.form_of != person.id_number:
            p.open_registration()
            p.fill_registration(person, password_of(person), **({"username": username} if username else {}))
            self.form_of = person.id_number
        if confirm:
            p.field("确认密码").fill(confirm)
        p.enter_sms_code(sms_code)
        p.submit_registration()
        message = p.wait_for(p.registered())
        if message:
            return Outcome("refused", message)
        self.form_of = ""
        self.registered.add(person.id_number)
        if p.REGISTERING_LOGS_IN:
            self.logged_in(person)
            p.enter_home()
        return Outcome("registered")

    def log_in_with_password(self, person: PayerRef, password: str) -> Outcome:
        self.sign_out()
        message = self.log_in(person, password=password)
        if message:
            return Outcome("refused", message)
        self.pages.enter_home()
        return Outcome("logged_in")

    def log_out(self) -> None:
        self.sign_out()

    def verify_other(self, payer: PayerRef, *, by: PayerRef, captcha: str = CAPTCHA_SHOWN) -> Outcome:
        """On the page the last check left (again) or from a fresh (城乡养老)缴费 page: 他人, the details, the code."""
        p = self.pages
        again = captcha == CAPTCHA_AGAIN and self.last_captcha
        if again:
            text = self.last_captcha
        else:
            message = self.sign_in(by)
            if message:
                return Outcome("refused", message)
            self.open_pension()
            p.choose_target("他人")
            text = self.senses.captcha_text(p.captcha_id())
            text = misread(text) if captcha == CAPTCHA_MISREAD else text
        self.last_captcha = text
        p.enter_other(payer)
        p.enter_captcha(text)
        p.next()
        message = p.wait_for(p.items_section())
        if message:
            return Outcome("refused", message)
        self.verified.add(payer.id_number)
        return Outcome("verified")

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
            missing = tier_not_offered(p.listed_tiers(), choice.year or 0, choice.tier or 0)
            if missing:
                p.close_tiers()
                return Outcome("refused", missing)
            p.choose_tier(choice.tier or 0)
        else:
            if SYSTEM_ITEM not in names:  # the page says why beside the pension item, if it says anything
                told = [s for s in p.item_statuses() if s not in ("", "待缴费", "已缴费", "不在本模拟范围")]
                return Outcome("refused", told[0] if told else "没有由系统自动生成缴费金额的条目")
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
        pause(choice, ORDERED)
        message = self.pay_by(choice.gateway or self.DEFAULT_GATEWAY, (by or payer).phone, choice, order_no)
        if message:
            return Outcome("refused", message, order_no)
        return self.result(order_no, quoted)

    def pay_by(self, gateway: str, phone: str = "", choice: Choice | None = None, order_no: str = "") -> str:
        """The way to pay, then whatever its provider asks of the person (``phone``: theirs, whose Alipay scans a
        payment code; ``choice``: pay or 取消支付 at the cashier, after its pause there); '' once back at the result
        page."""
        p = self.pages
        if gateway not in p.WAYS:
            return f"{p.APP}没有{gateway}这种支付方式"
        p.pay_with(gateway)
        cashier = CASHIERS[gateway](p.page) if gateway in CASHIERS else None
        landing = p.payment_code() if gateway == "alipay_qr" else p.result_title()
        message = cashier.came(p) if cashier else p.wait_for(landing)
        if choice is not None and choice.at_cashier == AGAIN_AT_CASHIER:
            # Back at the app's ways to pay for the same order, 确认缴费 again: replayed, as this page starts afresh
            # once left where an app keeps its order.
            path = f"/{self.channel}/api/orders/{order_no}/pay"
            again = by_hand(p.page, p.base_url, "POST", path, {"gateway": gateway})
            if again.refused:
                return again.message
            p.page.goto(f"{p.base_url}{json.loads(again.text)['cashier_url']}")
            message = cashier.came(p) if cashier else p.wait_for(landing)
        if message:
            return message
        if cashier:
            message = cashier.settle(choice)
            if message:
                return message
        elif gateway == "alipay_qr":
            self.saved_code = p.payment_picture()
            p.scan_payment_code(*self.saved_code, phone, choice)  # the page says how it ended
            p.payment_done()
        p.wait_for_result()
        return ""

    def scan_saved_code(self, payer: PayerRef) -> Outcome:
        """The phone beside the screen scans the saved payment code again and pays at the cashier it opens."""
        if self.saved_code is None:
            return Outcome("refused", "没有保存的支付宝付款码图片")
        message, _ = self.pages.scan_payment_code(*self.saved_code, payer.phone)
        return Outcome("refused", message) if message else Outcome("paid", "支付成功")

    def result(self, order_no: str, quoted: Outcome) -> Outcome:
        return self.pages.result_outcome(order_no, quoted)

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

    def offered_tiers(self, payer: PayerRef, year: int) -> tuple[int, ...]:
        """本人: the tiers 【缴费金额】 lists for the year's item (its sheet closed again with 【取消】)."""
        if self.open_payer(payer, None):
            return ()
        p = self.pages
        item = p.current_year_item(year)
        if item not in p.item_names():
            return ()
        p.open_amount(item)
        tiers = p.listed_tiers()
        p.close_tiers()
        return tiers

    def records(self, payer: PayerRef) -> tuple[Record, ...]:
        """已缴费查询: of the person logged in, or of a 他人 verified in this login."""
        self._records_page(payer, f"{self.pages.SBJF}/records")
        return self.pages.record_rows(payer.name)

    def receipt(self, payer: PayerRef) -> bytes:
        """The receipt of the payer's newest payment."""
        self._records_page(payer, f"{self.pages.SBJF}/receipts")
        self.pages.record_rows(payer.name)
        return self.pages.print_receipt(payer.name)
