"""What a person does in the browser with an order number, someone else's records or receipt, and the 电子税务局's
登录验证 one way at a time: the UI drivers' ``OrdersByNumber``, ``OthersRecords`` and ``LoginFactors``, as mixins of
the channel drivers. A request a person can only make by hand (a link with an order number, a request replayed with
their own login) is sent from their browser, with its cookies; everything else is done on the pages."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Protocol

from playwright.sync_api import Page, Response

from fixtures import patience
from fixtures.receipts import pdf_text
from steps.drivers.accounts import password_of
from steps.drivers.protocol import Choice, Outcome, PayerRef, Shown
from steps.drivers.ui.cashier import WechatPayCashier

if TYPE_CHECKING:
    from steps.drivers.protocol import Items
    from steps.drivers.ui.alipay import AlipayPage
    from steps.drivers.ui.app_page import AppChannelPage
    from steps.drivers.ui.cashier import AlipayCashier
    from steps.drivers.ui.etax import EtaxPage
    from steps.drivers.ui.wechat import WechatPage


# What each mixin needs of the driver it is mixed into (mypy reads them as the methods' self types).
class WechatUi(Protocol):
    @property
    def pages(self) -> WechatPage: ...
    def quote(self, payer: PayerRef, choice: Choice) -> Outcome: ...
    def review(self) -> None: ...
    def _lookup(self, payer: PayerRef) -> Items: ...


class AlipayUi(Protocol):
    @property
    def pages(self) -> AlipayPage: ...
    @property
    def cashier(self) -> AlipayCashier: ...
    def _to_pay_page(self, payer: PayerRef, choice: Choice, by: PayerRef | None = None) -> Outcome: ...
    def enter(self, person: PayerRef) -> str: ...
    def pay_at_cashier(self) -> str: ...


class AppChannelUi(Protocol):
    @property
    def pages(self) -> AppChannelPage: ...
    @property
    def channel(self) -> str: ...
    @property
    def DEFAULT_GATEWAY(self) -> str: ...  # noqa: N802 - the driver's class constant
    def open_payer(self, payer: PayerRef, by: PayerRef | None) -> str: ...
    def _choose(self, choice: Choice) -> Outcome: ...
    def sign_in(self, person: PayerRef) -> str: ...


class EtaxUi(Protocol):
    @property
    def pages(self) -> EtaxPage: ...

    pending: PayerRef | None

    def sign_out(self) -> None: ...
    def logged_in(self, person: PayerRef) -> None: ...


ASKING = "正在查询"  # the result title while the page asks for the order
HOME = re.compile(r"/etax/$")
LOOK_EVERY_MS = 250
SCAN_LOOKS = round(patience.ms(3) / LOOK_EVERY_MS)  # a person watches the QR panel for the confirmation: 3 s


def by_hand(page: Page, base_url: str, method: str, path: str, body: dict[str, Any] | None = None) -> Shown:
    """A request sent from this browser with its cookies (a link opened, a request replayed): what it answered —
    the refusal's message, or all of its text (a PDF's text for a receipt)."""
    response = page.context.request.fetch(
        f"{base_url}{path}",
        method=method,
        data=json.dumps(body) if body is not None else None,
        headers={"Content-Type": "application/json"} if body is not None else None,
    )
    return answered(response)


def answered(response: Any) -> Shown:
    kind = response.headers.get("content-type", "")
    if response.ok and kind.startswith("application/pdf"):
        return Shown(False, "", pdf_text(response.body()))
    text = response.text()
    if response.ok:
        return Shown(False, "", text)
    try:
        message = str(json.loads(text)["error"]["message"])
    except (ValueError, KeyError, TypeError):
        message = f"(答复状态码{response.status},没有说明)"
    return Shown(True, message, text)


def on_page(page: Page, message: str, *, refused: bool) -> Shown:
    """What the page shows now: whether it refused, its message line, and all of its text."""
    return Shown(refused, message, page.locator("body").inner_text())


def result_order_no(page: Page) -> str:
    """The 订单号 a mini-program's 缴费结果 lists, once it shows."""
    number = page.locator("#result-kv dt", has_text="订单号").locator("xpath=following-sibling::dd[1]").first
    number.wait_for()
    return number.inner_text().strip()


def _order_created(response: Response) -> bool:
    return response.request.method == "POST" and response.url.split("?")[0].endswith("/api/orders")


class WechatAccess:
    """WeChat: the person is whoever authorized the official account on this phone."""

    def confirm_order(self: WechatUi, payer: PayerRef, choice: Choice) -> Outcome:
        quoted = self.quote(payer, choice)
        if quoted.status != "quoted":
            return quoted
        self.review()
        self.pages.submit()
        message = self.pages.wait_for("选择缴费渠道")
        if message:
            return Outcome("refused", message)
        order_no = self.pages.page.locator("#pay-order").inner_text().strip()
        return Outcome("confirmed", "待支付", order_no, quoted.amount, quoted.lines)

    def open_order(self: WechatUi, order_no: str, *, by: PayerRef) -> Shown:
        """The result page of the order, opened by its link after the person's own 社保缴费 (who they are)."""
        self._lookup(by)
        p = self.pages
        p.page.goto(f"{p.base_url}/wechat/sbjf?order_no={order_no}")
        title = p.page.locator("#result-title")
        title.filter(has_text="缴费").or_(p.message_shown()).first.wait_for()
        refused = p.message_shown().is_visible() and not title.filter(has_text="缴费").is_visible()
        return on_page(p.page, p.said(), refused=refused)

    def pay_order(self: WechatUi, order_no: str, *, by: PayerRef) -> Shown:
        """确认支付 of the order by its number, replayed with the person's own authorization; where the channel lets
        it through, on to WeChat Pay's cashier and pay."""
        self._lookup(by)
        p = self.pages
        paid = by_hand(p.page, p.base_url, "POST", f"/wechat/api/orders/{order_no}/pay", {"gateway": "wechatpay"})
        if not paid.refused:
            p.page.goto(f"{p.base_url}{json.loads(paid.text)['cashier_url']}")
            WechatPayCashier(p.page).pay()
        return paid


class AlipayAccess:
    """Alipay: the person is whoever is logged in to Alipay on this phone."""

    def confirm_order(self: AlipayUi, payer: PayerRef, choice: Choice) -> Outcome:
        quoted = self._to_pay_page(payer, choice)
        if quoted.status != "quoted":
            return quoted
        with self.pages.page.expect_response(_order_created) as created:
            self.pages.press("去支付")
        answer = answered(created.value)
        if answer.refused:
            return Outcome("refused", answer.message)
        order = json.loads(answer.text)
        self.cashier.came(self.pages)  # Alipay's cashier, left without paying
        return Outcome("confirmed", order["status_text"], order["order_no"], quoted.amount, quoted.lines)

    def open_order(self: AlipayUi, order_no: str, *, by: PayerRef) -> Shown:
        """The mini-program's result page of the order, opened by its link, logged in as the person."""
        message = self.enter(by)
        if message:
            return on_page(self.pages.page, message, refused=True)
        p = self.pages
        p.page.goto(f"{p.base_url}/alipay/sbjf?order_no={order_no}")
        title = p.page.locator("#result-title")
        title.filter(has_text="缴费").or_(p.message_shown()).first.wait_for()
        refused = p.message_shown().is_visible() and not title.filter(has_text="缴费").is_visible()
        return on_page(p.page, p.said(), refused=refused)

    def pay_order(self: AlipayUi, order_no: str, *, by: PayerRef) -> Shown:
        """去支付 of the order by its number, replayed with the person's own login; where the channel lets it
        through, on to Alipay's cashier and pay."""
        message = self.enter(by)
        if message:
            return on_page(self.pages.page, message, refused=True)
        p = self.pages
        paid = by_hand(p.page, p.base_url, "POST", f"/alipay/api/orders/{order_no}/pay", {"gateway": "alipay"})
        if not paid.refused:
            p.page.goto(f"{p.base_url}{json.loads(paid.text)['cashier_url']}")
            self.pay_at_cashier()
        return paid


class AppAccess:
    """The app channels: the person is the account logged in on this phone (or computer)."""

    def confirm_order(self: AppChannelUi, payer: PayerRef, choice: Choice) -> Outcome:
        message = self.open_payer(payer, None)
        if message:
            return Outcome("refused", message)
        quoted = self._choose(choice)
        if quoted.status != "quoted":
            return quoted
        p = self.pages
        p.confirm()
        p.pay()
        message = p.wait_for(p.payment_ways())
        if message:
            return Outcome("refused", message)
        return Outcome("confirmed", "待支付", p.order_no(), quoted.amount, quoted.lines)

    def open_order(self: AppChannelUi, order_no: str, *, by: PayerRef) -> Shown:
        """The 缴费结果 page of the order, opened by its link in the person's login."""
        message = self.sign_in(by)
        p = self.pages
        if message:
            return on_page(p.page, message, refused=True)
        p.goto(f"{p.SBJF}/result?order_no={order_no}")
        title = p.page.locator("#result-title").filter(has_not_text=ASKING)
        title.wait_for()
        refused = title.inner_text().strip() == "查询失败"
        return on_page(p.page, p.said(), refused=refused)

    def pay_order(self: AppChannelUi, order_no: str, *, by: PayerRef) -> Shown:
        """缴费 of the order by its number, replayed with the person's login; where the channel lets it through, the
        person is sent on to the provider (and goes no further)."""
        message = self.sign_in(by)
        p = self.pages
        if message:
            return on_page(p.page, message, refused=True)
        path = f"/{self.channel}/api/orders/{order_no}/pay"
        paid = by_hand(p.page, p.base_url, "POST", path, {"gateway": self.DEFAULT_GATEWAY})
        if not paid.refused:
            p.page.goto(f"{p.base_url}{json.loads(paid.text)['cashier_url']}")
        return paid

    def records_seen(self: AppChannelUi, payer: PayerRef, *, by: PayerRef) -> Shown:
        """【已缴费查询】 in the person's login, and the same query for the payer replayed by hand with that login:
        refused when the page lists no records of the payer and the query is refused."""
        message = self.sign_in(by)
        p = self.pages
        if message:
            return on_page(p.page, message, refused=True)
        p.goto(f"{p.SBJF}/records")
        p.page.locator("#records section").or_(p.message_shown()).first.wait_for()
        page = on_page(p.page, p.said(), refused=not p.records_of(payer.name).is_visible())
        identity = {"name": payer.name, "id_type": payer.id_type, "id_number": payer.id_number}
        replayed = by_hand(p.page, p.base_url, "POST", f"/{self.channel}/api/records/query", identity)
        return Shown(page.refused and replayed.refused, replayed.message, f"{page.text}\n{replayed.text}")

    def receipt_seen(self: AppChannelUi, order_no: str, *, by: PayerRef) -> Shown:
        """The receipt's link of the order (…/orders/{no}/receipt) opened in the person's login."""
        message = self.sign_in(by)
        p = self.pages
        if message:
            return on_page(p.page, message, refused=True)
        return by_hand(p.page, p.base_url, "GET", f"/{self.channel}/api/orders/{order_no}/receipt")


def _factor(way: str) -> str:
    """The name of a way of 登录验证 (sms, taxapp, iit) on the page: 短信验证, 税务APP扫码 …"""
    from steps.drivers.ui.etax import FACTORS  # etax builds on this module's mixins

    return FACTORS[way]


def _finished(driver: EtaxUi, factor: str) -> Outcome:
    """【登录】 of the way of 登录验证 named ``factor``: logged in, or the page's message."""
    p = driver.pages
    p.confirm_login(factor)
    message = p.wait_for(p.logged_in())
    if message:
        return Outcome("refused", message)
    p.page.wait_for_url(HOME)  # the page goes on to the site's home page once logged in
    p.shown()
    if driver.pending is not None:
        driver.logged_in(driver.pending)
    return Outcome("logged_in")


class EtaxFactors:
    """The 电子税务局's 登录验证, one way at a time."""

    pending: PayerRef | None = None  # whose login waits for its 登录验证

    def start_login(self: EtaxUi, person: PayerRef) -> Outcome:
        self.sign_out()
        p = self.pages
        p.open_login()
        p.log_in(person.id_number, password_of(person))
        message = p.wait_for(p.verification())
        if message:
            return Outcome("refused", message)
        p.shown()
        self.pending = person
        return Outcome("second_factor")

    def request_login_code(self: EtaxUi) -> Outcome:
        p = self.pages
        p.open_tab(_factor("sms"))
        message = p.request_verification_code()
        return Outcome("refused", message) if message else Outcome("sent")

    def finish_with_code(self: EtaxUi, sms_code: str) -> Outcome:
        self.pages.enter_verification_code(sms_code)
        return _finished(self, _factor("sms"))

    def login_qr_picture(self: EtaxUi, app: str) -> bytes:
        self.pages.open_tab(_factor(app))
        return self.pages.login_qr_picture(app)

    def finish_with_scan(self: EtaxUi, app: str) -> Outcome:
        """【登录】 under the QR code, once the page (asking every second) says the phone confirmed; while it does not,
        the button stays disabled and the panel says what to do, as a person sees after looking for a while."""
        p = self.pages
        panel = p.panel(_factor(app))
        button = panel.get_by_role("button", name="登录", exact=True)
        for _ in range(SCAN_LOOKS):
            if button.is_enabled():
                return _finished(self, _factor(app))
            p.page.wait_for_timeout(LOOK_EVERY_MS)
        return Outcome("refused", panel.get_by_role("status").inner_text().strip())

    def login_holder(self: EtaxUi) -> str:
        region = self.pages.verification()
        region.get_by_text("账号:").wait_for()
        return region.inner_text()


__all__ = [
    "AlipayAccess",
    "AppAccess",
    "EtaxFactors",
    "WechatAccess",
    "answered",
    "by_hand",
    "on_page",
    "result_order_no",
]
