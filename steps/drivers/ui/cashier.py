"""Page objects of the providers' pages a channel sends the person to: the WeChat Pay and Alipay cashiers, and the
Alipay app that scans a payment code."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from playwright.sync_api import FilePayload, Page

from steps.drivers.protocol import AT_CASHIER, CANCEL_AT_CASHIER, Choice, pause
from steps.drivers.ui.pages import ChannelPage

CANCEL = "取消支付"  # every cashier's button that leaves it without paying


class Cashier(ChannelPage):
    """A provider's cashier page: its sheet, the amount and the pay button. Each provider's page is this shape."""

    NAME = ""  # the sheet's accessible name
    AMOUNT = ""  # the amount's label
    BUTTON = ""  # the pay button

    def __init__(self, page: Page, base_url: str = "") -> None:
        super().__init__(page, base_url)
        self.sheet = page.get_by_role("main", name=self.NAME)
        self.amount = page.get_by_label(self.AMOUNT)
        self.pay_button = page.get_by_role("button", name=self.BUTTON)

    def came(self, channel: ChannelPage) -> str:
        """After the channel sent the person here: '' once the cashier shows, or once the page has been through it
        (a cashier that went on by itself: ``pay`` says what it lacked); else the channel's message why not."""
        return channel.wait_for(self.sheet, past=lambda: bool(self.passed()))

    def passed(self) -> str:
        """The cashier page the person was just sent through, when the page has left it ('' when not)."""
        documents = self.traffic.documents
        if len(documents) > 1 and "/cashier/" in documents[-2] and "/cashier/" not in documents[-1]:
            return urlsplit(documents[-2]).path
        return ""

    def pay(self) -> str:
        """Press the pay button: '' once the cashier has sent the person back to the channel's page (paid or not,
        that page says how it ended), or the cashier's refusal when it keeps them (a closed trade, say).

        A refusal re-enables the button beside the message; a payment that did not go through shows its message
        with the button still disabled, then returns to the channel, so only the first counts as kept. A cashier
        without the button the guide names fails the step, naming it and the cashier (a page that may have paid by
        itself and gone on)."""
        passed = self.passed()
        self.labelled(self.pay_button, self.BUTTON, on=f"{self.NAME}({passed})" if passed else self.name()).click()
        kept = self.sheet.filter(has=self.page.locator("#pay:enabled")).locator("#message:visible")
        left = self.page.locator("body").filter(has_not=self.sheet)
        left.or_(kept).first.wait_for()
        if kept.is_visible():
            return kept.inner_text().strip()
        self.page.wait_for_url(lambda url: "/cashier/" not in url)
        return ""

    def settle(self, choice: Choice | None = None) -> str:
        """What the person does at the cashier, as ``choice`` says (after its pause there): pay, or 取消支付; '' once
        back at the channel's page, else what the cashier says as it keeps them."""
        pause(choice, AT_CASHIER)
        if choice is not None and choice.at_cashier == CANCEL_AT_CASHIER:
            return self.cancel()
        return self.pay()

    def cancel(self) -> str:
        """Press 取消支付: '' once the cashier has sent the person back to the channel's page (or, with no page to go
        back to, once it says it has cancelled), else what it says as it keeps them."""
        self.labelled(self.page.get_by_role("button", name=CANCEL), CANCEL, on=self.name()).click()
        kept = self.sheet.filter(has=self.page.locator("#cancel:enabled")).locator("#message:visible")
        done = self.sheet.locator("#message:visible").filter(has_text="已取消支付")
        left = self.page.locator("body").filter(has_not=self.sheet)
        left.or_(kept).or_(done).first.wait_for()
        if kept.is_visible():
            return kept.inner_text().strip()
        self.page.wait_for_url(lambda url: "/cashier/" not in url)
        return ""


class WechatPayCashier(Cashier):
    NAME, AMOUNT, BUTTON = "微信支付", "支付金额", "立即支付"


class AlipayCashier(Cashier):
    """Alipay's wap cashier."""

    NAME, AMOUNT, BUTTON = "支付宝", "付款金额", "确认付款"


class CcbCashier(Cashier):
    """CCB's 龙支付 cashier, paying from the savings card."""

    NAME, AMOUNT, BUTTON = "中国建设银行", "支付金额", "确认支付"


class AlipayScanner:
    """The Alipay app on the phone beside the screen, as a person uses it: its home (登录支付宝 first with the phone's
    number when the phone is not logged in) → 【扫一扫】 → 【从相册选择】 a picture of the 付款码 → 确认付款."""

    def __init__(self, page: Page, base_url: str, phone: str = "") -> None:
        self.page, self.base_url, self.phone = page, base_url.rstrip("/"), phone

    def open_scanner(self, alipay: Page) -> str:
        """Alipay's home, then its 【扫一扫】: '' once the scanner is up, else what Alipay says."""
        alipay.goto(f"{self.base_url}/alipay/")
        app = ChannelPage(alipay, self.base_url)
        login = alipay.get_by_role("main", name="登录支付宝")
        home = alipay.get_by_role("main", name="支付宝首页")
        login.or_(home).first.wait_for()
        if login.is_visible():
            if not self.phone:
                return "手机上的支付宝尚未登录"
            app.field("手机号", within=login).fill(self.phone)
            app.button("登录", within=login).click()
            refused = login.locator("#message:visible")
            home.or_(refused).first.wait_for()
            if refused.is_visible():
                return refused.inner_text().strip()
        app.link("扫一扫", within=alipay.get_by_role("navigation", name="常用功能")).click()
        alipay.get_by_role("main", name="扫一扫").wait_for()
        return ""

    def pay(
        self, name: str, picture: bytes, seen: Callable[[Page], None] | None = None, choice: Choice | None = None
    ) -> str:
        """Scan the picture saved as ``name`` and pay (or 取消支付, as ``choice`` says, after its pause at the cashier):
        '' when paid, else what the Alipay app says. ``seen`` looks at the Alipay app's last page before it is
        closed."""
        alipay = self.page.context.new_page()
        try:
            message = self.open_scanner(alipay)
            if not message:
                message = self._scan(alipay, name, picture, choice)
            if seen is not None:
                seen(alipay)
            return message
        finally:
            alipay.close()

    @staticmethod
    def _scan(alipay: Page, name: str, picture: bytes, choice: Choice | None = None) -> str:
        album = FilePayload(name=name, mimeType="image/png", buffer=picture)
        ChannelPage(alipay, "").labelled(alipay.get_by_text("从相册选择", exact=True), "从相册选择")  # its input hides
        alipay.get_by_label("从相册选择").set_input_files(album)
        failed = alipay.locator("#message:visible")
        cashier = AlipayCashier(alipay)
        cashier.sheet.or_(failed).first.wait_for()
        if not cashier.sheet.is_visible():
            return failed.inner_text().strip()
        pause(choice, AT_CASHIER)
        if choice is not None and choice.at_cashier == CANCEL_AT_CASHIER:
            cashier.labelled(alipay.get_by_role("button", name=CANCEL), CANCEL, on=cashier.name()).click()
            cancelled = cashier.sheet.locator("#message:visible").filter(has_text="已取消支付")
            cancelled.or_(failed).first.wait_for()
            return "" if cancelled.is_visible() else failed.inner_text().strip()
        cashier.labelled(cashier.pay_button, cashier.BUTTON, on=cashier.name()).click()
        done = alipay.get_by_text("支付成功", exact=True)
        done.or_(failed).first.wait_for()
        return "" if done.is_visible() else failed.inner_text().strip()
