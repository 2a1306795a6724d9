"""The guide's 宁波税务 APP steps, literally: each step is the guide's sentence, done on the page it names. The steps
the app channels share are in steps/app_guide_steps.py; these are the app's own."""

from __future__ import annotations

import pytest
from pytest_bdd import parsers, scenarios, when

from steps.drivers.ui.taxapp import TaxappPage, TaxappUi
from steps.expect import fail
from steps.guide_steps import reached
from steps.language import PensionPayments

scenarios("taxapp.feature")


@pytest.fixture
def ui(payments: PensionPayments) -> TaxappUi:
    driver = payments.driver("宁波税务APP")
    if not isinstance(driver, TaxappUi):
        fail(f"指南的宁波税务APP步骤要在页面上操作(--driver ui),实际驱动为{driver!r}")
    return driver


@pytest.fixture
def screen(ui: TaxappUi) -> TaxappPage:
    """What the person sees: the page object of the app's pages."""
    return ui.pages


# 1. 注册并选择【个人业务】(已注册的可直接选择个人业务登录)
@when("选择【个人业务】")
def _(screen: TaxappPage) -> None:
    screen.enter_home()


@when(parsers.re(r"(?P<who>家人|缴费人)打开宁波税务APP,点击【登录】,输入手机号码和密码登录,选择【个人业务】$"))
def _(screen: TaxappPage, ui: TaxappUi, payments: PensionPayments, who: str) -> None:
    reached(ui.log_in(payments.ref(who)), f"{who}应能用手机号码和密码登录宁波税务APP")
    screen.enter_home()


# 2. 登录后,在首页选择【社保缴费】→【(城乡养老)缴费】
@when("登录后,在首页选择【社保缴费】→【(城乡养老)缴费】")
def _(screen: TaxappPage) -> None:
    reached(screen.wait_for(screen.home()), "登录后应进入首页")
    screen.open_pension()
    reached(screen.at_pension(), "选择【社保缴费】→【(城乡养老)缴费】后应进入【(城乡养老)缴费】页面")


# 3. 他人:手机号码须是缴费人登记的
@when(
    "办理对象选择他人,输入缴费人的证件类型、姓名、身份证件号码,手机号码输入家人自己的手机号码,以及图片上的随机验证码,"
    "点击【下一步】"
)
def _(screen: TaxappPage, ui: TaxappUi, payments: PensionPayments) -> None:
    screen.choose_target("他人")
    screen.enter_other(payments.ref("缴费人"))
    screen.enter_phone(payments.ref("家人").phone)
    screen.enter_captcha(ui.senses.captcha_text(screen.captcha_id()))
    screen.next()
