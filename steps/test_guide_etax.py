"""The guide's 电子税务局 steps, literally: each step is the guide's sentence, done on the page it names. The steps
the app channels share are in steps/app_guide_steps.py; these are the site's own: 登录, 登录验证 and 用户注册, and
the way to 社保缴费办理(城乡养老)."""

from __future__ import annotations

import allure
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from steps.drivers.accounts import password_of
from steps.drivers.protocol import PayerRef
from steps.drivers.ui.etax import FACTORS, EtaxPage, EtaxUi
from steps.expect import check, fail
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
def screen(ui: EtaxUi) -> EtaxPage:
    """What the person sees: the page object of the site's pages."""
    return ui.pages


@pytest.fixture
def at_screen() -> dict[str, str]:
    """Who is logging in (缴费人 or 家人), for the steps after the password."""
    return {"who": "缴费人"}


def _logged_in(screen: EtaxPage, ui: EtaxUi, person: PayerRef) -> None:
    reached(screen.wait_for(screen.logged_in()), "点击【登录】后应登录成功")
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
def _(screen: EtaxPage) -> None:
    screen.open_login()
    reached(screen.wait_for(screen.login_form()), "点击右上角【登录】后应进入登录页面")


# 2. 【自然人业务】→ 居民身份证号码/手机号码/用户名、个人用户密码 →【登录】;未注册用户先【用户注册】
@when(
    "未注册用户先选择【用户注册】,输入姓名、证件号码和手机号码,点击【获取验证码】,输入短信验证码、密码和确认密码,点击【注册】"
)
def _(screen: EtaxPage, ui: EtaxUi, payments: PensionPayments) -> None:
    person = payments.ref("缴费人")
    screen.choose_registration()
    screen.fill_registration(person, password_of(person))
    reached(screen.request_sms_code(), "点击【获取验证码】后应发出短信验证码")
    screen.enter_sms_code(ui.senses.sms_code(person.phone))
    screen.submit_registration()
    reached(screen.wait_for(screen.login_form()), "点击【注册】后应回到登录页面")
    if "注册成功,请登录" not in (notice := screen.notice()):
        fail(f"注册后登录页面应提示“注册成功,请登录”,实际提示“{notice or screen.said() or '(无)'}”")
    ui.registered.add(person.id_number)


@when("在登录页面选择【自然人业务】,输入居民身份证号码、个人用户密码后,点击【登录】")
def _(screen: EtaxPage, payments: PensionPayments) -> None:
    person = payments.ref("缴费人")
    screen.log_in(person.id_number, password_of(person))
    reached(screen.wait_for(screen.verification()), "输入居民身份证号码和密码、点击【登录】后应进入登录验证页面")


@when(
    parsers.re(
        r"(?P<who>家人)?打开宁波市电子税务局主页,点击右上角【登录】,选择【自然人业务】,"
        r"输入(?P<what>居民身份证号码|手机号码|用户名“(?P<username>\w+)”)、个人用户密码后,点击【登录】$"
    )
)
def _(
    screen: EtaxPage,
    payments: PensionPayments,
    at_screen: dict[str, str],
    who: str | None,
    what: str,
    username: str | None,
) -> None:
    at_screen["who"] = who or "缴费人"
    person = payments.ref(at_screen["who"])
    screen.open_login()
    screen.log_in(username or (person.phone if what == "手机号码" else person.id_number), password_of(person))
    reached(screen.wait_for(screen.verification()), f"输入{what}和密码、点击【登录】后应进入登录验证页面")


@when(
    "打开宁波市电子税务局主页,点击右上角【登录】,选择【自然人业务】,输入居民身份证号码和错误的个人用户密码,连续5次点击【登录】"
)
def _(screen: EtaxPage, payments: PensionPayments) -> None:
    screen.open_login()
    screen.log_in(payments.ref("缴费人").id_number, WRONG_PASSWORD)
    for left in (4, 3, 2, 1, 0):
        warning = f"再输错{left}次" if left else "已锁定"
        if warning not in (shown := screen.wait_for_message(warning)):
            fail(f"第{5 - left}次输错个人用户密码后页面应提示“{warning}”,实际提示“{shown or '(无)'}”")
        if left:
            screen.press_login()


@when("改为输入正确的个人用户密码,点击【登录】")
def _(screen: EtaxPage, payments: PensionPayments) -> None:
    screen.enter_password(password_of(payments.ref("缴费人")))
    screen.press_login()
    # The page's answer to this click: the last wrong try's message also says 账号已锁定, but 密码错误 first.
    shown = screen.wait_for_message("账号已锁定", without="密码错误")
    if "账号已锁定" not in shown or "密码错误" in shown:
        fail(f"账号锁定时输入正确的个人用户密码,页面应提示“账号已锁定”,实际提示“{shown or '(无)'}”")


@when("30分钟后,再输入正确的个人用户密码,点击【登录】")
def _(screen: EtaxPage, payments: PensionPayments) -> None:
    payments.control.advance(payments.tenant_id, 30 * 60)
    screen.enter_password(password_of(payments.ref("缴费人")))
    screen.press_login()


@when("在登录页面选择【企业业务】")
def _(screen: EtaxPage) -> None:
    screen.open_tab("企业业务")


# 3. 登录验证: 短信验证、税务APP扫码或个人所得税APP扫码 →【登录】
@when("在登录验证页面选择短信验证,点击【获取验证码】,输入短信验证码后点击【登录】")
def _(screen: EtaxPage, ui: EtaxUi, payments: PensionPayments, at_screen: dict[str, str]) -> None:
    person = payments.ref(at_screen["who"])
    screen.open_tab("短信验证")
    reached(screen.request_verification_code(), "点击【获取验证码】后应发出短信验证码")
    screen.enter_verification_code(ui.senses.sms_code(person.phone))
    screen.confirm_login("短信验证")
    _logged_in(screen, ui, person)


@when("在登录验证页面选择短信验证,点击【获取验证码】,输入错误的短信验证码后点击【登录】")
def _(screen: EtaxPage, ui: EtaxUi, payments: PensionPayments) -> None:
    screen.open_tab("短信验证")
    reached(screen.request_verification_code(), "点击【获取验证码】后应发出短信验证码")
    code = ui.senses.sms_code(payments.ref("缴费人").phone)
    screen.enter_verification_code(f"{(int(code) + 1) % 10**6:06d}")
    screen.confirm_login("短信验证")


@when("输入手机收到的短信验证码,点击【登录】")
def _(screen: EtaxPage, ui: EtaxUi, payments: PensionPayments) -> None:
    person = payments.ref("缴费人")
    screen.enter_verification_code(ui.senses.sms_code(person.phone))
    screen.confirm_login("短信验证")
    _logged_in(screen, ui, person)


@when(
    parsers.re(
        r"在登录验证页面选择(?P<app>税务APP|个人所得税APP)扫码,用手机上的(?P=app)扫描页面上的二维码并确认登录,"
        r"点击【登录】$"
    )
)
def _(screen: EtaxPage, ui: EtaxUi, payments: PensionPayments, at_screen: dict[str, str], app: str) -> None:
    name = FACTORS[APPS[app]]
    screen.open_tab(name)
    allure.attach(
        screen.login_qr_picture(APPS[app]), name=f"{name}登录二维码", attachment_type=allure.attachment_type.PNG
    )
    ui.scan_login(APPS[app])
    if (confirmed := f"已在{app}上确认登录") not in (shown := screen.scan_confirmed(name)):
        fail(f"用{app}扫码确认后,【{name}】应显示“{confirmed}”,实际显示“{shown}”")
    screen.confirm_login(name)
    _logged_in(screen, ui, payments.ref(at_screen["who"]))


# 4. 【办税中心】→【涉税业务办理】→【社保缴费】→【社保缴费办理(城乡养老)】
@when("依次选择【办税中心】→【涉税业务办理】→【社保缴费】→【社保缴费办理(城乡养老)】")
def _(screen: EtaxPage) -> None:
    screen.open_pension()
    reached(screen.at_pension(), "应进入【社保缴费办理(城乡养老)】页面")


# what the login pages say ---------------------------------------------------------------------------------------
@then(parsers.re(r"页面提示“(?P<message>[^”]+)”,不能进入登录验证页面$"))
def _(screen: EtaxPage, message: str) -> None:
    if message not in (shown := screen.wait_for_message(message)):
        fail(f"页面“{screen.name()}”应提示“{message}”,实际提示“{shown or '(无)'}”")
    if not screen.path().endswith("/etax/login") or screen.verifying():
        fail(f"页面提示“{message}”后应留在登录页面、不能进入登录验证页面,实际到了“{screen.name()}”")


@then("进入登录验证页面")
def _(screen: EtaxPage) -> None:
    reached(screen.wait_for(screen.verification()), "应进入登录验证页面")
    check(
        screen.path().endswith("/etax/login/verify"), f"应进入登录验证页面(/etax/login/verify),实际在“{screen.name()}”"
    )


@then(parsers.re(r"页面说明“(?P<text>[^”]+)”,并请选择【自然人业务】$"))
def _(screen: EtaxPage, text: str) -> None:
    panel = screen.panel_text("企业业务")
    if text not in panel or "【自然人业务】" not in panel:
        fail(f"【企业业务】页面应说明“{text}”并请选择【自然人业务】,实际为“{' '.join(panel.split())}”")
    if screen.asks_password():
        fail("【企业业务】页面上不应有“个人用户密码”输入框,实际有")


@then("页面右上角显示“欢迎您,缴费人”,可以进入【办税中心】")
def _(screen: EtaxPage, payments: PensionPayments) -> None:
    welcome = f"欢迎您,{payments.ref('缴费人').name}"
    if welcome not in (shown := screen.top_bar_text()):
        fail(f"页面右上角应显示“{welcome}”,实际为“{shown}”")
    screen.open_tax_centre()
