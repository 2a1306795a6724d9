"""What a careless or hostile client meets (simulators.guards, sms, captcha, web.local_path): SMS codes that die
after five wrong tries, random codes good for one check, no open redirects, the same-origin rule for requests a
cross-site page could send, and every error in Chinese in the simulator's own shape, never a 500."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from starlette.routing import Route

from fixtures.simulator import EmbeddedSimulator, SimControl
from simulators import guards, web
from simulators.app import ROUTERS, create_app
from simulators.core import sms
from simulators.settings import Settings
from tests.app_user import AppUser, app_user, refused
from tests.conftest import Wechat

CHINESE = re.compile(r"[\u4e00-\u9fff]")
POSTS = sorted(
    {
        route.path
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, Route) and "POST" in (route.methods or ())
    }
)


@pytest.fixture
def user(sim: EmbeddedSimulator, sim_control: SimControl, tenant: str) -> Iterator[AppUser]:
    with app_user(sim, sim_control, tenant, AppUser) as person:
        yield person


@pytest.fixture
def bare(sim: EmbeddedSimulator, tenant: str) -> Iterator[httpx.Client]:
    """A client that sends no Origin or Referer: a script, or a page of another site as the simulator sees it."""
    with httpx.Client(base_url=sim.url, headers={"X-Sim-Tenant": tenant}, timeout=30, trust_env=False) as http:
        yield http


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _chinese_error(response: httpx.Response, status: range = range(400, 500)) -> dict[str, object]:
    assert response.status_code in status, (response.status_code, response.text)
    error: dict[str, object] = response.json()["error"]
    assert set(error) == {"code", "field", "message"}, error
    assert CHINESE.search(str(error["message"])), error
    return error


# SMS codes ----------------------------------------------------------------------------------------------------
def test_five_wrong_tries_void_an_sms_code(user: AppUser, enrol) -> None:
    payer = enrol()
    code = user.send_code(payer.phone)
    for left in range(sms.MAX_WRONG - 1, 0, -1):
        refused(user.register(payer, sms_code=_wrong(code)), 422, "短信验证码", f"再输错{left}次,该验证码将作废")
    refused(user.register(payer, sms_code=_wrong(code)), 422, "短信验证码", "已连续输错5次,该验证码已作废")
    with user.writes_nothing():
        refused(user.register(payer, sms_code=code), 422, "短信验证码", "请重新点击【获取验证码】获取新的验证码")
    user.control.advance(user.tenant, 61)
    assert user.register(payer).status_code == 201  # a new code works


def test_four_wrong_tries_leave_the_code_good(user: AppUser, enrol) -> None:
    payer = enrol()
    code = user.send_code(payer.phone)
    for _ in range(sms.MAX_WRONG - 1):
        refused(user.register(payer, sms_code=_wrong(code)), 422, "短信验证码", "短信验证码错误")
    assert user.register(payer, sms_code=code).status_code == 201


def test_a_malformed_code_is_no_try(user: AppUser, enrol) -> None:
    payer = enrol()
    code = user.send_code(payer.phone)
    for _ in range(sms.MAX_WRONG):
        refused(user.register(payer, sms_code="12ab"), 422, "短信验证码", "应为6位数字")
    assert user.register(payer, sms_code=code).status_code == 201


# random codes -------------------------------------------------------------------------------------------------
def test_a_wrong_random_code_spends_the_picture(user: AppUser, enrol) -> None:
    me, other = enrol(), enrol()
    user.sign_in(me)
    body = user.other(other)
    with user.spends_only_the_picture():
        refused(
            user.call("POST", "/others", {**body, "captcha": "0000" if body["captcha"] != "0000" else "2222"}),
            422,
            "随机验证码",
            "随机验证码错误",
        )
    refused(user.call("POST", "/others", body), 422, "随机验证码", "随机验证码已使用过")  # the right text, too late
    assert user.ok("GET", "/me")["others"] == []


@pytest.mark.parametrize(("change", "field"), [("phone", "手机号码"), ("name", "证件号码")])
def test_a_right_random_code_is_spent_when_the_rest_fails(user: AppUser, enrol, change: str, field: str) -> None:
    me, other = enrol(), enrol()
    user.sign_in(me)
    body = user.other(other)
    wrong = {"phone": me.phone, "name": other.name + "某"}[change]
    with user.spends_only_the_picture():
        response = user.call("POST", "/others", {**body, change: wrong})
        assert response.json()["error"]["field"] == field, response.text
    refused(user.call("POST", "/others", body), 422, "随机验证码", "随机验证码已使用过")
    assert user.ok("POST", "/others", user.other(other))["payer"]["id_number"] == other.id_number


# open redirects -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/\\evil.example",
        "/%5Cevil.example",
        "/%5cevil.example",
        "/%255Cevil.example",
        "/%2F/evil.example",
        "/a\\b",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\t/evil.example",
        "/\nx",
        "/%0d%0aSet-Cookie:x",
        "/%00",
        "\\\\evil.example",
        "",
        "evil.example",
        " /alipay/",
    ],
)
def test_a_redirect_that_leaves_the_site_is_dropped(target: str) -> None:
    assert web.local_path(target) == ""


@pytest.mark.parametrize(
    "target",
    ["/alipay/", "/alipay/sbjf?sim_tenant=t-1", "/wechat/result?order_no=NB1&x=a%20b", "/taxapp/records?t=10:30"],
)
def test_a_redirect_on_the_site_is_kept(target: str) -> None:
    assert web.local_path(target) == target


def test_the_alipay_login_page_never_sends_a_person_away(sim: EmbeddedSimulator, bare: httpx.Client) -> None:
    page = bare.get("/alipay/login", params={"next": "/%5Cevil.example"})
    assert page.status_code == 200
    assert "evil.example" not in page.text and 'const next = "/alipay/"' in page.text


# same origin --------------------------------------------------------------------------------------------------
def _cashier(wechat: Wechat, enrol) -> tuple[str, str]:
    order_no = wechat.order(enrol()).json()["order_no"]
    url = wechat.pay(order_no).json()["cashier_url"]
    return order_no, url.split("?")[0] + "/pay"


def test_a_cashier_pay_without_origin_is_refused(wechat: Wechat, bare: httpx.Client, enrol) -> None:
    order_no, pay = _cashier(wechat, enrol)
    before = wechat.rows()
    error = _chinese_error(bare.post(pay), range(403, 404))
    assert error["field"] == "Origin" and "Origin" in str(error["message"]) and "Referer" in str(error["message"])
    assert wechat.rows() == before and wechat.status(order_no)["status"] != "PAID"
    assert wechat.http.post(pay).status_code == 200  # the simulator's own page: its Origin
    assert wechat.status(order_no)["status"] == "PAID"


@pytest.mark.parametrize(
    ("headers", "field"),
    [
        ({"Origin": "http://evil.example"}, "Origin"),
        ({"Origin": "null"}, "Origin"),
        ({"Referer": "http://evil.example/pay"}, "Referer"),
        ({"Origin": "http://evil.example", "Referer": "SELF/"}, "Origin"),  # a wrong Origin is not saved by a Referer
    ],
)
def test_a_cross_site_cashier_pay_is_refused(
    wechat: Wechat, bare: httpx.Client, enrol, headers: dict[str, str], field: str
) -> None:
    order_no, pay = _cashier(wechat, enrol)
    sent = {k: v.replace("SELF", wechat.sim.url) for k, v in headers.items()}
    error = _chinese_error(bare.post(pay, headers=sent), range(403, 404))
    assert error["field"] == field and "跨站请求已拒绝" in str(error["message"])
    assert wechat.status(order_no)["status"] != "PAID"


def test_a_referer_of_the_site_is_enough(wechat: Wechat, bare: httpx.Client, enrol) -> None:
    order_no, pay = _cashier(wechat, enrol)
    assert bare.post(pay, headers={"Referer": f"{wechat.sim.url}/pay/wechatpay/cashier/x"}).status_code == 200
    assert wechat.status(order_no)["status"] == "PAID"


def test_a_form_or_text_body_is_no_way_around(bare: httpx.Client, sim: EmbeddedSimulator) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        response = bare.post("/wechat/api/oauth/authorize", content=b'{"a": 1}', headers={"Content-Type": content_type})
        assert _chinese_error(response, range(403, 404))["field"] == "Origin"
    assert _chinese_error(bare.post("/wechat/api/oauth/authorize", content=b"{}"), range(403, 404))  # no type


def test_a_logout_without_origin_keeps_the_login(user: AppUser, bare: httpx.Client, enrol) -> None:
    user.sign_in(enrol())
    _chinese_error(bare.post("/taxapp/api/logout", headers={"X-App-Token": user.token}), range(403, 404))
    assert user.call("GET", "/me").status_code == 200
    user.ok("POST", "/logout")


def test_json_the_control_api_and_notifications_need_no_origin(bare: httpx.Client, tenant: str) -> None:
    assert bare.post("/wechat/api/oauth/authorize", json={}).status_code == 200  # JSON: a page of another site
    assert bare.post(f"/__sim/tenants/{tenant}/reset").status_code == 200  # cannot send it without asking
    notified = bare.post("/wechat/api/notify/wechatpay", content=b"")
    assert notified.status_code not in (403, 500), notified.text


# errors in Chinese --------------------------------------------------------------------------------------------
BAD_BODIES = {
    "invalid UTF-8 JSON": (b'{"phone": "\xff\xfe"}', "application/json"),
    "invalid UTF-8 form": (b"TXCODE=\xff\xfe&a=b", "application/x-www-form-urlencoded"),
    "JSON nested 10000 deep": (b"[" * 10_000 + b"]" * 10_000, "application/json"),
    "object nested 10000 deep": (b'{"a":' * 10_000 + b"1" + b"}" * 10_000, "application/json"),
    "invalid UTF-8 of no type": (b'{"phone": "\xff\xfe"}', None),  # the route reads it: refused, or ignored
    "JSON nested 10000 deep of no type": (b"[" * 10_000 + b"]" * 10_000, None),
}


@pytest.fixture(scope="module")
def probe(sim: EmbeddedSimulator, sim_control: SimControl) -> Iterator[httpx.Client]:
    sim_control.create_tenant("probe-hardening", 11)
    with httpx.Client(
        base_url=sim.url, headers={"X-Sim-Tenant": "probe-hardening", "Origin": sim.url}, timeout=30, trust_env=False
    ) as http:
        yield http


@pytest.mark.parametrize("kind", list(BAD_BODIES))
@pytest.mark.parametrize("path", POSTS)
def test_an_unreadable_body_is_refused_in_chinese(probe: httpx.Client, path: str, kind: str) -> None:
    body, content_type = BAD_BODIES[kind]
    response = probe.post(
        re.sub(r"\{[^}]+\}", "x1", path), content=body, headers={"Content-Type": content_type} if content_type else {}
    )
    if content_type is None:
        assert response.status_code < 500, response.text
        if response.is_error and (path.startswith("/pay/") or "/api/notify/" in path):  # a provider's own shape
            assert CHINESE.search(response.text), response.text
        elif response.is_error:
            _chinese_error(response)
        return
    error = _chinese_error(response, range(400, 401))
    assert error["code"] == "invalid_body" and re.search("UTF-8|嵌套", str(error["message"])), error


def test_the_rules_of_a_body_are_named(probe: httpx.Client) -> None:
    url = "/taxapp/api/sms/code"
    utf8 = _chinese_error(probe.post(url, content=b'{"phone": "\xff"}', headers={"Content-Type": "application/json"}))
    assert utf8["code"] == "invalid_body" and "UTF-8" in str(utf8["message"])
    deep = _chinese_error(probe.post(url, content=b"[" * 65 + b"]" * 65, headers={"Content-Type": "application/json"}))
    assert f"不能超过{guards.MAX_DEPTH}层" in str(deep["message"])
    shallow = probe.post(url, content=b'{"phone": [[[[1]]]]}', headers={"Content-Type": "application/json"})
    assert _chinese_error(shallow)["field"] == "手机号码"
    array = _chinese_error(probe.post(url, json=[1, 2]))
    assert "JSON对象" in str(array["message"])
    text = probe.post(url, content=b"phone=1", headers={"Content-Type": "text/plain"})
    assert _chinese_error(text)["field"] == "Content-Type" and text.status_code == 415
    huge = probe.post(url, content=b'{"phone": 1' + b"0" * 5000 + b"}", headers={"Content-Type": "application/json"})
    assert "数字位数过多" in str(_chinese_error(huge)["message"])
    nul = probe.post(url, json={"phone": "1380000\u00000000"})
    assert _chinese_error(nul)["field"] == "手机号码"
    empty = _chinese_error(probe.post(url, content=b"", headers={"Content-Type": "application/json"}))
    assert "不能为空" in str(empty["message"])


def test_too_deep_counts_brackets_outside_strings_only() -> None:
    assert not guards.too_deep(b'{"a": "' + b"[" * 100 + b'"}', 64)
    assert guards.too_deep(b"[" * 65 + b"]" * 65, 64) and not guards.too_deep(b"[" * 64 + b"]" * 64, 64)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/wechat/api/orders"),
        ("DELETE", "/pay/wechatpay/cashier/x1/pay"),
        ("GET", "/taxapp/api/logout"),
        ("PATCH", "/__sim/tenants"),
    ],
)
def test_a_wrong_method_is_refused_in_chinese(probe: httpx.Client, method: str, path: str) -> None:
    response = probe.request(method, path)
    error = _chinese_error(response, range(405, 406))
    assert error["code"] == "method_not_allowed" and method in str(error["message"]) and "POST" in str(error["message"])
    assert "POST" in response.headers["allow"]


def test_an_unknown_path_is_not_found_in_chinese(probe: httpx.Client) -> None:
    assert "没有这个地址" in str(_chinese_error(probe.post("/wechat/api/nowhere"), range(404, 405))["message"])


def test_the_clock_stays_in_range(sim_control: SimControl, tenant: str, probe: httpx.Client) -> None:
    far = probe.post(f"/__sim/tenants/{tenant}/clock", json={"now": "9999-12-31T23:59:00"})
    assert "1970年至2099年" in str(_chinese_error(far)["message"])
    created = probe.post("/__sim/tenants", json={"id": f"{tenant}-far", "seed": 1, "now": "9999-12-31T23:59:00"})
    assert _chinese_error(created)["field"] == "时间"
    assert sim_control.clock(tenant)["now"].startswith("2024")


def test_anything_unexpected_is_a_chinese_500_and_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(Settings(db_url=f"sqlite:///{tmp_path / 'boom.db'}", demo_payers=0))

    def boom() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/boom", boom, methods=["GET"])

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
            return await http.get("/boom")

    # A thread of its own: a worker that ran a browser test keeps Playwright's event loop running in this one.
    with caplog.at_level(logging.ERROR, logger=guards.__name__), ThreadPoolExecutor(max_workers=1) as pool:
        response = pool.submit(asyncio.run, get()).result(timeout=60)
    error = _chinese_error(response, range(500, 501))
    assert error["code"] == "internal_error" and "boom" not in response.text
    assert any(record.exc_info and "boom" in str(record.exc_info[1]) for record in caplog.records)
    app.state.db.dispose()
