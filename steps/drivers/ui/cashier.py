"""Page objects of the providers' pages a channel sends the person to: the WeChat Pay and Alipay cashiers, and the
Alipay app that scans a payment code."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page


class Cashier:
    """A provider's cashier page: its sheet, the amount and the pay button. Each provider's page is this shape."""

    NAME = ""  # the sheet's accessible name
    AMOUNT = ""  # the amount's label
    BUTTON = ""  # the pay button

    def __init__(self, page: Page) -> None:
        self.page = page
        self.sheet = page.get_by_role("main", name=self.NAME)
        self.amount = page.get_by_label(self.AMOUNT)
        self.pay_button = page.get_by_role("button", name=self.BUTTON)

    def pay(self) -> str:
        """Press the pay button: '' once the cashier has sent the person back to the channel's page (paid or not,
        that page says how it ended), or the cashier's refusal when it keeps them (a closed trade, say).

        A refusal re-enables the button beside the message; a payment that did not go through shows its message
        with the button still disabled, then returns to the channel, so only the first counts as kept."""
        self.pay_button.click()
        kept = self.sheet.filter(has=self.page.locator("#pay:enabled")).locator("#message:visible")
        left = self.page.locator("body").filter(has_not=self.sheet)
        left.or_(kept).first.wait_for()
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
    """The Alipay app on the phone beside the screen: 扫一扫 → 从相册选择 a picture of the 付款码 → 确认付款."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page, self.base_url = page, base_url.rstrip("/")

    def pay(self, name: str, picture: bytes, seen: Callable[[Page], None] | None = None) -> str:
        """Scan the picture saved as ``name`` and pay: '' when paid, else what the Alipay app says. ``seen`` looks at
        the Alipay app's last page before it is closed."""
        alipay = self.page.context.new_page()
        try:
            alipay.goto(f"{self.base_url}/pay/alipay/scan")
            album = {"name": name, "mimeType": "image/png", "buffer": picture}
            alipay.get_by_label("从相册选择").set_input_files(album)
            failed = alipay.locator("#message:visible")
            cashier = AlipayCashier(alipay).pay_button
            cashier.or_(failed).first.wait_for()
            if cashier.is_visible():
                cashier.click()
                done = alipay.get_by_text("支付成功", exact=True)
                done.or_(failed).first.wait_for()
                message = "" if done.is_visible() else failed.inner_text().strip()
            else:
                message = failed.inner_text().strip()
            if seen is not None:
                seen(alipay)
            return message
        finally:
            alipay.close()
