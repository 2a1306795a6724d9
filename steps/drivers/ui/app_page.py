"""The page object of the three app channels' (宁波税务APP, 电子税务局, 浙里办APP) shared pages: the (城乡养老)缴费 page
(本人, or 他人 with the random code; the items and their statuses; the tier; the 提示框; 缴费; the ways to pay), the
result, 已缴费查询 and the receipts, and the registration and login forms. A channel's own module says where its
pages differ."""

from __future__ import annotations

import re

from playwright.sync_api import Locator

from steps.drivers.protocol import Choice, Line, PayerRef, Record
from steps.drivers.ui.cashier import AlipayScanner
from steps.drivers.ui.pages import ChannelPage, tiers_of

PENSION_ITEM = "城乡居民社会养老保险"
SYSTEM_ITEM = f"{PENSION_ITEM}(系统核定)"
AGREEMENT = "agreement"


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

    def request_sms_code(self, within: Locator | None = None) -> str:
        """获取验证码; the page's message when it refuses ('' when sent)."""
        self.button("获取验证码", within=within).click()
        self.page.locator("#send-code:disabled").or_(self.message_shown()).first.wait_for()
        return self.said()

    def enter_sms_code(self, code: str) -> None:
        self.field("短信验证码").fill(code)

    def enter_phone(self, phone: str) -> None:
        """The form's 手机号码 (注册, or the 他人's)."""
        self.field("手机号码").fill(phone)

    def submit_registration(self) -> None:
        """The 注册 form's 【注册】."""
        self.press("注册")

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
    def targets(self) -> Locator:
        """The 办理对象 of the (城乡养老)缴费 page."""
        return self.page.get_by_role("radiogroup", name="办理对象")

    def at_pension(self) -> str:
        """Wait for the (城乡养老)缴费 page (its 办理对象); the page's message when it does not come ('' once there)."""
        return self.wait_for(self.targets())

    def choose_target(self, target: str) -> None:
        """办理对象: 本人 or 他人."""
        self.labelled(self.targets().get_by_text(target, exact=True), target).click()

    def enter_other(self, payer: PayerRef) -> None:
        """他人: 证件类型 (where the page asks for it), 姓名, 证件号码 and 手机号码."""
        if self.ASKS_ID_TYPE:
            self.field("证件类型").select_option(payer.id_type)
        self.field("姓名").fill(payer.name)
        self.field(self.ID_NUMBER).fill(payer.id_number)
        self.enter_phone(payer.phone)

    def captcha_id(self) -> str:
        """Which random-code picture is shown (its address names it), once it has loaded."""
        picture = self.page.get_by_role("img", name="随机验证码图片")
        picture.wait_for()
        self.page.wait_for_function(
            "() => { const i = document.getElementById('captcha-image');"
            " return i.src && i.complete && i.naturalWidth > 0; }"
        )
        source = picture.get_attribute("src") or ""
        return source.rsplit("/", 1)[-1].removesuffix(".png")

    def change_captcha(self) -> str:
        """【看不清,换一张】: the id of the new picture, once it has loaded."""
        shown = self.captcha_id()
        self.button("看不清,换一张").click()
        self.page.wait_for_function(f"() => !document.getElementById('captcha-image').src.includes('{shown}')")
        return self.captcha_id()

    def enter_captcha(self, text: str) -> None:
        self.field("随机验证码").fill(text)

    def next(self) -> None:
        self.button("下一步").click()

    # 缴费信息: the items, their amounts, the 提示框 -------------------------------------------------------------
    def items_section(self) -> Locator:
        return self.section("缴费信息")

    def items_payer(self) -> str:
        """Whose 缴费信息 the page lists, as it says."""
        return self.page.locator("#items-payer").inner_text()

    def item_rows(self) -> Locator:
        """The rows of 参保条目, once listed."""
        rows = self.page.get_by_role("group", name="参保条目").locator(".item-row")
        rows.first.wait_for()
        return rows

    def item_row(self, item: str) -> Locator:
        return self.item_rows().filter(has=self.page.get_by_role("checkbox", name=item, exact=True))

    def item_shown(self, item: str) -> str:
        """The item's row as the page shows it (its name, 缴费金额, 状态)."""
        return self.item_row(item).inner_text().strip()

    def offers_amount(self, item: str) -> bool:
        """Whether the item's row has a 【缴费金额】 to choose the amount with."""
        return self.item_row(item).get_by_role("button", name="缴费金额").count() > 0

    def item_names(self) -> tuple[str, ...]:
        self.item_rows()
        group = self.page.get_by_role("group", name="参保条目")
        return tuple(t.strip() for t in group.locator(".item-row > label").all_inner_texts())

    def item_statuses(self) -> tuple[str, ...]:
        """The 状态 shown in each item row ('' where a row shows none)."""
        return tuple(
            self.item_rows().evaluate_all(
                """rows => rows.map((row) => {
                 const term = [...row.querySelectorAll("dt")].find((dt) => dt.textContent === "状态");
                 return term ? term.nextElementSibling.textContent.trim() : "";
               })"""
            )
        )

    def current_year_item(self, year: int) -> str:
        return f"{PENSION_ITEM}({year}年度)"

    def tick(self, item: str) -> None:
        self.labelled(self.page.get_by_role("checkbox", name=item, exact=True), item).check()

    def open_amount(self, item: str) -> None:
        """【缴费金额】 of the item's row."""
        self.button("缴费金额", within=self.item_row(item)).click()

    def listed_tiers(self) -> tuple[int, ...]:
        """The tiers the open 缴费金额 sheet lists, in its order."""
        group = self.page.get_by_role("dialog", name="缴费金额").get_by_role("radiogroup", name="缴费档次")
        group.get_by_role("radio").first.wait_for()
        return tiers_of(group.locator("label").all_inner_texts())

    def close_tiers(self) -> None:
        """The 缴费金额 sheet's 【取消】."""
        sheet = self.page.get_by_role("dialog", name="缴费金额")
        self.button("取消", within=sheet).click()
        sheet.wait_for(state="hidden")

    def choose_tier(self, tier: int) -> None:
        """The tier, then the sheet's 【确定】."""
        sheet = self.page.get_by_role("dialog", name="缴费金额")
        self.labelled(sheet.get_by_text(f"{tier}元", exact=True), f"{tier}元").click()
        self.button("确定", within=sheet).click()

    def ask_for_confirmation(self, *, tier: bool) -> None:
        """What brings up the 提示框 once the item is ticked and its amount settled (by a tier, or by the system):
        here nothing, it comes by itself."""

    def confirmation(self) -> Locator:
        """The 提示框 with the payment information."""
        return self.page.get_by_role("dialog", name="缴费信息确认")

    def confirmation_text(self) -> str:
        return self.confirmation().inner_text()

    def confirmation_lines(self) -> tuple[Line, ...]:
        return self.table_lines("应缴明细", within=self.confirmation())

    def confirmation_amount(self) -> str:
        return self.confirmation().locator("dd").last.inner_text().removesuffix("元")

    def confirm(self) -> None:
        """提示框中的【确定】."""
        self.button("确定", within=self.confirmation()).click()
        self.confirmation().wait_for(state="hidden")

    def pay(self, *, wait: bool = True) -> None:
        """【缴费】."""
        self.press("缴费", wait=wait, within=self.items_section())

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
        name = self.WAYS[gateway]
        self.labelled(self.payment_ways().get_by_role("radio", name=name, exact=True), name).check()

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

    def scan_payment_code(
        self, name: str, picture: bytes, phone: str, choice: Choice | None = None
    ) -> tuple[str, bytes]:
        """The phone beside the screen (``phone``: whose Alipay pays) scans the picture saved as ``name`` and pays
        (or 取消支付, as ``choice`` says): what Alipay says ('' when paid), and a screenshot of the Alipay app's last
        page."""
        seen: list[bytes] = []
        message = AlipayScanner(self.page, self.base_url, phone).pay(
            name, picture, lambda app: seen.append(app.screenshot()), choice
        )
        return message, seen[-1] if seen else b""

    def payment_done(self) -> None:
        """Back from paying: 【我已完成支付】, then the result page."""
        self.press("我已完成支付")
        self.wait_for_result()

    # 缴费结果, 已缴费查询, the receipts -------------------------------------------------------------------------
    def wait_for_result(self) -> None:
        """Until the channel has sent the person to its result page."""
        self.page.wait_for_url(self.result_url)

    def result_text(self) -> str:
        """On the result page: what the title of the 缴费结果 says, once it shows."""
        self.wait_for_result()
        return super().result_text()

    def open_records(self) -> None:
        """The pension pages' 【已缴费查询】, until it lists records or says why not."""
        self.open_link("已缴费查询")
        self.page.locator("#records section").or_(self.message_shown()).first.wait_for()

    def open_receipts(self) -> None:
        """From the pension pages' menu to the list with the receipts."""
        raise NotImplementedError

    def records_of(self, name: str) -> Locator:
        return self.section(f"{name}的缴费记录")

    def shows_no_records(self, name: str) -> bool:
        """Whether the person's 已缴费查询 says “暂无缴费记录”."""
        return self.records_of(name).get_by_text("暂无缴费记录").is_visible()

    def record_fields(self, name: str) -> tuple[dict[str, str], ...]:
        """Each of the payer's records as the page shows it: name → value (none where the page lists none)."""
        self.page.locator("#records section").or_(self.message_shown()).first.wait_for()
        section = self.records_of(name)
        if not section.is_visible():
            return ()
        items = section.get_by_role("list", name="已缴费信息").get_by_role("listitem").all()
        return tuple(
            dict(zip(i.locator("dt").all_inner_texts(), i.locator("dd").all_inner_texts(), strict=True)) for i in items
        )

    def record_rows(self, name: str) -> tuple[Record, ...]:
        return tuple(
            Record(
                int(f["缴费年度"]),
                f["缴费类型"],
                f["缴费金额"].removesuffix("元"),
                f["电子税票号码"],
                paid_at=f.get("缴费时间") or None,
            )
            for f in self.record_fields(name)
        )

    def record_authorities(self, name: str) -> tuple[str, ...]:
        """The 税务机关 of each record of the payer."""
        return tuple(f.get("税务机关", "") for f in self.record_fields(name))

    def print_receipt(self, name: str) -> bytes:
        """The receipt of the payer's newest payment: the PDF the channel hands over."""
        link = self.link(self.RECEIPT, exact=False, within=self.records_of(name)).first
        with self.page.expect_download() as download:
            link.click()
        with open(download.value.path(), "rb") as pdf:
            return pdf.read()
