"""The tenant's SMS inbox: every text the simulator sends to a phone lands here, for a test to read."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from simulators.core import clock
from simulators.core.models import SmsMessage, Tenant


def send(session: Session, tenant: Tenant, phone: str, text: str, code: str | None = None) -> SmsMessage:
    message = SmsMessage(tenant_id=tenant.id, phone=phone, text=text, code=code, sent_at=clock.now(tenant))
    session.add(message)
    return message


def inbox(session: Session, tenant: Tenant, phone: str | None = None) -> list[SmsMessage]:
    query = select(SmsMessage).where(SmsMessage.tenant_id == tenant.id)
    if phone:
        query = query.where(SmsMessage.phone == phone)
    return list(session.scalars(query.order_by(SmsMessage.id)))
