"""The guide's steps the walk-throughs of the app channels (宁波税务APP, 电子税务局, 浙里办APP) share, literally:
each step is the guide's sentence, done on the page it names, by the verbs of its page object. Every walk-through
module provides the fixtures ``ui`` (its channel's UI driver) and ``screen`` (that driver's page object: what the
person sees); the steps it words or does otherwise are its own, and a step it defines again overrides the shared
one."""

from __future__ import annotations

import io
from typing import Any

import allure
import pytest
from pypdf import PdfReader
from pytest_bdd import given, parsers, then, when

from fixtures.evidence import attach_picture
from fixtures.receipts import pdf_text
from reports.masking import mask_text as mask
from steps.drivers.accounts import password_of
from steps.drivers.protocol import PayerRef
from steps.drivers.ui.app_channel import AppChannelUi
from steps.drivers.ui.app_page import SYSTEM_ITEM, AppChannelPage
from steps.drivers.ui.taxapp import TaxappPage, TaxappUi
from steps.expect import check, expect, fail
from steps.expect import lines as listed
from steps.guide_steps import STATUSES, lines, reached
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


def confirmation_shows(screen: AppChannelPage, due: str) -> None:
    """The 提示框 is up and lists the lines ``due`` names."""
    reached(screen.wait_for(screen.confirmation()), "应弹出提示框“缴费信息确认”")
    expect(list(screen.confirmation_lines()), lines(due), "提示框中的缴费信息", show=listed)


def on_receipt(text: str, title: str, what: str, part: str) -> None:
    """The receipt's text shows ``part`` (``what`` names it: 缴费人姓名, 电子税票号码 …)."""
    __tracebackhide__ = True
    if part not in text:
        fail(f"{title}上应有{what}“{part}”,实际没有")


def at_screen(payments: PensionPayments, ui: AppChannelUi) -> PayerRef:
    """The person logged in at the channel (缴费人, or the 家人 paying for them): whose phone scans the 付款码."""
    return next((ref for ref in payments.typed.values() if ref.id_number == ui.current), payments.ref("缴费人"))


def receipt_text(
    payments: PensionPayments, screen: AppChannelPage, pdf: bytes, amount: str, title: str
) -> tuple[str, list[Any]]:
    """What every receipt shows (a PDF titled as the channel names it, 缴费回执单 or 社保费电子缴款回执单, with the
    payer's name, the masked ID number, the amount and each ticket number): its text, and the payments in the
    ledger."""
    if not pdf.startswith(b"%PDF-"):
        fail(f"{title}应是PDF文件,实际开头为{pdf[:8]!r}")
    metadata = PdfReader(io.BytesIO(pdf)).metadata
    expect(metadata.title if metadata else None, title, "回执单PDF的标题")
    text = pdf_text(pdf)
    payer = payments.ref("缴费人")
    records = payments.ledger()["records"]
    if not records:
        fail(f"{screen.APP}打印了{title},账本中却没有缴费记录")
    if not text.startswith(title):
        fail(f"回执单应以标题“{title}”开头,实际开头为“{text[:20]}”")
    on_receipt(text, title, "险种", "城乡居民基本养老保险费")
    on_receipt(text, title, "渠道", screen.APP)
    on_receipt(text, title, "缴费人姓名", payer.name)
    on_receipt(text, title, "隐去中间数字的证件号码", mask(payer.id_number))
    if payer.id_number in text:
        fail(f"{title}上的证件号码应隐去中间数字({mask(payer.id_number)}),实际印出了完整号码")
    on_receipt(text, title, "金额", f"¥{amount}")
    for record in records:
        on_receipt(text, title, "电子税票号码", record["ticket_no"])
    return text, records


# 假如
@given(parsers.re(rf"已参保的缴费人是(?P<status>{STATUSES}),已与银行签订三方协议$"))
def _(payments: PensionPayments, status: str) -> None:
    payments.payer(special_status=status)
    payments.sign_agreement(balance=5000)


@given(parsers.re(r"代缴的家人已注册(?:宁波税务APP|浙里办)$"))
def _(payments: PensionPayments, ui: TaxappUi) -> None:
    payments.payer("家人")
    reached(ui.sign_in(payments.ref("家人")), f"家人应能注册并登录{ui.pages.APP}")
    ui.sign_out()


# 注册 on the phone (宁波税务APP, 浙里办APP)
@when(parsers.re(r"打开(?:宁波税务APP|浙里办APP),点击【注册】,输入手机号码,点击【获取验证码】$"))
def _(screen: TaxappPage, payments: PensionPayments) -> None:
    screen.open_registration()
    screen.enter_phone(payments.ref("缴费人").phone)
    reached(screen.request_sms_code(), "点击【获取验证码】后应发出短信验证码")


@when("输入短信验证码、密码、确认密码、姓名和证件号码,点击【注册】")
def _(screen: TaxappPage, ui: AppChannelUi, payments: PensionPayments) -> None:
    person = payments.ref("缴费人")
    screen.fill_registration(person, password_of(person))
    screen.enter_sms_code(ui.senses.sms_code(person.phone))
    screen.submit_registration()
    reached(screen.wait_for(screen.signed_in()), "点击【注册】后应注册成功并登录")
    ui.registered.add(person.id_number)
    ui.logged_in(person)


# (城乡养老)缴费: 本人 →【下一步】;他人 → the payer's details and the random code →【下一步】
@when(parsers.re(r"缴费人(?:注册并)?登录(?:宁波税务APP|宁波市电子税务局),.+,为本人点击【下一步】$"))
def _(screen: AppChannelPage, ui: AppChannelUi, payments: PensionPayments) -> None:
    reached(ui.sign_in(payments.ref("缴费人")), f"缴费人应能注册并登录{screen.APP}")
    ui.open_pension()
    screen.choose_target("本人")
    screen.next()


@when("为本人缴费的,直接点击【下一步】")
def _(screen: AppChannelPage) -> None:
    screen.choose_target("本人")
    screen.next()


@when(
    "办理对象选择他人,选择证件类型“居民身份证”,输入缴费人姓名、身份证件号码、手机号码和图片上的随机验证码,点击【下一步】"
)
@when("办理对象选择【他人】,输入缴费人姓名、证件号码、手机号码及图片上的随机验证码,点击【下一步】")
def _(screen: AppChannelPage, ui: AppChannelUi, payments: PensionPayments) -> None:
    payer = payments.ref("缴费人")
    screen.choose_target("他人")
    screen.enter_other(payer)
    screen.enter_captcha(ui.senses.captcha_text(screen.captcha_id()))
    screen.next()
    ui.verified.add(payer.id_number)


@when(
    parsers.re(
        r"办理对象选择他人,输入缴费人的证件类型、姓名、(?:身份)?证件号码和手机号码,随机验证码输入“(?P<typed>\w+)”,"
        r"点击【下一步】$"
    )
)
def _(
    screen: AppChannelPage, ui: AppChannelUi, payments: PensionPayments, typed: str, request: pytest.FixtureRequest
) -> None:
    screen.choose_target("他人")
    screen.enter_other(payments.ref("缴费人"))
    shown = screen.captcha_id()
    if ui.senses.captcha_text(shown) == typed:
        fail(f"图片上的随机验证码恰好就是要输错的“{typed}”,这一步试不了输错")
    request.node.stash[SHOWN] = shown
    screen.enter_captcha(typed)
    screen.next()


@when("点击【看不清,换一张】,输入新图片上的随机验证码,点击【下一步】")
def _(screen: AppChannelPage, ui: AppChannelUi, request: pytest.FixtureRequest) -> None:
    fresh = screen.change_captcha()
    if fresh == request.node.stash[SHOWN]:
        fail("点击【看不清,换一张】后应换一张新的随机验证码图片,实际还是原来那张")
    screen.enter_captcha(ui.senses.captcha_text(fresh))
    screen.next()


@then("页面列出缴费人的城乡居民社会养老保险条目")
def _(screen: AppChannelPage, payments: PensionPayments) -> None:
    reached(screen.wait_for(screen.items_section()), "点击【下一步】后页面应列出缴费信息")
    name, shown = payments.ref("缴费人").name, screen.items_payer()
    if name not in shown:
        fail(f"页面列出的缴费信息应是缴费人{name}的,实际为“{shown}”")
    names = screen.item_names()
    if not any(item.startswith("城乡居民社会养老保险") for item in names):
        fail(f"页面应列出城乡居民社会养老保险条目,实际列出{'、'.join(names) or '(无)'}")


@then(parsers.re(r"页面提示“(?P<message>[^”]+)”$"))
def _(screen: AppChannelPage, message: str) -> None:
    shown = screen.wait_for_message(message)
    check(message in shown, f"页面“{screen.name()}”应提示“{message}”,实际提示“{shown or '(无)'}”")


# 勾选条目;当年度:【缴费金额】→ 档次;补缴或特殊身份:金额由系统自动生成
@when(
    parsers.re(
        r"勾选(?P<year>\d{4})年度的城乡居民社会养老保险条目,点击【缴费金额】,选择(?P<tier>\d+)元,"
        r"点击【(?P<button>确定|缴费)】$"
    )
)
def _(screen: AppChannelPage, year: str, tier: str, button: str) -> None:
    item = screen.current_year_item(int(year))
    screen.tick(item)
    screen.open_amount(item)
    screen.choose_tier(int(tier))  # with the sheet's 【确定】 where it has one
    if button == "缴费":
        screen.pay()


@when(parsers.re(r"勾选城乡居民社会养老保险条目,缴费金额由系统自动生成(?:,无需选择)?(?P<pay>,直接点击【缴费】)?$"))
def _(screen: AppChannelPage, pay: str | None) -> None:
    if "系统自动生成" not in (row := screen.item_shown(SYSTEM_ITEM)):
        fail(f"条目“{SYSTEM_ITEM}”的缴费金额应写明“系统自动生成”,实际为“{row}”")
    if screen.offers_amount(SYSTEM_ITEM):
        fail(f"条目“{SYSTEM_ITEM}”的缴费金额由系统自动生成,不应有【缴费金额】可选,实际有")
    screen.tick(SYSTEM_ITEM)
    if pay:
        screen.pay()


# 提示框 →【确定】→【缴费】→ the way to pay
@then(parsers.re(r"提示框中的缴费信息为:(?P<due>.+)$"))
def _(screen: AppChannelPage, due: str) -> None:
    confirmation_shows(screen, due)


@when(parsers.re(r"再次核对提示框中的缴费信息,点击【确定】(?:→|,再点击)【缴费】$"))
def _(screen: AppChannelPage) -> None:
    reached(screen.wait_for(screen.confirmation()), "应弹出提示框“缴费信息确认”")
    screen.confirm()
    screen.pay()
    reached(screen.wait_for(screen.payment_ways()), f"点击【缴费】后应进入“{screen.WAYS_SECTION}”")


@when(
    parsers.re(
        rf"选择【(?P<way>第三方支付|协议支付)】(?:中的“(?P<provider>{PROVIDERS})”)?(?:支付方式)?"
        r"(?:,点击【确认缴费】)?(?:,在(?P<site>[^,]+)页面点击【(?P<button>[^】]+)】)?$"
    )
)
def _(screen: AppChannelPage, way: str, provider: str | None, site: str | None, button: str | None) -> None:
    gateway = screen.gateway_named(provider or way)
    screen.pay_with(gateway)
    if site and button:  # the provider's page
        reached(screen.wait_for(screen.provider_page(site)), f"应进入{site}页面")
        screen.press(button)
        screen.wait_for_result()
    elif gateway == "alipay_qr":  # the payment code to scan
        reached(screen.wait_for(screen.payment_code()), "应显示支付宝付款码")
    else:
        screen.wait_for_result()


@when(
    parsers.re(
        r"(?P<choose>选择【第三方支付】中的“支付宝”,)?(?P<saved>截屏保存付款码|点击【保存图片】),"
        r"打开(?:手机)?支付宝【扫一扫】,【从相册选择】(?:截屏|保存的图片),点击【确认付款】$"
    )
)
def _(screen: AppChannelPage, ui: AppChannelUi, payments: PensionPayments, choose: str | None, saved: str) -> None:
    if choose:
        screen.pay_with("alipay_qr")
    name, picture = screen.payment_picture()
    if not (picture.startswith(b"\x89PNG") and name.endswith(".png")):
        fail(f"保存的付款码应是PNG图片,实际为“{name}”(开头{picture[:8]!r})")
    allure.attach(picture, name=f"付款码({saved}):{name}", attachment_type=allure.attachment_type.PNG)
    said, seen = screen.scan_payment_code(name, picture, at_screen(payments, ui).phone)  # the phone of who pays
    if seen:
        attach_picture(seen, "支付宝")  # the Alipay app's last page, kept as the step screenshots are
    reached(said, "用支付宝扫付款码应付款成功")


@when(parsers.re(r"回到(?:宁波税务APP|电子税务局|浙里办APP),点击【我已完成支付】$"))
def _(screen: AppChannelPage) -> None:
    screen.payment_done()


@then(parsers.re(r"页面显示“(?P<title>[^”]+)”(?:,原因是“(?P<reason>.+)”)?$"))
def _(screen: AppChannelPage, title: str, reason: str | None) -> None:
    expect(screen.result_text(), title, "页面显示的缴费结果")
    if reason and reason not in (shown := screen.result_details()):
        fail(f"缴费结果应说明原因“{reason}”,实际为“{shown}”")


# 已缴费查询, the receipts
@when("通过【已缴费查询】查看缴费结果")
def _(screen: AppChannelPage) -> None:
    screen.open_records()


@then(parsers.re(r"缴费人的记录中有(?P<rows>.+?)(?:,税务机关为“(?P<authority>.+)”)?$"))
def _(screen: AppChannelPage, payments: PensionPayments, rows: str, authority: str | None) -> None:
    name = payments.ref("缴费人").name
    seen = sorted((r.year, r.kind, r.amount) for r in screen.record_rows(name))
    expect(
        seen,
        sorted((line.year, line.kind, line.amount) for line in lines(rows)),
        f"{screen.APP}的缴费记录",
        show=listed,
    )
    if authority:
        expect(set(screen.record_authorities(name)), {authority}, "缴费记录的税务机关", show="、".join)


@then("家人本人的记录中没有缴费")
def _(screen: AppChannelPage, payments: PensionPayments) -> None:
    name = payments.ref("家人").name
    if not screen.shows_no_records(name):
        fail(f"家人{name}本人的已缴费查询应显示“暂无缴费记录”,实际没有")
    expect(screen.record_rows(name), (), f"家人{name}本人的缴费记录", show=listed)


@when(parsers.re(r"通过【(?P<receipt>打印缴费回执单|社保费电子缴款回执单)】(?:打印|查看)缴费人的回执单$"))
def _(screen: AppChannelPage, payments: PensionPayments, printed: dict[str, bytes], receipt: str) -> None:
    screen.open_receipts()
    name = payments.ref("缴费人").name
    screen.record_rows(name)
    printed["receipt"] = pdf = screen.print_receipt(name)
    allure.attach(pdf, name=receipt, attachment_type=allure.attachment_type.PDF)


@then(
    parsers.re(
        r"得到PDF格式的(?P<title>缴费回执单|社保费电子缴款回执单):缴费人姓名、隐去中间数字的证件号码、费款所属期、"
        r"(?P<amount>[\d.]+)元、电子税票号码和税务机关$"
    )
)
def _(payments: PensionPayments, screen: AppChannelPage, printed: dict[str, bytes], amount: str, title: str) -> None:
    text, records = receipt_text(payments, screen, printed["receipt"], amount, title)
    for record in records:
        on_receipt(text, title, "费款所属期", f"{record['year']}-01-01至{record['year']}-12-31")
        on_receipt(text, title, "税务机关", record["tax_authority"])
