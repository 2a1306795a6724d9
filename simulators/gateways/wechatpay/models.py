"""The WeChat Pay back end: JSAPI orders, the payer's confirmation, query, close and the notification."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from simulators.core import clock, faults
from simulators.core.models import Tenant
from simulators.gateways import notify, trades
from simulators.gateways.models import GatewayTrade
from simulators.gateways.wechatpay import signing
from simulators.gateways.wechatpay.errors import WechatPayError, not_exist, param_error

GATEWAY = "wechatpay"
NAME = "微信支付"
MCHID = "1900000109"
APPID = "wx8888888888888888"
DEFAULT_TTL = timedelta(days=7)  # an order without time_expire stays payable for 7 days
PREPAY_TTL = timedelta(hours=2)
NOTPAY, SUCCESS, CLOSED, PAYERROR = "NOTPAY", "SUCCESS", "CLOSED", "PAYERROR"
STATE_DESC = {NOTPAY: "未支付", SUCCESS: "支付成功", CLOSED: "已关闭", PAYERROR: "支付失败"}

notify.register(GATEWAY, notify.accepts_2xx, notify.WECHAT_SCHEDULE)


class Amount(BaseModel):
    total: int = Field(gt=0, le=10**10)
    currency: str = "CNY"


class Payer(BaseModel):
    openid: str = Field(min_length=1, max_length=128)


class JsapiRequest(BaseModel):
    appid: str
    mchid: str
    description: str = Field(min_length=1, max_length=127)
    out_trade_no: str = Field(min_length=6, max_length=32, pattern=r"^[0-9A-Za-z_*|-]+$")
    notify_url: str = Field(max_length=256, pattern=r"^https?://")
    amount: Amount
    payer: Payer
    time_expire: datetime | None = None


def _find(session: Session, tenant: Tenant, out_trade_no: str) -> GatewayTrade | None:
    return trades.find(session, tenant, (GATEWAY,), out_trade_no)


def create_jsapi(session: Session, tenant: Tenant, req: JsapiRequest) -> GatewayTrade:
    if req.mchid != MCHID or req.appid != APPID:
        raise param_error("appid和mchid不匹配")
    now = clock.now(tenant)
    trade = _find(session, tenant, req.out_trade_no)
    if trade is not None:
        if trade.amount_fen != req.amount.total or trade.description != req.description:
            raise WechatPayError(400, "INVALID_REQUEST", "201 商户订单号重复")
        if trade.state != NOTPAY:
            raise WechatPayError(400, "ORDERPAID" if trade.state == SUCCESS else "ORDER_CLOSED",
                                 f"订单{STATE_DESC[trade.state]}")
        return trade
    expires = req.time_expire.replace(tzinfo=None) if req.time_expire else now + DEFAULT_TTL
    trade = GatewayTrade(
        prepay_id="wx" + secrets.token_hex(14), tenant_id=tenant.id, gateway=GATEWAY,
        out_trade_no=req.out_trade_no, description=req.description, amount_fen=req.amount.total,
        payer=req.payer.openid, notify_url=req.notify_url, state=NOTPAY, state_desc=STATE_DESC[NOTPAY],
        created_at=now, expires_at=min(expires, now + DEFAULT_TTL),
    )
    session.add(trade)
    return trade


def by_out_trade_no(session: Session, tenant: Tenant, out_trade_no: str) -> GatewayTrade:
    trade = _find(session, tenant, out_trade_no)
    if trade is None:
        raise not_exist()
    _expire(tenant, trade)
    return trade


def by_prepay_id(session: Session, prepay_id: str) -> GatewayTrade:
    trade = trades.by_id(session, (GATEWAY,), prepay_id)
    if trade is None:
        raise not_exist()
    return trade


def _expire(tenant: Tenant, trade: GatewayTrade) -> None:
    trades.lapse(tenant, trade, unpaid=NOTPAY, closed=CLOSED, desc="订单已过期关闭")


def close(session: Session, tenant: Tenant, out_trade_no: str) -> None:
    trade = by_out_trade_no(session, tenant, out_trade_no)
    if trade.state == SUCCESS:
        raise WechatPayError(400, "ORDERPAID", "订单已支付")
    if trade.state == NOTPAY:
        trade.state, trade.state_desc = CLOSED, STATE_DESC[CLOSED]


def pay(session: Session, tenant: Tenant, trade: GatewayTrade) -> None:
    """The payer confirmed in the cashier: charge, or decline as the fault plan says."""
    _expire(tenant, trade)
    if trade.state == SUCCESS:
        return
    if trade.state != NOTPAY:
        raise WechatPayError(400, "ORDER_CLOSED", f"订单{trade.state_desc},不能支付")
    now = clock.now(tenant)
    if clock.now(tenant) > trade.created_at + PREPAY_TTL:
        raise WechatPayError(400, "PREPAY_EXPIRED", "prepay_id已过期(2小时),请重新下单")
    if faults.take(tenant, "decline", GATEWAY):
        trade.state, trade.state_desc = PAYERROR, "支付失败:银行卡余额不足"
        return
    trade.state, trade.state_desc = SUCCESS, STATE_DESC[SUCCESS]
    trade.success_at = now
    trade.transaction_id = "42000" + hashlib.sha256(trade.prepay_id.encode()).hexdigest()[:23].upper()
    _notify(session, tenant, trade, now)


def _notify(session: Session, tenant: Tenant, trade: GatewayTrade, now: datetime) -> None:
    notify_id = "EV-" + secrets.token_hex(12)
    body = json.dumps({
        "id": notify_id,
        "create_time": now.isoformat() + "+08:00",
        "event_type": "TRANSACTION.SUCCESS",
        "resource_type": "plain-resource",
        "summary": "支付成功",
        "resource": query_body(trade),
    }, ensure_ascii=False)
    notify.announce(session, tenant, gateway=GATEWAY, notify_id=notify_id, url=trade.notify_url, body=body,
                    headers=signing.notification_headers(tenant.merchant_key, body, int(now.timestamp())), now=now)


def query_body(trade: GatewayTrade) -> dict[str, object]:
    body: dict[str, object] = {
        "appid": APPID, "mchid": MCHID, "out_trade_no": trade.out_trade_no,
        "trade_state": trade.state, "trade_state_desc": trade.state_desc,
        "amount": {"total": trade.amount_fen, "currency": "CNY"},
        "payer": {"openid": trade.payer},
    }
    if trade.state == SUCCESS and trade.success_at:
        body.update(
            transaction_id=trade.transaction_id, trade_type="JSAPI", bank_type="OTHERS",
            success_time=trade.success_at.isoformat() + "+08:00",
        )
        body["amount"] = {"total": trade.amount_fen, "payer_total": trade.amount_fen, "currency": "CNY"}
    return body
