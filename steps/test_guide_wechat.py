"""The guide's WeChat steps, literally: each step is the guide's sentence, done on the page it names."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytest_bdd import parsers, scenarios, then, when

from steps.drivers.protocol import CHOOSE_TIER, Choice
from steps.drivers.ui.wechat import WechatPage, WechatUi
from steps.expect import expect, fail, said
from steps.expect import lines as listed
from steps.guide_steps import lines, reached
from steps.language import PensionPayments

scenarios("wechat.feature")


@pytest.fixture
def wechat(payments: PensionPayments) -> WechatUi:
    driver = payments.driver("微信公众号")
    if not isinstance(driver, WechatUi):
        fail(f"指南的微信公众号步骤要在页面上操作(--driver ui),实际驱动为{driver!r}")
    return driver


@pytest.fixture
def screen(wechat: WechatUi) -> WechatPage:
    """What the person sees: the page object of the official account's pages."""
    return wechat.pages


@when(parsers.re(r"打开微信,在搜索框内输入“(?P<account>.+)”并点击,在首页选择【(?P<menu>.+)】中的【(?P<item>.+)】$"))
def _(screen: WechatPage, account: str, menu: str, item: str) -> None:
    screen.search_official_account(account)
    screen.open_menu(menu, item)


@when("同意授权并点击【开始使用】")
def _(screen: WechatPage) -> None:
    screen.agree_authorization()
    screen.start()


@when("输入缴费人姓名,选择证件类型“居民身份证”,输入证件号码")
def _(screen: WechatPage, payments: PensionPayments) -> None:
    screen.enter_payer(payments.ref("缴费人"))


@then("系统自动带出缴费人有效参保信息,其中有【城乡居民基本养老保险费】")
def _(screen: WechatPage) -> None:
    reached(screen.wait_for(screen.items()), "输入缴费人信息后系统应带出参保信息")
    if "城乡居民基本养老保险费" not in (names := screen.item_names()):
        fail(f"系统带出的参保信息中应有【城乡居民基本养老保险费】,实际为{'、'.join(names) or '(无)'}")


@when("选择【城乡居民基本养老保险费】,点击【下一步】")
def _(screen: WechatPage) -> None:
    screen.choose_item("城乡居民基本养老保险费")
    screen.next()


@when(
    parsers.re(
        r"点击【缴费类型】,选择其中的【选档缴费】,选择【缴费年度】为(?P<year>\d{4})年,"
        r"点击【缴费档次】选择(?P<tier>\d+)元,点击【确认】$"
    )
)
def _(screen: WechatPage, year: str, tier: str) -> None:
    screen.choose_pay_type("选档缴费")
    screen.choose_year_and_tier(int(year), int(tier))
    screen.confirm()


@when("点击【缴费类型】,选择其中的【特殊缴费】,点击【下一步】")
def _(screen: WechatPage) -> None:
    screen.choose_pay_type("特殊缴费")
    screen.next_from_pay_type()


@then(parsers.re(r"系统(?:带出缴费信息|自动带出应缴数据):(?P<due>.+)$"))
def _(screen: WechatPage, due: str) -> None:
    reached(screen.wait_for("缴费信息"), "应进入【缴费信息】")
    expect(list(screen.detail_lines()), lines(due), "系统带出的缴费信息", show=listed)


@when("确认无误后,点击【下一步】")
def _(screen: WechatPage) -> None:
    screen.next()


@when("再次核对缴费人相关缴费信息,确认无误后点击【确认提交】")
def _(screen: WechatPage) -> None:
    reached(screen.wait_for("核对缴费信息"), "点击【下一步】后应进入【核对缴费信息】")
    screen.submit()


@when("选择缴费渠道“微信支付”,点击【确认支付】,在微信支付页面完成支付")
def _(screen: WechatPage, wechat: WechatUi, screenshot_now: Callable[[str], None]) -> None:
    reached(screen.wait_for("选择缴费渠道"), "点击【确认提交】后应进入【选择缴费渠道】")
    screen.choose_gateway("微信支付")
    screen.confirm_payment()
    came = wechat.cashier.came(screen)
    if not came:  # the step's evidence is the provider's page it pays at, before it is sent back
        screenshot_now("微信支付页面(点击【立即支付】前)")
    reached(came or wechat.cashier.pay(), "在微信支付页面应付款成功")


@then(parsers.re(r"页面显示“(?P<title>.+)”$"))
def _(screen: WechatPage, title: str) -> None:
    expect(screen.result_text(), title, "页面显示的缴费结果")


@then(parsers.re(r"页面提示“(?P<message>.+)”$"))
def _(screen: WechatPage, message: str) -> None:
    if message not in (shown := screen.wait_for_message(message)):
        fail(f"页面“{screen.name()}”应提示“{message}”,实际提示“{shown or '(无)'}”")


@when("通过【查记录】查询已缴费信息")
def _(screen: WechatPage) -> None:
    screen.open_records()


@then(parsers.re(r"记录中有(?P<rows>.+)$"))
def _(screen: WechatPage, rows: str) -> None:
    seen = sorted((r.year, r.kind, r.amount) for r in screen.record_rows())
    expect(
        seen, sorted((line.year, line.kind, line.amount) for line in lines(rows)), "微信公众号的缴费记录", show=listed
    )


@when("进入社保缴费,输入缴费人信息,选择【城乡居民基本养老保险费】,点击【下一步】")
def _(screen: WechatPage, wechat: WechatUi, payments: PensionPayments) -> None:
    wechat.enter()
    screen.enter_payer(payments.ref("缴费人"))
    reached(screen.wait_for(screen.items()), "输入缴费人信息后系统应带出参保信息")
    screen.choose_item("城乡居民基本养老保险费")
    screen.next()


@when("选择其中的【特殊缴费】,点击【下一步】,核对后点击【下一步】和【确认提交】,并完成微信支付")
def _(screen: WechatPage, wechat: WechatUi) -> None:
    screen.choose_pay_type("特殊缴费")
    screen.next_from_pay_type()
    reached(screen.wait_for("缴费信息"), "点击【下一步】后应进入【缴费信息】")
    reached(wechat.submit_and_pay(), "核对、确认提交后应用微信支付付款成功")
    expect(screen.result_text(), "缴费成功", "特殊缴费的缴费结果")


@when(parsers.re(r"再次进入社保缴费,选择【选档缴费】(?P<year>\d{4})年度(?P<tier>\d+)元并完成微信支付$"))
def _(wechat: WechatUi, payments: PensionPayments, year: str, tier: str) -> None:
    outcome = wechat.pay(payments.ref("缴费人"), Choice(CHOOSE_TIER, int(year), int(tier)))
    if not outcome.paid:
        fail(f"再次选档缴纳{year}年度{tier}元应缴费成功,实际{said(outcome)}")
