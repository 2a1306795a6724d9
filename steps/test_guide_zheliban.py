"""The guide's 浙里办 APP steps, literally: each step is the guide's sentence, done on the page it names."""

from __future__ import annotations

import re

import allure
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from fixtures.receipts import pdf_text
from simulators.core.idnumber import NINGBO_COUNTIES, mask
from steps.drivers.accounts import password_of
from steps.drivers.protocol import PayerRef
from steps.drivers.ui.zheliban import RESULT, SYSTEM_ITEM, ZhelibanPage, ZhelibanUi, bureau
from steps.guide_steps import STATUSES, lines, years
from steps.language import PensionPayments

scenarios("zheliban.feature")

SHOWN = pytest.StashKey[str]()  # the random-code picture a scenario looked at
SAVED = pytest.StashKey[tuple[str, bytes]]()  # the payment code's picture, as 【保存图片】 saved it
WAYS = {"第三方支付": "alipay_qr", "协议支付": "agreement"}


@pytest.fixture
def zheliban(payments: PensionPayments) -> ZhelibanUi:
    driver = payments.driver("浙里办APP")
    assert isinstance(driver, ZhelibanUi)
    return driver


@pytest.fixture
def page(zheliban: ZhelibanUi) -> ZhelibanPage:
    return zheliban.pages


@pytest.fixture
def printed() -> dict[str, bytes]:
    return {}


def county_code(name: str) -> str:
    return next(c.code for c in NINGBO_COUNTIES if c.name == name and c.until is None)


# 假如
@given(parsers.re(r"已参保的缴费人(?:没有待补缴的费款|有(?P<arrears>[\d年度和、]+)的补缴费款),身份证号码属于(?P<county>.+)$"))
def _(payments: PensionPayments, arrears: str | None, county: str) -> None:
    # Born when the district's code already existed (海曙区's since 1983): 18 to 40 years old.
    payments.payer(arrears_years=years(arrears or ""), county_code=county_code(county),
                   age=payments.faker.random_int(18, 40))


@given(parsers.re(rf"已参保的缴费人是(?P<status>{STATUSES}),已与银行签订三方协议$"))
def _(payments: PensionPayments, status: str) -> None:
    payments.payer(special_status=status)
    payments.sign_agreement(balance=5000)


@given("代缴的家人已注册浙里办")
def _(payments: PensionPayments, zheliban: ZhelibanUi) -> None:
    payments.payer("家人")
    assert zheliban.sign_in(payments.ref("家人")) == ""
    zheliban.sign_out()


# 1. 打开浙里办APP,登录后,在首页选择【办事服务】
@when("打开浙里办APP,点击【注册】,输入手机号码,点击【获取验证码】")
def _(page: ZhelibanPage, payments: PensionPayments) -> None:
    page.open_app()
    page.link("注册").click()
    page.page.get_by_label("手机号码", exact=True).fill(payments.ref("缴费人").phone)
    assert page.request_sms_code() == ""


@when("输入短信验证码、密码、确认密码、姓名和证件号码,点击【注册】")
def _(page: ZhelibanPage, zheliban: ZhelibanUi, payments: PensionPayments) -> None:
    person = payments.ref("缴费人")
    page.fill_registration(person, password_of(person))
    page.enter_sms_code(zheliban.senses.sms_code(person.phone))
    page.button("注册").click()
    assert page.wait_for(page.home()) == ""
    zheliban.registered.add(person.id_number)
    zheliban.current = person.id_number


@when("登录后,在首页选择【办事服务】")
def _(page: ZhelibanPage) -> None:
    page.home().wait_for()
    page.open_services()


# 2. 选择【奉化区】,点击【线上一站办】→【按部门】→【国家税务总局宁波市奉化区税务局】
def _to_bureau(page: ZhelibanPage, zheliban: ZhelibanUi, district: str, department: str) -> None:
    assert bureau(district).fullmatch(department), f"{department}不是{district}的税务局"
    page.choose_district(district)
    page.district_services(district).wait_for()
    zheliban.district = district
    page.open_one_stop()
    assert department in page.departments().inner_text()
    page.open_department(department)


@when(parsers.re(r"选择【(?P<district>.+?)】,点击【线上一站办】→【按部门】→【(?P<department>.+)】$"))
def _(page: ZhelibanPage, zheliban: ZhelibanUi, district: str, department: str) -> None:
    _to_bureau(page, zheliban, district, department)


@when(parsers.re(r"(?P<who>家人|缴费人)登录浙里办APP,在首页选择【办事服务】,选择【(?P<district>.+?)】,点击【线上一站办】→"
                 r"【按部门】→【(?P<department>.+)】$"))
def _(page: ZhelibanPage, zheliban: ZhelibanUi, payments: PensionPayments, who: str, district: str,
      department: str) -> None:
    assert zheliban.sign_in(payments.ref(who)) == ""
    page.open_services()
    _to_bureau(page, zheliban, district, department)


# 3. 在【社会保险费及非税收入业务办理】项目下选择【城乡居民社会保险费申报缴费】
@when("在【社会保险费及非税收入业务办理】项目下选择【城乡居民社会保险费申报缴费】")
def _(page: ZhelibanPage) -> None:
    page.open_residents_fee()


# 4. 点击【在线办理】,选择【(城乡养老)缴费】
@when("点击【在线办理】,选择【(城乡养老)缴费】")
def _(page: ZhelibanPage) -> None:
    page.open_online("(城乡养老)缴费")
    page.page.get_by_role("radiogroup", name="办理对象").wait_for()


# 5. 本人 → 【下一步】;他人 → 证件类型、姓名、身份证件号码、手机号码、随机验证码 → 【下一步】
@when("为本人缴费的,直接点击【下一步】")
def _(page: ZhelibanPage) -> None:
    page.choose_target("本人")
    page.next()


@when("办理对象选择他人,选择证件类型“居民身份证”,输入缴费人姓名、身份证件号码、手机号码和图片上的随机验证码,点击【下一步】")
def _(page: ZhelibanPage, zheliban: ZhelibanUi, payments: PensionPayments) -> None:
    page.choose_target("他人")
    page.enter_other(payments.ref("缴费人"))
    page.enter_captcha(zheliban.senses.captcha_text(page.captcha_id()))
    page.next()


@when(parsers.re(r"办理对象选择他人,输入缴费人的证件类型、姓名、身份证件号码和手机号码,随机验证码输入“(?P<typed>\w+)”,"
                 r"点击【下一步】$"))
def _(page: ZhelibanPage, zheliban: ZhelibanUi, payments: PensionPayments, typed: str,
      request: pytest.FixtureRequest) -> None:
    page.choose_target("他人")
    page.enter_other(payments.ref("缴费人"))
    shown = page.captcha_id()
    assert zheliban.senses.captcha_text(shown) != typed, "图片上的随机验证码恰好就是要输错的那个"
    request.node.stash[SHOWN] = shown
    page.enter_captcha(typed)
    page.next()


@when("点击【看不清,换一张】,输入新图片上的随机验证码,点击【下一步】")
def _(page: ZhelibanPage, zheliban: ZhelibanUi, request: pytest.FixtureRequest) -> None:
    shown = page.captcha_id()
    page.button("看不清,换一张").click()
    page.page.wait_for_function(f"() => !document.getElementById('captcha-image').src.includes('{shown}')")
    fresh = page.captcha_id()
    assert fresh != request.node.stash[SHOWN]
    page.enter_captcha(zheliban.senses.captcha_text(fresh))
    page.next()


@then("页面列出缴费人的城乡居民社会养老保险条目")
def _(page: ZhelibanPage, payments: PensionPayments) -> None:
    assert page.wait_for(page.items_section()) == ""
    assert payments.ref("缴费人").name in page.page.locator("#items-payer").inner_text()
    assert any(name.startswith("城乡居民社会养老保险") for name in page.item_names())


@then(parsers.re(r"页面提示“(?P<message>.+)”$"))
def _(page: ZhelibanPage, message: str) -> None:
    page.message.wait_for()
    assert message in page.said()


# 6. 当年度:勾选 →【缴费金额】→ 档次 →【确定】;补缴或特殊身份:金额由系统自动生成,勾选后直接【缴费】
@when(parsers.re(r"勾选(?P<year>\d{4})年度的城乡居民社会养老保险条目,点击【缴费金额】,选择(?P<tier>\d+)元,点击【确定】$"))
def _(page: ZhelibanPage, year: str, tier: str) -> None:
    item = page.current_year_item(int(year))
    page.tick(item)
    page.open_amount(item)
    page.choose_tier(int(tier))


@when("勾选城乡居民社会养老保险条目,缴费金额由系统自动生成,无需选择,直接点击【缴费】")
def _(page: ZhelibanPage) -> None:
    row = page.page.locator(".item-row").filter(has=page.page.get_by_role("checkbox", name=SYSTEM_ITEM))
    assert "系统自动生成" in row.inner_text()
    assert row.get_by_role("button", name="缴费金额").count() == 0
    page.tick(SYSTEM_ITEM)
    page.pay()


# 7. 再次核对提示框中的缴费信息,点击【确定】→【缴费】
@then(parsers.re(r"提示框中的缴费信息为:(?P<due>.+)$"))
def _(page: ZhelibanPage, zheliban: ZhelibanUi, due: str) -> None:
    assert page.wait_for(page.confirmation()) == ""
    assert list(page.confirmation_lines()) == lines(due)
    assert bureau(zheliban.district).search(page.confirmation().inner_text())


@when("再次核对提示框中的缴费信息,点击【确定】→【缴费】")
def _(page: ZhelibanPage) -> None:
    assert page.wait_for(page.confirmation()) == ""
    page.confirm()
    page.pay()


# 8. 选择【第三方支付】或【协议支付】,点击【确认缴费】;第三方支付需保存图片后扫码支付
@when(parsers.re(r"选择【(?P<way>第三方支付|协议支付)】支付方式,点击【确认缴费】$"))
def _(page: ZhelibanPage, way: str) -> None:
    assert page.wait_for(page.payment_ways()) == ""
    page.choose_way(WAYS[way])
    page.confirm_payment()
    if way == "第三方支付":
        page.payment_code().wait_for()
    else:
        page.page.wait_for_url(RESULT)


@when("点击【保存图片】,打开支付宝【扫一扫】,【从相册选择】保存的图片,点击【确认付款】")
def _(page: ZhelibanPage, request: pytest.FixtureRequest) -> None:
    name, picture = request.node.stash[SAVED] = page.save_image()
    assert picture.startswith(b"\x89PNG") and name.endswith(".png")
    allure.attach(picture, name=f"保存的图片:{name}", attachment_type=allure.attachment_type.PNG)
    assert page.scan_with_alipay(name, picture) == ""


@when("回到浙里办APP,点击【我已完成支付】")
def _(page: ZhelibanPage) -> None:
    page.payment_done()


@then(parsers.re(r"页面显示“(?P<title>[^”]+)”(?:,原因是“(?P<reason>.+)”)?$"))
def _(page: ZhelibanPage, title: str, reason: str | None) -> None:
    page.page.wait_for_url(RESULT)
    page.result_title().filter(has_text=re.compile("缴费|确认中")).first.wait_for()
    assert page.result_title().inner_text().strip() == title
    if reason:
        assert reason in page.page.get_by_role("region", name="缴费结果").inner_text()


# 9. 【已缴费查询】或【打印缴费回执单】
@when("通过【已缴费查询】查看缴费结果")
def _(page: ZhelibanPage) -> None:
    page.link("已缴费查询").click()
    page.page.locator("#records section").first.wait_for()


@then(parsers.re(r"缴费人的记录中有(?P<rows>.+?)(?:,税务机关为“(?P<authority>.+)”)?$"))
def _(page: ZhelibanPage, payments: PensionPayments, rows: str, authority: str | None) -> None:
    name = payments.ref("缴费人").name
    seen = sorted((r.year, r.kind, r.amount) for r in page.record_rows(name))
    assert seen == sorted((line.year, line.kind, line.amount) for line in lines(rows))
    if authority:
        assert set(page.record_authorities(name)) == {authority}


@then("家人本人的记录中没有缴费")
def _(page: ZhelibanPage, payments: PensionPayments) -> None:
    assert page.records_of(payments.ref("家人").name).get_by_text("暂无缴费记录").is_visible()
    assert page.record_rows(payments.ref("家人").name) == ()


@when("通过【打印缴费回执单】打印缴费人的回执单")
def _(page: ZhelibanPage, payments: PensionPayments, printed: dict[str, bytes]) -> None:
    page.goto("/zheliban/sbf")
    page.open_online("打印缴费回执单")
    name = payments.ref("缴费人").name
    page.record_rows(name)
    printed["receipt"] = pdf = page.print_receipt(name)
    allure.attach(pdf, name="缴费回执单", attachment_type=allure.attachment_type.PDF)


@then(parsers.re(r"得到PDF格式的缴费回执单:缴费人姓名、隐去中间数字的证件号码、(?P<amount>[\d.]+)元、电子税票号码,"
                 r"税务机关为“(?P<authority>.+)”$"))
def _(payments: PensionPayments, printed: dict[str, bytes], amount: str, authority: str) -> None:
    pdf = printed["receipt"]
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    payer: PayerRef = payments.ref("缴费人")
    records = payments.ledger()["records"]
    assert records, "账本中没有缴费记录"
    assert "社保费电子缴款回执单" in text and "城乡居民基本养老保险费" in text
    assert payer.name in text
    assert mask(payer.id_number) in text and payer.id_number not in text
    assert f"¥{amount}" in text
    assert authority in text
    for record in records:
        assert record["ticket_no"] in text
        assert record["tax_authority"] == authority
