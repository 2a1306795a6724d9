"""The 宁波市电子税务局 channel: 用户注册, 登录 by 居民身份证号码/手机号码/用户名 with a second factor
(短信验证, 税务APP扫码, 个人所得税APP扫码), the lock after five wrong passwords, 本人 and 他人, its payment ways,
its pages and the PDF receipt. Every refusal is a 4xx with a Chinese message naming the field, and writes nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from fixtures.payers import Payer
from fixtures.receipts import pdf_text
from fixtures.simulator import EmbeddedSimulator, SimControl
from simulators.core import qrlogin
from simulators.core.idnumber import mask
from simulators.core.models import AppAccount
from simulators.qrcodes import QR_CODES
from steps.drivers.api.etax import EtaxApi
from tests.app_user import (
    PASSWORD,
    AppUser,
    api_driver,
    app_user,
    driver_logs_in_again,
    driver_pays_for_another,
    ref,
    refused,
)


@dataclass
class EtaxUser(AppUser):
    """A person at the 电子税务局's pages, as its pages call its back end: registering leaves them at 登录, and a
    login counts only once its second factor is done."""

    channel: str = "etax"

    def log_in(self, login_name: str, password: str = PASSWORD) -> httpx.Response:
        response = self.call(
            "POST", "/sessions", {"login_name": login_name, "password": password, "business": "自然人业务"}
        )
        if response.is_success:
            self.token = response.json()["token"]
        return response

    def pass_sms(self) -> None:
        self.ok("POST", "/login/sms-code")
        self.ok("POST", "/login/sms", {"sms_code": self.login_code()})

    def login_code(self) -> str:
        phone = self.ok("GET", "/login")["phone"]
        texts = [
            m
            for m in self.control.sms(self.tenant)
            if m["code"] and "登录验证码" in m["text"] and m["phone"][:3] == phone[:3] and m["phone"][-4:] == phone[-4:]
        ]
        code: str = texts[-1]["code"]
        return code

    def sign_in(self, payer: Payer, **registration: Any) -> EtaxUser:
        """用户注册 (if new), 登录 with the ID number, 短信验证."""
        if not self._registered(payer):
            response = self.register(payer, **registration)
            assert response.status_code == 201, response.text
            assert response.json()["token"] == ""  # registering does not log in here
        assert self.log_in(payer.id_number).status_code == 200
        self.pass_sms()
        return self

    def _registered(self, payer: Payer) -> bool:
        with self.sim.db.transaction() as session:
            return (
                session.scalars(
                    select(AppAccount).where(
                        AppAccount.tenant_id == self.tenant,
                        AppAccount.channel == "etax",
                        AppAccount.phone == payer.phone,
                    )
                ).first()
                is not None
            )

    def qr(self, app: str = "taxapp") -> dict[str, Any]:
        return self.ok("POST", "/login/qr", {"scan_app": app})

    def account(self, payer: Payer) -> AppAccount:
        with self.sim.db.transaction() as session:
            return session.scalars(
                select(AppAccount).where(
                    AppAccount.tenant_id == self.tenant, AppAccount.channel == "etax", AppAccount.phone == payer.phone
                )
            ).one()


@pytest.fixture
def person(sim: EmbeddedSimulator, sim_control: SimControl, tenant: str) -> Iterator[EtaxUser]:
    with app_user(sim, sim_control, tenant, EtaxUser) as user:
        yield user


def registered(person: EtaxUser, payer: Payer, **changes: Any) -> Payer:
    response = person.register(payer, **changes)
    assert response.status_code == 201, response.text
    return payer


def decoded(png: bytes) -> str:
    with Image.open(io.BytesIO(png)) as picture:
        found = zxingcpp.read_barcodes(picture.convert("L"), formats=QR_CODES)
    assert len(found) == 1
    return found[0].text


# the whole way --------------------------------------------------------------------------------------------------
def test_the_whole_way_register_log_in_by_sms_pay_and_print_the_receipt(person: EtaxUser, enrol) -> None:
    payer = enrol()
    answer = person.register(payer, username="nb_payer1")
    assert answer.status_code == 201 and answer.json() == {
        "token": "",
        "phone": answer.json()["phone"],
        "username": "nb_payer1",
    }
    refused(person.call("GET", "/me"), 401, "登录", "请先登录宁波市电子税务局")
    logged = person.log_in(payer.id_number)
    assert logged.json()["second_factor"] == ["sms", "taxapp", "iit"]
    assert person.ok("GET", "/login")["phone"] == payer.phone[:3] + "****" + payer.phone[-4:]
    person.pass_sms()
    me = person.ok("GET", "/me")
    assert me["business"] == "自然人业务" and me["username"] == "nb_payer1" and me["self"]["name"] == payer.name
    assert person.control.sms(person.tenant, payer.phone)[-1]["text"].startswith("【宁波市电子税务局】您的登录验证码为")
    order = person.pay_through(payer, tier=500)
    assert order["status"] == "PAID" and order["amount"] == "500.00" and order["channel"] == "etax"
    rows = person.ok("POST", "/records/query", person.payer_body(payer))["records"]
    assert [(r["year"], r["kind"], r["amount"]) for r in rows] == [(2024, "正常应缴", "500.00")]
    receipt = person.call("GET", f"/orders/{order['order_no']}/receipt")
    assert receipt.headers["content-type"] == "application/pdf"
    text = pdf_text(receipt.content)
    assert "社保费电子缴款回执单" in text and "宁波市电子税务局(建设银行)" in text
    assert mask(payer.id_number) in text and payer.id_number not in text and rows[0]["ticket_no"] in text


@pytest.mark.parametrize("which", ["id_number", "phone", "username", "lower-case x"])
def test_the_account_is_the_id_number_the_phone_or_the_user_name(person: EtaxUser, enrol, fake, which: str) -> None:
    payer = enrol()
    while which == "lower-case x" and not payer.id_number.endswith("X"):
        payer = enrol()
    registered(person, payer, username="Zhang_3")
    typed = {
        "id_number": payer.id_number,
        "phone": payer.phone,
        "username": "Zhang_3",
        "lower-case x": payer.id_number.lower(),
    }[which]
    assert person.log_in(typed).status_code == 200


def test_an_unknown_account_says_to_register_first(person: EtaxUser, enrol) -> None:
    payer = registered(person, enrol())
    stranger = enrol()
    before = person.state()
    for typed, shown in ((stranger.id_number, mask(stranger.id_number)), ("nobody_here", "nobody_here")):
        refused(person.log_in(typed), 401, "居民身份证号码/手机号码/用户名", f"{shown}尚未注册,请先【用户注册】")
    refused(person.log_in(payer.phone, ""), 422, "密码", "密码不能为空")
    refused(person.log_in(""), 422, "居民身份证号码/手机号码/用户名", "请输入居民身份证号码/手机号码/用户名")
    assert person.state() == before


def test_enterprise_business_is_not_simulated(person: EtaxUser, enrol) -> None:
    payer = registered(person, enrol())
    before = person.state()
    response = person.call(
        "POST", "/sessions", {"login_name": payer.phone, "password": PASSWORD, "business": "企业业务"}
    )
    refused(response, 409, "业务类型", "本模拟只提供【自然人业务】,企业业务不在模拟范围内")
    assert person.state() == before


# 他人 --------------------------------------------------------------------------------------------------------------
def test_others_are_verified_by_name_id_phone_and_random_code_without_an_id_type(person: EtaxUser, enrol) -> None:
    me, other = enrol(), enrol()
    person.sign_in(me)
    refused(person.call("POST", "/payer/items", person.payer_body(other)), 409, "证件号码", "在【办理对象】中选择他人")
    body = {k: v for k, v in person.other(other).items() if k != "id_type"}  # the guide names no 证件类型 here
    assert person.ok("POST", "/others", body)["payer"]["masked_id"] == mask(other.id_number)
    assert person.pay_through(other)["status"] == "PAID"
    assert [r["year"] for r in person.ok("POST", "/records/query", person.payer_body(other))["records"]] == [2024]
    assert person.ok("POST", "/records/query", person.payer_body(me))["records"] == []


@pytest.mark.parametrize(
    ("change", "status", "field", "message"),
    [
        (lambda o, me: {"phone": me.phone}, 422, "手机号码", "与缴费人登记的手机号码不一致"),
        (lambda o, me: {"name": o.name + "某"}, 404, "证件号码", "未查询到该缴费人的有效参保信息"),
        (lambda o, me: {"captcha": "0000"}, 422, "随机验证码", "随机验证码错误"),
    ],
)
def test_others_that_do_not_match_are_refused(person: EtaxUser, enrol, change, status, field, message) -> None:
    me, other = enrol(), enrol()
    person.sign_in(me)
    person.check_mismatched_other_refused(other, change(other, me), status, field, message)


# the lock after five wrong passwords --------------------------------------------------------------------------------
def test_five_wrong_passwords_lock_the_account_for_half_an_hour(person: EtaxUser, enrol) -> None:
    payer = registered(person, enrol())
    person.control.set_clock(person.tenant, "2024-03-01T09:00:00", frozen=True)
    before = person.state()
    for left in (4, 3, 2, 1):
        refused(
            person.log_in(payer.id_number, "Wrong1234"),
            401,
            "密码",
            f"密码错误,请重新输入(再输错{left}次,账号将被锁定30分钟)",
        )
    refused(
        person.log_in(payer.phone, "Wrong1234"),
        401,
        "密码",
        "密码已连续输错5次,账号已锁定30分钟,请于2024-03-01 09:30:00后再登录",
    )
    assert person.state() == before  # no session, no code: only the account's count and lock changed
    assert person.account(payer).locked_until is not None
    refused(person.log_in(payer.id_number), 409, "密码", "账号已锁定30分钟,请于2024-03-01 09:30:00后再登录")
    person.control.advance(person.tenant, 29 * 60 + 59)
    refused(person.log_in(payer.id_number), 409, "密码", "请于2024-03-01 09:30:00后再登录")
    assert person.state() == before
    person.control.advance(person.tenant, 1)
    assert person.log_in(payer.id_number).status_code == 200
    assert person.account(payer).failed_logins == 0 and person.account(payer).locked_until is None


def test_a_right_password_resets_the_count(person: EtaxUser, enrol) -> None:
    payer = registered(person, enrol())
    for _ in range(4):
        assert person.log_in(payer.id_number, "Wrong1234").status_code == 401
    assert person.log_in(payer.id_number).status_code == 200
    refused(person.log_in(payer.id_number, "Wrong1234"), 401, "密码", "再输错4次")
    assert person.account(payer).failed_logins == 1


def test_the_lock_protects_the_taxapp_too(sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, enrol) -> None:
    payer = enrol()
    with app_user(sim, sim_control, tenant, AppUser) as user:
        assert user.register(payer).status_code == 201
        for _ in range(5):
            assert user.call("POST", "/sessions", {"phone": payer.phone, "password": "Wrong1234"}).status_code == 401
        refused(
            user.call("POST", "/sessions", {"phone": payer.phone, "password": PASSWORD}),
            409,
            "密码",
            "账号已锁定30分钟",
        )


# 短信验证 -------------------------------------------------------------------------------------------------------------
def test_each_app_sends_and_checks_its_own_codes(person: EtaxUser, enrol) -> None:
    payer = enrol()
    with app_user(person.sim, person.control, person.tenant, AppUser) as taxapp:
        taxapp_code = taxapp.send_code(payer.phone)
        etax_code = person.send_code(payer.phone)  # a moment later, from another app: not held back
        assert len(person.control.sms(person.tenant, payer.phone)) == 2
        before = person.state()
        if taxapp_code != etax_code:  # (one in a million they are the same)
            refused(person.register(payer, sms_code=taxapp_code), 422, "短信验证码", "短信验证码错误")
            assert person.state() == before
        assert taxapp.register(payer, sms_code=taxapp_code).status_code == 201
        assert person.register(payer, sms_code=etax_code).status_code == 201


@pytest.mark.parametrize("how", ["wrong", "expired", "reused", "none asked for", "malformed"])
def test_bad_login_sms_codes_are_refused(person: EtaxUser, enrol, how: str) -> None:
    payer = registered(person, enrol())
    person.log_in(payer.id_number)
    if how == "none asked for":
        code, expected = "123456", "请先点击【获取验证码】"
    elif how == "malformed":
        code, expected = "12ab", "短信验证码应为6位数字"
    else:
        person.ok("POST", "/login/sms-code")
        code = person.login_code()
        expected = {
            "wrong": "短信验证码错误",
            "expired": "短信验证码已过期(5分钟内有效)",
            "reused": "短信验证码已使用过",
        }[how]
        if how == "wrong":
            code = f"{(int(code) + 1) % 10**6:06d}"
        elif how == "expired":
            person.control.advance(person.tenant, 5 * 60 + 1)
        else:  # spent by a first login; the second login has asked for none of its own
            person.ok("POST", "/login/sms", {"sms_code": code})
            person.log_in(payer.id_number)
    before = person.state()
    refused(person.call("POST", "/login/sms", {"sms_code": code}), 422, "短信验证码", expected)
    assert person.state() == before
    refused(person.call("GET", "/me"), 401, "登录", "请先完成登录验证")


def test_the_login_code_goes_to_the_accounts_own_phone_once_a_minute(person: EtaxUser, enrol) -> None:
    payer = registered(person, enrol())
    person.log_in(payer.phone)
    sent = person.ok("POST", "/login/sms-code")
    assert sent["phone"] == payer.phone[:3] + "****" + payer.phone[-4:]
    before = person.state()
    refused(person.call("POST", "/login/sms-code"), 409, "手机号码", "秒后再重新获取")
    assert person.state() == before


# 扫码登录 -------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("app", ["taxapp", "iit"])
def test_a_scan_with_the_tax_app_lets_the_login_page_in(person: EtaxUser, enrol, app: str) -> None:
    payer = registered(person, enrol())
    person.log_in(payer.id_number)
    qr = person.qr(app)
    assert qr["app_name"] == qrlogin.APPS[app] and qr["expires_in"] == 120
    picture = person.http.get(qr["image_url"], headers={"X-App-Token": person.token})
    payload = decoded(picture.content)
    assert payload == qrlogin.PAYLOAD.format(id=qr["ticket"], app=app)
    assert person.ok("GET", f"/login/qr/{qr['ticket']}")["state"] == "待扫码"
    refused(
        person.call("POST", f"/login/qr/{qr['ticket']}/finish"), 409, "二维码", f"请先使用{qrlogin.APPS[app]}扫描二维码"
    )
    scanned = person.http.post(
        f"/etax/api/scans?scan_app={app}", content=picture.content, headers={"Content-Type": "image/png"}
    )
    assert scanned.status_code == 200, scanned.text
    assert "请在电脑上点击【登录】" in scanned.json()["message"]
    assert person.ok("GET", f"/login/qr/{qr['ticket']}")["state"] == "已扫码确认"
    refused(person.call("GET", "/me"), 401, "登录", "请先完成登录验证")  # the scan alone is not the login
    person.ok("POST", f"/login/qr/{qr['ticket']}/finish")
    assert person.ok("GET", "/me")["self"]["name"] == payer.name


def test_the_control_api_scans_too_and_checks_whose_app_it_is(person: EtaxUser, enrol) -> None:
    payer, other = registered(person, enrol()), enrol()
    person.log_in(payer.id_number)
    qr = person.qr("iit")
    payload = qrlogin.PAYLOAD.format(id=qr["ticket"], app="iit")
    before = person.state()
    with pytest.raises(Exception, match="不是同一人"):
        person.control.scan_etax_login(person.tenant, payload, "iit", id_number=other.id_number)
    with pytest.raises(Exception, match="须使用个人所得税APP扫描"):
        person.control.scan_etax_login(person.tenant, payload, "taxapp")
    with pytest.raises(Exception, match="不是电子税务局的登录二维码"):
        person.control.scan_etax_login(person.tenant, "https://example.com/", "iit")
    assert person.state() == before
    confirmed = person.control.scan_etax_login(person.tenant, payload, "iit", id_number=payer.id_number)
    assert confirmed["state"] == "已扫码确认"
    person.ok("POST", f"/login/qr/{qr['ticket']}/finish")
    assert person.call("GET", "/me").status_code == 200


def test_a_qr_code_is_confirmed_once(person: EtaxUser, enrol) -> None:
    payer = registered(person, enrol())
    person.log_in(payer.id_number)
    qr = person.qr()
    payload = qrlogin.PAYLOAD.format(id=qr["ticket"], app="taxapp")
    person.control.scan_etax_login(person.tenant, payload, "taxapp")
    before = person.state()
    again = person.control.http.post(
        f"/__sim/tenants/{person.tenant}/etax/scans", json={"payload": payload, "app": "taxapp"}
    )
    refused(again, 409, "二维码", "该二维码已扫码确认,请勿重复扫码")
    assert person.state() == before
    person.ok("POST", f"/login/qr/{qr['ticket']}/finish")
    refused(person.call("POST", f"/login/qr/{qr['ticket']}/finish"), 409, "登录验证", "已完成登录验证,无需重复验证")


def test_an_expired_qr_code_is_refused_and_a_new_one_works(person: EtaxUser, enrol) -> None:
    payer = registered(person, enrol())
    person.log_in(payer.id_number)
    old = person.qr()
    person.control.advance(person.tenant, 2 * 60 + 1)
    assert person.ok("GET", f"/login/qr/{old['ticket']}")["state"] == "已过期"
    before = person.state()
    again = person.control.http.post(
        f"/__sim/tenants/{person.tenant}/etax/scans",
        json={"payload": qrlogin.PAYLOAD.format(id=old["ticket"], app="taxapp"), "app": "taxapp"},
    )
    refused(again, 422, "二维码", "二维码已过期(2分钟内有效)")
    refused(person.call("POST", f"/login/qr/{old['ticket']}/finish"), 422, "二维码", "二维码已过期")
    assert person.state() == before
    fresh = person.qr()  # 刷新二维码
    person.control.scan_etax_login(person.tenant, qrlogin.PAYLOAD.format(id=fresh["ticket"], app="taxapp"), "taxapp")
    person.ok("POST", f"/login/qr/{fresh['ticket']}/finish")


def test_a_picture_without_the_login_code_is_refused(person: EtaxUser) -> None:
    blank = io.BytesIO()
    Image.new("RGB", (60, 60), "white").save(blank, format="PNG")
    response = person.http.post(
        "/etax/api/scans?scan_app=taxapp", content=blank.getvalue(), headers={"Content-Type": "image/png"}
    )
    refused(response, 422, "二维码", "未识别到二维码")
    response = person.http.post(
        "/etax/api/scans?scan_app=wechat", content=blank.getvalue(), headers={"Content-Type": "image/png"}
    )
    refused(response, 422, "扫码APP", "扫码APP应为税务APP、个人所得税APP之一")


# half a login is no login, and a login ends -------------------------------------------------------------------------
def test_a_half_done_login_is_refused_by_every_route_that_needs_a_login(person: EtaxUser, enrol) -> None:
    payer = registered(person, enrol())
    person.log_in(payer.id_number)
    before = person.state()
    for method, path, body in (
        ("GET", "/me", None),
        ("POST", "/payer/items", person.payer_body(payer)),
        ("POST", "/quote", {**person.payer_body(payer), "pay_type": "选档缴费", "year": 2024, "tier": 300}),
        (
            "POST",
            "/orders",
            {
                **person.payer_body(payer),
                "pay_type": "选档缴费",
                "year": 2024,
                "tier": 300,
                "idempotency_key": "k" * 16,
            },
        ),
        ("POST", "/records/query", person.payer_body(payer)),
        ("GET", "/orders/NB1", None),
        ("POST", "/orders/NB1/pay", {"gateway": "ccb"}),
        ("GET", "/orders/NB1/receipt", None),
        ("POST", "/others", {"name": "x", "id_number": "1", "phone": "1", "captcha_id": "x", "captcha": "x"}),
        ("POST", "/business", {"business": "自然人业务"}),
    ):
        refused(person.call(method, path, body), 401, "登录", "请先完成登录验证(短信验证或扫码)后再办理业务")
    assert person.state() == before
    page = person.http.get("/etax/bszx/sbjf/cxyl", follow_redirects=False)
    assert page.headers["location"] == "/etax/login"


def test_the_second_factor_waits_ten_minutes(person: EtaxUser, enrol) -> None:
    payer = registered(person, enrol())
    person.log_in(payer.id_number)
    person.control.advance(person.tenant, 10 * 60 + 1)
    before = person.state()
    refused(person.call("POST", "/login/sms-code"), 401, "登录", "登录验证已超时(10分钟内有效)")
    refused(person.call("POST", "/login/qr", {"scan_app": "taxapp"}), 401, "登录", "登录验证已超时")
    assert person.state() == before


def test_a_login_ends_after_half_an_hour_without_use(person: EtaxUser, enrol) -> None:
    payer = enrol()
    person.sign_in(payer)
    person.control.advance(person.tenant, 29 * 60)
    assert person.call("GET", "/me").status_code == 200
    person.control.advance(person.tenant, 31 * 60)
    before = person.state()
    refused(person.call("POST", "/payer/items", person.payer_body(payer)), 401, "登录", "登录已超时(30分钟未操作)")
    assert person.state() == before


def test_logout_also_ends_a_half_done_login(person: EtaxUser, enrol) -> None:
    payer = registered(person, enrol())
    person.log_in(payer.id_number)
    person.ok("POST", "/logout")
    refused(person.call("GET", "/login"), 401, "登录", "请先登录宁波市电子税务局")


# 用户注册 -------------------------------------------------------------------------------------------------------------
def test_an_id_number_already_registered_is_refused(person: EtaxUser, enrol, fake) -> None:
    payer = registered(person, enrol())
    person.check_id_number_taken_refused(payer, fake.ningbo_payer().phone, "宁波市电子税务局")


def test_a_user_name_is_unique_and_well_formed(person: EtaxUser, enrol) -> None:
    registered(person, enrol(), username="nb_user")
    other = enrol()
    code = person.send_code(other.phone)
    before = person.state()
    refused(person.register(other, sms_code=code, username="nb_user"), 409, "用户名", "用户名nb_user已被使用")
    for bad in ("ab", "1abcdef", "13800001111", "张三丰abc", "a" * 20 + "b"):
        response = person.register(other, sms_code=code, username=bad)
        assert response.status_code == 422, (bad, response.text)
        assert response.json()["error"]["field"] == "用户名"
    assert person.state() == before
    assert person.register(other, sms_code=code, username="nb_user2").status_code == 201  # the code was not spent


def test_a_user_name_is_optional(person: EtaxUser, enrol) -> None:
    first, second = enrol(), enrol()
    assert registered(person, first, username=None) and registered(person, second, username="")
    assert person.account(first).username is None and person.account(second).username is None


# payment ways and pages ---------------------------------------------------------------------------------------------
def test_only_the_desktop_sites_payment_ways_are_offered(person: EtaxUser, enrol) -> None:
    payer = enrol()
    person.sign_in(payer)
    order_no = person.check_other_ways_refused(payer, "wechatpay", "建设银行、支付宝扫码、协议支付")
    url = person.ok("POST", f"/orders/{order_no}/pay", {"gateway": "alipay_qr"})["cashier_url"]
    assert url.startswith("/pay/alipay/qr/") and "/etax/bszx/sbjf/result" in httpx.URL(url).params["redirect"]


def test_agreement_payment_settles_at_once(person: EtaxUser, enrol) -> None:
    payer = enrol(special_status="低保对象")
    person.control.sign_agreement(person.tenant, payer.id_number, balance=1000)
    person.sign_in(payer)
    order_no = person.order_no(payer, pay_type="特殊缴费", year=None, tier=None)
    url = person.ok("POST", f"/orders/{order_no}/pay", {"gateway": "agreement"})["cashier_url"]
    assert url == f"/etax/bszx/sbjf/result?order_no={order_no}"
    assert person.ok("GET", f"/orders/{order_no}")["status"] == "PAID"


def test_pages_send_a_person_to_log_in_and_verify_first(person: EtaxUser, enrol) -> None:
    def where(path: str) -> str:
        response = person.http.get(path, follow_redirects=False)
        location: str = response.headers.get("location", str(response.status_code))
        return location

    for path in ("/etax/", "/etax/login", "/etax/register", "/etax/scan"):
        assert where(path) == "200"
    assert where("/etax/bszx") == "/etax/login"
    assert where("/etax/login/verify") == "/etax/login"
    payer = registered(person, enrol())
    person.log_in(payer.id_number)  # the client keeps the cookie, as a browser does
    assert where("/etax/login/verify") == "200"
    assert where("/etax/bszx/sswbl") == "/etax/login"
    person.pass_sms()
    assert where("/etax/login/verify") == "/etax/"
    for path in (
        "/etax/bszx",
        "/etax/bszx/sswbl",
        "/etax/bszx/sbjf",
        "/etax/bszx/sbjf/cxyl",
        "/etax/bszx/sbjf/records",
        "/etax/bszx/sbjf/receipts",
    ):
        assert where(path) == "200", path
    assert payer.name in person.http.get("/etax/").text


def test_the_landing_page_lists_the_site(person: EtaxUser) -> None:
    assert 'href="/etax/"' in person.http.get("/").text


# the harness's API driver ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("gateway", "factor"), [("ccb", "sms"), ("alipay_qr", "taxapp"), ("agreement", "iit")])
def test_the_api_driver_pays_every_way_the_site_offers(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, enrol, gateway: str, factor: str
) -> None:
    payer, family = enrol(), enrol()
    if gateway == "agreement":
        sim_control.sign_agreement(tenant, payer.id_number, balance=1000)
    with api_driver(sim, sim_control, tenant, EtaxApi, second_factor=factor) as driver:
        driver_pays_for_another(driver, payer, family, gateway)
        assert driver.insured_items(ref(payer)).status_of("城乡居民基本养老保险费") == "已缴费"


def test_the_api_driver_logs_in_again_after_the_login_ended(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, enrol
) -> None:
    with api_driver(sim, sim_control, tenant, EtaxApi) as driver:
        driver_logs_in_again(driver, sim_control, tenant, enrol())
