"""The guide's 浙里办 APP steps, literally: each step is the guide's sentence, done on the page it names. The steps
the app channels share are in steps/app_guide_steps.py; these are the app's own: the way through 办事服务, the
district and its tax bureau, and the tax bureau on the 提示框 and the receipt."""

from __future__ import annotations

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from fixtures.counties import NINGBO_COUNTIES
from steps.app_guide_steps import confirmation_shows, receipt_text
from steps.drivers.ui.zheliban import ZhelibanPage, ZhelibanUi, bureau
from steps.expect import expect, fail
from steps.guide_steps import reached, years
from steps.language import PensionPayments

scenarios("zheliban.feature")


@pytest.fixture
def ui(payments: PensionPayments) -> ZhelibanUi:
    driver = payments.driver("浙里办APP")
    if not isinstance(driver, ZhelibanUi):
        fail(f"指南的浙里办APP步骤要在页面上操作(--driver ui),实际驱动为{driver!r}")
    return driver


@pytest.fixture
def screen(ui: ZhelibanUi) -> ZhelibanPage:
    """What the person sees: the page object of the app's pages."""
    return ui.pages


def county_code(name: str) -> str:
    return next(c.code for c in NINGBO_COUNTIES if c.name == name and c.until is None)


# 假如
@given(
    parsers.re(
        r"已参保的缴费人(?:没有待补缴的费款|有(?P<arrears>[\d年度和、]+)的补缴费款),身份证号码属于(?P<county>.+)$"
    )
)
def _(payments: PensionPayments, arrears: str | None, county: str) -> None:
    # Born when the district's code already existed (海曙区's since 1983): 18 to 40 years old.
    payments.payer(
        arrears_years=years(arrears or ""), county_code=county_code(county), age=payments.faker.random_int(18, 40)
    )


# 1. 打开浙里办APP,登录后,在首页选择【办事服务】
@when("登录后,在首页选择【办事服务】")
def _(screen: ZhelibanPage) -> None:
    reached(screen.wait_for(screen.home()), "登录后应进入首页")
    screen.open_services()


# 2. 选择【奉化区】,点击【线上一站办】→【按部门】→【国家税务总局宁波市奉化区税务局】
def _to_bureau(screen: ZhelibanPage, ui: ZhelibanUi, district: str, department: str) -> None:
    if not bureau(district).fullmatch(department):
        fail(f"指南的这一步应选{district}的税务局,写的却是【{department}】")
    screen.choose_district(district)
    ui.district = district
    screen.open_one_stop()
    if department not in (listed := screen.departments_listed()):
        fail(f"【按部门】中应有【{department}】,实际为“{listed}”")
    screen.open_department(department)


@when(parsers.re(r"选择【(?P<district>.+?)】,点击【线上一站办】→【按部门】→【(?P<department>.+)】$"))
def _(screen: ZhelibanPage, ui: ZhelibanUi, district: str, department: str) -> None:
    _to_bureau(screen, ui, district, department)


@when(
    parsers.re(
        r"(?P<who>家人|缴费人)登录浙里办APP,在首页选择【办事服务】,选择【(?P<district>.+?)】,点击【线上一站办】→"
        r"【按部门】→【(?P<department>.+)】$"
    )
)
def _(
    screen: ZhelibanPage, ui: ZhelibanUi, payments: PensionPayments, who: str, district: str, department: str
) -> None:
    reached(ui.sign_in(payments.ref(who)), f"{who}应能注册并登录浙里办APP")
    screen.open_services()
    _to_bureau(screen, ui, district, department)


# 3. 在【社会保险费及非税收入业务办理】项目下选择【城乡居民社会保险费申报缴费】
@when("在【社会保险费及非税收入业务办理】项目下选择【城乡居民社会保险费申报缴费】")
def _(screen: ZhelibanPage) -> None:
    screen.open_residents_fee()


# 4. 点击【在线办理】,选择【(城乡养老)缴费】
@when("点击【在线办理】,选择【(城乡养老)缴费】")
def _(screen: ZhelibanPage) -> None:
    screen.open_online("(城乡养老)缴费")
    reached(screen.at_pension(), "选择【(城乡养老)缴费】后应进入【(城乡养老)缴费】页面")


# 7. 提示框: the district's tax bureau collects
@then(parsers.re(r"提示框中的缴费信息为:(?P<due>.+)$"))
def _(screen: ZhelibanPage, ui: ZhelibanUi, due: str) -> None:
    confirmation_shows(screen, due)
    if not bureau(ui.district).search(shown := screen.confirmation_text()):
        fail(f"提示框中应写明{ui.district}的税务局,实际为“{' '.join(shown.split())}”")


# 9. 打印缴费回执单: the district's tax bureau on the receipt
@then(
    parsers.re(
        r"得到PDF格式的缴费回执单:缴费人姓名、隐去中间数字的证件号码、(?P<amount>[\d.]+)元、电子税票号码,"
        r"税务机关为“(?P<authority>.+)”$"
    )
)
def _(payments: PensionPayments, screen: ZhelibanPage, printed: dict[str, bytes], amount: str, authority: str) -> None:
    text, records = receipt_text(payments, screen, printed["receipt"], amount, "缴费回执单")
    if authority not in text:
        fail(f"缴费回执单上的税务机关应为“{authority}”,实际没有")
    for record in records:
        expect(record["tax_authority"], authority, f"{record['year']}年度缴费记录的税务机关")
