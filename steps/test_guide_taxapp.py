"""The guide's 宁波税务 APP steps, literally: each step is the guide's sentence, done on the page it names."""

from __future__ import annotations

import re

import allure
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from fixtures.receipts import pdf_text
from simulators.core.idnumber import mask
from steps.drivers.accounts import password_of
from steps.drivers.protocol import PayerRef
from steps.drivers.ui.taxapp import SYSTEM_ITEM, TaxappPage, TaxappUi
from steps.guide_steps import lines
from steps.language import PensionPayments

scenarios("taxapp.feature")

WHO = {"缴费人": "缴费人", "家人": "家人"}
SHOWN = pytest.StashKey[str]()  # the random-code picture a scenario looked at



@pytest.fixture
def taxapp(payments: PensionPayments) -> TaxappUi:
    driver = payments.driver("宁波税务APP")
    assert isinstance(driver, TaxappUi)
    return driver


@pytest.fixture
def page(taxapp: TaxappUi) -> TaxappPage:
    return taxapp.pages


@pytest.fixture
def printed() -> dict[str, bytes]:
    return {}


# 假如
@given(parsers.re(r"已参保的缴费人是(?P<status>残疾人员|低保对象|低保边缘户|特困人员),已与银行签订三方协议$"))
def _(payments: PensionPayments, status: str) -> None:
    payments.payer(special_status=status)
    payments.sign_agreement(balance=5000)


@given("代缴的家人已注册宁波税务APP")
def _(payments: PensionPayments, taxapp: TaxappUi) -> None:
    payments.payer("家人")
    assert taxapp.sign_in(payments.ref("家人")) == ""
    taxapp.sign_out()


# 1. 注册并选择【个人业务】(已注册的可直接选择个人业务登录)
@when("打开宁波税务APP,点击【注册】,输入手机号码,点击【获取验证码】")
def _(page: TaxappPage, payments: PensionPayments) -> None:
    page.open_app()
    page.link("注册").click()
    page.page.get_by_label("手机号码", exact=True).fill(payments.ref("缴费人").phone)
    assert page.request_sms_code() == ""


@when("输入短信验证码、密码、确认密码、姓名和证件号码,点击【注册】")
def _(page: TaxappPage, taxapp: TaxappUi, payments: PensionPayments) -> None:
    person = payments.ref("缴费人")
    page.fill_registration(person, password_of(person))
    page.enter_sms_code(taxapp.senses.sms_code(person.phone))
    page.button("注册").click()
    assert page.wait_for(page.business_choice()) == ""
    taxapp.registered.add(person.id_number)
    taxapp.current = person.id_number


@when("选择【个人业务】")
def _(page: TaxappPage) -> None:
    page.button("个人业务").click()
    page.page.get_by_role("navigation", name="首页服务").wait_for()


@when(parsers.re(r"(?P<who>家人|缴费人)打开宁波税务APP,点击【登录】,输入手机号码和密码登录,选择【个人业务】$"))
def _(page: TaxappPage, taxapp: TaxappUi, payments: PensionPayments, who: str) -> None:
    person = payments.ref(WHO[who])
    page.open_app()
    page.link("登录").click()
    page.log_in(person.phone, password_of(person))
    assert page.wait_for(page.business_choice()) == ""
    taxapp.current = person.id_number
    page.button("个人业务").click()
    page.page.get_by_role("navigation", name="首页服务").wait_for()


# 2. 登录后,在首页选择【社保缴费】→【(城乡养老)缴费】
@when("登录后,在首页选择【社保缴费】→【(城乡养老)缴费】")
def _(page: TaxappPage) -> None:
    page.page.get_by_role("navigation", name="首页服务").wait_for()
    page.open_pension()
    page.page.get_by_role("radiogroup", name="办理对象").wait_for()


@when("缴费人注册并登录宁波税务APP,选择【个人业务】,在首页选择【社保缴费】→【(城乡养老)缴费】,为本人点击【下一步】")
def _(page: TaxappPage, taxapp: TaxappUi, payments: PensionPayments) -> None:
    assert taxapp.sign_in(payments.ref("缴费人")) == ""
    page.open_pension()
    page.choose_target("本人")
    page.next()


# 3. 本人 → 下一步;他人 → 证件类型、姓名、证件号码、手机号码、随机验证码 → 下一步
@when("为本人缴费的,直接点击【下一步】")
def _(page: TaxappPage) -> None:
    page.next()


def _other(page: TaxappPage, payer: PayerRef, *, phone: str | None = None) -> None:
    page.choose_target("他人")
    page.enter_other(payer)
    if phone is not None:
        page.page.get_by_label("手机号码", exact=True).fill(phone)


@when("办理对象选择他人,选择证件类型“居民身份证”,输入缴费人姓名、身份证件号码、手机号码和图片上的随机验证码,点击【下一步】")
def _(page: TaxappPage, taxapp: TaxappUi, payments: PensionPayments) -> None:
    _other(page, payments.ref("缴费人"))
    page.enter_captcha(taxapp.senses.captcha_text(page.captcha_id()))
    page.next()


@when(parsers.re(r"办理对象选择他人,输入缴费人的证件类型、姓名、证件号码和手机号码,随机验证码输入“(?P<typed>\w+)”,"
                 r"点击【下一步】$"))
def _(page: TaxappPage, taxapp: TaxappUi, payments: PensionPayments, typed: str, request: pytest.FixtureRequest
      ) -> None:
    _other(page, payments.ref("缴费人"))
    shown = page.captcha_id()
    assert taxapp.senses.captcha_text(shown) != typed, "图片上的随机验证码恰好就是要输错的那个"
    request.node.stash[SHOWN] = shown
    page.enter_captcha(typed)
    page.next()


@when("点击【看不清,换一张】,输入新图片上的随机验证码,点击【下一步】")
def _(page: TaxappPage, taxapp: TaxappUi, request: pytest.FixtureRequest) -> None:
    shown = page.captcha_id()
    page.button("看不清,换一张").click()
    page.page.wait_for_function(f"() => !document.getElementById('captcha-image').src.includes('{shown}')")
    fresh = page.captcha_id()
    assert fresh != request.node.stash[SHOWN]
    page.enter_captcha(taxapp.senses.captcha_text(fresh))
    page.next()


@when("办理对象选择他人,输入缴费人的证件类型、姓名、证件号码,手机号码输入家人自己的手机号码,以及图片上的随机验证码,"
      "点击【下一步】")
def _(page: TaxappPage, taxapp: TaxappUi, payments: PensionPayments) -> None:
    _other(page, payments.ref("缴费人"), phone=payments.ref("家人").phone)
    page.enter_captcha(taxapp.senses.captcha_text(page.captcha_id()))
    page.next()


@then("页面列出缴费人的城乡居民社会养老保险条目")
def _(page: TaxappPage, payments: PensionPayments) -> None:
    assert page.wait_for(page.items_section()) == ""
    assert payments.ref("缴费人").name in page.page.locator("#items-payer").inner_text()
    assert any(name.startswith("城乡居民社会养老保险") for name in page.item_names())


@then(parsers.re(r"页面提示“(?P<message>.+)”$"))
def _(page: TaxappPage, message: str) -> None:
    page.message.wait_for()
    assert message in page.said()


# 4. 勾选条目;当年度:【缴费金额】→ 档次 →【确定】;补缴或特殊身份:金额由系统自动生成
@when(parsers.re(r"勾选(?P<year>\d{4})年度的城乡居民社会养老保险条目,点击【缴费金额】,选择(?P<tier>\d+)元,点击【确定】$"))
def _(page: TaxappPage, year: str, tier: str) -> None:
    item = page.current_year_item(int(year))
    page.tick(item)
    page.open_amount(item)
    page.choose_tier(int(tier))


@when("勾选城乡居民社会养老保险条目,缴费金额由系统自动生成,无需选择")
def _(page: TaxappPage) -> None:
    row = page.page.locator(".item-row").filter(has=page.page.get_by_role("checkbox", name=SYSTEM_ITEM))
    assert "系统自动生成" in row.inner_text()
    assert row.get_by_role("button", name="缴费金额").count() == 0
    page.tick(SYSTEM_ITEM)


# 5. 再次核对提示框中的缴费信息,点击【确定】→【缴费】
@then(parsers.re(r"提示框中的缴费信息为:(?P<due>.+)$"))
def _(page: TaxappPage, due: str) -> None:
    assert page.wait_for(page.confirmation()) == ""
    assert list(page.confirmation_lines()) == lines(due)


@when("再次核对提示框中的缴费信息,点击【确定】→【缴费】")
def _(page: TaxappPage) -> None:
    assert page.wait_for(page.confirmation()) == ""
    page.confirm()
    page.pay()


# 6. 【第三方支付】(建行、微信支付直接跳转;支付宝截屏后扫码)或【协议支付】→【确认缴费】
@when(parsers.re(r"选择【第三方支付】中的“(?P<name>建行|微信支付|支付宝)”,点击【确认缴费】"
                 r"(?:,在(?P<site>.+)页面点击【(?P<button>.+)】)?$"))
def _(page: TaxappPage, name: str, site: str | None, button: str | None) -> None:
    assert page.wait_for(page.payment_ways()) == ""
    page.choose_way({"建行": "ccb", "微信支付": "wechatpay", "支付宝": "alipay_qr"}[name])
    page.confirm_payment()
    if button is None:  # 支付宝: the QR code to save and scan
        page.page.get_by_role("img", name="支付宝付款码").wait_for()
        return
    assert site is not None
    page.page.get_by_role("main", name=site).wait_for()
    page.button(button).click()
    page.page.wait_for_url(re.compile(r"/taxapp/sbjf/result"))


@when("选择【协议支付】,点击【确认缴费】")
def _(page: TaxappPage) -> None:
    assert page.wait_for(page.payment_ways()) == ""
    page.choose_way("agreement")
    page.confirm_payment()
    page.page.wait_for_url(re.compile(r"/taxapp/sbjf/result"))


@when("截屏保存付款码,打开支付宝【扫一扫】,【从相册选择】截屏,点击【确认付款】")
def _(page: TaxappPage, taxapp: TaxappUi) -> None:
    code = page.page.get_by_role("img", name="支付宝付款码")
    code.wait_for()
    screenshot = code.screenshot()
    allure.attach(screenshot, name="付款码截屏", attachment_type=allure.attachment_type.PNG)
    alipay = page.page.context.new_page()
    try:
        alipay.goto(f"{page.base_url}/pay/alipay/scan")
        alipay.get_by_label("从相册选择").set_input_files(
            {"name": "screenshot.png", "mimeType": "image/png", "buffer": screenshot})
        alipay.get_by_role("button", name="确认付款").click()
        alipay.get_by_text("支付成功", exact=True).wait_for()
        allure.attach(alipay.screenshot(), name="支付宝:支付成功", attachment_type=allure.attachment_type.PNG)
    finally:
        alipay.close()


@when("回到宁波税务APP,点击【我已完成支付】")
def _(page: TaxappPage) -> None:
    page.button("我已完成支付").click()
    page.page.wait_for_url(re.compile(r"/taxapp/sbjf/result"))


@then(parsers.re(r"页面显示“(?P<title>[^”]+)”(?:,原因是“(?P<reason>.+)”)?$"))
def _(page: TaxappPage, title: str, reason: str | None) -> None:
    page.page.wait_for_url(re.compile(r"/taxapp/sbjf/result"))
    page.result_title().filter(has_text=re.compile("缴费|确认中")).first.wait_for()
    assert page.result_title().inner_text().strip() == title
    if reason:
        assert reason in page.page.get_by_role("region", name="缴费结果").inner_text()


# 7. 【已缴费查询】或【打印缴费回执单】
@when("通过【已缴费查询】查看缴费结果")
def _(page: TaxappPage) -> None:
    page.link("已缴费查询").click()
    page.page.locator("#records section").first.wait_for()


@then(parsers.re(r"(?P<who>缴费人)的记录中有(?P<rows>.+)$"))
def _(page: TaxappPage, payments: PensionPayments, who: str, rows: str) -> None:
    seen = sorted((r.year, r.kind, r.amount) for r in page.record_rows(payments.ref(WHO[who]).name))
    assert seen == sorted((line.year, line.kind, line.amount) for line in lines(rows))


@then("家人本人的记录中没有缴费")
def _(page: TaxappPage, payments: PensionPayments) -> None:
    assert page.records_of(payments.ref("家人").name).get_by_text("暂无缴费记录").is_visible()
    assert page.record_rows(payments.ref("家人").name) == ()


@when("通过【打印缴费回执单】打印缴费人的回执单")
def _(page: TaxappPage, payments: PensionPayments, printed: dict[str, bytes]) -> None:
    page.goto("/taxapp/sbjf")
    page.link("打印缴费回执单").click()
    name = payments.ref("缴费人").name
    page.record_rows(name)
    printed["receipt"] = pdf = page.print_receipt(name)
    allure.attach(pdf, name="缴费回执单", attachment_type=allure.attachment_type.PDF)


@then(parsers.re(r"得到PDF格式的缴费回执单:缴费人姓名、隐去中间数字的证件号码、费款所属期、(?P<amount>[\d.]+)元、"
                 r"电子税票号码和税务机关$"))
def _(payments: PensionPayments, printed: dict[str, bytes], amount: str) -> None:
    pdf = printed["receipt"]
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    payer = payments.ref("缴费人")
    records = payments.ledger()["records"]
    assert records, "账本中没有缴费记录"
    assert "社保费电子缴款回执单" in text
    assert payer.name in text
    assert mask(payer.id_number) in text and payer.id_number not in text
    assert "城乡居民基本养老保险费" in text
    assert f"¥{amount}" in text
    for record in records:
        assert f"{record['year']}-01-01至{record['year']}-12-31" in text
        assert record["ticket_no"] in text
        assert record["tax_authority"] in text
