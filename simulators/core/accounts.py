"""Accounts of the channels' own apps (宁波税务APP, 电子税务局, 浙里办): registration with an SMS code and a
real-name check against the payer registry, password login, login sessions that expire when idle, and the
verified others (他人) a login may pay for.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from simulators.core import billing, captcha, clock, idnumber, sms
from simulators.core.errors import InvalidInput, NotAuthorized, NotFound, RuleRefused
from simulators.core.models import AppAccount, ChannelSession, Person, Tenant

IDLE = timedelta(minutes=30)  # a login ends after this long without use, on the tenant's clock
PASSWORD = re.compile(r"^(?=.*[A-Za-z])(?=.*\d)[\x21-\x7e]{8,20}$")
OTHERS = "others"  # session data: ids of the persons verified as 他人 in this login
BUSINESS = "business"  # session data: 个人业务 or 企业业务


@dataclass(frozen=True)
class Registration:
    phone: str
    sms_code: str
    password: str
    password_confirm: str
    name: str
    id_type: str
    id_number: str


@dataclass(frozen=True)
class Other:
    """The 他人 a person at the screen names: all five must match the registry (and the picture)."""

    id_type: str
    name: str
    id_number: str
    phone: str
    captcha_id: str
    captcha: str


@dataclass(frozen=True)
class Login:
    record: ChannelSession
    account: AppAccount
    person: Person

    @property
    def business(self) -> str | None:
        return self.record.data.get(BUSINESS)

    @property
    def others(self) -> list[int]:
        return list(self.record.data.get(OTHERS, []))


def hash_password(password: str, salt: str) -> str:
    return hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=2**12, r=8, p=1, dklen=32).hex()


def _check_password(password: str, confirm: str | None = None) -> None:
    if not PASSWORD.match(password):
        raise InvalidInput("密码应为8至20位,须同时包含字母和数字,不能含空格或中文", field="password")
    if confirm is not None and confirm != password:
        raise InvalidInput("两次输入的密码不一致,请重新输入确认密码", field="password_confirm")


def register(session: Session, tenant: Tenant, channel: str, app: str, form: Registration) -> AppAccount:
    """注册: formats, then the SMS code, then the real-name check; one account per phone and per person."""
    phone = sms.check_phone(form.phone)
    _check_password(form.password, form.password_confirm)
    sms.use_code(session, tenant, phone, "register", form.sms_code)
    person = billing.find_payer(session, tenant, name=form.name, id_type=form.id_type, id_number=form.id_number,
                                today=clock.now(tenant).date())
    taken = session.scalars(select(AppAccount).where(
        AppAccount.tenant_id == tenant.id, AppAccount.channel == channel, AppAccount.person_id == person.id,
    )).one_or_none()
    if taken is not None:
        raise RuleRefused(f"证件号码{idnumber.mask(person.id_number)}已注册{app}账号(手机号码"
                          f"{sms.mask_phone(taken.phone)}),请直接登录", field="id_number")
    if _by_phone(session, tenant, channel, phone) is not None:
        raise RuleRefused(f"手机号码{sms.mask_phone(phone)}已注册,请直接登录", field="phone")
    salt = secrets.token_hex(16)
    account = AppAccount(tenant_id=tenant.id, channel=channel, phone=phone, salt=salt,
                         password_hash=hash_password(form.password, salt), person_id=person.id,
                         created_at=clock.now(tenant))
    session.add(account)
    session.flush()
    return account


def _by_phone(session: Session, tenant: Tenant, channel: str, phone: str) -> AppAccount | None:
    return session.scalars(select(AppAccount).where(
        AppAccount.tenant_id == tenant.id, AppAccount.channel == channel, AppAccount.phone == phone,
    )).one_or_none()


def log_in(session: Session, tenant: Tenant, channel: str, phone: str, password: str) -> str:
    """登录 with phone and password; returns the new session's token."""
    phone = sms.check_phone(phone)
    if not password:
        raise InvalidInput("密码不能为空", field="password")
    account = _by_phone(session, tenant, channel, phone)
    if account is None:
        raise NotAuthorized(f"手机号码{sms.mask_phone(phone)}尚未注册,请先【注册】", field="phone")
    if not hmac.compare_digest(hash_password(password, account.salt), account.password_hash):
        raise NotAuthorized("密码错误,请重新输入", field="password")
    return open_session(session, tenant, account)


def open_session(session: Session, tenant: Tenant, account: AppAccount) -> str:
    token = secrets.token_urlsafe(24)
    now = clock.now(tenant)
    session.add(ChannelSession(token=token, tenant_id=tenant.id, channel=account.channel, subject=str(account.id),
                               created_at=now, seen_at=now, data={}))
    return token


def current(session: Session, tenant: Tenant, channel: str, token: str | None, app: str) -> Login:
    """The login this token proves, kept alive by use; idle too long, it has ended."""
    record = session.get(ChannelSession, token) if token else None
    if record is None or record.tenant_id != tenant.id or record.channel != channel:
        raise NotAuthorized(f"请先登录{app}", field="login")
    now = clock.now(tenant)
    if now > (record.seen_at or record.created_at) + IDLE:
        raise NotAuthorized(f"登录已超时({int(IDLE.total_seconds() // 60)}分钟未操作),请重新登录", field="login")
    account = session.get(AppAccount, int(record.subject))
    person = session.get(Person, account.person_id) if account else None
    if account is None or person is None:
        raise NotAuthorized(f"账号已不存在,请重新注册{app}", field="login")
    record.seen_at = now
    return Login(record, account, person)


def log_out(session: Session, login: Login) -> None:
    session.delete(login.record)


def choose_business(login: Login, business: str) -> None:
    if business != "个人业务":
        raise RuleRefused("本模拟只提供【个人业务】,企业业务不在模拟范围内", field="business")
    login.record.data = {**login.record.data, BUSINESS: business}


def verify_other(session: Session, tenant: Tenant, login: Login, other: Other) -> Person:
    """办理对象 他人: the random code first, then 证件类型, 姓名, 证件号码 and 手机号码 against the registry."""
    captcha.use(session, tenant, other.captcha_id, other.captcha)
    person = billing.find_payer(session, tenant, name=other.name, id_type=other.id_type, id_number=other.id_number,
                                today=clock.now(tenant).date())
    if other.phone.strip() != person.phone:
        sms.check_phone(other.phone)
        raise InvalidInput("手机号码与缴费人登记的手机号码不一致,请核对后重新输入", field="phone")
    if person.id != login.person.id and person.id not in login.others:
        login.record.data = {**login.record.data, OTHERS: [*login.others, person.id]}
    return person


def admit(session: Session, tenant: Tenant, login: Login, *, name: str, id_type: str, id_number: str) -> Person:
    """The payer named, when this login may pay for them: the account's own person (本人), or a person verified
    as 他人 in this login. Typing someone else's identity is not enough."""
    try:
        person = billing.find_payer(session, tenant, name=name, id_type=id_type, id_number=id_number,
                                    today=clock.now(tenant).date())
    except NotFound:
        person = None
    if person is not None and (person.id == login.person.id or person.id in login.others):
        return person
    raise RuleRefused("为他人缴费,请在【办理对象】中选择他人,并输入证件类型、姓名、证件号码、手机号码和随机验证码"
                      "完成核验", field="id_number")


def registered(session: Session, tenant: Tenant, channel: str) -> list[AppAccount]:
    return list(session.scalars(select(AppAccount).where(
        AppAccount.tenant_id == tenant.id, AppAccount.channel == channel).order_by(AppAccount.id)))
