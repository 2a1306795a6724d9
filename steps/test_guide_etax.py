"""The guide's 电子税务局 steps, literally: each step is the guide's sentence, done on the page it names."""

from __future__ import annotations

import re

import allure
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from fixtures.receipts import pdf_text
from simulators.core.idnumber import mask
from steps.drivers.accounts import password_of
from steps.drivers.protocol import PayerRef
from steps.drivers.ui.cashier import AlipayScanner
from steps.drivers.ui.etax import FACTORS, RESULT, SBJF, SYSTEM_ITEM, EtaxPage, EtaxUi
from steps.guide_steps import lines, years
from steps.language import PensionPayments

scenarios("etax.feature")

APPS = {"税务APP": "taxapp", "个人所得税APP": "iit"}
WRONG_PASSWORD = "Wrong2024x"


@pytest.fixture
def etax(payments: PensionPayments) -> EtaxUi:
    driver = payments.driver("电子税务局")
    assert isinstance(driver, EtaxUi)
    return driver


@pytest.fixture
def page(etax: EtaxUi) -> EtaxPage:
    return etax.pages


@pytest.fixture
def at_screen() -> dict[str, str]:
    """Who is logging in (缴费人 or 家人), for the steps after the password."""
    return {"who": "缴费人"}


@pytest.fixture
def printed() -> dict[str, bytes]:
    return {}


def _logged_in(page: EtaxPage, etax: EtaxUi, person: PayerRef) -> None:
    assert page.wait_for(page.logged_in()) == ""
    etax.current, etax.verified = person.id_number, set()


# 假如
@given("代缴的家人已注册宁波市电子税务局")
def _(payments: PensionPayments, etax: EtaxUi) -> None:
    payments.payer("家人")
    assert etax.register(payments.ref("家人")) == ""


@given(parsers.re(r"已参保的缴费人已注册宁波市电子税务局(?:,用户名为“(?P<username>\w+)”)?$"))
def _(payments: PensionPayments, etax: EtaxUi, username: str | None) -> None:
    payments.payer()
    assert etax.register(payments.ref("缴费人"), username or "") == ""


@given(parsers.re(r"已参保的缴费人有(?P<arrears>[\d年度和、]+)的补缴费款,已与银行签订三方协议$"))
def _(payments: PensionPayments, arrears: str) -> None:
    payments.payer(arrears_years=years(arrears))
    payments.sign_agreement(balance=5000)


# 1. 打开主页,点击右上角【登录】进入登录页面
@when("打开宁波市电子税务局主页,点击右上角【登录】进入登录页面")
def _(page: EtaxPage) -> None:
    page.open_site()
    page.top_bar().get_by_role("link", name="登录").click()
    page.shown()
    page.login_form().wait_for()


# 2. 【自然人业务】→ 居民身份证号码/手机号码/用户名、个人用户密码 →【登录】;未注册用户先【用户注册】
@when("未注册用户先选择【用户注册】,输入姓名、证件号码和手机号码,点击【获取验证码】,输入短信验证码、密码和确认密码,点击【注册】")
def _(page: EtaxPage, etax: EtaxUi, payments: PensionPayments) -> None:
    person = payments.ref("缴费人")
    page.login_form().get_by_role("link", name="用户注册").click()
    page.shown()
    page.fill_registration(person, password_of(person))
    assert page.request_sms_code() == ""
    page.page.get_by_label("短信验证码", exact=True).fill(etax.senses.sms_code(person.phone))
    page.button("注册").click()
    assert page.wait_for(page.login_form()) == ""
    assert page.page.get_by_role("status").filter(has_text="注册成功,请登录").is_visible()
    etax.registered.add(person.id_number)


@when("在登录页面选择【自然人业务】,输入居民身份证号码、个人用户密码后,点击【登录】")
def _(page: EtaxPage, payments: PensionPayments) -> None:
    person = payments.ref("缴费人")
    page.page.get_by_role("tab", name="自然人业务").click()
    page.enter_credentials(person.id_number, password_of(person))
    page.login_form().get_by_role("button", name="登录").click()
    assert page.wait_for(page.verification()) == ""


@when(parsers.re(r"(?P<who>家人)?打开宁波市电子税务局主页,点击右上角【登录】,选择【自然人业务】,"
                 r"输入(?P<what>居民身份证号码|手机号码|用户名“(?P<username>\w+)”)、个人用户密码后,点击【登录】$"))
def _(page: EtaxPage, payments: PensionPayments, at_screen: dict[str, str], who: str | None, what: str,
      username: str | None) -> None:
    at_screen["who"] = who or "缴费人"
    person = payments.ref(at_screen["who"])
    page.open_site()
    page.top_bar().get_by_role("link", name="登录").click()
    page.shown()
    page.page.get_by_role("tab", name="自然人业务").click()
    typed = username or (person.phone if what == "手机号码" else person.id_number)
    page.enter_credentials(typed, password_of(person))
    page.login_form().get_by_role("button", name="登录").click()
    assert page.wait_for(page.verification()) == ""


@when("打开宁波市电子税务局主页,点击右上角【登录】,选择【自然人业务】,输入居民身份证号码和错误的个人用户密码,连续5次点击【登录】")
def _(page: EtaxPage, payments: PensionPayments) -> None:
    page.open_site()
    page.top_bar().get_by_role("link", name="登录").click()
    page.shown()
    page.page.get_by_role("tab", name="自然人业务").click()
    page.enter_credentials(payments.ref("缴费人").id_number, WRONG_PASSWORD)
    for left in (4, 3, 2, 1, 0):
        page.login_form().get_by_role("button", name="登录").click()
        expected = f"再输错{left}次" if left else "已锁定"
        page.page.locator("body.etax #message").filter(has_text=expected).wait_for()


@when("改为输入正确的个人用户密码,点击【登录】")
def _(page: EtaxPage, payments: PensionPayments) -> None:
    page.page.get_by_label("个人用户密码", exact=True).fill(password_of(payments.ref("缴费人")))
    page.login_form().get_by_role("button", name="登录").click()
    page.message.wait_for()


@when("30分钟后,再输入正确的个人用户密码,点击【登录】")
def _(page: EtaxPage, payments: PensionPayments) -> None:
    payments.control.advance(payments.tenant_id, 30 * 60)
    page.page.get_by_label("个人用户密码", exact=True).fill(password_of(payments.ref("缴费人")))
    page.login_form().get_by_role("button", name="登录").click()


@when("在登录页面选择【企业业务】")
def _(page: EtaxPage) -> None:
    page.page.get_by_role("tab", name="企业业务").click()


# 3. 登录验证: 短信验证、税务APP扫码或个人所得税APP扫码 →【登录】
@when("在登录验证页面选择短信验证,点击【获取验证码】,输入短信验证码后点击【登录】")
def _(page: EtaxPage, etax: EtaxUi, payments: PensionPayments, at_screen: dict[str, str]) -> None:
    person = payments.ref(at_screen["who"])
    page.page.get_by_role("tab", name="短信验证").click()
    panel = page.factor("短信验证")
    assert page.request_sms_code(panel) == ""
    panel.get_by_label("短信验证码").fill(etax.senses.sms_code(person.phone))
    panel.get_by_role("button", name="登录").click()
    _logged_in(page, etax, person)


@when("在登录验证页面选择短信验证,点击【获取验证码】,输入错误的短信验证码后点击【登录】")
def _(page: EtaxPage, etax: EtaxUi, payments: PensionPayments) -> None:
    page.page.get_by_role("tab", name="短信验证").click()
    panel = page.factor("短信验证")
    assert page.request_sms_code(panel) == ""
    code = etax.senses.sms_code(payments.ref("缴费人").phone)
    panel.get_by_label("短信验证码").fill(f"{(int(code) + 1) % 10**6:06d}")
    panel.get_by_role("button", name="登录").click()


@when("输入手机收到的短信验证码,点击【登录】")
def _(page: EtaxPage, etax: EtaxUi, payments: PensionPayments) -> None:
    person = payments.ref("缴费人")
    panel = page.factor("短信验证")
    panel.get_by_label("短信验证码").fill(etax.senses.sms_code(person.phone))
    panel.get_by_role("button", name="登录").click()
    _logged_in(page, etax, person)


@when(parsers.re(r"在登录验证页面选择(?P<app>税务APP|个人所得税APP)扫码,用手机上的(?P=app)扫描页面上的二维码并确认登录,"
                 r"点击【登录】$"))
def _(page: EtaxPage, etax: EtaxUi, payments: PensionPayments, at_screen: dict[str, str], app: str) -> None:
    name = FACTORS[APPS[app]]
    page.page.get_by_role("tab", name=name).click()
    allure.attach(page.qr_code(APPS[app]).screenshot(), name=f"{name}登录二维码",
                  attachment_type=allure.attachment_type.PNG)
    etax.scan_login(APPS[app])
    panel = page.factor(name)
    panel.get_by_role("status").filter(has_text=f"已在{app}上确认登录").wait_for()
    panel.get_by_role("button", name="登录").click()
    _logged_in(page, etax, payments.ref(at_screen["who"]))


# 4. 【办税中心】→【涉税业务办理】→【社保缴费】→【社保缴费办理(城乡养老)】
@when("依次选择【办税中心】→【涉税业务办理】→【社保缴费】→【社保缴费办理(城乡养老)】")
def _(page: EtaxPage) -> None:
    page.open_pension()
    page.page.get_by_role("radiogroup", name="办理对象").wait_for()


@when("缴费人登录宁波市电子税务局,依次选择【办税中心】→【涉税业务办理】→【社保缴费】→【社保缴费办理(城乡养老)】,为本人点击【下一步】")
def _(page: EtaxPage, etax: EtaxUi, payments: PensionPayments) -> None:
    assert etax.sign_in(payments.ref("缴费人")) == ""
    page.open_pension()
    page.choose_target("本人")
    page.button("下一步").click()


# 5. 本人 →【下一步】;他人 → 姓名、证件号码、手机号码、随机验证码 →【下一步】
@when("为本人缴费的,直接点击【下一步】")
def _(page: EtaxPage) -> None:
    page.button("下一步").click()


@when("办理对象选择【他人】,输入缴费人姓名、证件号码、手机号码及图片上的随机验证码,点击【下一步】")
def _(page: EtaxPage, etax: EtaxUi, payments: PensionPayments) -> None:
    page.choose_target("他人")
    page.enter_other(payments.ref("缴费人"))
    page.enter_captcha(etax.senses.captcha_text(page.captcha_id()))
    page.button("下一步").click()
    etax.verified.add(payments.ref("缴费人").id_number)


@then("页面列出缴费人的城乡居民社会养老保险条目")
def _(page: EtaxPage, payments: PensionPayments) -> None:
    assert page.wait_for(page.items_section()) == ""
    assert payments.ref("缴费人").name in page.page.locator("#items-payer").inner_text()
    assert any(name.startswith("城乡居民社会养老保险") for name in page.item_names())


# 6. 当年度:勾选 →【缴费金额】→ 档次 →【缴费】;补缴或特殊身份:金额由系统自动生成,勾选后直接【缴费】
@when(parsers.re(r"勾选(?P<year>\d{4})年度的城乡居民社会养老保险条目,点击【缴费金额】,选择(?P<tier>\d+)元,点击【缴费】$"))
def _(page: EtaxPage, year: str, tier: str) -> None:
    item = f"城乡居民社会养老保险({year}年度)"
    page.tick(item)
    page.open_amount(item)
    page.choose_tier(int(tier))
    page.pay()


@when("勾选城乡居民社会养老保险条目,缴费金额由系统自动生成,直接点击【缴费】")
def _(page: EtaxPage) -> None:
    row = page.item_rows().filter(has=page.page.get_by_role("checkbox", name=SYSTEM_ITEM))
    assert "系统自动生成" in row.inner_text()
    assert row.get_by_role("button", name="缴费金额").count() == 0
    page.tick(SYSTEM_ITEM)
    page.pay()


# 7. 提示框 →【确定】→【缴费】→【第三方支付】或【协议支付】
@then(parsers.re(r"提示框中的缴费信息为:(?P<due>.+)$"))
def _(page: EtaxPage, due: str) -> None:
    assert page.wait_for(page.confirmation()) == ""
    assert list(page.confirmation_lines()) == lines(due)


@when("再次核对提示框中的缴费信息,点击【确定】,再点击【缴费】")
def _(page: EtaxPage) -> None:
    assert page.wait_for(page.confirmation()) == ""
    page.confirm()
    page.pay()
    assert page.wait_for(page.payment_ways()) == ""


@when("选择【第三方支付】中的“建设银行”,在建设银行页面点击【确认支付】")
def _(page: EtaxPage) -> None:
    page.choose_way("ccb")
    page.button("确认支付").click()
    page.page.wait_for_url(RESULT)


@when("选择【第三方支付】中的“支付宝”,截屏保存付款码,打开手机支付宝【扫一扫】,【从相册选择】截屏,点击【确认付款】")
def _(page: EtaxPage) -> None:
    page.choose_way("alipay_qr")
    code = page.page.get_by_role("img", name="支付宝付款码")
    code.wait_for()
    screenshot = code.screenshot()
    allure.attach(screenshot, name="付款码截屏", attachment_type=allure.attachment_type.PNG)
    AlipayScanner(page.page, page.base_url).pay(screenshot)


@when("回到电子税务局,点击【我已完成支付】")
def _(page: EtaxPage) -> None:
    page.button("我已完成支付").click()
    page.page.wait_for_url(RESULT)


@when("选择【协议支付】")
def _(page: EtaxPage) -> None:
    page.choose_way("agreement")
    page.page.wait_for_url(RESULT)


@then(parsers.re(r"页面显示“(?P<title>[^”]+)”$"))
def _(page: EtaxPage, title: str) -> None:
    page.page.wait_for_url(RESULT)
    page.result_title().filter(has_text=re.compile("缴费|确认中")).first.wait_for()
    assert page.result_title().inner_text().strip() == title


# 8. 【已缴费查询】或【社保费电子缴款回执单】
@when("通过【已缴费查询】查看缴费结果")
def _(page: EtaxPage) -> None:
    page.link("已缴费查询").click()
    page.page.locator("#records section").first.wait_for()


@then(parsers.re(r"缴费人的记录中有(?P<rows>.+)$"))
def _(page: EtaxPage, payments: PensionPayments, rows: str) -> None:
    seen = sorted((r.year, r.kind, r.amount) for r in page.record_rows(payments.ref("缴费人").name))
    assert seen == sorted((line.year, line.kind, line.amount) for line in lines(rows))


@then("家人本人的记录中没有缴费")
def _(page: EtaxPage, payments: PensionPayments) -> None:
    assert page.records_of(payments.ref("家人").name).get_by_text("暂无缴费记录").is_visible()
    assert page.record_rows(payments.ref("家人").name) == ()


@when("通过【社保费电子缴款回执单】查看缴费人的回执单")
def _(page: EtaxPage, payments: PensionPayments, printed: dict[str, bytes]) -> None:
    page.goto(SBJF)
    page.page.get_by_role("navigation", name="社保缴费").get_by_role("link", name="社保费电子缴款回执单").click()
    page.shown()
    name = payments.ref("缴费人").name
    page.record_rows(name)
    printed["receipt"] = pdf = page.print_receipt(name)
    allure.attach(pdf, name="社保费电子缴款回执单", attachment_type=allure.attachment_type.PDF)


@then(parsers.re(r"得到PDF格式的社保费电子缴款回执单:缴费人姓名、隐去中间数字的证件号码、费款所属期、(?P<amount>[\d.]+)元、"
                 r"电子税票号码和税务机关$"))
def _(payments: PensionPayments, printed: dict[str, bytes], amount: str) -> None:
    pdf = printed["receipt"]
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    payer = payments.ref("缴费人")
    records = payments.ledger()["records"]
    assert records, "账本中没有缴费记录"
    assert "社保费电子缴款回执单" in text and "宁波市电子税务局" in text
    assert payer.name in text
    assert mask(payer.id_number) in text and payer.id_number not in text
    assert f"¥{amount}" in text
    for record in records:
        assert f"{record['year']}-01-01至{record['year']}-12-31" in text
        assert record["ticket_no"] in text
        assert record["tax_authority"] in text


# what the page says ------------------------------------------------------------------------------------------------
@then(parsers.re(r"页面提示“(?P<message>[^”]+)”$"))
def _(page: EtaxPage, message: str) -> None:
    page.page.locator("body.etax #message").filter(has_text=message).wait_for()


@then(parsers.re(r"页面提示“(?P<message>[^”]+)”,不能进入登录验证页面$"))
def _(page: EtaxPage, message: str) -> None:
    page.page.locator("body.etax #message").filter(has_text=message).wait_for()
    assert page.page.url.endswith("/etax/login")
    assert not page.verification().is_visible()


@then("进入登录验证页面")
def _(page: EtaxPage) -> None:
    page.page.wait_for_url(re.compile(r"/etax/login/verify$"))
    page.verification().wait_for()


@then(parsers.re(r"页面说明“(?P<text>[^”]+)”,并请选择【自然人业务】$"))
def _(page: EtaxPage, text: str) -> None:
    panel = page.page.get_by_role("tabpanel", name="企业业务")
    assert text in panel.inner_text() and "【自然人业务】" in panel.inner_text()
    assert not page.page.get_by_label("个人用户密码").is_visible()


@then("页面右上角显示“欢迎您,缴费人”,可以进入【办税中心】")
def _(page: EtaxPage, payments: PensionPayments) -> None:
    assert f"欢迎您,{payments.ref('缴费人').name}" in page.top_bar().inner_text()
    page.page.get_by_role("navigation", name="主导航").get_by_role("link", name="办税中心", exact=True).click()
    page.page.get_by_role("navigation", name="办税中心").get_by_role("link", name="涉税业务办理").wait_for()
