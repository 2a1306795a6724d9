"""The vocabulary of the app channels' own accounts (宁波税务APP, 电子税务局, 浙里办APP): 注册 with an SMS code
(短信验证码) and 登录 with a password, on the tenant's clock. Each step calls the domain language only."""

from __future__ import annotations

import re

from pytest_bdd import given, parsers, then, when

from reports.masking import mask_text
from steps.attempts import Attempt, accepted, refused
from steps.expect import fail, said
from steps.language import PensionPayments

CODE_MINUTES, CODE_TRIES = 5, 5
LOCK_AFTER, LOCK_MINUTES = 5, 30
CODE_ONCE = "短信验证码只能使用一次"
CODE_OWN_PHONE = "短信验证码只对发送到的手机号码有效"
OUTCOMES = {"注册": "registered", "登录": "logged_in"}
ONE_PER_PHONE = "一个手机号码只能注册一个账号"
ONE_PER_PERSON = "一个人在一个渠道只能注册一个账号"
RESEND_RULE = "获取短信验证码后60秒内不能重新获取,满60秒可以"
ONE_PER_USERNAME = "一个用户名只能注册一个账号"
CODE_ASKED_RULE = "注册须先获取短信验证码,再输入收到的验证码"
CONFIRM_RULE = "注册时两次输入的密码须一致"
LOGGED_OUT_RULE = "退出登录后这次登录即已结束:退出前的登录凭证不能再办理业务"
OWN_CHANNEL_RULE = "一个渠道的登录只在这个渠道有效,不能拿到别的渠道办理业务"


def seconds(span: str) -> int:
    """4分59秒, 5分1秒, 29分钟 → seconds."""
    found = re.fullmatch(r"(?:(\d+)分(?:钟)?)?(?:(\d+)秒)?", span)
    if not found or not span:
        fail(f"看不懂的时长:{span}")
    return int(found.group(1) or 0) * 60 + int(found.group(2) or 0)


def code_rule(span: str) -> str:
    return f"短信验证码{CODE_MINUTES}分钟内有效(获取{span}后输入)"


def lock_rule(detail: str) -> str:
    return f"密码连续输错{LOCK_AFTER}次,账号锁定{LOCK_MINUTES}分钟({detail})"


def mistype_passwords(payments: PensionPayments, channel: str, times: int) -> None:
    """登录 with a wrong password ``times`` times in a row, each refused."""
    for attempt in range(1, times + 1):
        tried = payments.log_in("缴费人", channel, wrong=True)
        if tried.status != "refused":
            fail(f"输错的密码应被拒绝,实际第{attempt}次输错时{said(tried)}")


# 假如 ----------------------------------------------------------------------------------------------------
@given(
    parsers.re(
        r"现在是(?P<year>\d{4})年(?P<month>\d{1,2})月(?P<day>\d{1,2})日(?P<hour>\d{1,2}):(?P<minute>\d{2}),"
        r"时间只按场景所说流逝$"
    )
)
def _(payments: PensionPayments, year: str, month: str, day: str, hour: str, minute: str) -> None:
    payments.stop_clock(f"{year}-{int(month):02d}-{int(day):02d}T{int(hour):02d}:{minute}:00")


@given(parsers.re(r"他已在(?P<channel>.+?)用短信验证码注册(?:账号)?$"))
def _(payments: PensionPayments, channel: str) -> None:
    payments.register_account("缴费人", channel)


@given(parsers.re(r"他已在(?P<channel>.+?)用短信验证码注册账号,用户名为“(?P<username>\w+)”$"))
def _(payments: PensionPayments, channel: str, username: str) -> None:
    payments.register_account("缴费人", channel, username=username)


@given(parsers.re(r"他在(?P<channel>.+?)注册时获取了短信验证码$"))
def _(payments: PensionPayments, channel: str) -> None:
    sent = payments.request_sms_code("缴费人", channel)
    if sent.status != "sent":
        fail(f"{channel}注册页【获取验证码】应发送短信验证码,实际{said(sent)}")


@given(parsers.re(r"家人的手机随后也收到了(?P<channel>.+?)的注册短信验证码$"))
def _(payments: PensionPayments, channel: str) -> None:
    if "家人" not in payments.payers:
        payments.payer("家人")
    sent = payments.request_sms_code("家人", channel, on_own_phone=True)
    if sent.status != "sent":
        fail(f"家人在{channel}注册页【获取验证码】应发送短信验证码,实际{said(sent)}")


@given(parsers.re(r"他在(?P<channel>.+?)连续输错了(?P<times>\d+)次密码$"))
def _(payments: PensionPayments, channel: str, times: str) -> None:
    mistype_passwords(payments, channel, int(times))


@given(parsers.re(r"60秒后他在(?P<channel>.+?)又获取了一次短信验证码,用新收到的验证码注册了账号$"))
def _(payments: PensionPayments, channel: str) -> None:
    payments.let_pass(60)
    sent = payments.request_sms_code("缴费人", channel)
    if sent.status != "sent":
        fail(f"{channel}注册页获取验证码满60秒后应能再次获取,实际{said(sent)}")
    done = payments.register("缴费人", channel)
    if done.status != "registered":
        fail(f"他应能用新收到的验证码在{channel}注册,实际{said(done)}")
    payments.log_out(channel)


# 当 ------------------------------------------------------------------------------------------------------
@when(parsers.re(r"他在(?P<channel>.+?)再次注册,输入先前收到的那个验证码$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str) -> Attempt:
    coded = [m for m in payments.sms("缴费人") if m.get("code")]
    if len(coded) < 2:
        fail(f"他的手机应先后收到2条带验证码的短信,实际收到{len(coded)}条")
    rule = "只有最新收到的短信验证码有效:用新的验证码注册后,先前收到的也不能再用"
    return Attempt(rule, payments.register("缴费人", channel, code=str(coded[-2]["code"])))


@when(parsers.re(r"他在(?P<channel>.+?)不输入账号,只输入密码登录$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str) -> Attempt:
    payments.mistype("缴费人", id_number="", phone="")
    return Attempt("登录须输入账号", payments.log_in("缴费人", channel))


@when(parsers.re(r"他在(?P<channel>.+?)再次注册,输入注册时用过的短信验证码$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str) -> Attempt:
    used = payments.sms_code("缴费人")
    return Attempt(CODE_ONCE, payments.register("缴费人", channel, code=used))


@when(parsers.re(r"(?P<span>[\d分秒钟]+)后他在(?P<channel>.+?)输入该验证码注册$"), target_fixture="attempt")
def _(payments: PensionPayments, span: str, channel: str) -> Attempt:
    payments.let_pass(seconds(span))
    return Attempt(code_rule(span), payments.register("缴费人", channel))


@when(parsers.re(r"他没有获取短信验证码,就在(?P<channel>.+?)随手输入一个6位验证码注册$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str) -> Attempt:
    return Attempt(CODE_ASKED_RULE, payments.register("缴费人", channel, code=payments.faker.numerify("######")))


@when(parsers.re(r"他在(?P<channel>.+?)输入该验证码注册,确认密码与密码不一致$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str) -> Attempt:
    return Attempt(CONFIRM_RULE, payments.register("缴费人", channel, confirm_typo=True))


@when(parsers.re(r"他在(?P<channel>.+?)输错(?P<times>\d+)次验证码后输入正确的验证码注册$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str, times: str) -> Attempt:
    rule = f"短信验证码输错{CODE_TRIES}次即作废(输错{times}次后输入正确的验证码)"
    return Attempt(rule, payments.register_after_wrong_codes("缴费人", channel, int(times)))


@when(parsers.re(r"他在(?P<channel>.+?)输入家人手机上的验证码注册$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str) -> Attempt:
    return Attempt(CODE_OWN_PHONE, payments.register("缴费人", channel, code=payments.sms_code("家人")))


@when(parsers.re(r"他在(?P<channel>.+?)连续输错(?P<times>\d+)次密码后输入正确的密码登录$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str, times: str) -> Attempt:
    mistype_passwords(payments, channel, int(times))
    return Attempt(lock_rule(f"输错{times}次后输入正确的密码"), payments.log_in("缴费人", channel))


@when(parsers.re(r"(?P<span>[\d分秒钟]+)后他在(?P<channel>.+?)输入正确的密码登录$"), target_fixture="attempt")
def _(payments: PensionPayments, span: str, channel: str) -> Attempt:
    payments.let_pass(seconds(span))
    return Attempt(lock_rule(f"锁定{span}后输入正确的密码"), payments.log_in("缴费人", channel))


@when(
    parsers.re(r"他没有注册就在(?P<channel>.+?)输入(?P<account>手机号码|居民身份证号码)和密码登录$"),
    target_fixture="attempt",
)
def _(payments: PensionPayments, channel: str, account: str) -> Attempt:
    return Attempt(f"没有注册的{account}不能登录", payments.log_in("缴费人", channel))


@when(parsers.re(r"一分钟后家人在(?P<channel>.+?)用他的手机号码和手机上的验证码注册$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str) -> Attempt:
    if "家人" not in payments.payers:
        payments.payer("家人")
    payments.mistype("家人", phone=payments.payers["缴费人"].phone)
    payments.let_pass(60)
    return Attempt(ONE_PER_PHONE, payments.register_as_typed("家人", channel))


@when(parsers.re(r"家人在(?P<channel>.+?)用同一个用户名“(?P<username>\w+)”注册$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str, username: str) -> Attempt:
    if "家人" not in payments.payers:
        payments.payer("家人")
    return Attempt(ONE_PER_USERNAME, payments.register_as_typed("家人", channel, username=username))


@when(parsers.re(r"他在(?P<channel>.+?)退出登录后,有人拿他退出前的登录凭证查询他的参保信息$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str) -> Attempt:
    token = payments.login_token("缴费人", channel)
    payments.log_out(channel)
    return Attempt(LOGGED_OUT_RULE, payments.items_with_token("缴费人", channel, token))


@when(
    parsers.re(r"他在(?P<channel>.+?)登录后,拿这次登录的凭证到(?P<other>.+?)查询他的参保信息$"),
    target_fixture="attempt",
)
def _(payments: PensionPayments, channel: str, other: str) -> Attempt:
    token = payments.login_token("缴费人", channel)
    return Attempt(f"{OWN_CHANNEL_RULE}({channel}的登录到{other})", payments.items_with_token("缴费人", other, token))


@when(parsers.re(r"他换了一个手机号码,在(?P<channel>.+?)用新手机上的验证码再次注册$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str) -> Attempt:
    payments.mistype("缴费人", phone=payments.someone_elses("缴费人", "phone"))
    return Attempt(ONE_PER_PERSON, payments.register_as_typed("缴费人", channel))


@when(parsers.re(r"(?P<span>[\d分秒钟]+)后他在(?P<channel>.+?)再次点击【获取验证码】$"), target_fixture="attempt")
def _(payments: PensionPayments, span: str, channel: str) -> Attempt:
    payments.let_pass(seconds(span))
    return Attempt(f"{RESEND_RULE}(获取{span}后再次获取)", payments.request_sms_code("缴费人", channel))


@when(parsers.re(r"他在(?P<channel>.+?)输入自己手机上的验证码注册$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str) -> Attempt:
    return Attempt(CODE_OWN_PHONE + "(家人随后收到的验证码不影响他的)", payments.register("缴费人", channel))


# 那么 ----------------------------------------------------------------------------------------------------
@then(parsers.re(r"(?P<what>注册|登录)成功$"))
def _(attempt: Attempt, what: str) -> None:
    accepted(attempt, OUTCOMES[what])


@then(parsers.re(r"(?P<what>注册|登录)被拒绝,提示“(?P<message>.+)”$"))
def _(attempt: Attempt, what: str, message: str) -> None:
    refused(attempt, message)


@then(parsers.re(r"登录被拒绝,提示他的(?P<account>手机号码|居民身份证号码)尚未注册,请先【(?P<register>.+)】$"))
def _(payments: PensionPayments, attempt: Attempt, account: str, register: str) -> None:
    ref = payments.ref("缴费人")
    number = mask_text(ref.phone if account == "手机号码" else ref.id_number)
    refused(attempt, f"{account}{number}尚未注册,请先【{register}】")


@then("注册被拒绝,提示他的手机号码已注册,请直接登录")
def _(payments: PensionPayments, attempt: Attempt) -> None:
    refused(attempt, f"手机号码{mask_text(payments.payers['缴费人'].phone)}已注册,请直接登录")


@then("注册被拒绝,提示他的证件号码已注册账号,请直接登录")
def _(payments: PensionPayments, attempt: Attempt) -> None:
    refused(attempt, f"证件号码{mask_text(payments.payers['缴费人'].id_number)}已注册", "请直接登录")


@then(parsers.re(r"获取被拒绝,提示“(?P<message>.+)”$"))
def _(attempt: Attempt, message: str) -> None:
    refused(attempt, message)


@then("他的手机又收到一条注册验证码短信")
def _(payments: PensionPayments, attempt: Attempt) -> None:
    accepted(attempt, "sent")
    coded = [m for m in payments.sms("缴费人") if m.get("code")]
    if len(coded) != 2:
        fail(f"{attempt.rule}:他的手机应先后收到2条带验证码的短信,实际收到{len(coded)}条")
