"""App accounts, SMS codes and random codes (simulators.core.accounts, sms, captcha), through the 宁波税务APP's
back end: each bad input gets a 4xx with a Chinese message naming the field, and writes nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image
from sqlalchemy import select

from fixtures.simulator import EmbeddedSimulator, SimControl
from simulators.core import captcha
from simulators.core.models import AppAccount
from steps.language import wrong_check_char
from tests.app_user import PASSWORD, AppUser, app_user, refused


@pytest.fixture
def user(sim: EmbeddedSimulator, sim_control: SimControl, tenant: str) -> Iterator[AppUser]:
    with app_user(sim, sim_control, tenant, AppUser) as person:
        yield person


# SMS codes --------------------------------------------------------------------------------------------------
def test_a_code_lands_in_the_inbox_once_a_minute(user: AppUser, enrol) -> None:
    payer = enrol()
    first = user.send_code(payer.phone)
    assert len(first) == 6 and first.isdigit()
    text = user.control.sms(user.tenant, payer.phone)[-1]["text"]
    assert first in text and "5分钟内有效" in text and text.startswith("【宁波税务APP】")
    before = user.state()
    refused(user.call("POST", "/sms/code", {"phone": payer.phone}), 409, "手机号码", "秒后再重新获取")
    assert user.state() == before
    user.control.advance(user.tenant, 61)
    assert user.send_code(payer.phone) != "" and len(user.control.sms(user.tenant, payer.phone)) == 2


def test_a_code_for_a_malformed_phone_is_refused(user: AppUser) -> None:
    before = user.state()
    refused(user.call("POST", "/sms/code", {"phone": "2381234567"}), 422, "手机号码", "11位")
    assert user.state() == before


def _register_with(user: AppUser, payer, code: str, status: int, message: str) -> None:
    before = user.state()
    refused(user.register(payer, sms_code=code), status, "短信验证码", message)
    assert user.state() == before


def test_wrong_sms_code(user: AppUser, enrol) -> None:
    payer = enrol()
    code = user.send_code(payer.phone)
    _register_with(user, payer, f"{(int(code) + 1) % 10**6:06d}", 422, "短信验证码错误")
    _register_with(user, payer, "12ab", 422, "短信验证码应为6位数字")
    assert user.register(payer, sms_code=code).status_code == 201  # the right one still works


def test_expired_sms_code(user: AppUser, enrol) -> None:
    payer = enrol()
    code = user.send_code(payer.phone)
    user.control.advance(user.tenant, 5 * 60 + 1)
    _register_with(user, payer, code, 422, "短信验证码已过期(5分钟内有效)")


def test_reused_sms_code(user: AppUser, enrol) -> None:
    payer = enrol()
    code = user.send_code(payer.phone)
    assert user.register(payer, sms_code=code).status_code == 201
    _register_with(user, payer, code, 422, "短信验证码已使用过")


def test_sms_code_sent_to_another_phone(user: AppUser, enrol) -> None:
    payer, other = enrol(), enrol()
    user.send_code(payer.phone)
    code = user.send_code(other.phone)
    _register_with(user, payer, code, 422, "不是发送给手机号码")


def test_only_the_newest_sms_code_counts(user: AppUser, enrol) -> None:
    payer = enrol()
    old = user.send_code(payer.phone)
    user.control.advance(user.tenant, 61)
    new = user.send_code(payer.phone)
    _register_with(user, payer, old, 422, "请输入最新收到的短信验证码")
    assert user.register(payer, sms_code=new).status_code == 201


def test_no_sms_code_asked_for(user: AppUser, enrol) -> None:
    _register_with(user, enrol(), "123456", 422, "请先点击【获取验证码】")


# registration ------------------------------------------------------------------------------------------------
def test_registration_opens_a_login_and_keeps_only_a_salted_hash(user: AppUser, enrol) -> None:
    first, second = enrol(), enrol()
    assert user.register(first).status_code == 201
    assert user.register(second).status_code == 201
    with user.sim.db.transaction() as session:
        accounts = list(session.scalars(select(AppAccount).where(AppAccount.tenant_id == user.tenant)))
    assert len(accounts) == 2
    assert {a.phone for a in accounts} == {first.phone, second.phone}
    assert all(PASSWORD not in a.password_hash for a in accounts)
    assert accounts[0].salt != accounts[1].salt and accounts[0].password_hash != accounts[1].password_hash


def test_an_id_number_already_registered_is_refused(user: AppUser, enrol, fake) -> None:
    payer = enrol()
    assert user.register(payer).status_code == 201
    user.check_id_number_taken_refused(payer, fake.ningbo_payer().phone, "宁波税务APP")


def test_a_phone_already_registered_is_refused(user: AppUser, enrol) -> None:
    payer, other = enrol(), enrol()
    assert user.register(payer).status_code == 201
    user.control.advance(user.tenant, 61)
    code = user.send_code(payer.phone)
    before = user.state()
    refused(user.register(other, phone=payer.phone, sms_code=code), 409, "手机号码", "已注册,请直接登录")
    assert user.state() == before


@pytest.mark.parametrize(
    ("case", "change", "status", "field", "message"),
    [
        (
            "name not in the registry",
            lambda p: {"name": p.name + "某"},
            404,
            "证件号码",
            "未查询到该缴费人的有效参保信息",
        ),
        (
            "wrong check character",
            lambda p: {"id_number": wrong_check_char(p.id_number)},
            422,
            "证件号码",
            "校验位错误",
        ),
        ("short password", lambda p: {"password": "a1", "password_confirm": "a1"}, 422, "密码", "8至20位"),
        (
            "password without digits",
            lambda p: {"password": "abcdefgh", "password_confirm": "abcdefgh"},
            422,
            "密码",
            "须同时包含字母和数字",
        ),
        ("passwords differ", lambda p: {"password_confirm": "Abc123456"}, 422, "确认密码", "两次输入的密码不一致"),
        ("missing name", lambda p: {"name": ""}, 422, "姓名", "姓名不能为空"),
    ],
)
def test_bad_registration_writes_nothing(user: AppUser, enrol, case, change, status, field, message) -> None:
    payer = enrol()
    code = user.send_code(payer.phone)
    before = user.state()
    refused(user.register(payer, sms_code=code, **change(payer)), status, field, message)
    assert user.state() == before
    assert user.register(payer, sms_code=code).status_code == 201  # the code was not spent


def test_someone_not_in_the_registry_cannot_register(user: AppUser, fake) -> None:
    stranger = fake.ningbo_payer()
    code = user.send_code(stranger.phone)
    before = user.state()
    refused(user.register(stranger, sms_code=code), 404, "证件号码", "未查询到该缴费人的有效参保信息")
    assert user.state() == before


# login ---------------------------------------------------------------------------------------------------------
def test_wrong_password_and_unknown_phone(user: AppUser, enrol) -> None:
    payer, stranger = enrol(), enrol()
    assert user.register(payer).status_code == 201
    before = user.state()
    refused(user.call("POST", "/sessions", {"phone": payer.phone, "password": "Wrong1234"}), 401, "密码", "密码错误")
    refused(
        user.call("POST", "/sessions", {"phone": stranger.phone, "password": PASSWORD}), 401, "手机号码", "尚未注册"
    )
    assert user.state() == before
    assert user.call("POST", "/sessions", {"phone": payer.phone, "password": PASSWORD}).status_code == 200


def test_personal_business_comes_before_paying(user: AppUser, enrol) -> None:
    payer = enrol()
    user.token = user.register(payer).json()["token"]
    refused(user.call("POST", "/payer/items", user.payer_body(payer)), 401, "业务类型", "请先选择【个人业务】")
    refused(user.call("POST", "/business", {"business": "企业业务"}), 409, "业务类型", "只提供【个人业务】")
    user.ok("POST", "/business", {"business": "个人业务"})
    assert user.call("POST", "/payer/items", user.payer_body(payer)).status_code == 200


def test_a_login_ends_after_half_an_hour_without_use(user: AppUser, enrol) -> None:
    payer = enrol()
    user.sign_in(payer)
    user.control.advance(user.tenant, 29 * 60)
    assert user.call("GET", "/me").status_code == 200  # use keeps it alive
    user.control.advance(user.tenant, 29 * 60)
    assert user.call("GET", "/me").status_code == 200
    user.control.advance(user.tenant, 31 * 60)
    refused(user.call("GET", "/me"), 401, "登录", "登录已超时")
    user.token = ""
    user.http.cookies.clear()
    refused(user.call("GET", "/me"), 401, "登录", "请先登录宁波税务APP")


def test_logout_ends_the_login(user: AppUser, enrol) -> None:
    user.sign_in(enrol())
    user.ok("POST", "/logout")
    refused(user.call("GET", "/me"), 401, "登录", "请先登录")


# random codes ----------------------------------------------------------------------------------------------------
def test_the_random_code_is_a_picture_the_control_api_reads(user: AppUser) -> None:
    shown, text = user.captcha()
    response = user.call("GET", f"/captchas/{shown}.png")
    assert response.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as picture:
        assert picture.size == (120, 44)
    assert len(text) == 4 and set(text) <= set(captcha.ALPHABET)
    assert user.call("GET", "/captchas/nope.png").status_code == 404


@pytest.mark.parametrize("how", ["wrong", "reused", "expired", "unknown"])
def test_bad_random_code_writes_nothing(user: AppUser, enrol, how: str) -> None:
    me, other = enrol(), enrol()
    user.sign_in(me)
    body = user.other(other)
    if how == "wrong":
        body["captcha"] = "0000"
        expected = "随机验证码错误"
    elif how == "reused":
        user.ok("POST", "/others", body)
        expected = "随机验证码已使用过"
    elif how == "expired":
        user.control.advance(user.tenant, 5 * 60 + 1)
        user.ok("GET", "/me")  # the login stays alive; only the picture is too old
        expected = "随机验证码已过期"
    else:
        body["captcha_id"] = "0" * 24
        expected = "随机验证码已失效"
    with user.spends_only_the_picture() if how == "wrong" else user.writes_nothing():
        refused(user.call("POST", "/others", body), 422, "随机验证码", expected)


def test_tenant_reset_clears_accounts_codes_and_pictures(user: AppUser, enrol) -> None:
    payer = enrol()
    user.sign_in(payer)
    user.captcha()
    user.control.reset(user.tenant)
    state = user.state()
    assert [state[t] for t in ("app_account", "channel_session", "sms_message", "captcha")] == [0, 0, 0, 0]
    user.token = ""
    user.http.cookies.clear()
    assert user.register(payer).status_code == 201  # the same person registers again on a clean slate


def test_no_code_is_sent_for_a_purpose_no_channel_has(user: AppUser, enrol) -> None:
    # No channel offers 找回密码: a request for its code is refused and sends nothing.
    payer = enrol()
    before = user.state()
    answer = user.call("POST", "/sms/code", {"phone": payer.phone, "purpose": "reset"})
    refused(answer, 422, "验证码用途", "验证码用途应为register、login之一")
    assert user.state() == before
    assert user.control.sms(user.tenant, payer.phone) == []
