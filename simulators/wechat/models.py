"""The WeChat channel's own operations: the official-account authorization that lets a person in.

Everything about bills and orders is the core's; this module only knows who is at the screen.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

import channels
from simulators.core import clock
from simulators.core.errors import NotAuthorized
from simulators.core.models import ChannelSession, Tenant

CHANNEL = channels.WECHAT.code
NAME = channels.WECHAT.title
ACCOUNT_NAME = "宁波税务"
GATEWAYS = channels.WECHAT.gateways  # guide step 7: the payment channel offered in the official account
OPENID_COOKIE = "wx_openid"
OPENID_HEADER = "X-Wechat-Openid"


def authorize(session: Session, tenant: Tenant) -> str:
    """同意授权: WeChat hands the official account an openid for this person."""
    openid = "o" + secrets.token_urlsafe(20)
    session.add(
        ChannelSession(token=openid, tenant_id=tenant.id, channel=CHANNEL, subject=openid, created_at=clock.now(tenant))
    )
    return openid


def require_openid(session: Session, tenant: Tenant, openid: str | None) -> str:
    found = (
        openid
        and session.scalars(
            select(ChannelSession).where(
                ChannelSession.token == openid,
                ChannelSession.tenant_id == tenant.id,
                ChannelSession.channel == CHANNEL,
            )
        ).one_or_none()
    )
    if not openid or not found:
        raise NotAuthorized("请先在“宁波税务”公众号中同意授权并点击【开始使用】", field="openid")
    return openid
