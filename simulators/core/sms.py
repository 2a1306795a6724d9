"""The tenant's SMS inbox: every text the simulator sends to a phone lands here, for a test to read.

Verification codes (短信验证码) are texts with a code, a purpose, the app that sent it and an expiry on the
tenant's clock; a code is good once, for the phone it was sent to and in the app that sent it, and only that app's
newest one counts; ``MAX_WRONG`` wrong tries void it. Each app limits its own resending: one person may register in
two apps a moment apart.
"""

from __future__ import annotations

import math
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from simulators.core import clock, defects
from simulators.core.errors import InvalidInput, RuleRefused
from simulators.core.idnumber import mask_phone as mask_phone  # re-exported: channels mask phones through sms
from simulators.core.models import SmsMessage, Tenant

CODE_TTL = timedelta(minutes=5)
RESEND_AFTER = timedelta(seconds=60)
PHONE = re.compile(r"^1[3-9]\d{9}$")
CODE = re.compile(r"^\d{6}$")
PURPOSES = {"register": "注册", "login": "登录"}  # no channel has a 找回密码 flow: no code is sent for one
MAX_WRONG = 5  # wrong tries of a live code; the last one voids it


class WrongCode(InvalidInput):
    """A wrong try of a live code: refused, and counted towards voiding it, so the count is kept."""

    kept = True


def send(session: Session, tenant: Tenant, phone: str, text: str, code: str | None = None) -> SmsMessage:
    message = SmsMessage(tenant_id=tenant.id, phone=phone, text=text, code=code, sent_at=clock.now(tenant))
    session.add(message)
    return message


def inbox(session: Session, tenant: Tenant, phone: str | None = None) -> list[SmsMessage]:
    query = select(SmsMessage).where(SmsMessage.tenant_id == tenant.id)
    if phone:
        query = query.where(SmsMessage.phone == phone)
    return list(session.scalars(query.order_by(SmsMessage.id)))


def check_phone(phone: str) -> str:
    phone = phone.strip()
    if not PHONE.match(phone):
        raise InvalidInput("手机号码应为11位中国大陆手机号码(以1开头)", field="phone")
    return phone


def _codes(
    session: Session, tenant: Tenant, purpose: str, phone: str | None = None, sender: str | None = None
) -> list[SmsMessage]:
    query = select(SmsMessage).where(
        SmsMessage.tenant_id == tenant.id, SmsMessage.purpose == purpose, SmsMessage.code.is_not(None)
    )
    if phone:
        query = query.where(SmsMessage.phone == phone)
    if sender:
        query = query.where(SmsMessage.sender == sender)
    return list(session.scalars(query.order_by(SmsMessage.id.desc())))


def issue_code(session: Session, tenant: Tenant, phone: str, purpose: str, app: str) -> SmsMessage:
    """获取验证码: a fresh 6-digit code to the phone; at most one a minute per phone, purpose and app."""
    phone = check_phone(phone)
    if purpose not in PURPOSES:
        raise InvalidInput(f"验证码用途应为{'、'.join(PURPOSES)}之一", field="purpose")
    now = clock.now(tenant)
    latest = next(iter(_codes(session, tenant, purpose, phone, app)), None)
    if latest is not None and now < latest.sent_at + RESEND_AFTER:
        wait = math.ceil((latest.sent_at + RESEND_AFTER - now).total_seconds())
        raise RuleRefused(f"短信验证码已发送至{mask_phone(phone)},请{wait}秒后再重新获取", field="phone")
    code = f"{secrets.randbelow(10**6):06d}"
    message = send(
        session,
        tenant,
        phone,
        f"【{app}】您的{PURPOSES[purpose]}验证码为{code},{clock.minutes(CODE_TTL)}分钟内有效。请勿将验证码告诉他人。",
        code,
    )
    message.purpose, message.sender, message.expires_at = purpose, app, now + CODE_TTL
    session.flush()
    return message


def use_code(session: Session, tenant: Tenant, phone: str, purpose: str, code: str, app: str | None = None) -> None:
    """Check the code typed for this phone (in ``app``: only the codes it sent count) and spend it; each way it can
    be wrong has its own message. A wrong try while the newest code is live counts: the ``MAX_WRONG``th voids it,
    and then even the right code is refused."""
    code = code.strip()
    if not CODE.match(code):
        raise InvalidInput("短信验证码应为6位数字", field="sms_code")
    now: datetime = clock.now(tenant)
    mine = defects.at(
        tenant,
        "sms.codes",
        _codes(session, tenant, purpose, phone, app),
        every_phone=lambda: _codes(session, tenant, purpose, None, app),
    )
    if not mine:
        raise InvalidInput("请先点击【获取验证码】,再输入短信验证码", field="sms_code")
    newest = mine[0]
    void = f"短信验证码已连续输错{MAX_WRONG}次,该验证码已作废,请重新点击【获取验证码】获取新的验证码"
    if newest.wrong_tries >= MAX_WRONG:
        raise InvalidInput(void, field="sms_code")
    match = next((m for m in mine if m.code == code), None)
    if match is not newest and newest.used_at is None and newest.expires_at and now <= newest.expires_at:
        newest.wrong_tries = defects.at(tenant, "sms.wrong_tries", newest.wrong_tries + 1, limit=MAX_WRONG)
        left = MAX_WRONG - newest.wrong_tries
        why = _wrong(session, tenant, purpose, phone, code, match)
        raise WrongCode(f"{why}(再输错{left}次,该验证码将作废)" if left else void, field="sms_code")
    if match is None or match is not newest:
        raise InvalidInput(_wrong(session, tenant, purpose, phone, code, match), field="sms_code")
    if defects.at(tenant, "sms.used", match.used_at is not None):
        raise InvalidInput("短信验证码已使用过,请重新获取", field="sms_code")
    clock.unexpired(
        now,
        defects.at(tenant, "sms.expires_at", match.expires_at),
        CODE_TTL,
        "短信验证码",
        "请重新获取",
        field="sms_code",
    )
    match.used_at = now


def _wrong(session: Session, tenant: Tenant, purpose: str, phone: str, code: str, match: SmsMessage | None) -> str:
    """Why a code that is not this phone's newest is wrong."""
    if match is not None:
        if match.used_at is not None:
            return "短信验证码已使用过,请重新获取"
        return "短信验证码已失效:请输入最新收到的短信验证码"
    if any(m.code == code for m in _codes(session, tenant, purpose) if m.phone != phone):
        return f"该短信验证码不是发送给手机号码{mask_phone(phone)}的,请核对手机号码"
    return "短信验证码错误,请核对后重新输入"
