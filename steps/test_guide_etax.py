"""The guide's 电子税务局 steps, literally: each step is the guide's sentence, done on the page it names. The steps
the app channels share are in steps/app_guide_steps.py; these are the site's own: 登录, 登录验证 and 用户注册, and
the way to 社保缴费办理(城乡养老)."""

from __future__ import annotations

import re

import allure
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from steps.drivers.accounts import password_of
from steps.drivers.protocol import PayerRef
from steps.drivers.ui.etax import FACTORS, EtaxPage, EtaxUi
from steps.expect import fail
from steps.guide_steps import reached, years
from steps.language import PensionPayments

scenarios("etax.feature")

APPS = {"税务APP": "taxapp", "个人所得税APP": "iit"}
WRONG_PASSWORD = "Wrong2024x"


@pytest.fixture
def ui(payments: PensionPayments) -> EtaxUi:
    driver = payments.driver("电子税务局")
    if not isinstance(driver, EtaxUi):
        fail(f"指南的电子税务局步骤要在页面上操作(--driver ui),实际驱动为{driver!r}")
    return driver


@pytest.fixture
def page(ui: EtaxUi) -> EtaxPage:
    return ui.pages


@pytest.fixture
def at_screen() -> dict[str, str]:
    """Who is logging in (缴费人 or 家人), for the steps after the password."""
    return {"who": "缴费人"}


def _logged_in(page: EtaxPage, ui: EtaxUi, person: PayerRef) -> None:
    reached(page.wait_for(page.logged_in()), "点击【登录】后应登录成功")
    ui.logged_in(person)


# 假如
@given(parsers.re(r"(?P<who>代缴的家人|已参保的缴费人)已注册宁波市电子税务局(?:,用户名为“(?P<username>\w+)”)?$"))
def _(payments: PensionPayments, ui: EtaxUi, who: str, username: str | None) -> None:
    alias = "家人" if who == "代缴的家人" else "缴费人"
    payments.payer(alias)
    reached(ui.register(payments.ref(alias), username=username or ""), f"{alias}应能注册宁波市电子税务局")


@given(parsers.re(r"已参保的缴费人有(?P<arrears>[\d年度和、]+)的补缴费款,已与银行签订三方协议$"))
def _(payments: PensionPayments, arrears: str) -> None:
    payments.payer(arrears_years=years(arrears))
    payments.sign_agreement(balance=5000)


# 1. 打开主页,点击右上角【登录】进入登录页面
@when("打开宁波市电子税务局主页,点击右上角【登录】进入登录页面")
def _(page: EtaxPage) -> None:
    page.open_login()
    page.login_form().wait_for()


# 2. 【自然人业务】→ 居民身份证号码/手机号码/用户名、个人用户密码 →【登录】;未注册用户先【用户注册】
@when("未注册用户先选择【用户注册】,输入姓名、证件号码和手机号码,点击【获取验证码】,输入短信验证码、密码和确认密码,点击【注册】")
def _(page: EtaxPage, ui: EtaxUi, payments: PensionPayments) -> None:
    person = payments.ref("缴费人")
    page.link("用户注册", exact=False, within=page.login_form()).click()
    page.shown()
    page.fill_registration(person, password_of(person))
    reached(page.request_sms_code(), "点击【获取验证码】后应发出短信验证码")
    page.enter_sms_code(ui.senses.sms_code(person.phone))
    page.button("注册").click()
    reached(page.wait_for(page.login_form()), "点击【注册】后应回到登录页面")
    if not page.page.get_by_role("status").filter(has_text="注册成功,请登录").is_visible():
        fail(f"注册后登录页面应提示“注册成功,请登录”,实际提示“{page.said() or '(无)'}”")
    ui.registered.add(person.id_number)


@when("在登录页面选择【自然人业务】,输入居民身份证号码、个人用户密码后,点击【登录】")
def _(page: EtaxPage, payments: PensionPayments) -> None:
    person = payments.ref("缴费人")
    page.log_in(person.id_number, password_of(person))
    reached(page.wait_for(page.verification()), "输入居民身份证号码和密码、点击【登录】后应进入登录验证页面")


@when(parsers.re(r"(?P<who>家人)?打开宁波市电子税务局主页,点击右上角【登录】,选择【自然人业务】,"
                 r"输入(?P<what>居民身份证号码|手机号码|用户名“(?P<username>\w+)”)、个人用户密码后,点击【登录】$"))
def _(page: EtaxPage, payments: PensionPayments, at_screen: dict[str, str], who: str | None, what: str,
      username: str | None) -> None:
    at_screen["who"] = who or "缴费人"
    person = payments.ref(at_screen["who"])
    page.open_login()
    page.log_in(username or (person.phone if what == "手机号码" else person.id_number), password_of(person))
    reached(page.wait_for(page.verification()), f"输入{what}和密码、点击【登录】后应进入登录验证页面")


@when("打开宁波市电子税务局主页,点击右上角【登录】,选择【自然人业务】,输入居民身份证号码和错误的个人用户密码,连续5次点击【登录】")
def _(page: EtaxPage, payments: PensionPayments) -> None:
    page.open_login()
    page.log_in(payments.ref("缴费人").id_number, WRONG_PASSWORD)
    for left in (4, 3, 2, 1, 0):
        page.message_saying(f"再输错{left}次" if left else "已锁定").wait_for()
        if left:
            page.press_login()


@when("改为输入正确的个人用户密码,点击【登录】")
def _(page: EtaxPage, payments: PensionPayments) -> None:
    page.field("个人用户密码").fill(password_of(payments.ref("缴费人")))
    page.press_login()
    # The page's answer to this click: the last wrong try's message also says 账号已锁定, but 密码错误 first.
    page.message.filter(has_text="账号已锁定").filter(has_not_text="密码错误").wait_for()


@when("30分钟后,再输入正确的个人用户密码,点击【登录】")
def _(page: EtaxPage, payments: PensionPayments) -> None:
    payments.control.advance(payments.tenant_id, 30 * 60)
    page.field("个人用户密码").fill(password_of(payments.ref("缴费人")))
    page.press_login()


@when("在登录页面选择【企业业务】")
def _(page: EtaxPage) -> None:
    page.tab("企业业务").click()


# 3. 登录验证: 短信验证、税务APP扫码或个人所得税APP扫码 →【登录】
@when("在登录验证页面选择短信验证,点击【获取验证码】,输入短信验证码后点击【登录】")
def _(page: EtaxPage, ui: EtaxUi, payments: PensionPayments, at_screen: dict[str, str]) -> None:
    person = payments.ref(at_screen["who"])
    page.tab("短信验证").click()
    panel = page.factor("短信验证")
    reached(page.request_sms_code(panel), "点击【获取验证码】后应发出短信验证码")
    page.field("短信验证码", within=panel).fill(ui.senses.sms_code(person.phone))
    page.button("登录", within=panel).click()
    _logged_in(page, ui, person)


@when("在登录验证页面选择短信验证,点击【获取验证码】,输入错误的短信验证码后点击【登录】")
def _(page: EtaxPage, ui: EtaxUi, payments: PensionPayments) -> None:
    page.tab("短信验证").click()
    panel = page.factor("短信验证")
    reached(page.request_sms_code(panel), "点击【获取验证码】后应发出短信验证码")
    code = ui.senses.sms_code(payments.ref("缴费人").phone)
    page.field("短信验证码", within=panel).fill(f"{(int(code) + 1) % 10**6:06d}")
    page.button("登录", within=panel).click()


@when("输入手机收到的短信验证码,点击【登录】")
def _(page: EtaxPage, ui: EtaxUi, payments: PensionPayments) -> None:
    person = payments.ref("缴费人")
    panel = page.factor("短信验证")
    page.field("短信验证码", within=panel).fill(ui.senses.sms_code(person.phone))
    page.button("登录", within=panel).click()
    _logged_in(page, ui, person)


@when(parsers.re(r"在登录验证页面选择(?P<app>税务APP|个人所得税APP)扫码,用手机上的(?P=app)扫描页面上的二维码并确认登录,"
                 r"点击【登录】$"))
def _(page: EtaxPage, ui: EtaxUi, payments: PensionPayments, at_screen: dict[str, str], app: str) -> None:
    name = FACTORS[APPS[app]]
    page.tab(name).click()
    allure.attach(page.qr_code(APPS[app]).screenshot(), name=f"{name}登录二维码",
                  attachment_type=allure.attachment_type.PNG)
    ui.scan_login(APPS[app])
    panel = page.factor(name)
    panel.get_by_role("status").filter(has_text=f"已在{app}上确认登录").wait_for()
    page.button("登录", within=panel).click()
    _logged_in(page, ui, payments.ref(at_screen["who"]))


# 4. 【办税中心】→【涉税业务办理】→【社保缴费】→【社保缴费办理(城乡养老)】
@when("依次选择【办税中心】→【涉税业务办理】→【社保缴费】→【社保缴费办理(城乡养老)】")
def _(page: EtaxPage) -> None:
    page.open_pension()
    page.page.get_by_role("radiogroup", name="办理对象").wait_for()


# what the login pages say ---------------------------------------------------------------------------------------
@then(parsers.re(r"页面提示“(?P<message>[^”]+)”,不能进入登录验证页面$"))
def _(page: EtaxPage, message: str) -> None:
    page.message_saying(message).wait_for()
    if not page.page.url.endswith("/etax/login") or page.verification().is_visible():
        fail(f"页面提示“{message}”后应留在登录页面、不能进入登录验证页面,实际到了“{page.name()}”")


@then("进入登录验证页面")
def _(page: EtaxPage) -> None:
    page.page.wait_for_url(re.compile(r"/etax/login/verify$"))
    page.verification().wait_for()


@then(parsers.re(r"页面说明“(?P<text>[^”]+)”,并请选择【自然人业务】$"))
def _(page: EtaxPage, text: str) -> None:
    panel = page.page.get_by_role("tabpanel", name="企业业务")
    if text not in panel.inner_text() or "【自然人业务】" not in panel.inner_text():
        fail(f"【企业业务】页面应说明“{text}”并请选择【自然人业务】,实际为“{' '.join(panel.inner_text().split())}”")
    if page.page.get_by_label("个人用户密码").is_visible():
        fail("【企业业务】页面上不应有“个人用户密码”输入框,实际有")


@then("页面右上角显示“欢迎您,缴费人”,可以进入【办税中心】")
def _(page: EtaxPage, payments: PensionPayments) -> None:
    welcome = f"欢迎您,{payments.ref('缴费人').name}"
    if welcome not in (shown := page.top_bar().inner_text()):
        fail(f"页面右上角应显示“{welcome}”,实际为“{' '.join(shown.split())}”")
    page.link("办税中心", within=page.page.get_by_role("navigation", name="主导航")).click()
    page.link("涉税业务办理", exact=False, within=page.page.get_by_role("navigation", name="办税中心"))
