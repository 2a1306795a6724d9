"""The Alipay mini-program's back end: who is at the screen comes from the Alipay login, never from a typed
identity; bad input is a 4xx with a Chinese message naming the field, and writes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator, SimControl
from steps.drivers.api.client import connect
from steps.language import wrong_check_char
from tests.alipay_user import AlipayUser

User = Callable[[], AlipayUser]


@pytest.fixture
def user(sim: EmbeddedSimulator, tenant: str) -> Iterator[User]:
    """A fresh phone with Alipay on it (each call: another phone of the same tenant)."""
    clients: list[httpx.Client] = []

    def make() -> AlipayUser:
        http = connect(sim.url, tenant)
        clients.append(http)
        return AlipayUser(sim, tenant, http)

    yield make
    for http in clients:
        http.close()


def _error(response: httpx.Response, status: int) -> dict[str, str]:
    assert response.status_code == status, response.text
    error: dict[str, str] = response.json()["error"]
    return error


# the login -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("token", ["", "ap-no-such-token"], ids=["no token", "unknown token"])
def test_without_a_valid_login_every_call_is_401(user: User, enrol: Callable[..., Payer], token: str) -> None:
    someone = user()
    someone.token = token
    payer = enrol()
    before = someone.rows()
    for method, path, body in (
        ("POST", "/payer/items", AlipayUser.named(payer)),
        ("GET", "/account", None),
        (
            "POST",
            "/orders",
            {**AlipayUser.named(payer), "pay_type": "选档缴费", "year": 2024, "tier": 300, "idempotency_key": "k" * 16},
        ),
        ("POST", "/batch/enrolments", {"year": 2024, "tier": 300}),
    ):
        error = _error(someone.call(method, path, body), 401)
        assert (error["field"], error["message"]) == ("支付宝登录", "请先登录支付宝")
    assert someone.rows() == before


def test_an_expired_login_is_401_and_a_new_login_works(
    user: User, enrol: Callable[..., Payer], sim_control: SimControl, tenant: str
) -> None:
    payer = enrol()
    me = user().log_in(payer)
    assert me.call("POST", "/payer/items", me.own()).status_code == 200
    sim_control.advance(tenant, 31 * 86400)
    error = _error(me.call("POST", "/payer/items", me.own()), 401)
    assert "支付宝登录已过期(30天),请重新登录" == error["message"]
    again = user().log_in(payer)
    assert again.call("POST", "/payer/items", again.own()).status_code == 200


def test_a_logout_ends_the_login(user: User, enrol: Callable[..., Payer]) -> None:
    me = user().log_in(enrol())
    assert me.call("POST", "/logout").status_code == 200
    assert _error(me.call("GET", "/account"), 401)["message"] == "请先登录支付宝"


def test_a_bad_phone_is_422_and_an_unknown_one_asks_for_real_name_verification(user: User, fake) -> None:
    phone = user()
    error = _error(phone.http.post("/alipay/api/login", json={"phone": "12345"}), 422)
    assert (error["field"], error["message"]) == ("手机号码", "手机号码应为11位中国大陆手机号码(以1开头)")
    stranger = fake.ningbo_payer()
    error = _error(phone.http.post("/alipay/api/login", json={"phone": stranger.phone}), 404)
    assert error["code"] == "not_registered" and "请先完成实名认证" in error["message"]


def test_real_name_verification_checks_the_id_number_and_the_registry(
    user: User, enrol: Callable[..., Payer], fake
) -> None:
    phone = user()
    stranger, known = fake.ningbo_payer(), enrol()
    before = phone.rows()
    bad = {"phone": stranger.phone, "name": stranger.name, "id_number": wrong_check_char(stranger.id_number)}
    assert "校验位错误" in _error(phone.http.post("/alipay/api/register", json=bad), 422)["message"]
    someone_elses = {"phone": stranger.phone, "name": stranger.name, "id_number": known.id_number}
    error = _error(phone.http.post("/alipay/api/register", json=someone_elses), 422)
    assert (error["field"], error["message"]) == ("姓名", "实名认证未通过:姓名与身份证号码不一致")
    assert phone.rows() == before
    # A real person Alipay verifies, but not in the pension registry: 我为自己缴 finds no insured items.
    response = phone.http.post(
        "/alipay/api/register", json={"phone": stranger.phone, "name": stranger.name, "id_number": stranger.id_number}
    )
    assert response.status_code == 200, response.text
    phone.token = response.json()["token"]
    phone.me = phone.call("POST", "/oauth/authorize").json()
    assert phone.me["id_number"] == stranger.id_number
    error = _error(phone.call("POST", "/payer/items", phone.own()), 404)
    assert error["message"].startswith("未查询到该缴费人的有效参保信息")


# 我为自己缴 -----------------------------------------------------------------------------------------------------
def test_the_identity_comes_from_the_account_and_only_after_authorization(
    user: User, enrol: Callable[..., Payer]
) -> None:
    mine, theirs = enrol(), enrol()
    me = user().log_in(mine, authorize=False)
    shown = me.call("GET", "/account").json()
    assert shown["authorized"] is False and "id_number" not in shown
    assert _error(me.call("GET", "/batch"), 401)["message"].startswith("请先在“宁波社保缴费”中同意授权")
    me.me = me.call("POST", "/oauth/authorize").json()
    # Whatever else the request claims, the account is the token's.
    claimed = me.call(
        "GET",
        "/account",
        params={"phone": theirs.phone},
        headers={"X-Alipay-User-Id": "2088000000000000", "Cookie": f"alipay_token={theirs.phone}"},
    )
    assert (claimed.json()["name"], claimed.json()["id_number"]) == (mine.name, mine.id_number)
    assert me.call("GET", "/batch").json()["payer"]["name"] == mine.name


def test_batch_enrolment_is_for_the_account_itself_and_takes_no_identity(
    user: User, enrol: Callable[..., Payer], sim_control: SimControl, tenant: str
) -> None:
    mine, theirs = enrol(), enrol()
    sim_control.sign_agreement(tenant, theirs.id_number, balance="1000")
    me = user().log_in(mine)
    before = me.rows()
    spoofed = me.call("POST", "/batch/enrolments", {"year": 2024, "tier": 300, **AlipayUser.named(theirs)})
    error = _error(spoofed, 422)
    assert (error["field"], error["message"]) == ("姓名", "不接受字段姓名")
    # Without the extra fields it is the account's own enrolment, and the account has no agreement.
    assert _error(me.enrol(300), 409)["message"].startswith("未签订三方协议")
    assert me.rows() == before


def test_paying_for_others_with_a_mistyped_id_number_is_refused(user: User, enrol: Callable[..., Payer]) -> None:
    family, payer = enrol(), enrol()
    me = user().log_in(family)
    before = me.rows()
    typed = {**AlipayUser.named(payer), "id_number": wrong_check_char(payer.id_number)}
    chosen = {**typed, "pay_type": "选档缴费", "year": 2024, "tier": 300}
    ordered = {**chosen, "idempotency_key": "k" * 16}
    for path, body in (("/payer/items", typed), ("/quote", chosen), ("/orders", ordered)):
        error = _error(me.call("POST", path, body), 422)
        assert error["field"] == "证件号码" and "校验位错误" in error["message"]
    assert me.rows() == before


def test_paying_for_others_pays_their_bill_not_the_accounts(user: User, enrol: Callable[..., Payer]) -> None:
    family, payer = enrol(), enrol()
    me = user().log_in(family)
    order = me.order(AlipayUser.named(payer))
    assert order.status_code == 201, order.text
    assert order.json()["payer"]["name"] == payer.name
    cashier = me.call("POST", f"/orders/{order.json()['order_no']}/pay", {"gateway": "alipay"})
    assert cashier.status_code == 200, cashier.text
    assert me.http.post(cashier.json()["cashier_url"].split("?")[0] + "/pay", json={}).status_code == 200
    assert me.call("GET", f"/orders/{order.json()['order_no']}").json()["status"] == "PAID"
    assert [r["year"] for r in me.call("POST", "/records/query", AlipayUser.named(payer)).json()["records"]] == [2024]
    assert me.call("POST", "/records/query", me.own()).json()["records"] == []


# orders and gateways ---------------------------------------------------------------------------------------------
def test_a_payment_for_a_closed_order_is_refused_and_charges_nothing(user: User, enrol: Callable[..., Payer]) -> None:
    me = user().log_in(enrol())
    first = me.order(me.own()).json()["order_no"]
    second = me.order(me.own()).json()["order_no"]  # the same bill again: the untouched first order is closed
    assert me.call("GET", f"/orders/{first}").json()["status"] == "CLOSED"
    before = me.rows()
    error = _error(me.call("POST", f"/orders/{first}/pay", {"gateway": "alipay"}), 409)
    assert (error["field"], error["message"]) == ("订单号", f"订单{first}已关闭(该笔费款已另行提交缴费),不能支付")
    assert me.rows() == before and before["paid_charges"] == 0
    assert me.call("POST", f"/orders/{second}/pay", {"gateway": "alipay"}).status_code == 200


@pytest.mark.parametrize("gateway", ["wechatpay", "agreement", "bitcoin"])
def test_only_alipay_is_offered_in_the_mini_program(user: User, enrol: Callable[..., Payer], gateway: str) -> None:
    me = user().log_in(enrol())
    order_no = me.order(me.own()).json()["order_no"]
    before = me.rows()
    error = _error(me.call("POST", f"/orders/{order_no}/pay", {"gateway": gateway}), 422)
    assert (error["field"], error["message"]) == ("缴费渠道", "缴费渠道应为本渠道提供的支付宝之一")
    assert me.rows() == before
    assert me.call("GET", f"/orders/{order_no}").json()["status"] == "CREATED"


def test_bad_batch_enrolments_are_refused_and_write_nothing(
    user: User, enrol: Callable[..., Payer], sim_control: SimControl, tenant: str
) -> None:
    payer = enrol()
    sim_control.sign_agreement(tenant, payer.id_number, balance="1000")
    me = user().log_in(payer)
    before = me.rows()
    cases = [
        ({"year": 2024, "tier": 350}, 422, "缴费档次", "缴费档次350元不在2024年度档次表中"),
        ({"year": 2023, "tier": 300}, 422, "缴费年度", "缴费年度应为当前缴费期的年度(2024年)"),
        ({"year": 2024}, 422, "缴费档次", "缴费档次为必填项"),
        ({"year": "二〇二四", "tier": 300}, 422, "缴费年度", "缴费年度应为整数"),
    ]
    for body, status, field, message in cases:
        error = _error(me.call("POST", "/batch/enrolments", body), status)
        assert error["field"] == field and message in error["message"], (body, error)
    assert me.rows() == before


# pages ---------------------------------------------------------------------------------------------------------
def test_pages_open_the_alipay_login_first(user: User, enrol: Callable[..., Payer]) -> None:
    phone = user()
    for path in ("/alipay/", "/alipay/search?q=宁波社保缴费", "/alipay/apps", "/alipay/citizen", "/alipay/sbjf"):
        response = phone.http.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/alipay/login?next=/alipay/")
    me = phone.log_in(enrol())
    home = phone.http.get("/alipay/", headers={"X-Alipay-Token": me.token})
    assert home.status_code == 200 and "本机已登录支付宝账号" in home.text
    found = phone.http.get("/alipay/search", params={"q": "宁波社保缴费"}, headers={"X-Alipay-Token": me.token})
    assert 'href="/alipay/sbjf"' in found.text
    login = phone.http.get("/alipay/login", params={"next": "//evil.example/"})
    assert 'const next = "/alipay/"' in login.text
