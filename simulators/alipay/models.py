"""The Alipay channel's own operations: the Alipay account the simulated phone is logged in to, and the
mini-program's authorization to read that account's real-name identity.

Everything about bills and orders is the core's; this module only knows who is at the screen. An account of a
tenant payer exists as soon as the payer's phone logs in; any other phone first passes 实名认证 (name and ID
number, checked like Alipay checks them against the public-security registry, for which the payer registry stands
in where it knows the number).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

import channels
from simulators.core import clock, idnumber, sms
from simulators.core.db import Base
from simulators.core.errors import InvalidInput, NotAuthorized, NotFound, RuleRefused
from simulators.core.models import ChannelSession, Person, Tenant

CHANNEL = channels.ALIPAY.code
NAME = channels.ALIPAY.title
MINI_PROGRAM = "宁波社保缴费"
GATEWAYS = channels.ALIPAY.gateways  # guide step 5: 去支付 → 确认付款 in Alipay's own cashier
TOKEN_COOKIE = "alipay_token"
TOKEN_HEADER = "X-Alipay-Token"
TOKEN_TTL = timedelta(days=30)  # a login on the phone lasts this long on the tenant's clock
AUTHORIZED = "authorized"  # session data: the mini-program may read the account's real-name identity


class AlipayAccount(Base):
    """A real-name Alipay account of one tenant: a phone and the identity verified for it."""

    __tablename__ = "alipay_account"
    __table_args__ = (UniqueConstraint("tenant_id", "phone"), UniqueConstraint("tenant_id", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(16))  # Alipay's 2088… user id, as its gateway knows the buyer
    phone: Mapped[str] = mapped_column(String(11))
    name: Mapped[str] = mapped_column(String(50))
    id_type: Mapped[str] = mapped_column(String(20))
    id_number: Mapped[str] = mapped_column(String(18))
    created_at: Mapped[datetime]


def _user_id(tenant: Tenant, phone: str) -> str:
    digest = int(hashlib.sha256(f"alipay/{tenant.id}/{phone}".encode()).hexdigest(), 16)
    return f"2088{digest % 10**12:012d}"


def _by_phone(session: Session, tenant: Tenant, phone: str) -> AlipayAccount | None:
    return session.scalars(
        select(AlipayAccount).where(AlipayAccount.tenant_id == tenant.id, AlipayAccount.phone == phone)
    ).one_or_none()


def _open(session: Session, tenant: Tenant, account: AlipayAccount) -> str:
    token = "ap" + secrets.token_urlsafe(24)
    now = clock.now(tenant)
    session.add(
        ChannelSession(
            token=token,
            tenant_id=tenant.id,
            channel=CHANNEL,
            subject=account.user_id,
            created_at=now,
            seen_at=now,
            data={},
        )
    )
    return token


def log_in(session: Session, tenant: Tenant, phone: str) -> str:
    """登录支付宝 with the phone's number; a tenant payer's phone has its account already. Returns the token."""
    phone = sms.check_phone(phone)
    account = _by_phone(session, tenant, phone)
    if account is None:
        person = session.scalars(
            select(Person).where(Person.tenant_id == tenant.id, Person.phone == phone).order_by(Person.id)
        ).first()
        if person is None:
            raise NotFound(
                f"手机号码{sms.mask_phone(phone)}尚未注册支付宝,请先完成实名认证(姓名、身份证号码)",
                field="phone",
                code="not_registered",
            )
        account = AlipayAccount(
            tenant_id=tenant.id,
            user_id=_user_id(tenant, phone),
            phone=phone,
            name=person.name,
            id_type=person.id_type,
            id_number=person.id_number,
            created_at=clock.now(tenant),
        )
        session.add(account)
        session.flush()
    return _open(session, tenant, account)


def register(session: Session, tenant: Tenant, phone: str, name: str, id_number: str) -> str:
    """实名认证 for a new phone: a valid resident ID number, and the name the registry knows for it."""
    phone = sms.check_phone(phone)
    if _by_phone(session, tenant, phone) is not None:
        raise RuleRefused(f"手机号码{sms.mask_phone(phone)}已注册支付宝,请直接登录", field="phone")
    name = name.strip()
    if not name:
        raise InvalidInput("姓名不能为空", field="name")
    try:
        number = idnumber.parse(id_number, today=clock.now(tenant).date()).number
    except idnumber.IdNumberError as error:
        raise InvalidInput(error.rule, field="id_number") from error
    known = session.scalars(select(Person).where(Person.tenant_id == tenant.id, Person.id_number == number)).first()
    if known is not None and known.name != name:
        raise InvalidInput("实名认证未通过:姓名与身份证号码不一致", field="name")
    account = AlipayAccount(
        tenant_id=tenant.id,
        user_id=_user_id(tenant, phone),
        phone=phone,
        name=name,
        id_type="居民身份证",
        id_number=number,
        created_at=clock.now(tenant),
    )
    session.add(account)
    session.flush()
    return _open(session, tenant, account)


def current(session: Session, tenant: Tenant, token: str | None) -> tuple[ChannelSession, AlipayAccount]:
    """The login this token proves; unknown or older than TOKEN_TTL, the person must log in again."""
    record = session.get(ChannelSession, token) if token else None
    if record is None or record.tenant_id != tenant.id or record.channel != CHANNEL:
        raise NotAuthorized("请先登录支付宝", field="token")
    if clock.now(tenant) > record.created_at + TOKEN_TTL:
        raise NotAuthorized(f"支付宝登录已过期({TOKEN_TTL.days}天),请重新登录", field="token")
    account = session.scalars(
        select(AlipayAccount).where(AlipayAccount.tenant_id == tenant.id, AlipayAccount.user_id == record.subject)
    ).one_or_none()
    if account is None:
        raise NotAuthorized("支付宝账号已不存在,请重新登录", field="token")
    return record, account


def authorize(record: ChannelSession) -> None:
    """同意授权: the mini-program may read the account's name and ID number from now on."""
    record.data = {**(record.data or {}), AUTHORIZED: True}


def identity(record: ChannelSession, account: AlipayAccount) -> AlipayAccount:
    """The account's real-name identity, once the person has authorized the mini-program to read it."""
    if not (record.data or {}).get(AUTHORIZED):
        raise NotAuthorized(f"请先在“{MINI_PROGRAM}”中同意授权获取你的实名信息", field="token")
    return account
