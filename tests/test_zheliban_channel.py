"""The 浙里办APP channel: the way in (a 浙里办 account, then the district in 办事服务), 本人 and 他人 the whole way
through, the district's tax bureau on the records and on the PDF receipt whatever the payer's own county, and bad
input refused with a Chinese message and nothing written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from fixtures.payers import Payer
from fixtures.receipts import pdf_text
from fixtures.simulator import EmbeddedSimulator, SimControl
from simulators.core.idnumber import mask
from simulators.core.models import Order
from steps.drivers.accounts import password_of
from steps.drivers.api.zheliban import ZhelibanApi
from steps.drivers.protocol import Choice
from tests.app_user import AppUser, api_driver, app_user, driver_logs_in_again, driver_pays_for_another, ref, refused

HAISHU = "330203"  # the payers' own county in these tests: never the district they choose
SAVE_IMAGE = re.compile(r"<a\b[^>]*\bhref=\"([^\"]+\.png)\"[^>]*\bdownload=\"([^\"]+)\"[^>]*>\s*保存图片\s*</a>", re.S)


BUREAUS = {
    "海曙区": "国家税务总局宁波市海曙区税务局",
    "江北区": "国家税务总局宁波市江北区税务局",
    "北仑区": "国家税务总局宁波市北仑区税务局",
    "镇海区": "国家税务总局宁波市镇海区税务局",
    "鄞州区": "国家税务总局宁波市鄞州区税务局",
    "奉化区": "国家税务总局宁波市奉化区税务局",
    "余姚市": "国家税务总局余姚市税务局",
    "慈溪市": "国家税务总局慈溪市税务局",
    "象山县": "国家税务总局象山县税务局",
    "宁海县": "国家税务总局宁海县税务局",
}
DISTRICTS = tuple(BUREAUS)  # in the order the page lists them


def bureau(district: str) -> str:
    return BUREAUS[district]


@dataclass
class Resident(AppUser):
    """A 浙里办 user: registered and logged in, with a district chosen in 办事服务."""

    channel: str = "zheliban"

    def sign_in(self, payer: Payer, district: str | None = "奉化区") -> Resident:
        response = self.register(payer)
        assert response.status_code == 201, response.text
        self.token = response.json()["token"]
        if district:
            self.ok("POST", "/district", {"district": district})
        return self

    def pay_by_code(self, order_no: str) -> dict[str, Any]:
        """第三方支付: the payment code's page, 【保存图片】 (the PNG), Alipay's 扫一扫 of it, 确认付款."""
        url = self.ok("POST", f"/orders/{order_no}/pay", {"gateway": "alipay_qr"})["cashier_url"]
        assert url.startswith("/pay/alipay/qr/") and "redirect=%2Fzheliban%2Fsbf%2Fresult" in url
        page = self.http.get(url)
        link = SAVE_IMAGE.search(page.text)
        assert link is not None, page.text
        saved = self.http.get(link.group(1))
        assert saved.headers["content-type"] == "image/png" and saved.content.startswith(b"\x89PNG")
        assert link.group(2).endswith(f"{order_no}.png")
        scanned = self.http.post("/pay/alipay/scan", content=saved.content, headers={"Content-Type": "image/png"})
        assert scanned.status_code == 200, scanned.text
        confirmed = self.http.post(scanned.json()["cashier_url"] + "/pay", json={})
        assert confirmed.is_success, confirmed.text
        return self.ok("GET", f"/orders/{order_no}")

    def records(self, payer: Payer) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = self.ok("POST", "/records/query", self.payer_body(payer))["records"]
        return records


@pytest.fixture
def user(sim: EmbeddedSimulator, sim_control: SimControl, tenant: str) -> Iterator[Resident]:
    with app_user(sim, sim_control, tenant, Resident) as person:
        yield person


@pytest.fixture
def haishu(enrol, fake):
    """Payers whose ID number names 海曙区 (so born since 1983, when its code began), so that the bureau on a
    record can only come from the district chosen."""
    return lambda **traits: enrol(county_code=HAISHU, age=fake.random_int(18, 40), **traits)


# the whole way ---------------------------------------------------------------------------------------------------
def test_oneself_the_whole_way_with_the_payment_code_and_the_chosen_districts_bureau(user: Resident, haishu) -> None:
    payer = haishu()
    user.sign_in(payer, "奉化区")
    assert user.ok("GET", "/me")["business"] is None  # no 个人业务/企业业务 choice in 浙里办
    items = user.ok("POST", "/payer/items", user.payer_body(payer))["items"]
    assert [(i["name"], i["status"], i["years"]) for i in items if i["insurance"] == "pension"] == [
        ("城乡居民基本养老保险费", "待缴费", [2024])
    ]
    quote = user.ok("POST", "/quote", {**user.payer_body(payer), "pay_type": "选档缴费", "year": 2024, "tier": 500})
    assert quote["amount"] == "500.00"
    order = user.order(payer, tier=500, expected_amount="500.00")
    assert order.status_code == 201, order.text
    paid = user.pay_by_code(order.json()["order_no"])
    assert paid["status"] == "PAID" and paid["gateway"] == "alipay_qr"
    (record,) = user.records(payer)
    assert (record["year"], record["kind"], record["amount"]) == (2024, "正常应缴", "500.00")
    assert record["tax_authority"] == bureau("奉化区")
    receipt = user.call("GET", f"/orders/{paid['order_no']}/receipt")
    assert receipt.status_code == 200 and receipt.headers["content-type"] == "application/pdf"
    text = pdf_text(receipt.content)
    assert bureau("奉化区") in text and bureau("海曙区") not in text
    assert "浙里办(支付宝扫码)" in text
    assert payer.name in text and mask(payer.id_number) in text and payer.id_number not in text
    assert record["ticket_no"] in text and "¥500.00" in text


def test_others_the_whole_way_with_agreement_payment(user: Resident, haishu, sim_control: SimControl) -> None:
    me, other = haishu(), haishu(arrears_years=(2022, 2023))
    user.sign_in(me, "余姚市")
    verified = user.ok("POST", "/others", user.other(other))["payer"]
    assert verified["masked_id"] == mask(other.id_number)
    sim_control.sign_agreement(user.tenant, other.id_number, balance=1000)
    order = user.order(other, pay_type="特殊缴费", year=None, tier=None)
    assert order.status_code == 201, order.text
    url = user.ok("POST", f"/orders/{order.json()['order_no']}/pay", {"gateway": "agreement"})["cashier_url"]
    assert url == f"/zheliban/sbf/result?order_no={order.json()['order_no']}"
    assert user.ok("GET", f"/orders/{order.json()['order_no']}")["status"] == "PAID"
    records = user.records(other)
    assert sorted((r["year"], r["kind"], r["amount"]) for r in records) == [
        (2022, "补缴", "100.00"),
        (2023, "补缴", "100.00"),
    ]
    assert {r["tax_authority"] for r in records} == {bureau("余姚市")}
    assert user.records(me) == []
    text = pdf_text(user.call("GET", f"/orders/{order.json()['order_no']}/receipt").content)
    assert bureau("余姚市") in text and "浙里办(协议支付)" in text and text.count("补缴") == 2


@pytest.mark.parametrize("district", DISTRICTS)
def test_each_district_pays_through_its_own_bureau(
    user: Resident, haishu, sim_control: SimControl, district: str
) -> None:
    payer = haishu()
    user.sign_in(payer, district)
    sim_control.sign_agreement(user.tenant, payer.id_number, balance=1000)
    order_no = user.order_no(payer)
    user.ok("POST", f"/orders/{order_no}/pay", {"gateway": "agreement"})
    assert [r["tax_authority"] for r in user.records(payer)] == [bureau(district)]
    code = next(d["code"] for d in user.ok("GET", "/districts")["districts"] if d["name"] == district)
    with user.sim.db.transaction() as session:
        order = session.get(Order, order_no)
        assert order is not None and order.tax_district == code


def test_the_districts_are_ningbos_current_districts_and_counties(user: Resident, haishu) -> None:
    user.sign_in(haishu(), None)
    shown = user.ok("GET", "/districts")
    assert shown["city"] == "宁波市" and shown["chosen"] is None
    assert [(d["name"], d["tax_authority"]) for d in shown["districts"]] == [(d, bureau(d)) for d in DISTRICTS]
    assert [d["code"] for d in shown["districts"]] == [
        "330203",
        "330205",
        "330206",
        "330211",
        "330212",
        "330213",
        "330281",
        "330282",
        "330225",
        "330226",
    ]
    chosen = user.ok("POST", "/district", {"district": "宁海县"})
    assert chosen == {"district": "宁海县", "code": "330226", "tax_authority": bureau("宁海县")}
    assert user.ok("GET", "/districts")["chosen"] == "宁海县"


def test_other_channels_keep_the_payers_own_bureau(
    user: Resident, haishu, sim: EmbeddedSimulator, sim_control: SimControl, tenant: str
) -> None:
    payer = haishu(arrears_years=(2023,))
    user.sign_in(payer, "奉化区")
    sim_control.sign_agreement(tenant, payer.id_number, balance=1000)
    arrears = user.order_no(payer, pay_type="特殊缴费", year=None, tier=None)
    user.ok("POST", f"/orders/{arrears}/pay", {"gateway": "agreement"})
    sim_control.advance(tenant, 61)  # one SMS code a minute to a phone, whatever app asks
    with app_user(sim, sim_control, tenant, AppUser) as taxapp:
        assert taxapp.sign_in(payer).pay_through(payer)["status"] == "PAID"
    by_year = {r["year"]: r["tax_authority"] for r in user.records(payer)}
    assert by_year == {2023: bureau("奉化区"), 2024: bureau("海曙区")}


# bad input: a 4xx with a Chinese message, and nothing written ---------------------------------------------------------
@pytest.mark.parametrize("name", ["宁波市", "江东区", "杭州市", "奉化市", "330213"])
def test_an_unknown_district_is_refused(user: Resident, haishu, name: str) -> None:
    user.sign_in(haishu(), "鄞州区")
    before = user.state()
    refused(user.call("POST", "/district", {"district": name}), 422, "地区", "不在宁波市的区、县(市)之中")
    assert user.state() == before
    assert user.ok("GET", "/districts")["chosen"] == "鄞州区"


def test_a_district_needs_a_login(user: Resident) -> None:
    before = user.state()
    refused(user.call("POST", "/district", {"district": "奉化区"}), 401, "登录", "请先登录浙里办")
    assert user.state() == before


def test_without_a_district_nothing_is_listed_or_ordered(user: Resident, haishu) -> None:
    payer = haishu()
    user.sign_in(payer, None)
    before = user.state()
    refused(user.call("POST", "/payer/items", user.payer_body(payer)), 409, "地区", "请先在【办事服务】中选择")
    refused(user.order(payer), 409, "地区", "请先在【办事服务】中选择")
    assert user.state() == before


def test_a_wrong_random_code_is_refused(user: Resident, haishu) -> None:
    me, other = haishu(), haishu()
    user.sign_in(me)
    body = user.other(other)
    wrong = "0000" if body["captcha"] != "0000" else "1111"
    with user.spends_only_the_picture():
        refused(user.call("POST", "/others", {**body, "captcha": wrong}), 422, "随机验证码", "随机验证码错误")
    refused(user.call("POST", "/payer/items", user.payer_body(other)), 409, "证件号码", "选择他人")


def test_others_phone_must_be_the_one_registered(user: Resident, haishu) -> None:
    me, other = haishu(), haishu()
    user.sign_in(me)
    user.check_mismatched_other_refused(other, {"phone": me.phone}, 422, "手机号码", "与缴费人登记的手机号码不一致")
    assert user.ok("GET", "/me")["others"] == []


def test_paying_needs_a_login(user: Resident, haishu, sim: EmbeddedSimulator, tenant: str) -> None:
    payer = haishu()
    user.sign_in(payer)
    order_no = user.order_no(payer)
    user.token = ""
    before = user.state()
    with app_user(sim, user.control, tenant, Resident) as stranger:
        refused(stranger.order(payer), 401, "登录", "请先登录浙里办")
        refused(stranger.pay(order_no, "alipay_qr"), 401, "登录", "请先登录浙里办")
        refused(stranger.call("GET", f"/orders/{order_no}/receipt"), 401, "登录", "请先登录浙里办")
    assert user.state() == before


def test_a_closed_order_cannot_be_paid(user: Resident, haishu) -> None:
    payer = haishu()
    user.sign_in(payer)
    user.check_closed_order_refused(payer, "alipay_qr")


def test_only_the_apps_payment_ways_are_offered(user: Resident, haishu) -> None:
    payer = haishu()
    user.sign_in(payer)
    user.check_other_ways_refused(payer, "wechatpay", "支付宝扫码、协议支付")


# pages ----------------------------------------------------------------------------------------------------------
def test_pages_send_a_person_to_log_in_then_to_choose_a_district(user: Resident, haishu) -> None:
    def where(path: str) -> str:
        response = user.http.get(path, follow_redirects=False)
        location: str = response.headers.get("location", str(response.status_code))
        return location

    assert where("/zheliban/sbf/cxyl") == "/zheliban/login"
    assert where("/zheliban/") == "200"
    user.register(haishu())  # the client keeps the new login's cookie, as a browser does
    assert where("/zheliban/") == "/zheliban/home"
    assert where("/zheliban/home") == "200"
    for path in ("/zheliban/area", "/zheliban/yzb", "/zheliban/dept", "/zheliban/sbf", "/zheliban/sbf/cxyl"):
        assert where(path) == "/zheliban/services", path
    user.http.post("/zheliban/api/district", json={"district": "象山县"})
    assert where("/zheliban/sbf/cxyl") == "200"
    departments = user.http.get("/zheliban/yzb").text
    assert f'<a href="/zheliban/dept">{bureau("象山县")}' in departments and "象山县人力资源和社会保障局" in departments
    assert bureau("象山县") in user.http.get("/zheliban/sbf/cxyl").text


def test_the_landing_page_lists_the_app(user: Resident) -> None:
    assert 'href="/zheliban/"' in user.http.get("/").text


# the harness's API driver ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("gateway", ["alipay_qr", "agreement"])
def test_the_api_driver_pays_for_others_every_way_the_app_offers(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, haishu, gateway: str
) -> None:
    payer, family = haishu(), haishu()
    if gateway == "agreement":
        sim_control.sign_agreement(tenant, payer.id_number, balance=1000)
    with api_driver(sim, sim_control, tenant, ZhelibanApi) as driver:
        assert bureau("奉化区") in driver_pays_for_another(driver, payer, family, gateway)


def test_the_api_driver_logs_in_again_after_the_login_ended(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, haishu
) -> None:
    with api_driver(sim, sim_control, tenant, ZhelibanApi) as driver:
        driver_logs_in_again(driver, sim_control, tenant, haishu())


def test_the_api_driver_goes_to_the_district_a_step_picks(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, haishu
) -> None:
    first, second = haishu(arrears_years=(2023,)), haishu()
    with api_driver(sim, sim_control, tenant, ZhelibanApi, district="北仑区") as driver:
        assert driver.pay(ref(first), Choice("特殊缴费")).paid
        driver.district = "慈溪市"
        assert driver.pay(ref(first), Choice("选档缴费", 2024, 300)).paid
        items = driver.insured_items(ref(second))
        assert items.status_of("城乡居民基本养老保险费") == "待缴费"
    with app_user(sim, sim_control, tenant, Resident) as user:
        user.token = user.ok("POST", "/sessions", {"phone": first.phone, "password": password_of(ref(first))})["token"]
        user.ok("POST", "/district", {"district": "奉化区"})
        by_year = {r["year"]: r["tax_authority"] for r in user.records(first)}
    assert by_year == {2023: bureau("北仑区"), 2024: bureau("慈溪市")}
