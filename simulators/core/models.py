"""Tables of the shared back end. Every row belongs to one tenant."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from simulators.core.db import Base

PENSION = "pension"
MEDICAL = "medical"
INSURANCE_NAMES = {PENSION: "城乡居民基本养老保险费", MEDICAL: "城乡居民基本医疗保险费"}


class Tenant(Base):
    __tablename__ = "tenant"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seed: Mapped[int]
    created_at: Mapped[datetime]
    clock_start: Mapped[datetime]
    clock_start_frozen: Mapped[bool] = mapped_column(default=False)
    clock_base: Mapped[datetime]
    clock_anchor: Mapped[float]
    clock_frozen: Mapped[bool] = mapped_column(default=False)
    faults: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    merchant_key: Mapped[str] = mapped_column(String(64))
    # The defects of the catalogue switched on (simulators.core.defects), loaded with the row; what they did, only
    # when a defect reads it.
    defects: Mapped[list[str]] = mapped_column(JSON, default=list)
    defect_marks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, deferred=True)
    # Every payer of the tenant, for its reset: loaded only when read, never by the lookup of each request.
    initial_payers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, deferred=True)


class Person(Base):
    __tablename__ = "person"
    # Found by ID number (every channel) and by phone (支付宝 logs in by it): index searches, whatever the size.
    __table_args__ = (UniqueConstraint("tenant_id", "id_number"), Index("ix_person_tenant_phone", "tenant_id", "phone"))

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    id_type: Mapped[str] = mapped_column(String(20))
    id_number: Mapped[str] = mapped_column(String(18))
    phone: Mapped[str] = mapped_column(String(11))
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date]
    county_code: Mapped[str] = mapped_column(String(6))
    enrolment: Mapped[str] = mapped_column(String(8))
    insurances: Mapped[list[str]] = mapped_column(JSON)
    special_status: Mapped[str | None] = mapped_column(String(8))
    arrears_years: Mapped[list[int]] = mapped_column(JSON, default=list)


class Bill(Base):
    """What one person owes for one insurance type and year; an open order holds it while it is paid."""

    __tablename__ = "bill"
    __table_args__ = (
        UniqueConstraint("tenant_id", "person_id", "insurance", "year"),
        Index("ix_bill_order_no", "order_no"),
    )  # the bills an order holds

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    insurance: Mapped[str] = mapped_column(String(16))
    year: Mapped[int]
    status: Mapped[str] = mapped_column(String(8), default="open")
    order_no: Mapped[str | None] = mapped_column(String(32))


class Order(Base):
    __tablename__ = "payment_order"
    __table_args__ = (UniqueConstraint("tenant_id", "idempotency_key"),)

    order_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    insurance: Mapped[str] = mapped_column(String(16))
    pay_type: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int]
    status: Mapped[str] = mapped_column(String(8))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    gateway: Mapped[str | None] = mapped_column(String(16))
    gateway_trade_no: Mapped[str | None] = mapped_column(String(64))
    failure: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    # The county code of the tax bureau the channel paid through (浙里办: the district chosen); None: the payer's.
    tax_district: Mapped[str | None] = mapped_column(String(6), default=None)
    # Who confirmed it, as the channel knows them (openid, account, login): nobody else may see or pay it.
    visitor: Mapped[str] = mapped_column(String(64), default="")
    # The live payment attempt: claimed (gateway set, status PAYING) before the provider is called. Until the
    # provider has answered, ``claimed_until`` (wall clock) is the claim's lease; None once the provider knows it.
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    # A charge that landed on it when it could no longer be paid (closed, superseded, paid elsewhere) is given
    # back: ``refund_due`` until the provider has refunded it, then ``refunded``.
    refund_due: Mapped[bool] = mapped_column(default=False)
    refunded: Mapped[bool] = mapped_column(default=False)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.year", cascade="all, delete-orphan", lazy="selectin"
    )


class OrderLine(Base):
    __tablename__ = "order_line"
    __table_args__ = (Index("ix_order_line_order_no", "order_no", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_no: Mapped[str] = mapped_column(ForeignKey("payment_order.order_no", ondelete="CASCADE"))
    year: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8))
    tier_yuan: Mapped[int | None]
    amount_fen: Mapped[int]
    government_fen: Mapped[int] = mapped_column(default=0)

    order: Mapped[Order] = relationship(back_populates="lines")


class PaymentRecord(Base):
    """A paid bill. The unique constraint is what makes a second payment of one year impossible."""

    __tablename__ = "payment_record"
    __table_args__ = (
        UniqueConstraint("tenant_id", "person_id", "insurance", "year"),
        Index("ix_payment_record_person", "person_id", "insurance", "year"),
    )  # a person's records

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    order_no: Mapped[str] = mapped_column(ForeignKey("payment_order.order_no", ondelete="CASCADE"))
    insurance: Mapped[str] = mapped_column(String(16))
    year: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8))
    amount_fen: Mapped[int]
    government_fen: Mapped[int]
    channel: Mapped[str] = mapped_column(String(16))
    gateway: Mapped[str] = mapped_column(String(16))
    paid_at: Mapped[datetime]
    ticket_no: Mapped[str] = mapped_column(String(32))
    tax_authority: Mapped[str] = mapped_column(String(40))


class ChannelSession(Base):
    """A channel's proof of who is at the screen: a WeChat authorization, an app login, …"""

    __tablename__ = "channel_session"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    seen_at: Mapped[datetime | None]  # last use, for expiry after inactivity
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what the channel keeps on the session


class SmsMessage(Base):
    __tablename__ = "sms_message"
    __table_args__ = (Index("ix_sms_message_tenant_phone", "tenant_id", "phone", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    phone: Mapped[str] = mapped_column(String(11))
    text: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(8))
    sent_at: Mapped[datetime]
    purpose: Mapped[str | None] = mapped_column(String(16))  # what a code is for: register, login, …
    sender: Mapped[str | None] = mapped_column(String(20))  # the app that sent a code: each app has its own
    expires_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]
    wrong_tries: Mapped[int] = mapped_column(default=0)  # wrong codes typed while this one was live


class JournalEntry(Base):
    __tablename__ = "journal_entry"
    __table_args__ = (Index("ix_journal_tenant_id", "tenant_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    status: Mapped[int]
    millis: Mapped[float]
    request: Mapped[str] = mapped_column(Text, default="")
    response: Mapped[str] = mapped_column(Text, default="")


class AppAccount(Base):
    """An account of a channel's own app (宁波税务APP, 电子税务局, 浙里办), registered to a real-name person."""

    __tablename__ = "app_account"
    __table_args__ = (
        UniqueConstraint("tenant_id", "channel", "phone"),
        UniqueConstraint("tenant_id", "channel", "person_id"),
        UniqueConstraint("tenant_id", "channel", "username"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(11))
    password_hash: Mapped[str] = mapped_column(String(128))
    salt: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    username: Mapped[str | None] = mapped_column(String(20))  # optional, unique in the channel (电子税务局)
    failed_logins: Mapped[int] = mapped_column(default=0)  # wrong passwords in a row
    locked_until: Mapped[datetime | None]  # too many wrong passwords: no login until then


class Captcha(Base):
    """A 随机验证码: a short code shown as a picture, good once and for a few minutes."""

    __tablename__ = "captcha"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LoginTicket(Base):
    """A QR code on a login page, waiting for an app to scan and confirm it (电子税务局: 税务APP扫码 or
    个人所得税APP扫码). It belongs to one half-done login; once confirmed, that login may finish."""

    __tablename__ = "login_ticket"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64))  # the half-done login's session
    app: Mapped[str] = mapped_column(String(16))  # which app must scan it
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]
