"""UI driver of the WeChat channel: a page object of the 宁波税务 official account and its 社保缴费 app."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

from steps.drivers.protocol import (
    CHOOSE_TIER,
    ORDERED,
    Choice,
    Items,
    Line,
    Outcome,
    PayerRef,
    Paying,
    Record,
    Senses,
    pause,
    through,
)
from steps.drivers.ui.access import WechatAccess, result_order_no
from steps.drivers.ui.cashier import WechatPayCashier
from steps.drivers.ui.pages import ChannelPage, Described, tier_not_offered, tiers_of

PENSION = "城乡居民基本养老保险费"
GATEWAY_NAMES = {"wechatpay": "微信支付"}


class WechatPage(ChannelPage):
    """Locators by role and label, and verbs a person does: no assertions."""

    def search_official_account(self, name: str) -> None:
        """打开微信,在搜索框内输入公众号名称并点击。"""
        self.page.goto(f"{self.base_url}/wechat/search")
        self.page.get_by_role("searchbox", name="搜索").fill(name)
        self.button("搜索", exact=False).click()
        self.link(name, within=self.page.get_by_role("region", name="搜索结果")).click()

    def open_menu(self, menu: str, item: str) -> None:
        self.button(menu, exact=False).click()
        self.link(item, exact=False).click()

    def agree_authorization(self) -> None:
        self.button("同意授权", exact=False).click()

    def start(self) -> None:
        self.button("开始使用", exact=False).click()

    def enter_payer(self, payer: PayerRef) -> None:
        self.field("姓名").fill(payer.name)
        self.field("证件类型").select_option(payer.id_type)
        self.field("证件号码").fill(payer.id_number)

    def items(self) -> Locator:
        return self.page.get_by_role("radiogroup", name="参保险种").get_by_role("radio")

    def item_names(self) -> tuple[str, ...]:
        group = self.page.get_by_role("radiogroup", name="参保险种")
        return tuple(label.inner_text().split("\n")[0].strip() for label in group.locator("label").all())

    def item_statuses(self) -> tuple[str, ...]:
        return tuple(self.page.get_by_role("radiogroup", name="参保险种").locator("label .status").all_inner_texts())

    def choose_item(self, name: str) -> None:
        self.labelled(self.page.get_by_role("radio", name=name), name).check()

    def next(self) -> None:
        self.button("下一步", exact=False).click()

    def choose_pay_type(self, pay_type: str) -> None:
        self.field("缴费类型").select_option(pay_type)

    def next_from_pay_type(self) -> None:
        """The 【下一步】 of 选择缴费类型 (特殊缴费 needs no year or tier)."""
        self.press("下一步", exact=False, within=self.section("选择缴费类型"))

    def offered(self, label: str) -> tuple[str, ...]:
        """The options a 缴费类型 step's list (缴费年度, 缴费档次) offers, as it shows them ('请选择' left out)."""
        options = self.page.get_by_label(label, exact=True).locator("option").all_inner_texts()
        return tuple(o.strip() for o in options if o.strip() != "请选择")

    def choose_year_and_tier(self, year: int, tier: int) -> None:
        self.field("缴费年度").select_option(label=f"{year}年")
        self.field("缴费档次").select_option(label=f"{tier}元")

    def confirm(self) -> None:
        self.press("确认")

    def detail_lines(self) -> tuple[Line, ...]:
        return self.table_lines("应缴明细")

    def submit(self, *, wait: bool = True) -> None:
        self.button("确认提交", exact=False).click(no_wait_after=not wait)

    def choose_gateway(self, name: str) -> None:
        self.labelled(self.page.get_by_role("radio", name=name), name).check()

    def confirm_payment(self) -> None:
        self.button("确认支付", exact=False).click()

    def result_title(self) -> Locator:
        return self.page.get_by_role("status")

    def quoted_amount(self) -> str:
        """The total of the shown 缴费信息, in yuan."""
        return self.section("缴费信息").locator("dd").last.inner_text().removesuffix("元")

    def open_records(self) -> None:
        self.button("查记录", exact=False).click()

    def record_rows(self) -> tuple[Record, ...]:
        self.section("缴费记录").wait_for()
        return self.table_records("已缴费信息")


class WechatUi(Described, WechatAccess):
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
            if f"{choice.year}年" not in p.offered("缴费年度"):
                return Outcome("refused", f"页面的缴费年度中没有{choice.year}年")
            missing = tier_not_offered(tiers_of(p.offered("缴费档次")), choice.year or 0, choice.tier or 0)
            if missing:
                return Outcome("refused", missing)
            p.choose_year_and_tier(choice.year or 0, choice.tier or 0)
            p.confirm()
        else:
            p.next_from_pay_type()
        message = p.wait_for("缴费信息")
        if message:
            return Outcome("refused", message)
        lines = p.detail_lines()
        return Outcome("quoted", amount=p.quoted_amount(), lines=lines)

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
        message = self.pay_submitted(choice.gateway or "wechatpay", choice)
        if message:
            return Outcome("refused", message)
        return self.result(result_order_no(self.pages.page), quoted)  # the 订单号 the result page shows

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

    def pay_submitted(self, gateway: str, choice: Choice | None = None) -> str:
        """After 确认提交: 确认支付 through the provider and pay at its cashier (or 取消支付, with the pauses ``choice``
        asks for); the page's message if refused."""
        p = self.pages
        message = p.wait_for("选择缴费渠道")
        if message:
            return message
        pause(choice, ORDERED)
        p.choose_gateway(GATEWAY_NAMES[gateway])
        p.confirm_payment()
        return self.cashier.came(p) or self.cashier.settle(choice)

    def result(self, order_no: str, quoted: Outcome) -> Outcome:
        return self.pages.result_outcome(order_no, quoted)

    def offered_tiers(self, payer: PayerRef, year: int) -> tuple[int, ...]:
        """缴费类型 选档缴费: the 缴费档次 listed, when the 缴费年度 list has the year."""
        if self._lookup(payer).message:
            return ()
        p = self.pages
        p.choose_item(PENSION)
        p.next()
        p.choose_pay_type(CHOOSE_TIER)
        return tiers_of(p.offered("缴费档次")) if f"{year}年" in p.offered("缴费年度") else ()

    def records(self, payer: PayerRef) -> tuple[Record, ...]:
        """查记录: from the result page right after paying, else from the payer form."""
        if not self.pages.page.get_by_role("button", name="查记录").is_visible():
            self._lookup(payer)
        self.pages.open_records()
        return self.pages.record_rows()
