"""The 宁波税务APP channel: who may pay for whom (本人, or 他人 after the check of five fields), orders that can no
longer be paid, its pages' way in, and the PDF receipt (打印缴费回执单) with the fields it must carry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.receipts import pdf_text
from fixtures.simulator import EmbeddedSimulator, SimControl, embedded
from simulators.core import receipts
from simulators.core.idnumber import mask
from steps.drivers.api.client import connect
from steps.drivers.api.taxapp import TaxappApi
from tests.app_user import AppUser, api_driver, app_user, driver_logs_in_again, driver_pays_for_another, refused


@pytest.fixture
def user(sim: EmbeddedSimulator, sim_control: SimControl, tenant: str) -> Iterator[AppUser]:
    with app_user(sim, sim_control, tenant, AppUser) as person:
        yield person


# 本人 and 他人 --------------------------------------------------------------------------------------------------
def test_self_cannot_be_spoofed_by_typing_someone_elses_identity(user: AppUser, enrol) -> None:
    me, other = enrol(), enrol()
    user.sign_in(me)
    before = user.state()
    for path, body in (("/payer/items", user.payer_body(other)), ("/records/query", user.payer_body(other))):
        refused(user.call("POST", path, body), 409, "证件号码", "请在【办理对象】中选择他人")
    refused(user.order(other), 409, "证件号码", "随机验证码完成核验")
    assert user.state() == before
    assert user.call("POST", "/payer/items", user.payer_body(me)).status_code == 200


def test_an_unknown_identity_gets_the_same_answer_as_an_unverified_one(user: AppUser, enrol, fake) -> None:
    user.sign_in(enrol())
    stranger = fake.ningbo_payer()
    refused(user.call("POST", "/payer/items", user.payer_body(stranger)), 409, "证件号码", "选择他人")


def test_others_are_paid_for_after_the_five_fields_match(user: AppUser, enrol) -> None:
    me, other = enrol(), enrol()
    user.sign_in(me)
    verified = user.ok("POST", "/others", user.other(other))["payer"]
    assert verified["masked_id"] == mask(other.id_number)
    assert [p["id_number"] for p in user.ok("GET", "/me")["others"]] == [other.id_number]
    assert user.pay_through(other)["status"] == "PAID"
    assert [r["year"] for r in user.ok("POST", "/records/query", user.payer_body(other))["records"]] == [2024]
    assert user.ok("POST", "/records/query", user.payer_body(me))["records"] == []


def test_others_are_forgotten_with_the_login(user: AppUser, enrol) -> None:
    me, other = enrol(), enrol()
    user.sign_in(me)
    user.ok("POST", "/others", user.other(other))
    user.token = user.ok("POST", "/sessions", {"phone": me.phone, "password": "Abc12345"})["token"]
    user.ok("POST", "/business", {"business": "个人业务"})
    refused(user.call("POST", "/payer/items", user.payer_body(other)), 409, "证件号码", "选择他人")


@pytest.mark.parametrize(
    ("case", "change", "status", "field", "message"),
    [
        ("phone of someone else", lambda o, me: {"phone": me.phone}, 422, "手机号码", "与缴费人登记的手机号码不一致"),
        ("malformed phone", lambda o, me: {"phone": "12345"}, 422, "手机号码", "11位"),
        (
            "name does not match",
            lambda o, me: {"name": o.name + "某"},
            404,
            "证件号码",
            "未查询到该缴费人的有效参保信息",
        ),
        ("another ID type", lambda o, me: {"id_type": "外国人永久居留身份证"}, 404, "证件号码", "未查询到该缴费人"),
        ("wrong random code", lambda o, me: {"captcha": "0000"}, 422, "随机验证码", "随机验证码错误"),
    ],
)
def test_others_that_do_not_match_the_registry_are_refused(
    user: AppUser, enrol, case, change, status, field, message
) -> None:
    me, other = enrol(), enrol()
    user.sign_in(me)
    user.check_mismatched_other_refused(other, change(other, me), status, field, message)
    assert user.ok("GET", "/me")["others"] == []


def test_others_need_a_login_with_personal_business(user: AppUser, enrol) -> None:
    other = enrol()
    shown, text = user.captcha()
    before = user.state()
    body = {
        "id_type": "居民身份证",
        "name": other.name,
        "id_number": other.id_number,
        "phone": other.phone,
        "captcha_id": shown,
        "captcha": text,
    }
    refused(user.call("POST", "/others", body), 401, "登录", "请先登录宁波税务APP")
    assert user.state() == before


# orders ------------------------------------------------------------------------------------------------------------
def test_a_closed_order_cannot_be_paid(user: AppUser, enrol) -> None:
    payer = enrol()
    user.sign_in(payer)
    user.check_closed_order_refused(payer, "ccb")


def test_an_expired_order_cannot_be_paid(user: AppUser, enrol) -> None:
    payer = enrol()
    user.sign_in(payer)
    order_no = user.order_no(payer)
    user.control.advance(user.tenant, 121 * 60)  # the login has ended too: log in again
    user.token = user.ok("POST", "/sessions", {"phone": payer.phone, "password": "Abc12345"})["token"]
    user.ok("POST", "/business", {"business": "个人业务"})
    before = user.state()
    refused(user.pay(order_no, "ccb"), 409, "订单号", "已超过支付期限")
    assert user.state() == before


def test_only_the_apps_payment_ways_are_offered(user: AppUser, enrol) -> None:
    payer = enrol()
    user.sign_in(payer)
    user.check_other_ways_refused(payer, "alipay", "建设银行、微信支付、支付宝扫码、协议支付")


def test_agreement_payment_settles_at_once_or_says_why_not(user: AppUser, enrol) -> None:
    payer = enrol()
    user.sign_in(payer)
    failed = user.order_no(payer)
    url = user.ok("POST", f"/orders/{failed}/pay", {"gateway": "agreement"})["cashier_url"]
    assert url == f"/taxapp/sbjf/result?order_no={failed}"
    order = user.ok("GET", f"/orders/{failed}")
    assert order["status"] == "FAILED" and "未签订三方协议" in order["failure"]
    user.control.sign_agreement(user.tenant, payer.id_number, balance=1000)
    paid = user.order_no(payer)
    user.ok("POST", f"/orders/{paid}/pay", {"gateway": "agreement"})
    assert user.ok("GET", f"/orders/{paid}")["status"] == "PAID"


# pages -----------------------------------------------------------------------------------------------------------
def test_pages_behind_the_login_send_a_person_to_log_in_then_to_personal_business(user: AppUser, enrol) -> None:
    def where(path: str) -> str:
        response = user.http.get(path, follow_redirects=False)
        location: str = response.headers.get("location", str(response.status_code))
        return location

    assert where("/taxapp/sbjf/cxyl") == "/taxapp/login"
    assert where("/taxapp/") == "200"
    payer = enrol()
    user.register(payer)  # the cookie of the new login is kept by the client, as a browser keeps it
    assert where("/taxapp/home") == "/taxapp/identity"
    user.http.post("/taxapp/api/business", json={"business": "个人业务"})
    assert where("/taxapp/sbjf/cxyl") == "200"
    assert where("/taxapp/") == "/taxapp/home"


def test_the_landing_page_lists_the_app(user: AppUser) -> None:
    assert 'href="/taxapp/"' in user.http.get("/").text


# 打印缴费回执单 ----------------------------------------------------------------------------------------------------
def test_the_receipt_is_a_pdf_with_the_fields_of_a_payment_record(user: AppUser, enrol) -> None:
    payer = enrol(arrears_years=(2022, 2023))
    user.sign_in(payer)
    order = user.pay_through(payer, pay_type="特殊缴费", year=None, tier=None)
    assert order["status"] == "PAID"
    response = user.call("GET", f"/orders/{order['order_no']}/receipt")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and f"receipt-{order['order_no']}.pdf" in disposition
    assert "filename*=UTF-8''%E7%BC%B4%E8%B4%B9%E5%9B%9E%E6%89%A7%E5%8D%95" in disposition  # 缴费回执单
    text = pdf_text(response.content)
    records = user.ok("POST", "/records/query", user.payer_body(payer))["records"]
    assert text.startswith("缴费回执单") and "电子缴款" not in text  # the 电子税务局's name is its own
    assert payer.name in text
    assert mask(payer.id_number) in text and payer.id_number not in text
    assert "城乡居民基本养老保险费" in text
    assert "宁波税务APP(建设银行)" in text
    assert "¥200.00" in text and "人民币贰佰元整" in text
    for record in records:
        assert f"{record['year']}-01-01至{record['year']}-12-31" in text
        assert record["ticket_no"] in text
        assert record["tax_authority"] in text
        assert record["paid_at"][:19].replace(" ", "") in text
    assert text.count("补缴") == 2


def test_receipts_only_for_paid_orders_of_payers_of_this_login(
    user: AppUser, enrol, sim: EmbeddedSimulator, sim_control: SimControl, tenant: str
) -> None:
    payer, other = enrol(), enrol()
    user.sign_in(payer)
    unpaid = user.order_no(payer)
    refused(user.call("GET", f"/orders/{unpaid}/receipt"), 409, "订单号", "尚未缴费成功,没有缴费回执单")
    with app_user(sim, sim_control, tenant, AppUser) as someone:
        someone.sign_in(other)
        paid = someone.pay_through(other)["order_no"]
    refused(user.call("GET", f"/orders/{paid}/receipt"), 404, "订单号", "只能打印本人或已核验的他人的缴费回执单")
    refused(user.call("GET", "/orders/NB000/receipt"), 404, "订单号", "不存在")


def test_without_the_font_a_receipt_is_a_clear_503(tmp_path: Path, sim_control: SimControl, fake) -> None:
    with embedded(tmp_path / "nofont.db", font=str(tmp_path / "missing.ttc")) as bare:
        control = SimControl(bare.url)
        payer = fake.ningbo_payer()
        control.create_tenant("nofont", 1, payers=[payer.to_json()])
        with app_user(bare, control, "nofont", AppUser) as person:
            person.sign_in(payer)
            order_no = person.pay_through(payer)["order_no"]
            response = person.call("GET", f"/orders/{order_no}/receipt")
        control.close()
    assert response.status_code == 503
    assert response.json()["error"]["message"].startswith("找不到回执单字体文件")
    assert response.json()["error"]["field"] == "回执单字体"


@pytest.mark.parametrize(
    ("fen", "words"),
    [
        (30000, "叁佰元整"),
        (10000, "壹佰元整"),
        (100500, "壹仟零伍元整"),
        (1050000, "壹万零伍佰元整"),
        (200050, "贰仟元伍角"),
        (12, "零元壹角贰分"),
        (1005, "壹拾元零伍分"),
        (100000000, "壹佰万元整"),
    ],
)
def test_amounts_in_capital_figures(fen: int, words: str) -> None:
    assert receipts.capital(fen) == words


def test_the_font_is_noto_sans_cjk_sc() -> None:
    font = receipts.find_font(None)
    assert font.path.endswith(".ttc") and font.index == 2  # NotoSansCJK-Regular.ttc: JP, KR, SC, …
    with pytest.raises(receipts.ReceiptUnavailable) as missing:
        receipts.find_font("/no/such/font.ttc")
    assert missing.value.status == 503


def test_a_receipt_needs_a_login(sim: EmbeddedSimulator) -> None:
    with connect(sim.url) as http:
        response = http.get("/taxapp/api/orders/NB1/receipt")
    refused(response, 401, "登录", "请先登录宁波税务APP")


# the harness's API driver ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("gateway", ["ccb", "wechatpay", "alipay_qr", "agreement"])
def test_the_api_driver_pays_every_way_the_app_offers(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, enrol, gateway: str
) -> None:
    payer, family = enrol(), enrol()
    if gateway == "agreement":
        sim_control.sign_agreement(tenant, payer.id_number, balance=1000)
    with api_driver(sim, sim_control, tenant, TaxappApi) as driver:
        driver_pays_for_another(driver, payer, family, gateway)


def test_the_api_driver_logs_in_again_after_the_login_ended(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, enrol
) -> None:
    with api_driver(sim, sim_control, tenant, TaxappApi) as driver:
        driver_logs_in_again(driver, sim_control, tenant, enrol())


@pytest.mark.parametrize("gateway", ["ccb", "wechatpay", "alipay_qr"])
def test_an_order_cannot_be_paid_from_the_second_its_deadline_comes_whichever_the_provider(
    user: AppUser, enrol, gateway: str
) -> None:
    # Alipay and CCB are told the deadline to the second and refuse it once it has come; the merchant refuses it
    # first, in its own words, for every provider alike (WeChat Pay would open a cashier for it).
    payer = enrol()
    user.control.set_clock(user.tenant, "2024-03-01T09:00:00.250000", frozen=True)
    user.sign_in(payer)
    order_no = user.order_no(payer)
    user.control.set_clock(user.tenant, "2024-03-01T11:00:00", frozen=True)
    user.token = user.ok("POST", "/sessions", {"phone": payer.phone, "password": "Abc12345"})["token"]
    user.ok("POST", "/business", {"business": "个人业务"})
    before = user.state()
    refused(user.pay(order_no, gateway), 409, "订单号", "已超过支付期限")
    assert user.state() == before
