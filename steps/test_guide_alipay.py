"""The guide's Alipay steps, literally: each step is the guide's sentence, done on the page it names."""

from __future__ import annotations

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from steps.drivers.protocol import CHOOSE_TIER, Choice
from steps.drivers.ui.alipay import PENSION, AlipayPage, AlipayUi
from steps.expect import expect, fail, said
from steps.expect import lines as listed
from steps.guide_steps import lines, reached
from steps.language import PensionPayments

scenarios("alipay.feature")


@pytest.fixture
def alipay(payments: PensionPayments) -> AlipayUi:
    driver = payments.driver("支付宝小程序")
    if not isinstance(driver, AlipayUi):
        fail(f"指南的支付宝小程序步骤要在页面上操作(--driver ui),实际驱动为{driver!r}")
    return driver


@pytest.fixture
def screen(alipay: AlipayUi) -> AlipayPage:
    """What the person sees: the page object of the phone's Alipay and its mini-program."""
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
    reached(alipay.log_in(payments.ref(who)), f"手机支付宝应能用{who}的手机号登录")


# 步骤1:两条进入小程序的路 ----------------------------------------------------------------------------------
@when(parsers.re(r"打开支付宝,直接在首页搜索框搜索“(?P<text>.+)”,点击进入【(?P<name>.+)】小程序$"))
def _(screen: AlipayPage, text: str, name: str) -> None:
    screen.open_alipay()
    screen.search(text)
    screen.open_result(name)


@when(parsers.re(r"在首页点击【更多】打开应用中心,依次选择【(?P<centre>.+)】→【(?P<tab>.+)】→【(?P<name>.+)】$"))
def _(screen: AlipayPage, centre: str, tab: str, name: str) -> None:
    screen.open_alipay()
    screen.open_link("更多")
    screen.open_link(centre)
    screen.open_tab(tab)
    screen.open_link(name)


@when("同意小程序获取支付宝实名信息")
def _(screen: AlipayPage) -> None:
    screen.wait_for_mini_program()
    screen.agree_authorization()


# 步骤2:我为自己缴 / 我帮他人缴 / 缴费批扣定档 ----------------------------------------------------------------
@when("选择【我为自己缴】")
def _(screen: AlipayPage) -> None:
    screen.press("我为自己缴")


@then("系统自动带出个人身份信息")
def _(screen: AlipayPage, payments: PensionPayments) -> None:
    me = payments.ref("缴费人")
    shown = screen.identity_shown()
    expect(shown.get("姓名"), me.name, "系统带出的姓名")
    expect(
        shown.get("证件号码"),
        f"{me.id_number[:6]}{'*' * 8}{me.id_number[-4:]}",
        "系统带出的证件号码",
        why="隐去中间8位",
    )


@when("点击【下一步】")
def _(screen: AlipayPage) -> None:
    screen.next()


@when("选择【我帮他人缴】,输入缴费人姓名和证件号码,点击【下一步】")
def _(screen: AlipayPage, payments: PensionPayments) -> None:
    screen.press("我帮他人缴")
    screen.enter_other(payments.ref("缴费人"))
    screen.next()


@when(
    parsers.re(
        r"进入【宁波社保缴费】小程序,选择【我为自己缴】,点击【下一步】,选择【城乡居民基本养老保险费】,"
        r"点击【下一步】$"
    )
)
def _(alipay: AlipayUi, payments: PensionPayments) -> None:
    reached(alipay.enter(payments.ref("缴费人")), "缴费人应能进入【宁波社保缴费】小程序")
    reached(alipay.choose_payer(payments.ref("缴费人"), None), "选择【我为自己缴】、点击【下一步】后应带出险种信息")
    alipay.pages.choose_item(PENSION)
    alipay.pages.next()


# 步骤3:险种信息 ----------------------------------------------------------------------------------------------
@then("系统自动带出缴费人险种信息,其中有【城乡居民基本养老保险费】")
def _(screen: AlipayPage) -> None:
    reached(screen.wait_for("险种信息"), "点击【下一步】后应带出【险种信息】")
    if PENSION not in (names := screen.item_names()):
        fail(f"系统带出的险种信息中应有【{PENSION}】,实际为{'、'.join(names) or '(无)'}")


@when("选择【城乡居民基本养老保险费】,点击【下一步】")
def _(screen: AlipayPage) -> None:
    screen.choose_item(PENSION)
    screen.next()


# 步骤4:缴费类型 ----------------------------------------------------------------------------------------------
@when(
    parsers.re(
        r"点击【缴费类型】,选择其中的【选档缴费】,选择【缴费年度】为(?P<year>\d{4})年,"
        r"点击【缴费档次】选择(?P<tier>\d+)元,点击【确认】$"
    )
)
def _(screen: AlipayPage, year: str, tier: str) -> None:
    screen.choose_pay_type("选档缴费")
    screen.choose_year_and_tier(int(year), int(tier))
    screen.press("确认")


@when("点击【缴费类型】,选择其中的【特殊缴费】,点击【下一步】")
def _(screen: AlipayPage) -> None:
    screen.choose_pay_type("特殊缴费")
    screen.next()


# 步骤5:支付界面 → 去支付 → 确认付款 ---------------------------------------------------------------------------
@then(parsers.re(r"进入支付界面,(?:缴费信息为|系统自动带出应缴数据):(?P<due>.+)$"))
def _(screen: AlipayPage, due: str) -> None:
    reached(screen.wait_for("支付界面"), "应进入【支付界面】")
    expect(list(screen.pay_lines()), lines(due), "支付界面的缴费信息", show=listed)


@when("再次核实确认相关信息后,点击【去支付】→【确认付款】")
def _(screen: AlipayPage, alipay: AlipayUi) -> None:
    reached(screen.wait_for("支付界面"), "应在【支付界面】")
    screen.press("去支付")
    reached(alipay.pay_at_cashier(), "点击【去支付】→【确认付款】后应付款成功")


@then(parsers.re(r"页面显示“(?P<title>.+)”$"))
def _(screen: AlipayPage, title: str) -> None:
    expect(screen.result_text(), title, "页面显示的缴费结果")


@then(parsers.re(r"页面提示“(?P<message>.+)”$"))
def _(screen: AlipayPage, message: str) -> None:
    if message not in (shown := screen.wait_for_message(message)):
        fail(f"页面“{screen.name()}”应提示“{message}”,实际提示“{shown or '(无)'}”")


@when("选择其中的【特殊缴费】,点击【下一步】,点击【去支付】→【确认付款】")
def _(screen: AlipayPage, alipay: AlipayUi) -> None:
    screen.choose_pay_type("特殊缴费")
    screen.next()
    reached(screen.wait_for("支付界面"), "点击【下一步】后应进入【支付界面】")
    reached(alipay.go_pay(), "点击【去支付】→【确认付款】后应付款成功")
    expect(screen.result_text(), "缴费成功", "特殊缴费的缴费结果")


@when(
    parsers.re(
        r"再次进入小程序,选择【我为自己缴】和【选档缴费】(?P<year>\d{4})年度(?P<tier>\d+)元,"
        r"点击【去支付】→【确认付款】$"
    )
)
def _(alipay: AlipayUi, payments: PensionPayments, year: str, tier: str) -> None:
    outcome = alipay.pay(payments.ref("缴费人"), Choice(CHOOSE_TIER, int(year), int(tier)))
    if not outcome.paid:
        fail(f"再次选档缴纳{year}年度{tier}元应缴费成功,实际{said(outcome)}")


# 步骤6:缴费记录 ----------------------------------------------------------------------------------------------
@when(parsers.re(r"(?P<home>返回首页,)?通过【缴费记录】查询已缴费信息$"))
def _(screen: AlipayPage, home: str | None) -> None:
    if home:
        screen.press("返回首页")
    screen.press("缴费记录")


@then(parsers.re(r"记录中有(?P<rows>.+)$"))
def _(screen: AlipayPage, rows: str) -> None:
    seen = sorted((r.year, r.kind, r.amount) for r in screen.record_rows())
    expect(
        seen, sorted((line.year, line.kind, line.amount) for line in lines(rows)), "支付宝小程序的缴费记录", show=listed
    )


# 步骤2第二段:缴费批扣定档 --------------------------------------------------------------------------------------
@when("进入【宁波社保缴费】小程序,选择【缴费批扣定档】")
def _(alipay: AlipayUi, payments: PensionPayments) -> None:
    reached(alipay.enter(payments.ref("缴费人")), "缴费人应能进入【宁波社保缴费】小程序")
    alipay.pages.press("缴费批扣定档")


@then("页面显示三方协议的开户银行和银行账号")
def _(screen: AlipayPage, payments: PensionPayments) -> None:
    shown = screen.batch_agreement()
    signed = next(
        a for a in payments.control.agreements(payments.tenant_id) if a["id_number"] == payments.ref("缴费人").id_number
    )
    seen = (shown.get("开户银行"), shown.get("银行账号"), shown.get("协议状态"))
    expect(
        seen,
        (signed["bank"], signed["account"], "有效"),
        "页面显示的三方协议",
        show=lambda s: f"开户银行{s[0]}、银行账号{s[1]}、协议状态“{s[2]}”",
    )


@when(parsers.re(r"选择自己的缴费档次(?P<tier>\d+)元,点击【确认】$"))
def _(screen: AlipayPage, payments: PensionPayments, tier: str) -> None:
    screen.choose_year_and_tier(payments.year, int(tier), "缴费批扣定档")
    screen.press("确认")


@then(parsers.re(r"页面提示已定档,银行将于(?P<day>[\d-]+)发起扣款$"))
def _(screen: AlipayPage, day: str) -> None:
    done = screen.batch_done()
    if "已定档" not in done or f"银行将于{day}" not in done:
        fail(f"页面应提示已定档、银行将于{day}发起扣款,实际提示“{done}”")


@when("等待银行发起扣款")
def _(payments: PensionPayments) -> None:
    deducted = payments.pass_batch_day()
    expect([e["status"] for e in deducted], ["已扣款"], "批量扣款日的扣款结果", show="、".join)


@when("再次进入【缴费批扣定档】")
def _(alipay: AlipayUi, payments: PensionPayments) -> None:
    reached(alipay.open_batch(payments.ref("缴费人")), "应能再次进入【缴费批扣定档】")


@then(parsers.re(r"批扣记录显示(?P<year>\d{4})年度(?P<tier>\d+)元“(?P<status>.+)”$"))
def _(screen: AlipayPage, year: str, tier: str, status: str) -> None:
    expect(
        [(e.year, e.tier, e.status) for e in screen.batch_rows()],
        [(int(year), int(tier), status)],
        "批扣记录",
        show=lambda rows: "、".join(f"{y}年度{t}元“{s}”" for y, t, s in rows) or "(无)",
    )


@then("页面上没有可以定档的【确认】")
def _(screen: AlipayPage) -> None:
    if screen.offers_batch_confirm():
        fail("已定档后【缴费批扣定档】页面上不应再有可以定档的【确认】,实际有")
