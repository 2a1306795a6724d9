"""The vocabulary of whose order, record and receipt a login may see and pay (features/rules/access.feature), and of
the second factors bound to the person who logs in (features/rules/second_factor.feature). Another person is on
their own phone or computer: a login of their own. Each step calls the domain language only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from reports.masking import mask_text
from steps import expect as shown
from steps.attempts import Attempt, refused
from steps.drivers.protocol import Outcome, Record, Shown
from steps.expect import check, expect, fail, said
from steps.guide_steps import lines
from steps.language import PensionPayments

OTHER = "另一位缴费人"
FAMILY = "家人"
WHO = rf"(?P<who>{OTHER}|{FAMILY})"
ORDER_RULE = "订单只给确认它的人查看和支付:别人的登录打不开、付不了,也看不到缴费人的任何信息"
RECORDS_RULE = "缴费记录只给本人和本次登录中核验过的他人查看"
RECEIPT_RULE = "缴费回执单只能由本人或本次登录中核验过的他人打印"
UNPAID_RULE = "缴费成功的订单才有缴费回执单:待支付的订单没有"
OTHERS_AGAIN_RULE = "为他人缴费后重新登录,须再次核验他人才能查看他人的缴费记录"
HOLDER_RULE = "登录验证只显示账号本人姓名中的姓(其余每个字以*代替)和隐去中间四位的手机号码"
SMS_TEXT_RULE = "验证码短信写明发送的渠道、验证码的用途和有效时间"
SMS_RULE = "登录验证的短信验证码只对登录账号本人的手机有效"
SCAN_RULE = "扫码登录须由登录账号本人的APP扫码确认"
QR_OWN_RULE = "扫码登录只认本次登录自己的二维码:别人登录的二维码(哪怕已扫码确认)不能完成他的登录"
SCAN_ONCE_RULE = "扫码确认过的二维码不能再次确认登录"
SCAN_APPS_RULE = "扫码登录只能使用税务APP或个人所得税APP"
VERIFY_FIRST_RULE = "输入密码后还须完成登录验证(短信验证或扫码),才能办理业务"
SCAN_APPS = {"税务APP": "taxapp", "个人所得税APP": "iit"}
APP_NAMES = "|".join(SCAN_APPS)
DAY = 24 * 3600


@dataclass(frozen=True)
class Asked:
    """What a person asked a channel for, under which rule, and what the channel showed them."""

    rule: str
    who: str
    what: str  # 订单, 缴费记录, 回执单
    seen: Shown


@pytest.fixture
def phone_said() -> dict[str, Outcome]:
    """What each person's tax app said of a scan (by alias)."""
    return {}


def someone_else(payments: PensionPayments, alias: str) -> None:
    """A second registered payer, not named like the first, unless the scenario already has them."""
    if alias in payments.payers:
        return
    while payments.payer(alias).name == payments.payers["缴费人"].name:
        pass


def _order_no(payments: PensionPayments) -> str:
    last = payments.last
    if last is None or not last.order_no:
        fail(f"此前应有缴费人的一笔订单,实际{said(last)}")
    return last.order_no


# 假如 ----------------------------------------------------------------------------------------------------
@given(parsers.re(r"一位已参保的缴费人已在(?P<channel>.+?)确认(?P<year>\d{4})年度(?P<tier>\d+)元档次缴费,尚未支付$"))
def _(payments: PensionPayments, channel: str, year: str, tier: str) -> None:
    payments.payer()
    outcome = payments.confirm_unpaid("缴费人", channel, tier=int(tier), year=int(year))
    check(outcome.status == "confirmed", f"{channel}应生成待支付的订单({year}年度{tier}元),实际{said(outcome)}")


@given(parsers.re(r"家人已在(?P<channel>.+?)为他缴纳(?P<year>\d{4})年度(?P<tier>\d+)元$"))
def _(payments: PensionPayments, channel: str, year: str, tier: str) -> None:
    someone_else(payments, FAMILY)
    outcome = payments.pay_for_other("缴费人", channel, by=FAMILY, tier=int(tier))
    check(outcome.paid, f"家人应能在{channel}核验他人后为缴费人缴纳{year}年度{tier}元,实际{said(outcome)}")


@given(parsers.re(r"他在(?P<channel>.+?)输入密码登录,短信验证时获取了验证码$"))
@when(parsers.re(r"他在(?P<channel>.+?)输入密码登录,在短信验证中点击【获取验证码】$"))
def _(payments: PensionPayments, channel: str) -> None:
    started = payments.start_login("缴费人", channel)
    check(started.status == "second_factor", f"他在{channel}输入密码后应进入登录验证,实际{said(started)}")
    sent = payments.request_login_code("缴费人", channel)
    check(sent.status == "sent", f"他在{channel}登录验证【获取验证码】应发送短信验证码,实际{said(sent)}")


@given(parsers.re(r"家人随后在自己的电脑上登录(?P<channel>.+?),手机收到了登录验证码$"))
def _(payments: PensionPayments, channel: str) -> None:
    someone_else(payments, FAMILY)
    payments.register_on_own_phone(FAMILY, channel)
    started = payments.start_login(FAMILY, channel, own_computer=True)
    check(started.status == "second_factor", f"家人在{channel}输入密码后应进入登录验证,实际{said(started)}")
    sent = payments.request_login_code(FAMILY, channel, own_computer=True)
    check(sent.status == "sent", f"家人在{channel}登录验证【获取验证码】应发送短信验证码,实际{said(sent)}")


@given(parsers.re(rf"家人在自己的电脑上登录(?P<channel>.+?),用自己的(?P<app>{APP_NAMES})扫码确认了登录二维码$"))
def _(payments: PensionPayments, channel: str, app: str) -> None:
    someone_else(payments, FAMILY)
    payments.register_on_own_phone(FAMILY, channel)
    started = payments.start_login(FAMILY, channel, own_computer=True)
    check(started.status == "second_factor", f"家人在{channel}输入密码后应进入登录验证,实际{said(started)}")
    picture = payments.login_qr(channel, SCAN_APPS[app], alias=FAMILY)
    scanned = payments.scan_login_qr(picture, SCAN_APPS[app], whose=FAMILY)
    check(scanned.status == "confirmed", f"家人用自己的{app}扫码应能确认自己的登录,实际{said(scanned)}")


@given(
    parsers.re(rf"他在(?P<channel>.+?)用(?P<app>{APP_NAMES})扫码登录后退出了登录$"),
    target_fixture="old_qr",
)
def _(payments: PensionPayments, channel: str, app: str) -> bytes:
    started = payments.start_login("缴费人", channel)
    check(started.status == "second_factor", f"他在{channel}输入密码后应进入登录验证,实际{said(started)}")
    picture = payments.login_qr(channel, SCAN_APPS[app])
    scanned = payments.scan_login_qr(picture, SCAN_APPS[app], whose="缴费人")
    check(scanned.status == "confirmed", f"他用自己的{app}扫码应能确认登录,实际{said(scanned)}")
    done = payments.finish_login_with_scan(channel, SCAN_APPS[app])
    check(done.status == "logged_in", f"他用自己的{app}扫码确认后应能登录{channel},实际{said(done)}")
    payments.log_out(channel)
    return picture


# 当: another login asks for someone's order, records, receipt ------------------------------------------------
@when(parsers.re(rf"{WHO}在自己的手机上用(?P<channel>.+?)打开他的订单$"), target_fixture="asked")
def _(payments: PensionPayments, who: str, channel: str) -> Asked:
    someone_else(payments, who)
    return Asked(ORDER_RULE, who, "订单", payments.open_order(_order_no(payments), channel, by=who))


@when(parsers.re(rf"{WHO}在自己的手机上用(?P<channel>.+?)支付他的订单$"), target_fixture="asked")
def _(payments: PensionPayments, who: str, channel: str) -> Asked:
    someone_else(payments, who)
    return Asked(ORDER_RULE, who, "订单", payments.pay_order(_order_no(payments), channel, by=who))


@when(parsers.re(rf"{WHO}在自己的手机上用(?P<channel>.+?)查询他的缴费记录$"), target_fixture="asked")
def _(payments: PensionPayments, who: str, channel: str) -> Asked:
    someone_else(payments, who)
    return Asked(RECORDS_RULE, who, "缴费记录", payments.records_seen("缴费人", channel, by=who))


@when(parsers.re(rf"{WHO}在自己的手机上用(?P<channel>.+?)打开他这笔缴费的回执单$"), target_fixture="asked")
def _(payments: PensionPayments, who: str, channel: str) -> Asked:
    someone_else(payments, who)
    return Asked(RECEIPT_RULE, who, "回执单", payments.receipt_seen(_order_no(payments), channel, by=who))


@when(parsers.re(r"他在自己的手机上用(?P<channel>.+?)打开这笔订单的回执单$"), target_fixture="asked")
def _(payments: PensionPayments, channel: str) -> Asked:
    return Asked(UNPAID_RULE, "缴费人本人", "回执单", payments.receipt_seen(_order_no(payments), channel, by="缴费人"))


@when(parsers.re(r"第二天家人在自己的手机上登录(?P<channel>.+?),查询他的缴费记录$"), target_fixture="asked")
def _(payments: PensionPayments, channel: str) -> Asked:
    payments.let_pass(DAY)
    return Asked(OTHERS_AGAIN_RULE, FAMILY, "缴费记录", payments.records_seen("缴费人", channel, by=FAMILY))


@when(
    parsers.re(r"第二天家人在自己的手机上登录(?P<channel>.+?),核验他人后查询他的缴费记录$"),
    target_fixture="records_of_other",
)
def _(payments: PensionPayments, channel: str) -> dict[str, Any]:
    payments.let_pass(DAY)
    checked = payments.verify_other_on_phone("缴费人", channel, by=FAMILY)
    check(checked.status == "verified", f"家人在{channel}核验他人(缴费人)应通过,实际{said(checked)}")
    return {"channel": channel, "records": payments.records_on_phone("缴费人", channel, by=FAMILY)}


# 当: second factors ----------------------------------------------------------------------------------------
@when(parsers.re(r"他在(?P<channel>.+?)输入密码登录,来到登录验证$"), target_fixture="holder")
def _(payments: PensionPayments, channel: str) -> str:
    started = payments.start_login("缴费人", channel)
    check(started.status == "second_factor", f"他在{channel}输入密码后应进入登录验证,实际{said(started)}")
    return payments.login_holder(channel)


@when(parsers.re(r"他在(?P<channel>.+?)输入密码登录后跳过登录验证,直接查询本人的参保信息$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str) -> Attempt:
    return Attempt(VERIFY_FIRST_RULE, payments.items_before_verifying("缴费人", channel))


@when(
    parsers.re(r"他在(?P<channel>.+?)输入密码登录后,要求生成用(?P<app>\w+)扫码的登录二维码$"), target_fixture="attempt"
)
def _(payments: PensionPayments, channel: str, app: str) -> Attempt:
    started = payments.start_login("缴费人", channel)
    check(started.status == "second_factor", f"他在{channel}输入密码后应进入登录验证,实际{said(started)}")
    return Attempt(SCAN_APPS_RULE, payments.ask_login_qr_for(channel, app))


@when(parsers.re(r"他在(?P<channel>.+?)输入家人手机上的验证码登录$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str) -> Attempt:
    return Attempt(SMS_RULE, payments.finish_login_with_code(channel, payments.sms_code(FAMILY)))


@when(
    parsers.re(
        rf"他在(?P<channel>.+?)输入密码登录,家人用自己的(?P<app>{APP_NAMES})扫描登录二维码并确认后,他点击【登录】$"
    ),
    target_fixture="attempt",
)
def _(payments: PensionPayments, phone_said: dict[str, Outcome], channel: str, app: str) -> Attempt:
    someone_else(payments, FAMILY)
    started = payments.start_login("缴费人", channel)
    check(started.status == "second_factor", f"他在{channel}输入密码后应进入登录验证,实际{said(started)}")
    picture = payments.login_qr(channel, SCAN_APPS[app])
    phone_said[FAMILY] = payments.scan_login_qr(picture, SCAN_APPS[app], whose=FAMILY)
    return Attempt(SCAN_RULE, payments.finish_login_with_scan(channel, SCAN_APPS[app]))


@when(parsers.re(r"他在(?P<channel>.+?)输入密码登录,拿家人那次登录的二维码点击【登录】$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str) -> Attempt:
    started = payments.start_login("缴费人", channel)
    check(started.status == "second_factor", f"他在{channel}输入密码后应进入登录验证,实际{said(started)}")
    return Attempt(QR_OWN_RULE, payments.finish_login_with_qr_of(channel, FAMILY))


@when(
    parsers.re(rf"他在(?P<channel>.+?)再次输入密码登录,用(?P<app>{APP_NAMES})扫描上次登录的二维码后点击【登录】$"),
    target_fixture="attempt",
)
def _(payments: PensionPayments, phone_said: dict[str, Outcome], old_qr: bytes, channel: str, app: str) -> Attempt:
    started = payments.start_login("缴费人", channel)
    check(started.status == "second_factor", f"他在{channel}再次输入密码后应进入登录验证,实际{said(started)}")
    payments.login_qr(channel, SCAN_APPS[app])  # the page shows a new code for this login
    phone_said["缴费人"] = payments.scan_login_qr(old_qr, SCAN_APPS[app], whose="缴费人")
    return Attempt(SCAN_ONCE_RULE, payments.finish_login_with_scan(channel, SCAN_APPS[app]))


# 那么 ----------------------------------------------------------------------------------------------------
@then(parsers.re(r"(?P<what>订单|回执单)打不开,提示“(?P<message>.+)”$"))
def _(asked: Asked, what: str, message: str) -> None:
    _refused(asked, f"{asked.who}打开缴费人的{what}", message)


@then(parsers.re(r"(?P<what>查询|生成二维码)被拒绝,提示“(?P<message>.+)”$"))
def _(attempt: Attempt, message: str) -> None:
    refused(attempt, message)


@then(parsers.re(r"支付被拒绝,提示“(?P<message>.+)”$"))
def _(asked: Asked, message: str) -> None:
    _refused(asked, f"{asked.who}支付缴费人的订单", message)


@then("查不到他的缴费记录")
def _(asked: Asked) -> None:
    _refused(asked, f"{asked.who}查询缴费人的缴费记录")


def _refused(asked: Asked, doing: str, message: str = "") -> None:
    __tracebackhide__ = True
    seen = asked.seen
    words = f"并提示“{message}”" if message else ""
    if not seen.refused or message not in seen.message:
        got = (
            f"被拒绝“{seen.message}”"
            if seen.refused
            else "没有被拒绝" + (f",提示“{seen.message}”" if seen.message else "")
        )
        fail(f"{asked.rule}:{doing}应被拒绝{words},实际{got}")


@then(parsers.re(rf"{WHO}看不到他的姓名和证件号码$"))
def _(payments: PensionPayments, asked: Asked, who: str) -> None:
    payer = payments.payers["缴费人"]
    text = asked.seen.text
    leaked = [
        label
        for label, value in (
            (f"姓名{payer.name}", payer.name),
            ("完整的证件号码", payer.id_number),
            (f"隐去中间八位的证件号码{mask_text(payer.id_number)}", mask_text(payer.id_number)),
            ("手机号码", payer.phone),
        )
        if value and value in text
    ]
    check(not leaked, f"{asked.rule}:{who}打开缴费人的{asked.what}时看到了缴费人的{'、'.join(leaked)}")


@then(parsers.re(r"家人看到他的缴费记录中有(?P<rows>.+)$"))
def _(records_of_other: dict[str, Any], rows: str) -> None:
    expected = sorted((line.year, line.kind, line.amount) for line in lines(rows))
    found: tuple[Record, ...] = records_of_other["records"]
    expect(
        sorted((r.year, r.kind, r.amount) for r in found),
        expected,
        f"家人核验他人后在{records_of_other['channel']}查询到的缴费人的缴费记录",
        why="本次登录中核验过的他人,可以查看其缴费记录",
        show=shown.lines,
    )


@then(parsers.re(rf"(?P<whose>家人|他)的(?P<app>{APP_NAMES})提示“(?P<message>.+)”$"))
def _(phone_said: dict[str, Outcome], whose: str, app: str, message: str) -> None:
    alias = FAMILY if whose == FAMILY else "缴费人"
    scan = phone_said.get(alias)
    if scan is None:
        fail(f"{whose}的{app}应扫过登录二维码,实际没有扫码")
    if scan.status != "refused" or message not in scan.message:
        fail(f"{whose}的{app}扫码确认应被拒绝并提示“{message}”,实际{said(scan)}")


@then("登录验证显示的账号姓名只留姓,手机号码隐去中间四位")
def _(payments: PensionPayments, holder: str) -> None:
    payer = payments.payers["缴费人"]
    name = payer.name[0] + "*" * (len(payer.name) - 1)
    phone = mask_text(payer.phone)
    check(
        re.search(f"{re.escape(name)}(?!\\*)", holder) is not None
        and phone in holder
        and payer.name not in holder
        and payer.phone not in holder,
        f"{HOLDER_RULE}:应显示“{name}”和“{phone}”,实际显示“{mask_text(holder)}”",
    )


@then(parsers.re(r"他的手机收到短信“(?P<opening>.+)”,并写明“(?P<validity>.+)”$"))
def _(payments: PensionPayments, opening: str, validity: str) -> None:
    texts = [str(m["text"]) for m in payments.sms("缴费人")]
    newest = texts[-1] if texts else "(没有短信)"
    check(
        newest.startswith(opening) and validity in newest,
        f"{SMS_TEXT_RULE}:他的手机最新收到的短信应以“{opening}”开头并写明“{validity}”,实际为“{mask_text(newest)}”",
    )
