"""Page objects of the providers' pages a channel sends the person to: the WeChat Pay and Alipay cashiers, and the
Alipay app that scans a payment code."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page


class WechatPayCashier:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.sheet = page.get_by_role("main", name="微信支付")
        self.amount = page.get_by_label("支付金额")
        self.pay_button = page.get_by_role("button", name="立即支付")

    def is_open(self) -> bool:
        self.sheet.wait_for()
        return True

    def pay(self) -> None:
        """立即支付, then back to the channel's page the cashier returns to."""
        self.pay_button.click()
        self.page.wait_for_url(lambda url: "/pay/wechatpay/cashier/" not in url)
        self.page.wait_for_load_state()


class AlipayCashier:
    """Alipay's wap cashier: the amount and 确认付款."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.sheet = page.get_by_role("main", name="支付宝")
        self.amount = page.get_by_label("付款金额")
        self.pay_button = page.get_by_role("button", name="确认付款")

    def pay(self) -> None:
        """确认付款, then back to the channel's page the cashier returns to."""
        self.pay_button.click()
        self.page.wait_for_url(lambda url: "/pay/alipay/cashier/" not in url)
        self.page.wait_for_load_state()


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
