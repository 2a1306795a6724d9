"""Tables of the payment-provider simulators: their trades and their outbox of notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from simulators.core.db import Base
from simulators.gateways import states


class GatewayTrade(Base):
    """A provider's own view of a payment: what it charged, whatever the merchant believes."""

    __tablename__ = "gateway_trade"
    __table_args__ = (UniqueConstraint("tenant_id", "gateway", "out_trade_no"),)

    prepay_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    gateway: Mapped[str] = mapped_column(String(16))
    out_trade_no: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(128))
    amount_fen: Mapped[int]
    payer: Mapped[str] = mapped_column(String(64), default="")
    notify_url: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16))
    state_desc: Mapped[str] = mapped_column(String(100), default="")
    transaction_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    success_at: Mapped[datetime | None]
    refunded_fen: Mapped[int] = mapped_column(default=0)  # what the provider gave back of the charge

    @validates("gateway", "state")
    def _declared(self, key: str, value: str) -> str:
        """Every assignment of the state is a declared change (``states``); a new trade's state, one of its
        provider's states, whichever of the two is given first."""
        if key == "state" and self.gateway is not None:
            states.check(self.gateway, self.out_trade_no, self.state, value)
        elif key == "gateway" and self.state is not None:
            states.check(value, self.out_trade_no, None, self.state)
        return value


class Refund(Base):
    """A provider's refund (退款; the bank's 冲正) of a charge, by the merchant's refund number."""

    __tablename__ = "gateway_refund"
    __table_args__ = (UniqueConstraint("tenant_id", "gateway", "out_refund_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    gateway: Mapped[str] = mapped_column(String(16))
    out_trade_no: Mapped[str] = mapped_column(String(64))
    out_refund_no: Mapped[str] = mapped_column(String(64))
    refund_id: Mapped[str] = mapped_column(String(64))
    amount_fen: Mapped[int]
    reason: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime]


class Notification(Base):
    __tablename__ = "gateway_notification"
    # The outbox is polled for what is due (every tenant) and for one tenant's due rows: never a scan of all it sent.
    __table_args__ = (
        Index("ix_gateway_notification_due", "status", "next_at"),
        Index("ix_gateway_notification_tenant_status", "tenant_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    gateway: Mapped[str] = mapped_column(String(16))
    notify_id: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(default=0)
    next_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default="pending")
    last_result: Mapped[str] = mapped_column(String(200), default="")
    lease_until: Mapped[datetime | None] = mapped_column(default=None)  # wall clock: a ``sending`` row's lease
