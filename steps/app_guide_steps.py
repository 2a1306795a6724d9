"""The guide's steps the walk-throughs of the app channels (宁波税务APP, 电子税务局, 浙里办APP) share, literally:
each step is the guide's sentence, done on the page it names. Every walk-through module provides the fixtures
``ui`` (its channel's UI driver) and ``page`` (that driver's page object); the steps it words or does otherwise
are its own, and a step it defines again overrides the shared one."""

from __future__ import annotations

import re
from typing import Any

import allure
import pytest
from playwright.sync_api import Page
from pytest_bdd import given, parsers, then, when

from fixtures.receipts import pdf_text
from simulators.core.idnumber import mask
from steps.drivers.accounts import password_of
from steps.drivers.ui.app_channel import AppChannelUi
from steps.drivers.ui.app_page import SYSTEM_ITEM, AppChannelPage
from steps.drivers.ui.cashier import AlipayScanner
from steps.drivers.ui.taxapp import TaxappPage, TaxappUi
from steps.guide_steps import STATUSES, lines
from steps.language import PensionPayments

SHOWN = pytest.StashKey[str]()  # the random-code picture a scenario looked at
PROVIDERS = "建行|建设银行|微信支付|支付宝"


class Printed(dict[str, bytes]):
    """The receipts a scenario printed, by name; a step parameter in the report says only their sizes."""

    def __repr__(self) -> str:
        return "回执单:" + ("、".join(f"{name} PDF {len(pdf) / 1024:.1f} KB" for name, pdf in self.items()) or "无")


@pytest.fixture
def printed() -> dict[str, bytes]:
    """The receipts a scenario printed, by name."""
    return Printed()


def confirmation_shows(page: AppChannelPage, due: str) -> None:
    """The 提示框 is up and lists the lines ``due`` names."""
    assert page.wait_for(page.confirmation()) == ""
    assert list(page.confirmation_lines()) == lines(due)


def receipt_text(payments: PensionPayments, page: AppChannelPage, pdf: bytes, amount: str) -> tuple[str, list[Any]]:
    """What every receipt shows (a PDF: the channel's 社保费电子缴款回执单 with the payer's name, the masked ID
    number, the amount and each ticket number): its text, and the payments in the ledger."""
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    payer = payments.ref("缴费人")
    records = payments.ledger()["records"]
    assert records, "账本中没有缴费记录"
    assert "社保费电子缴款回执单" in text and "城乡居民基本养老保险费" in text and page.APP in text
    assert payer.name in text
    assert mask(payer.id_number) in text and payer.id_number not in text
    assert f"¥{amount}" in text
    for record in records:
        assert record["ticket_no"] in text
    return text, records


# 假如
@given(parsers.re(rf"已参保的缴费人是(?P<status>{STATUSES}),已与银行签订三方协议$"))
def _(payments: PensionPayments, status: str) -> None:
    payments.payer(special_status=status)
    payments.sign_agreement(balance=5000)


@given(parsers.re(r"代缴的家人已注册(?:宁波税务APP|浙里办)$"))
def _(payments: PensionPayments, ui: TaxappUi) -> None:
    payments.payer("家人")
    assert ui.sign_in(payments.ref("家人")) == ""
    ui.sign_out()


# 注册 on the phone (宁波税务APP, 浙里办APP)
@when(parsers.re(r"打开(?:宁波税务APP|浙里办APP),点击【注册】,输入手机号码,点击【获取验证码】$"))
def _(page: TaxappPage, payments: PensionPayments) -> None:
    page.open_app()
    page.link("注册").click()
    page.page.get_by_label("手机号码", exact=True).fill(payments.ref("缴费人").phone)
    assert page.request_sms_code() == ""


@when("输入短信验证码、密码、确认密码、姓名和证件号码,点击【注册】")
def _(page: TaxappPage, ui: AppChannelUi, payments: PensionPayments) -> None:
    person = payments.ref("缴费人")
    page.fill_registration(person, password_of(person))
    page.enter_sms_code(ui.senses.sms_code(person.phone))
    page.button("注册").click()
    assert page.wait_for(page.signed_in()) == ""
    ui.registered.add(person.id_number)
    ui.logged_in(person)


# (城乡养老)缴费: 本人 →【下一步】;他人 → the payer's details and the random code →【下一步】
@when(parsers.re(r"缴费人(?:注册并)?登录(?:宁波税务APP|宁波市电子税务局),.+,为本人点击【下一步】$"))
def _(page: AppChannelPage, ui: AppChannelUi, payments: PensionPayments) -> None:
    assert ui.sign_in(payments.ref("缴费人")) == ""
    ui.open_pension()
    page.choose_target("本人")
    page.next()


@when("为本人缴费的,直接点击【下一步】")
def _(page: AppChannelPage) -> None:
    page.choose_target("本人")
    page.next()


@when("办理对象选择他人,选择证件类型“居民身份证”,输入缴费人姓名、身份证件号码、手机号码和图片上的随机验证码,点击【下一步】")
@when("办理对象选择【他人】,输入缴费人姓名、证件号码、手机号码及图片上的随机验证码,点击【下一步】")
def _(page: AppChannelPage, ui: AppChannelUi, payments: PensionPayments) -> None:
    payer = payments.ref("缴费人")
    page.choose_target("他人")
    page.enter_other(payer)
    page.enter_captcha(ui.senses.captcha_text(page.captcha_id()))
    page.next()
    ui.verified.add(payer.id_number)


@when(parsers.re(r"办理对象选择他人,输入缴费人的证件类型、姓名、(?:身份)?证件号码和手机号码,随机验证码输入“(?P<typed>\w+)”,"
                 r"点击【下一步】$"))
def _(page: AppChannelPage, ui: AppChannelUi, payments: PensionPayments, typed: str,
      request: pytest.FixtureRequest) -> None:
    page.choose_target("他人")
    page.enter_other(payments.ref("缴费人"))
    shown = page.captcha_id()
    assert ui.senses.captcha_text(shown) != typed, "图片上的随机验证码恰好就是要输错的那个"
    request.node.stash[SHOWN] = shown
    page.enter_captcha(typed)
    page.next()


@when("点击【看不清,换一张】,输入新图片上的随机验证码,点击【下一步】")
def _(page: AppChannelPage, ui: AppChannelUi, request: pytest.FixtureRequest) -> None:
    fresh = page.change_captcha()
    assert fresh != request.node.stash[SHOWN]
    page.enter_captcha(ui.senses.captcha_text(fresh))
    page.next()


@then("页面列出缴费人的城乡居民社会养老保险条目")
def _(page: AppChannelPage, payments: PensionPayments) -> None:
    assert page.wait_for(page.items_section()) == ""
    assert payments.ref("缴费人").name in page.page.locator("#items-payer").inner_text()
    assert any(name.startswith("城乡居民社会养老保险") for name in page.item_names())


@then(parsers.re(r"页面提示“(?P<message>[^”]+)”$"))
def _(page: AppChannelPage, message: str) -> None:
    page.message_saying(message).wait_for()


# 勾选条目;当年度:【缴费金额】→ 档次;补缴或特殊身份:金额由系统自动生成
@when(parsers.re(r"勾选(?P<year>\d{4})年度的城乡居民社会养老保险条目,点击【缴费金额】,选择(?P<tier>\d+)元,"
                 r"点击【(?P<button>确定|缴费)】$"))
def _(page: AppChannelPage, year: str, tier: str, button: str) -> None:
    item = page.current_year_item(int(year))
    page.tick(item)
    page.open_amount(item)
    page.choose_tier(int(tier))  # with the sheet's 【确定】 where it has one
    if button == "缴费":
        page.pay()


@when(parsers.re(r"勾选城乡居民社会养老保险条目,缴费金额由系统自动生成(?:,无需选择)?(?P<pay>,直接点击【缴费】)?$"))
def _(page: AppChannelPage, pay: str | None) -> None:
    row = page.item_row(SYSTEM_ITEM)
    assert "系统自动生成" in row.inner_text()
    assert row.get_by_role("button", name="缴费金额").count() == 0
    page.tick(SYSTEM_ITEM)
    if pay:
        page.pay()


# 提示框 →【确定】→【缴费】→ the way to pay
@then(parsers.re(r"提示框中的缴费信息为:(?P<due>.+)$"))
def _(page: AppChannelPage, due: str) -> None:
    confirmation_shows(page, due)


@when(parsers.re(r"再次核对提示框中的缴费信息,点击【确定】(?:→|,再点击)【缴费】$"))
def _(page: AppChannelPage) -> None:
    assert page.wait_for(page.confirmation()) == ""
    page.confirm()
    page.pay()
    assert page.wait_for(page.payment_ways()) == ""


@when(parsers.re(rf"选择【(?P<way>第三方支付|协议支付)】(?:中的“(?P<provider>{PROVIDERS})”)?(?:支付方式)?"
                 r"(?:,点击【确认缴费】)?(?:,在(?P<site>[^,]+)页面点击【(?P<button>[^】]+)】)?$"))
def _(page: AppChannelPage, way: str, provider: str | None, site: str | None, button: str | None) -> None:
    gateway = page.gateway_named(provider or way)
    page.pay_with(gateway)
    if site and button:  # the provider's page
        page.page.get_by_role("main", name=site).wait_for()
        page.button(button).click()
        page.page.wait_for_url(page.result_url)
    elif gateway == "alipay_qr":  # the payment code to scan
        page.payment_code().wait_for()
    else:
        page.page.wait_for_url(page.result_url)


@when(parsers.re(r"(?P<choose>选择【第三方支付】中的“支付宝”,)?(?P<saved>截屏保存付款码|点击【保存图片】),"
                 r"打开(?:手机)?支付宝【扫一扫】,【从相册选择】(?:截屏|保存的图片),点击【确认付款】$"))
def _(page: AppChannelPage, choose: str | None, saved: str) -> None:
    if choose:
        page.pay_with("alipay_qr")
    name, picture = page.payment_picture()
    assert picture.startswith(b"\x89PNG") and name.endswith(".png")
    allure.attach(picture, name=f"付款码({saved}):{name}", attachment_type=allure.attachment_type.PNG)

    def seen(alipay: Page) -> None:
        allure.attach(alipay.screenshot(), name="支付宝", attachment_type=allure.attachment_type.PNG)

    assert AlipayScanner(page.page, page.base_url).pay(name, picture, seen) == ""


@when(parsers.re(r"回到(?:宁波税务APP|电子税务局|浙里办APP),点击【我已完成支付】$"))
def _(page: AppChannelPage) -> None:
    page.payment_done()


@then(parsers.re(r"页面显示“(?P<title>[^”]+)”(?:,原因是“(?P<reason>.+)”)?$"))
def _(page: AppChannelPage, title: str, reason: str | None) -> None:
    page.page.wait_for_url(page.result_url)
    page.result_title().filter(has_text=re.compile("缴费|确认中")).first.wait_for()
    assert page.result_title().inner_text().strip() == title
    if reason:
        assert reason in page.section("缴费结果").inner_text()


# 已缴费查询, the receipts
@when("通过【已缴费查询】查看缴费结果")
def _(page: AppChannelPage) -> None:
    page.link("已缴费查询").click()
    page.page.locator("#records section").first.wait_for()


@then(parsers.re(r"缴费人的记录中有(?P<rows>.+?)(?:,税务机关为“(?P<authority>.+)”)?$"))
def _(page: AppChannelPage, payments: PensionPayments, rows: str, authority: str | None) -> None:
    name = payments.ref("缴费人").name
    seen = sorted((r.year, r.kind, r.amount) for r in page.record_rows(name))
    assert seen == sorted((line.year, line.kind, line.amount) for line in lines(rows))
    if authority:
        assert set(page.record_authorities(name)) == {authority}


@then("家人本人的记录中没有缴费")
def _(page: AppChannelPage, payments: PensionPayments) -> None:
    assert page.records_of(payments.ref("家人").name).get_by_text("暂无缴费记录").is_visible()
    assert page.record_rows(payments.ref("家人").name) == ()


@when(parsers.re(r"通过【(?P<receipt>打印缴费回执单|社保费电子缴款回执单)】(?:打印|查看)缴费人的回执单$"))
def _(page: AppChannelPage, payments: PensionPayments, printed: dict[str, bytes], receipt: str) -> None:
    page.open_receipts()
    name = payments.ref("缴费人").name
    page.record_rows(name)
    printed["receipt"] = pdf = page.print_receipt(name)
    allure.attach(pdf, name=receipt, attachment_type=allure.attachment_type.PDF)


@then(parsers.re(r"得到PDF格式的(?:缴费回执单|社保费电子缴款回执单):缴费人姓名、隐去中间数字的证件号码、费款所属期、"
                 r"(?P<amount>[\d.]+)元、电子税票号码和税务机关$"))
def _(payments: PensionPayments, page: AppChannelPage, printed: dict[str, bytes], amount: str) -> None:
    text, records = receipt_text(payments, page, printed["receipt"], amount)
    for record in records:
        assert f"{record['year']}-01-01至{record['year']}-12-31" in text
        assert record["tax_authority"] in text
