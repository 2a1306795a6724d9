"""UI driver of the WeChat channel: a page object of the 宁波税务 official account and its 社保缴费 app."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

from steps.drivers.protocol import CHOOSE_TIER, Choice, Items, Line, Outcome, PayerRef, Paying, Record, Senses, through
from steps.drivers.ui.cashier import WechatPayCashier
from steps.drivers.ui.pages import ChannelPage, Described

PENSION = "城乡居民基本养老保险费"
GATEWAY_NAMES = {"wechatpay": "微信支付"}


class WechatPage(ChannelPage):
    """Locators by role and label, and verbs a person does: no assertions."""

    def search_official_account(self, name: str) -> None:
        """打开微信,在搜索框内输入公众号名称并点击。"""
        self.page.goto(f"{self.base_url}/wechat/search")
        self.page.get_by_role("searchbox", name="搜索").fill(name)
        self.page.get_by_role("button", name="搜索").click()
        self.page.get_by_role("region", name="搜索结果").get_by_role("link", name=name, exact=True).click()

    def open_menu(self, menu: str, item: str) -> None:
        self.page.get_by_role("button", name=menu).click()
        self.page.get_by_role("link", name=item).click()

    def agree_authorization(self) -> None:
        self.page.get_by_role("button", name="同意授权").click()

    def start(self) -> None:
        self.page.get_by_role("button", name="开始使用").click()

    def enter_payer(self, payer: PayerRef) -> None:
        self.page.get_by_label("姓名", exact=True).fill(payer.name)
        self.page.get_by_label("证件类型", exact=True).select_option(payer.id_type)
        self.page.get_by_label("证件号码", exact=True).fill(payer.id_number)

    def items(self) -> Locator:
        return self.page.get_by_role("radiogroup", name="参保险种").get_by_role("radio")

    def item_names(self) -> tuple[str, ...]:
        group = self.page.get_by_role("radiogroup", name="参保险种")
        return tuple(label.inner_text().split("\n")[0].strip() for label in group.locator("label").all())

    def item_statuses(self) -> tuple[str, ...]:
        return tuple(self.page.get_by_role("radiogroup", name="参保险种").locator("label .status").all_inner_texts())

    def choose_item(self, name: str) -> None:
        self.page.get_by_role("radio", name=name).check()

    def next(self) -> None:
        self.page.get_by_role("button", name="下一步").click()

    def choose_pay_type(self, pay_type: str) -> None:
        self.page.get_by_label("缴费类型", exact=True).select_option(pay_type)

    def choose_year_and_tier(self, year: int, tier: int) -> None:
        self.page.get_by_label("缴费年度", exact=True).select_option(label=f"{year}年")
        self.page.get_by_label("缴费档次", exact=True).select_option(label=f"{tier}元")

    def confirm(self) -> None:
        self.page.get_by_role("button", name="确认", exact=True).click()

    def detail_lines(self) -> tuple[Line, ...]:
        return self.table_lines("应缴明细")

    def submit(self, *, wait: bool = True) -> None:
        self.page.get_by_role("button", name="确认提交").click(no_wait_after=not wait)

    def choose_gateway(self, name: str) -> None:
        self.page.get_by_role("radio", name=name).check()

    def confirm_payment(self) -> None:
        self.page.get_by_role("button", name="确认支付").click()

    def result_title(self) -> Locator:
        return self.page.get_by_role("status")

    def open_records(self) -> None:
        self.page.get_by_role("button", name="查记录").click()

    def record_rows(self) -> tuple[Record, ...]:
        self.section("缴费记录").wait_for()
        return self.table_records("已缴费信息")


class WechatUi(Described):
    """The ChannelDriver of the WeChat channel, walking the pages as a person does."""

    channel = "wechat"

    def __init__(self, page: Page, base_url: str, senses: Senses | None = None) -> None:
        self.pages = WechatPage(page, base_url)
        self.cashier = WechatPayCashier(page)

    def enter(self) -> None:
        """办税服务 → 社保缴费, authorizing when WeChat asks for it, then 开始使用."""
        p = self.pages
        p.search_official_account("宁波税务")
        p.open_menu("办税服务", "社保缴费")
        agree = p.page.get_by_role("button", name="同意授权")
        agree.or_(p.page.get_by_role("button", name="开始使用")).first.wait_for()
        if agree.is_visible():
            p.agree_authorization()
        p.start()

    def _lookup(self, payer: PayerRef) -> Items:
        self.enter()
        self.pages.enter_payer(payer)
        self.pages.page.locator("#items:visible label, #message:visible").first.wait_for()
        if self.pages.message.is_visible():
            return Items(message=self.pages.message.inner_text().strip())
        return Items(names=self.pages.item_names(), statuses=self.pages.item_statuses())

    def insured_items(self, payer: PayerRef) -> Items:
        return self._lookup(payer)

    def quote(self, payer: PayerRef, choice: Choice) -> Outcome:
        items = self._lookup(payer)
        if items.message:
            return Outcome("refused", items.message)
        p = self.pages
        p.choose_item(PENSION)
        p.next()
        p.choose_pay_type(choice.pay_type)
        if choice.pay_type == CHOOSE_TIER:
            p.choose_year_and_tier(choice.year or 0, choice.tier or 0)
            p.confirm()
        else:
            p.section("选择缴费类型").get_by_role("button", name="下一步").click()
        message = p.wait_for("缴费信息")
        if message:
            return Outcome("refused", message)
        lines = p.detail_lines()
        amount = p.section("缴费信息").locator("dd").last.inner_text().removesuffix("元")
        return Outcome("quoted", amount=amount, lines=lines)

    def pay(self, payer: PayerRef, choice: Choice, *, by: PayerRef | None = None) -> Outcome:
        return through(self.paying(payer, choice, by=by))

    def paying(self, payer: PayerRef, choice: Choice, *, by: PayerRef | None = None) -> Paying:
        # WeChat pays for anyone by name and ID: who is at the screen changes nothing (guide step 3).
        quoted = self.quote(payer, choice)
        if quoted.status != "quoted":
            return quoted
        self.review()
        yield
        self.pages.submit(wait=False)
        yield
        message = self.pay_submitted(choice.gateway or "wechatpay")
        if message:
            return Outcome("refused", message)
        return self.result(self.pages.page.locator("#pay-order").inner_text(), quoted)

    def review(self) -> None:
        """From the shown 缴费信息: 下一步 to 核对缴费信息."""
        self.pages.next()
        self.pages.wait_for("核对缴费信息")

    def submit_and_pay(self, gateway: str = "wechatpay") -> str:
        """Steps 5–7 from the shown 缴费信息: 下一步, 确认提交, 确认支付, pay at the cashier.
        Returns the page's message when it refuses ('' when the payment went through the cashier)."""
        self.review()
        self.pages.submit()
        return self.pay_submitted(gateway)

    def pay_submitted(self, gateway: str) -> str:
        """After 确认提交: 确认支付 through the provider and pay at its cashier; the page's message if refused."""
        p = self.pages
        message = p.wait_for("选择缴费渠道")
        if message:
            return message
        p.choose_gateway(GATEWAY_NAMES[gateway])
        p.confirm_payment()
        return p.wait_for(self.cashier.sheet) or self.cashier.pay()

    def result(self, order_no: str, quoted: Outcome) -> Outcome:
        title = self.pages.result_title()
        title.filter(has_text="缴费").first.wait_for()
        text = title.inner_text().strip()
        status = "paid" if text == "缴费成功" else ("pending" if "确认中" in text else "failed")
        if status == "failed":
            reason = self.pages.section("缴费结果").locator("dd").last.inner_text()
            text = f"{text}({reason})"
        return Outcome(status, text, order_no, quoted.amount, quoted.lines)

    def records(self, payer: PayerRef) -> tuple[Record, ...]:
        """查记录: from the result page right after paying, else from the payer form."""
        if not self.pages.page.get_by_role("button", name="查记录").is_visible():
            self._lookup(payer)
        self.pages.open_records()
        return self.pages.record_rows()
