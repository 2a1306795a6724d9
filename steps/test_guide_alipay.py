"""The guide's Alipay steps, literally: each step is the guide's sentence, done on the page it names."""

from __future__ import annotations

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from steps.drivers.protocol import CHOOSE_TIER, Choice
from steps.drivers.ui.alipay import PENSION, AlipayPage, AlipayUi
from steps.guide_steps import lines
from steps.language import PensionPayments

scenarios("alipay.feature")




@pytest.fixture
def alipay(payments: PensionPayments) -> AlipayUi:
    driver = payments.driver("支付宝小程序")
    assert isinstance(driver, AlipayUi)
    return driver


@pytest.fixture
def page(alipay: AlipayUi) -> AlipayPage:
    return alipay.pages


# 假如 ----------------------------------------------------------------------------------------------------
@given(parsers.re(r"已参保的缴费人没有待补缴的费款,已与银行签订有效的三方协议,账户余额(?P<balance>\d+)元$"))
def _(payments: PensionPayments, balance: str) -> None:
    payments.payer()
    payments.sign_agreement(balance=balance)


@given(parsers.re(r"手机支付宝已用(?P<who>缴费人|家人)的手机号登录$"))
def _(payments: PensionPayments, alipay: AlipayUi, who: str) -> None:
    if who not in payments.payers:
        payments.payer(who)
    assert alipay.log_in(payments.ref(who)) == ""


# 步骤1:两条进入小程序的路 ----------------------------------------------------------------------------------
@when(parsers.re(r"打开支付宝,直接在首页搜索框搜索“(?P<text>.+)”,点击进入【(?P<name>.+)】小程序$"))
def _(page: AlipayPage, text: str, name: str) -> None:
    page.open_alipay()
    page.search(text)
    page.open_result(name)


@when(parsers.re(r"在首页点击【更多】打开应用中心,依次选择【(?P<centre>.+)】→【(?P<tab>.+)】→【(?P<name>.+)】$"))
def _(page: AlipayPage, centre: str, tab: str, name: str) -> None:
    page.open_alipay()
    page.open_link("更多")
    page.open_link(centre)
    page.open_tab(tab)
    page.open_link(name)


@when("同意小程序获取支付宝实名信息")
def _(page: AlipayPage) -> None:
    page.wait_for_mini_program()
    page.agree_authorization()


# 步骤2:我为自己缴 / 我帮他人缴 / 缴费批扣定档 ----------------------------------------------------------------
@when("选择【我为自己缴】")
def _(page: AlipayPage) -> None:
    page.press("我为自己缴")


@then("系统自动带出个人身份信息")
def _(page: AlipayPage, payments: PensionPayments) -> None:
    page.section("本人信息").locator("dd").first.wait_for()
    me = payments.ref("缴费人")
    shown = page.identity_shown()
    assert shown["姓名"] == me.name
    assert shown["证件号码"] == f"{me.id_number[:6]}{'*' * 8}{me.id_number[-4:]}"


@when("点击【下一步】")
def _(page: AlipayPage) -> None:
    page.next()


@when("选择【我帮他人缴】,输入缴费人姓名和证件号码,点击【下一步】")
def _(page: AlipayPage, payments: PensionPayments) -> None:
    page.press("我帮他人缴")
    page.enter_other(payments.ref("缴费人"))
    page.next()


@when(parsers.re(r"进入【宁波社保缴费】小程序,选择【我为自己缴】,点击【下一步】,选择【城乡居民基本养老保险费】,"
                 r"点击【下一步】$"))
def _(alipay: AlipayUi, payments: PensionPayments) -> None:
    assert alipay.enter(payments.ref("缴费人")) == ""
    assert alipay.choose_payer(payments.ref("缴费人"), None) == ""
    alipay.pages.choose_item(PENSION)
    alipay.pages.next()


# 步骤3:险种信息 ----------------------------------------------------------------------------------------------
@then("系统自动带出缴费人险种信息,其中有【城乡居民基本养老保险费】")
def _(page: AlipayPage) -> None:
    assert page.wait_for("险种信息") == ""
    assert PENSION in page.item_names()


@when("选择【城乡居民基本养老保险费】,点击【下一步】")
def _(page: AlipayPage) -> None:
    page.choose_item(PENSION)
    page.next()


# 步骤4:缴费类型 ----------------------------------------------------------------------------------------------
@when(parsers.re(r"点击【缴费类型】,选择其中的【选档缴费】,选择【缴费年度】为(?P<year>\d{4})年,"
                 r"点击【缴费档次】选择(?P<tier>\d+)元,点击【确认】$"))
def _(page: AlipayPage, year: str, tier: str) -> None:
    page.choose_pay_type("选档缴费")
    page.choose_year_and_tier(int(year), int(tier))
    page.press("确认")


@when("点击【缴费类型】,选择其中的【特殊缴费】,点击【下一步】")
def _(page: AlipayPage) -> None:
    page.choose_pay_type("特殊缴费")
    page.next()


# 步骤5:支付界面 → 去支付 → 确认付款 ---------------------------------------------------------------------------
@then(parsers.re(r"进入支付界面,(?:缴费信息为|系统自动带出应缴数据):(?P<due>.+)$"))
def _(page: AlipayPage, due: str) -> None:
    assert page.wait_for("支付界面") == ""
    assert list(page.pay_lines()) == lines(due)


@when("再次核实确认相关信息后,点击【去支付】→【确认付款】")
def _(page: AlipayPage, alipay: AlipayUi) -> None:
    assert page.wait_for("支付界面") == ""
    page.press("去支付")
    alipay.cashier.sheet.wait_for()
    assert alipay.cashier.pay() == ""


@then(parsers.re(r"页面显示“(?P<title>.+)”$"))
def _(page: AlipayPage, title: str) -> None:
    page.result_title().first.wait_for()
    assert page.result_title().inner_text().strip() == title


@then(parsers.re(r"页面提示“(?P<message>.+)”$"))
def _(page: AlipayPage, message: str) -> None:
    alert = page.page.get_by_role("alert").filter(has_text=message)
    alert.wait_for()
    assert alert.is_visible()


@when("选择其中的【特殊缴费】,点击【下一步】,点击【去支付】→【确认付款】")
def _(page: AlipayPage, alipay: AlipayUi) -> None:
    page.choose_pay_type("特殊缴费")
    page.next()
    assert page.wait_for("支付界面") == ""
    assert alipay.go_pay() == ""
    page.result_title().filter(has_text="缴费成功").wait_for()


@when(parsers.re(r"再次进入小程序,选择【我为自己缴】和【选档缴费】(?P<year>\d{4})年度(?P<tier>\d+)元,"
                 r"点击【去支付】→【确认付款】$"))
def _(alipay: AlipayUi, payments: PensionPayments, year: str, tier: str) -> None:
    outcome = alipay.pay(payments.ref("缴费人"), Choice(CHOOSE_TIER, int(year), int(tier)))
    assert outcome.paid, outcome


# 步骤6:缴费记录 ----------------------------------------------------------------------------------------------
@when(parsers.re(r"(?P<home>返回首页,)?通过【缴费记录】查询已缴费信息$"))
def _(page: AlipayPage, home: str | None) -> None:
    if home:
        page.press("返回首页")
    page.press("缴费记录")


@then(parsers.re(r"记录中有(?P<rows>.+)$"))
def _(page: AlipayPage, rows: str) -> None:
    seen = sorted((r.year, r.kind, r.amount) for r in page.record_rows())
    assert seen == sorted((line.year, line.kind, line.amount) for line in lines(rows))


# 步骤2第二段:缴费批扣定档 --------------------------------------------------------------------------------------
@when("进入【宁波社保缴费】小程序,选择【缴费批扣定档】")
def _(alipay: AlipayUi, payments: PensionPayments) -> None:
    assert alipay.enter(payments.ref("缴费人")) == ""
    alipay.pages.press("缴费批扣定档")


@then("页面显示三方协议的开户银行和银行账号")
def _(page: AlipayPage, payments: PensionPayments) -> None:
    agreement = page.page.locator("#batch-agreement")
    agreement.locator("dd").first.wait_for()
    texts = agreement.locator("dt, dd").all_inner_texts()
    shown = dict(zip(texts[::2], texts[1::2], strict=True))
    signed = next(a for a in payments.control.agreements(payments.tenant_id)
                  if a["id_number"] == payments.ref("缴费人").id_number)
    assert (shown["开户银行"], shown["银行账号"], shown["协议状态"]) == (signed["bank"], signed["account"], "有效")


@when(parsers.re(r"选择自己的缴费档次(?P<tier>\d+)元,点击【确认】$"))
def _(page: AlipayPage, payments: PensionPayments, tier: str) -> None:
    page.choose_year_and_tier(payments.year, int(tier), "缴费批扣定档")
    page.press("确认")


@then(parsers.re(r"页面提示已定档,银行将于(?P<day>[\d-]+)发起扣款$"))
def _(page: AlipayPage, day: str) -> None:
    done = page.page.locator("#batch-done")
    done.wait_for()
    assert "已定档" in done.inner_text() and f"银行将于{day}" in done.inner_text()


@when("等待银行发起扣款")
def _(payments: PensionPayments) -> None:
    deducted = payments.pass_batch_day()
    assert [e["status"] for e in deducted] == ["已扣款"], deducted


@when("再次进入【缴费批扣定档】")
def _(alipay: AlipayUi, payments: PensionPayments) -> None:
    assert alipay.open_batch(payments.ref("缴费人")) == ""


@then(parsers.re(r"批扣记录显示(?P<year>\d{4})年度(?P<tier>\d+)元“(?P<status>.+)”$"))
def _(page: AlipayPage, year: str, tier: str, status: str) -> None:
    assert [(e.year, e.tier, e.status) for e in page.batch_rows()] == [(int(year), int(tier), status)]


@then("页面上没有可以定档的【确认】")
def _(page: AlipayPage) -> None:
    assert not page.section("缴费批扣定档").get_by_role("button", name="确认", exact=True).is_visible()

