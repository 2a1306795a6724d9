"""The vocabulary of paying for others (为他人缴费): what the person at the screen types for the payer, the
random code (随机验证码), and the refusal. Each step calls the domain language (``PensionPayments``) only."""

from __future__ import annotations

import secrets

from pytest_bdd import given, parsers, then, when

from steps.attempts import Attempt, refused
from steps.drivers.protocol import CAPTCHA_AGAIN, CAPTCHA_MISREAD, Shown
from steps.expect import fail, said
from steps.language import PensionPayments

PHONE_RULE = "为他人缴费,输入的手机号码须是缴费人登记的手机号码"
NAME_RULE = "为他人缴费,输入的姓名须与证件号码相符"
CAPTCHA_RULE = "为他人缴费,随机验证码须与图片上的一致"
AGAIN_RULE = "随机验证码只能用于一次核验,核验未通过后须换一张"
PICTURE_RULE = "只有渠道给出的随机验证码才有图片:不存在的图片打不开,答复说明原因"


@given(parsers.re(r"家人在(?P<channel>.+?)为缴费人核验时输错了手机号码,核验未通过$"))
def _(payments: PensionPayments, channel: str) -> None:
    payments.mistype("缴费人", phone=payments.someone_elses("缴费人", "phone"))
    checked = payments.verify_other("缴费人", channel, by="家人")
    if checked.status != "refused":
        fail(f"{PHONE_RULE}:输错手机号码的核验应不通过,实际{said(checked)}")


@when(
    parsers.re(r"家人在(?P<channel>.+?)为缴费人缴费,输入的手机号码不是缴费人登记的手机号码$"), target_fixture="attempt"
)
def _(payments: PensionPayments, channel: str) -> Attempt:
    payments.mistype("缴费人", phone=payments.someone_elses("缴费人", "phone"))
    return Attempt(PHONE_RULE, payments.pay_current_year("缴费人", channel, by="家人"))


@when(parsers.re(r"家人在(?P<channel>.+?)为缴费人缴费,输入的姓名与证件号码不符$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str) -> Attempt:
    payments.mistype("缴费人", name=payments.someone_elses("缴费人", "name"))
    return Attempt(NAME_RULE, payments.pay_current_year("缴费人", channel, by="家人"))


@when(parsers.re(r"家人在(?P<channel>.+?)为缴费人缴费,输入的随机验证码与图片上的不符$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str) -> Attempt:
    return Attempt(CAPTCHA_RULE, payments.pay_for_other("缴费人", channel, by="家人", captcha=CAPTCHA_MISREAD))


@when(parsers.re(r"家人在(?P<channel>.+?)改正手机号码,仍输入刚才的随机验证码为缴费人缴费$"), target_fixture="attempt")
def _(payments: PensionPayments, channel: str) -> Attempt:
    payments.retype("缴费人")
    return Attempt(AGAIN_RULE, payments.pay_for_other("缴费人", channel, by="家人", captcha=CAPTCHA_AGAIN))


@when(parsers.re(r"家人在(?P<channel>.+?)为他人核验时打开一张不存在的随机验证码图片$"), target_fixture="picture")
def _(payments: PensionPayments, channel: str) -> Shown:
    return payments.captcha_picture_of(channel, secrets.token_hex(12))


@then(parsers.re(r"图片打不开,提示“(?P<message>.+)”$"))
def _(picture: Shown, message: str) -> None:
    if not picture.refused or message not in picture.message:
        seen = f"被拒绝“{picture.message}”" if picture.refused else f"打开了图片({picture.text})"
        fail(f"{PICTURE_RULE}:应打不开并提示“{message}”,实际{seen}")


@then(parsers.re(r"为他人缴费被拒绝,提示“(?P<message>.+)”$"))
def _(attempt: Attempt, message: str) -> None:
    refused(attempt, message)


@then("为他人缴费被拒绝,提示换用新的随机验证码")
def _(attempt: Attempt) -> None:
    """Over HTTP the old picture is 已使用过; on the page a new picture shows, and the old code is 错误 for it."""
    outcome = attempt.outcome
    asks = "随机验证码" in outcome.message and any(words in outcome.message for words in ("换一张", "新图片"))
    if outcome.status != "refused" or not asks:
        fail(f"{attempt.rule}:应被拒绝并提示换用新的随机验证码(已使用过,或与新图片上的不符),实际{said(outcome)}")


# what the payer types for his own ID number (refused_payers.feature) ---------------------------------------------
@given("一位证件号码少输了一位的缴费人")
def _(payments: PensionPayments) -> None:
    payer = payments.payer()
    payments.mistype("缴费人", id_number=payer.id_number[:17])


# The other 证件类型 the channels offer, and the form of their numbers (not checked like a resident ID number).
OTHER_ID_NUMBERS = {
    "港澳居民来往内地通行证": "H########",
    "台湾居民来往大陆通行证": "########",
    "外国人永久居留身份证": "USA############",
}


@given(parsers.re(rf"一位持(?P<id_type>{'|'.join(OTHER_ID_NUMBERS)})、不在参保登记中的人$"))
def _(payments: PensionPayments, id_type: str) -> None:
    payments.payer(registered=False)
    payments.mistype("缴费人", id_type=id_type, id_number=payments.faker.numerify(OTHER_ID_NUMBERS[id_type]))


@given("一位输错了证件号码中出生日期的缴费人")
def _(payments: PensionPayments) -> None:
    payer = payments.payer()
    payments.mistype("缴费人", id_number=payer.id_number[:10] + "13" + payer.id_number[12:])


@given("一位输入15位旧身份证号码的缴费人")
def _(payments: PensionPayments) -> None:
    payer = payments.payer(age=40)  # born in the 1900s: the years the 15-digit numbers were issued
    payments.mistype("缴费人", id_number=payer.id_number[:6] + payer.id_number[8:17])


@given("一位姓名只输入了空格的缴费人")
def _(payments: PensionPayments) -> None:
    payments.payer()
    payments.mistype("缴费人", name=" ")
