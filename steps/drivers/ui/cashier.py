"""Page object of the WeChat Pay cashier sheet."""

from __future__ import annotations

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

    def pay(self, picture: bytes) -> None:
        alipay = self.page.context.new_page()
        try:
            alipay.goto(f"{self.base_url}/pay/alipay/scan")
            alipay.get_by_label("从相册选择").set_input_files(
                {"name": "screenshot.png", "mimeType": "image/png", "buffer": picture})
            alipay.wait_for_url(lambda url: "/pay/alipay/cashier/" in url)
            AlipayCashier(alipay).pay_button.click()
            alipay.get_by_text("支付成功", exact=True).or_(alipay.locator("#message:visible")).first.wait_for()
        finally:
            alipay.close()
