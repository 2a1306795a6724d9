"""UI driver of the Alipay channel: page objects of the phone's Alipay (login, home, search, 应用中心, 市民中心)
and of the 宁波社保缴费 mini-program, and the ChannelDriver that walks them."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

from steps.drivers.protocol import (
    CHOOSE_TIER,
    BatchEntry,
    Choice,
    Items,
    Line,
    Outcome,
    PayerRef,
    Paying,
    Record,
    Senses,
    through,
)
from steps.drivers.ui.access import AlipayAccess
from steps.drivers.ui.cashier import AlipayCashier
from steps.drivers.ui.pages import RESULT, ChannelPage, Described, tier_not_offered, tiers_of

PENSION = "城乡居民基本养老保险费"
MINI_PROGRAM = "宁波社保缴费"


def _masked_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


class AlipayPage(ChannelPage):
    """Locators by role and label, and verbs a person does: no assertions."""

    # Alipay itself ------------------------------------------------------------------------------------------
    def open_alipay(self) -> None:
        """打开支付宝: its home, or 登录支付宝 when no account is logged in on the phone."""
        self.page.goto(f"{self.base_url}/alipay/")
        self.page.locator("main[aria-label='支付宝首页'], main[aria-label='登录支付宝']").first.wait_for()

    def logged_in_as(self) -> str:
        """The masked phone of the account logged in on the phone ('' on the login page)."""
        account = self.page.get_by_role("region", name="账号")
        return account.inner_text() if account.is_visible() else ""

    def switch_account(self) -> None:
        self.link("切换账号", exact=False).click()

    def log_in(self, phone: str) -> None:
        self.field("手机号").fill(phone)
        self.button("登录").click()

    def verify_real_name(self, name: str, id_number: str) -> None:
        """实名认证 of a phone Alipay does not know yet."""
        self.field("真实姓名").fill(name)
        self.field("身份证号码").fill(id_number)
        self.button("完成实名认证", exact=False).click()

    def search(self, text: str) -> None:
        """在首页搜索框搜索."""
        self.page.get_by_role("searchbox", name="搜索").fill(text)
        self.button("搜索").click()

    def open_result(self, name: str) -> None:
        self.link(name, exact=False, within=self.page.get_by_role("region", name="搜索结果")).click()

    # the mini-program -----------------------------------------------------------------------------------------
    def messages(self) -> Locator:
        """Where the mini-program says what it refuses: its message line, or the note of 缴费批扣定档."""
        return self.page.get_by_role("alert")

    def wait_for_mini_program(self) -> None:
        self.page.get_by_role("button", name="同意", exact=True).or_(
            self.page.get_by_role("button", name="我为自己缴")
        ).first.wait_for()

    def agree_authorization(self) -> None:
        self.button("同意").click()

    def next(self) -> None:
        self.press("下一步")

    def identity_shown(self) -> dict[str, str]:
        """我为自己缴: the 本人信息 Alipay brings (姓名, 证件号码 …), once it shows."""
        return self._fields(self.section("本人信息"))

    @staticmethod
    def _fields(listed: Locator) -> dict[str, str]:
        """A list of terms and their values (dt, dd), once it shows a value."""
        listed.locator("dd").first.wait_for()
        texts = listed.locator("dt, dd").all_inner_texts()
        return dict(zip(texts[::2], texts[1::2], strict=True))

    def enter_other(self, payer: PayerRef) -> None:
        self.field("缴费人姓名").fill(payer.name)
        self.field("证件号码").fill(payer.id_number)

    def item_names(self) -> tuple[str, ...]:
        group = self.page.get_by_role("radiogroup", name="参保险种")
        return tuple(label.inner_text().split("\n")[0].strip() for label in group.locator("label").all())

    def item_statuses(self) -> tuple[str, ...]:
        return tuple(self.page.get_by_role("radiogroup", name="参保险种").locator("label .status").all_inner_texts())

    def choose_item(self, name: str) -> None:
        self.labelled(self.page.get_by_role("radio", name=name), name).check()

    def choose_pay_type(self, pay_type: str) -> None:
        self.field("缴费类型").select_option(pay_type)

    def offered_tiers(self, section: str = "选择缴费类型", year: int | None = None) -> tuple[int, ...]:
        """The 缴费档次 the section lists (选档缴费, or 缴费批扣定档); () when ``year`` is not among its 缴费年度."""

        def listed(label: str) -> list[str]:
            options = self.section(section).get_by_label(label, exact=True).locator("option").all_inner_texts()
            return [o.strip() for o in options if o.strip() != "请选择"]

        if year is not None and f"{year}年" not in listed("缴费年度"):
            return ()
        return tiers_of(listed("缴费档次"))

    def choose_year_and_tier(self, year: int, tier: int, section: str = "选择缴费类型") -> None:
        """缴费年度 and 缴费档次, in the section that asks for them (选档缴费, or 缴费批扣定档)."""
        self.field("缴费年度", within=self.section(section)).select_option(label=f"{year}年")
        self.field("缴费档次", within=self.section(section)).select_option(label=f"{tier}元")

    def pay_lines(self) -> tuple[Line, ...]:
        return self.table_lines("应缴明细")

    def pay_amount(self) -> str:
        return self.page.locator("#pay-amount").inner_text().removesuffix("元")

    def result_title(self) -> Locator:
        """The mini-program's 缴费结果 title (缴费成功, 缴费未完成, 支付结果确认中), among its other status lines."""
        return self.page.get_by_role("status").filter(has_text=RESULT)

    def record_rows(self) -> tuple[Record, ...]:
        self.section("缴费记录").wait_for()
        self.page.locator("#records-payer:not(:empty)").wait_for()
        return self.table_records("已缴费信息")

    # 缴费批扣定档 -----------------------------------------------------------------------------------------------
    def batch_agreement(self) -> dict[str, str]:
        """The 三方协议 the 缴费批扣定档 page shows: 开户银行, 银行账号, 协议状态."""
        return self._fields(self.page.locator("#batch-agreement"))

    def batch_done(self) -> str:
        """What the page says once the tier is set (已定档, and when the bank deducts)."""
        done = self.page.locator("#batch-done")
        done.wait_for()
        return done.inner_text().strip()

    def offers_batch_confirm(self) -> bool:
        """Whether 缴费批扣定档 has a 【确认】 to set a tier with."""
        return self.section("缴费批扣定档").get_by_role("button", name="确认", exact=True).is_visible()

    def batch_rows(self) -> tuple[BatchEntry, ...]:
        self.page.locator("#batch-payer:not(:empty)").wait_for()
        rows = self.page.get_by_role("table", name="批扣记录").locator("tbody tr")
        cells = (r.locator("td").all_inner_texts() for r in rows.all())
        return tuple(BatchEntry(int(c[0]), int(c[1]), c[3], c[4], c[2]) for c in cells)


class AlipayUi(Described, AlipayAccess):
    """The ChannelDriver of the Alipay channel, walking the pages as a person does."""

    channel = "alipay"

    def __init__(self, page: Page, base_url: str, senses: Senses | None = None) -> None:
        self.pages = AlipayPage(page, base_url)
        self.cashier = AlipayCashier(page)

    def log_in(self, person: PayerRef) -> str:
        """The phone's Alipay logged in as this person (switching accounts, 实名认证 if Alipay does not know
        the phone); returns the page's message when it refuses ('' when logged in)."""
        p = self.pages
        p.open_alipay()
        if _masked_phone(person.phone) in p.logged_in_as():
            return ""
        if p.logged_in_as():
            p.switch_account()
        p.log_in(person.phone)
        p.page.locator(
            "main[aria-label='支付宝首页'], section[aria-label='实名认证']:visible, #message:visible"
        ).first.wait_for()
        if p.section("实名认证").is_visible():
            p.verify_real_name(person.name, person.id_number)
            p.page.locator("main[aria-label='支付宝首页'], #message:visible").first.wait_for()
        return "" if p.page.get_by_role("main", name="支付宝首页").is_visible() else p.message.inner_text().strip()

    def enter(self, person: PayerRef) -> str:
        """Guide step 1 by the search box, as this person; 同意授权 when the mini-program asks."""
        message = self.log_in(person)
        if message:
            return message
        p = self.pages
        p.search(MINI_PROGRAM)
        p.open_result(MINI_PROGRAM)
        p.wait_for_mini_program()
        if p.page.get_by_role("button", name="同意", exact=True).is_visible():
            p.agree_authorization()
        p.page.get_by_role("button", name="我为自己缴").wait_for()
        return ""

    def choose_payer(self, payer: PayerRef, by: PayerRef | None) -> str:
        """Guide step 2: 我为自己缴 when the payer is at the screen, else 我帮他人缴; then 下一步."""
        p = self.pages
        if by is None or by == payer:
            p.press("我为自己缴")
            p.identity_shown()
        else:
            p.press("我帮他人缴")
            p.enter_other(payer)
        p.next()
        return p.wait_for("险种信息")

    def _to_pay_page(self, payer: PayerRef, choice: Choice, by: PayerRef | None = None) -> Outcome:
        message = self.enter(by or payer) or self.choose_payer(payer, by)
        if message:
            return Outcome("refused", message)
        p = self.pages
        p.choose_item(PENSION)
        p.next()
        p.choose_pay_type(choice.pay_type)
        if choice.pay_type == CHOOSE_TIER:
            missing = tier_not_offered(p.offered_tiers("选择缴费类型"), choice.year or 0, choice.tier or 0)
            if missing:
                return Outcome("refused", missing)
            p.choose_year_and_tier(choice.year or 0, choice.tier or 0)
            p.press("确认")
        else:
            p.next()
        message = p.wait_for("支付界面")
        if message:
            return Outcome("refused", message)
        return Outcome("quoted", amount=p.pay_amount(), lines=p.pay_lines())

    def insured_items(self, payer: PayerRef) -> Items:
        message = self.enter(payer) or self.choose_payer(payer, None)
        if message:
            return Items(message=message)
        return Items(names=self.pages.item_names(), statuses=self.pages.item_statuses())

    def offered_tiers(self, payer: PayerRef, year: int) -> tuple[int, ...]:
        """我为自己缴, the pension, 缴费类型 选档缴费: the 缴费档次 listed for the year."""
        if self.enter(payer) or self.choose_payer(payer, None):
            return ()
        p = self.pages
        p.choose_item(PENSION)
        p.next()
        p.choose_pay_type(CHOOSE_TIER)
        return p.offered_tiers("选择缴费类型", year)

    def quote(self, payer: PayerRef, choice: Choice) -> Outcome:
        return self._to_pay_page(payer, choice)

    def pay(self, payer: PayerRef, choice: Choice, *, by: PayerRef | None = None) -> Outcome:
        return through(self.paying(payer, choice, by=by))

    def paying(self, payer: PayerRef, choice: Choice, *, by: PayerRef | None = None) -> Paying:
        quoted = self._to_pay_page(payer, choice, by)
        if quoted.status != "quoted":
            return quoted
        yield
        self.pages.press("去支付", wait=False)
        yield
        message = self.pay_at_cashier(choice)
        if message:
            return Outcome("refused", message)
        return self.result(quoted)

    def go_pay(self) -> str:
        """Guide step 5: 去支付 → 确认付款 in Alipay's cashier; returns the page's message when it refuses."""
        self.pages.press("去支付")
        return self.pay_at_cashier()

    def pay_at_cashier(self, choice: Choice | None = None) -> str:
        """After 去支付: 确认付款 in Alipay's cashier (or 取消支付, as ``choice`` says), or the page's message when it
        refused. 去支付 confirms the order and opens the cashier at once: the one pause is there."""
        return self.cashier.came(self.pages) or self.cashier.settle(choice)

    def result(self, quoted: Outcome) -> Outcome:
        return self.pages.result_outcome(self.pages.page.url.split("order_no=")[-1], quoted)

    def records(self, payer: PayerRef) -> tuple[Record, ...]:
        """Guide step 6: 缴费记录 of the payer, from the mini-program's home as the payer themself."""
        message = self.enter(payer)
        if message:
            raise AssertionError(f"无法以缴费人身份进入{MINI_PROGRAM}:{message}")
        self.pages.press("缴费记录")
        return self.pages.record_rows()

    # 缴费批扣定档 -----------------------------------------------------------------------------------------------
    def open_batch(self, payer: PayerRef) -> str:
        message = self.enter(payer)
        if message:
            return message
        self.pages.press("缴费批扣定档")
        return self.pages.wait_for("缴费批扣定档")

    def enrol_batch(self, payer: PayerRef, year: int, tier: int) -> Outcome:
        p = self.pages
        message = self.open_batch(payer)
        if message:
            return Outcome("refused", message)
        p.page.locator("#batch-form:visible, #batch-problem:visible").first.wait_for()
        problem = p.page.locator("#batch-problem")
        if problem.is_visible():
            return Outcome("refused", problem.inner_text().strip())
        p.choose_year_and_tier(year, tier, "缴费批扣定档")
        p.press("确认")
        p.page.locator("#batch-done:visible, #message:visible").first.wait_for()
        if p.message.is_visible():
            return Outcome("refused", p.message.inner_text().strip())
        return Outcome("enrolled", p.batch_done())

    def batch_entries(self, payer: PayerRef) -> tuple[BatchEntry, ...]:
        message = self.open_batch(payer)
        if message:
            raise AssertionError(f"无法打开【缴费批扣定档】:{message}")
        return self.pages.batch_rows()

    def batch_agreement(self, payer: PayerRef) -> dict[str, str]:
        message = self.open_batch(payer)
        if message:
            raise AssertionError(f"无法打开【缴费批扣定档】:{message}")
        self.pages.page.locator("#batch-payer:not(:empty)").wait_for()
        if not self.pages.page.locator("#batch-agreement").is_visible():
            return {}
        shown = self.pages.batch_agreement()
        return {k: v for k, v in shown.items() if k in ("开户银行", "银行账号", "三方协议号", "协议状态")}

    def batch_tiers(self, payer: PayerRef, year: int) -> tuple[int, ...]:
        """【缴费批扣定档】: the 缴费档次 its form lists for the year; () when the form does not show."""
        p = self.pages
        message = self.open_batch(payer)
        if message:
            return ()
        p.page.locator("#batch-form:visible, #batch-problem:visible").first.wait_for()
        if not p.page.locator("#batch-form").is_visible():
            return ()
        return p.offered_tiers("缴费批扣定档", year)
