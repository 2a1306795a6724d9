"""What a resident meets that the guide does not say, fixed: Alipay's 【扫一扫】 on its home and in the app centre
opens the scanner (从相册选择), the app channels name the item to tick for an amount the system sets, 合计 shows the
amount as soon as it is known, times to the second, each 缴费类型 once, the receipts titled as each channel names
them, and the 宁波税务APP's 身份证件号码."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect
from pypdf import PdfReader

from fixtures.payers import Payer
from fixtures.receipts import pdf_text
from fixtures.simulator import EmbeddedSimulator, SimControl
from steps.drivers.api.client import connect
from steps.drivers.ui.cashier import AlipayScanner
from tests.app_user import AppUser, app_user, refused
from tests.provider_side import Merchant
from tests.test_etax_channel import EtaxUser
from tests.test_zheliban_channel import Resident

if TYPE_CHECKING:
    from tests.conftest import Wechat

PHONE: ViewportSize = {"width": 390, "height": 844}
SYSTEM_ITEM = "城乡居民社会养老保险(系统核定)"
SECOND = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


class Links(HTMLParser):
    """The links of one navigation (by its aria-label): text → attributes."""

    def __init__(self, nav: str) -> None:
        super().__init__()
        self.nav, self.depth, self.href = nav, 0, None
        self.found: dict[str, dict[str, str | None]] = {}
        self.attrs: dict[str, str | None] = {}
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "nav" and dict(attrs).get("aria-label") == self.nav:
            self.depth = 1
        elif self.depth and tag == "a":
            self.attrs, self.text = dict(attrs), ""

    def handle_data(self, data: str) -> None:
        if self.depth and self.attrs:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == "a" and self.attrs:
            self.found[self.text.strip().lstrip("⊡¥⇄▭").strip()] = self.attrs
            self.attrs = {}
        elif self.depth and tag == "nav":
            self.depth = 0


def shortcuts(html: str) -> dict[str, dict[str, str | None]]:
    parser = Links("常用功能")
    parser.feed(html)
    return parser.found


def in_browser(page: Page, sim: EmbeddedSimulator, tenant: str, **cookies: str) -> Page:
    page.set_viewport_size(PHONE)
    page.context.add_cookies(
        [{"name": name, "value": value, "url": sim.url} for name, value in {"sim_tenant": tenant, **cookies}.items()]
    )
    return page


@pytest.fixture
def taxapp(sim: EmbeddedSimulator, sim_control: SimControl, tenant: str) -> Iterator[AppUser]:
    with app_user(sim, sim_control, tenant, AppUser) as person:
        yield person


@pytest.fixture
def zheliban(sim: EmbeddedSimulator, sim_control: SimControl, tenant: str) -> Iterator[Resident]:
    with app_user(sim, sim_control, tenant, Resident) as person:
        yield person


@pytest.fixture
def etax(sim: EmbeddedSimulator, sim_control: SimControl, tenant: str) -> Iterator[EtaxUser]:
    with app_user(sim, sim_control, tenant, EtaxUser) as person:
        yield person


# 1. Alipay's 【扫一扫】 ---------------------------------------------------------------------------------------------
def test_the_alipay_home_and_app_centre_offer_the_scanner(
    sim: EmbeddedSimulator, tenant: str, enrol: Callable[..., Payer]
) -> None:
    with connect(sim.url, tenant) as phone:
        assert phone.post("/alipay/api/login", json={"phone": enrol().phone}).status_code == 200
        for path in ("/alipay/", "/alipay/apps"):
            scan = shortcuts(phone.get(path).text)["扫一扫"]
            assert scan.get("href") == "/pay/alipay/scan" and "aria-disabled" not in scan, (path, scan)
        scanner = phone.get("/pay/alipay/scan").text
    assert '<label class="scan-album" for="album">从相册选择</label>' in scanner


def test_a_screenshot_is_paid_through_alipay_home_scan_and_album(
    page: Page, sim: EmbeddedSimulator, tenant: str, wechat: Wechat, enrol: Callable[..., Payer], tmp_path: Path
) -> None:
    shop = Merchant(sim, wechat)
    payer = enrol()
    order_no, qr_url = shop.paying(payer, "alipay_qr")
    in_browser(page, sim, tenant).goto(sim.url + qr_url)
    expect(page.get_by_role("img", name="支付宝付款码")).to_be_visible()
    shot = page.screenshot()
    pages: list[str] = []
    # the phone is not logged in to Alipay yet: 登录支付宝 with its number, then home → 扫一扫 → 从相册选择
    assert AlipayScanner(page, sim.url, payer.phone).pay("screenshot.png", shot, lambda a: pages.append(a.url)) == ""
    assert pages and "/pay/alipay/cashier/" in pages[0]
    shop.notes_when(lambda got: [n.status for n in got] == ["delivered"])
    assert shop.status(order_no)[0] == "PAID"

    apps = page.context.new_page()  # logged in now: the app centre's 扫一扫 opens the same scanner
    apps.goto(sim.url + "/alipay/apps")
    apps.get_by_role("navigation", name="常用功能").get_by_role("link", name="扫一扫").click()
    expect(apps.get_by_role("main", name="扫一扫").get_by_text("从相册选择")).to_be_visible()


def test_without_a_number_to_log_in_the_scanner_says_alipay_is_not_logged_in(
    page: Page, sim: EmbeddedSimulator, tenant: str
) -> None:
    in_browser(page, sim, tenant)
    assert AlipayScanner(page, sim.url).pay("screenshot.png", b"\x89PNG") == "手机上的支付宝尚未登录"


# 2. the item to tick, where there is no 【特殊缴费】 ----------------------------------------------------------------
TICK_AND_PAY = f"请勾选【{SYSTEM_ITEM}】条目后直接点击【缴费】,缴费金额由系统自动生成,无需选择"
ARREARS_FIRST = f"请先勾选【{SYSTEM_ITEM}】条目缴纳补缴的养老保险费,再缴纳当年度养老保险费"


def refused_a_tier(person: AppUser, payer: Payer, message: str) -> None:
    """选档缴费 of 300 for the payer is refused at 缴费金额 and at 【确定】, with the message and no change of state."""
    person.sign_in(payer)
    before = person.state()
    body = {**person.payer_body(payer), "insurance": "pension", "pay_type": "选档缴费", "year": 2024, "tier": 300}
    for path in ("/quote", "/orders"):
        response = person.call("POST", path, {**body, **({"idempotency_key": "k" * 24} if path == "/orders" else {})})
        refused(response, 409, "缴费类型", message)
        assert "特殊缴费" not in response.json()["error"]["message"]
    assert person.state() == before


@pytest.mark.parametrize(
    ("user", "told"),
    [
        ("taxapp", f"请勾选【{SYSTEM_ITEM}】条目,缴费金额由系统自动生成,无需选择"),
        ("zheliban", TICK_AND_PAY),
        ("etax", TICK_AND_PAY),
    ],
)
def test_the_apps_tell_a_special_status_person_which_item_to_tick(
    request: pytest.FixtureRequest, user: str, told: str, enrol: Callable[..., Payer]
) -> None:
    payer = enrol(special_status="低保对象")
    refused_a_tier(request.getfixturevalue(user), payer, f"低保对象的应缴金额由系统核定,{told}")


@pytest.mark.parametrize("user", ["taxapp", "zheliban", "etax"])
def test_the_apps_tell_a_person_with_arrears_to_tick_that_item_first(
    request: pytest.FixtureRequest, user: str, enrol: Callable[..., Payer]
) -> None:
    payer = enrol(arrears_years=(2023,))
    refused_a_tier(request.getfixturevalue(user), payer, f"有1个年度的补缴费款未缴纳:{ARREARS_FIRST}")


def test_wechat_still_says_to_choose_special_payment(wechat: Wechat, enrol: Callable[..., Payer]) -> None:
    response = wechat.order(enrol(special_status="低保对象"))
    assert response.status_code == 409
    assert response.json()["error"]["message"] == "低保对象的应缴金额由系统核定,请选择【特殊缴费】"


# 3. 合计 --------------------------------------------------------------------------------------------------------------
def open_pension(page: Page, url: str) -> None:
    """(城乡养老)缴费 for 本人: 【下一步】, then the items."""
    page.goto(url)
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("region", name="缴费信息").wait_for()


def test_taxapp_total_shows_the_amount_behind_the_confirmation_box(
    page: Page, sim: EmbeddedSimulator, tenant: str, taxapp: AppUser, enrol: Callable[..., Payer]
) -> None:
    taxapp.sign_in(enrol(special_status="低保对象"))
    in_browser(page, sim, tenant, taxapp_token=taxapp.token)
    open_pension(page, sim.url + "/taxapp/sbjf/cxyl")
    page.get_by_role("checkbox", name=SYSTEM_ITEM).check()
    expect(page.get_by_role("dialog", name="缴费信息确认")).to_be_visible()
    expect(page.locator("#total")).to_have_text("100.00")


def test_zheliban_total_shows_the_system_amount_once_ticked(
    page: Page, sim: EmbeddedSimulator, tenant: str, zheliban: Resident, enrol: Callable[..., Payer]
) -> None:
    zheliban.sign_in(enrol(arrears_years=(2022, 2023)))
    in_browser(page, sim, tenant, zheliban_token=zheliban.token)
    open_pension(page, sim.url + "/zheliban/sbf/cxyl")
    total = page.locator("#total")
    expect(total).to_have_text("0.00")
    page.get_by_role("checkbox", name=SYSTEM_ITEM).check()
    expect(total).to_have_text("200.00")  # before 【缴费】 brings up the 提示框
    expect(page.get_by_role("dialog", name="缴费信息确认")).to_be_hidden()
    page.get_by_role("checkbox", name=SYSTEM_ITEM).uncheck()
    expect(total).to_have_text("0.00")


def test_etax_total_shows_the_tier_and_the_amount_behind_the_confirmation_box(
    page: Page, sim: EmbeddedSimulator, tenant: str, etax: EtaxUser, enrol: Callable[..., Payer]
) -> None:
    etax.sign_in(enrol())
    in_browser(page, sim, tenant, etax_token=etax.token)
    open_pension(page, sim.url + "/etax/bszx/sbjf/cxyl")
    page.get_by_role("checkbox", name="城乡居民社会养老保险(2024年度)").check()
    page.get_by_role("button", name="缴费金额").click()
    page.get_by_role("dialog", name="缴费金额").get_by_text("300元", exact=True).click()
    total = page.locator("#total")
    expect(total).to_have_text("300.00")
    page.get_by_role("button", name="缴费", exact=True).click()
    expect(page.get_by_role("dialog", name="缴费信息确认")).to_be_visible()
    expect(total).to_have_text("300.00")


# 4. times, 缴费类型, receipt titles, 身份证件号码 -------------------------------------------------------------------
def test_the_result_says_each_kind_once_and_records_show_seconds(
    page: Page, sim: EmbeddedSimulator, tenant: str, taxapp: AppUser, enrol: Callable[..., Payer]
) -> None:
    payer = enrol(arrears_years=(2022, 2023))
    taxapp.sign_in(payer)
    order = taxapp.pay_through(payer, pay_type="特殊缴费", year=None, tier=None)
    in_browser(page, sim, tenant, taxapp_token=taxapp.token)
    page.goto(f"{sim.url}/taxapp/sbjf/result?order_no={order['order_no']}")
    result = page.get_by_role("region", name="缴费结果")
    expect(result.get_by_role("status")).to_have_text("缴费成功")
    assert kv(result)["缴费类型"] == "补缴"
    page.goto(f"{sim.url}/taxapp/sbjf/records")
    page.locator("#records section li").first.wait_for()
    times = [kv(row)["缴费时间"] for row in page.locator("#records section li").all()]
    assert len(times) == 2 and all(SECOND.match(t) for t in times), times
    assert times[0] == order["paid_at"][:19]


def kv(scope: Any) -> dict[str, str]:
    names = scope.locator("dt").all_inner_texts()
    values = scope.locator("dd").all_inner_texts()
    return dict(zip(names, values, strict=True))


def receipt(person: AppUser, payer: Payer) -> bytes:
    if isinstance(person, Resident):  # 第三方支付 there is a payment code to scan
        order = person.pay_by_code(person.order_no(payer))
    else:
        order = person.pay_through(payer)
    assert order["status"] == "PAID", order
    response = person.call("GET", f"/orders/{order['order_no']}/receipt")
    assert response.status_code == 200, response.text
    return response.content


@pytest.mark.parametrize(
    ("user", "title"), [("taxapp", "缴费回执单"), ("zheliban", "缴费回执单"), ("etax", "社保费电子缴款回执单")]
)
def test_each_channel_titles_its_receipt_as_the_guide_names_it(
    request: pytest.FixtureRequest, user: str, title: str, enrol: Callable[..., Payer]
) -> None:
    person: AppUser = request.getfixturevalue(user)
    payer = enrol()
    person.sign_in(payer)
    pdf = receipt(person, payer)
    metadata = PdfReader(io.BytesIO(pdf)).metadata
    assert metadata is not None and metadata.title == title
    text = pdf_text(pdf)
    assert text.startswith(title)
    assert ("电子缴款" in text) == (user == "etax")


def test_the_taxapp_asks_others_for_the_identity_document_number(
    sim: EmbeddedSimulator, taxapp: AppUser, enrol: Callable[..., Payer]
) -> None:
    taxapp.sign_in(enrol())
    page = taxapp.http.get("/taxapp/sbjf/cxyl", headers={"Cookie": f"taxapp_token={taxapp.token}"}).text
    assert '<label for="id_number">身份证件号码</label>' in page
    assert "身份证件号码" in taxapp.http.get("/taxapp/sbjf", headers={"Cookie": f"taxapp_token={taxapp.token}"}).text


# 5. a person past the age limit is told so beside the pension item --------------------------------------------------
@pytest.mark.parametrize("status", [None, "低保对象"])
def test_the_pension_item_tells_a_person_of_60_the_age_rule(
    wechat: Wechat, enrol: Callable[..., Payer], status: str | None
) -> None:
    """A 60-year-old (ordinary, or of a special status: nothing for the system to bill) sees why beside the item,
    instead of 待缴费; one of 59 still sees 待缴费."""
    for age, shown in ((60, "缴费人2024年度年龄为60周岁,不在16周岁至60周岁的参保缴费年龄范围内"), (59, "待缴费")):
        payer = enrol(age=age, special_status=status)
        body = {"name": payer.name, "id_type": "居民身份证", "id_number": payer.id_number}
        items = wechat.call("POST", "/payer/items", body).json()["items"]
        assert [i["status"] for i in items if i["insurance"] == "pension"] == [shown], (age, items)
