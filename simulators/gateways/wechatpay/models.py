"""The WeChat Pay back end: JSAPI orders, the payer's confirmation, query, close, full refunds and the
notifications (TRANSACTION.SUCCESS, REFUND.SUCCESS)."""

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
from simulators.gateways.models import GatewayTrade, Refund
from simulators.gateways.wechatpay import signing
from simulators.gateways.wechatpay.errors import WechatPayError, invalid_request, not_exist, param_error

GATEWAY = "wechatpay"
NAME = "微信支付"
MCHID = "1900000109"
APPID = "wx8888888888888888"
DEFAULT_TTL = timedelta(days=7)  # an order without time_expire stays payable for 7 days
PREPAY_TTL = timedelta(hours=2)
NOTPAY, SUCCESS, CLOSED, PAYERROR, REFUND = "NOTPAY", "SUCCESS", "CLOSED", "PAYERROR", "REFUND"
STATE_DESC = {NOTPAY: "未支付", SUCCESS: "支付成功", CLOSED: "已关闭", PAYERROR: "支付失败", REFUND: "转入退款"}


def install_notifications() -> None:
    """WeChat Pay's notifications: acknowledged by any 2xx, resent on its own schedule, signed as it signs."""
    notify.register(GATEWAY, notify.accepts_2xx, notify.WECHAT_SCHEDULE, signing.sign_delivery)


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


class RefundAmount(BaseModel):
    refund: int = Field(gt=0, le=10**10)
    total: int = Field(gt=0, le=10**10)
    currency: str = "CNY"


class RefundRequest(BaseModel):
    out_trade_no: str = Field(min_length=6, max_length=32, pattern=r"^[0-9A-Za-z_*|-]+$")
    out_refund_no: str = Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_*|@-]+$")
    reason: str = Field(default="", max_length=80)
    notify_url: str = Field(default="", max_length=256, pattern=r"^(https?://\S+)?$")
    amount: RefundAmount


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
            raise WechatPayError(
                400, "ORDERPAID" if trade.state == SUCCESS else "ORDER_CLOSED", f"订单{STATE_DESC[trade.state]}"
            )
        return trade
    expires = req.time_expire.replace(tzinfo=None) if req.time_expire else now + DEFAULT_TTL
    trade = GatewayTrade(
        prepay_id="wx" + secrets.token_hex(14),
        tenant_id=tenant.id,
        gateway=GATEWAY,
        out_trade_no=req.out_trade_no,
        description=req.description,
        amount_fen=req.amount.total,
        payer=req.payer.openid,
        notify_url=req.notify_url,
        state=NOTPAY,
        state_desc=STATE_DESC[NOTPAY],
        created_at=now,
        expires_at=min(expires, now + DEFAULT_TTL),
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
    if trade.state in (SUCCESS, REFUND):
        raise WechatPayError(400, "ORDERPAID", "订单已支付" if trade.state == SUCCESS else "订单已支付并已退款")
    if trade.state == NOTPAY:
        trades.transition(trade, CLOSED, STATE_DESC[CLOSED])


def pay(session: Session, tenant: Tenant, trade: GatewayTrade) -> None:
    """The payer confirmed in the cashier: charge, or decline, cancel or answer late as the fault plan says."""
    _expire(tenant, trade)
    if trade.state == SUCCESS:
        return
    if trade.state != NOTPAY:
        raise WechatPayError(400, "ORDER_CLOSED", f"订单{trade.state_desc.removeprefix('订单')},不能支付")
    now = clock.now(tenant)
    if clock.now(tenant) > trade.created_at + PREPAY_TTL:
        raise WechatPayError(400, "PREPAY_EXPIRED", "prepay_id已过期(2小时),请重新下单")
    if trades.cancelled(tenant, trade, unpaid=NOTPAY, closed=CLOSED):
        return
    spoof = faults.spoof(tenant, GATEWAY)
    if spoof:
        _notify(session, tenant, trades.as_paid(trade, SUCCESS, STATE_DESC[SUCCESS], now, spoof), now, forged=spoof)
    if faults.take(tenant, "decline", GATEWAY):
        trades.transition(trade, PAYERROR, "支付失败:银行卡余额不足")
        return
    trades.transition(trade, SUCCESS, STATE_DESC[SUCCESS])
    trade.success_at = trades.success_time(tenant, GATEWAY, now)
    trade.transaction_id = "42000" + hashlib.sha256(trade.prepay_id.encode()).hexdigest()[:23].upper()
    _notify(session, tenant, trade, trade.success_at)


def cancel(session: Session, tenant: Tenant, trade: GatewayTrade) -> None:
    """The payer pressed 取消支付 in the cashier: an unpaid trade is closed; a paid or closed one stays as it is."""
    _expire(tenant, trade)
    if trade.state == NOTPAY:
        trades.transition(trade, CLOSED, trades.CANCELLED)


def refund(session: Session, tenant: Tenant, req: RefundRequest) -> dict[str, object]:
    """申请退款 of a whole charge, settled at once and announced by REFUND.SUCCESS to ``notify_url`` (the trade's
    own when none is given); the same ``out_refund_no`` again answers the same refund."""
    trade = _find(session, tenant, req.out_trade_no)
    if trade is None:
        raise WechatPayError(404, "RESOURCE_NOT_EXISTS", "订单不存在")
    _expire(tenant, trade)
    earlier = trades.earlier_refund(session, tenant, (GATEWAY,), req.out_refund_no)
    if earlier is not None:
        if (earlier.out_trade_no, earlier.amount_fen) != (req.out_trade_no, req.amount.refund):
            raise invalid_request("out_refund_no商户退款单号已用于另一笔退款,同一退款单号的请求参数应与首次一致")
        return refund_body(trade, earlier, "status")
    if trade.state == REFUND:
        raise invalid_request("订单已全额退款")
    if trade.state != SUCCESS:
        raise invalid_request(f"订单{STATE_DESC[trade.state]},不能退款:只能退款支付成功的订单")
    if req.amount.currency != "CNY":
        raise param_error("amount.currency退款币种应为CNY")
    if req.amount.refund != trade.amount_fen:
        raise invalid_request(f"amount.refund退款金额应等于原订单金额{trade.amount_fen}分:模拟器只受理全额退款")
    if req.amount.total != trade.amount_fen:
        raise param_error(f"amount.total原订单金额应为{trade.amount_fen}分,与下单时一致")
    now = clock.now(tenant)
    made = trades.refund(
        session,
        trade,
        out_refund_no=req.out_refund_no,
        reason=req.reason,
        to=REFUND,
        desc=STATE_DESC[REFUND],
        now=now,
        refund_id="50300" + hashlib.sha256(f"{trade.prepay_id}/{req.out_refund_no}".encode()).hexdigest()[:24].upper(),
    )
    if made is None:
        raise invalid_request("订单已全额退款")
    _notify(
        session,
        tenant,
        trade,
        now,
        event="REFUND.SUCCESS",
        summary="退款成功",
        resource=refund_body(trade, made, "refund_status"),
        url=req.notify_url or trade.notify_url,
    )
    return refund_body(trade, made, "status")


def refund_body(trade: GatewayTrade, made: Refund, status: str) -> dict[str, object]:
    """A refund as the refund API answers it (``status``) and its notification's resource (``refund_status``)."""
    moment = made.created_at.isoformat() + "+08:00"
    return {
        "mchid": MCHID,
        "refund_id": made.refund_id,
        "out_refund_no": made.out_refund_no,
        "transaction_id": trade.transaction_id,
        "out_trade_no": trade.out_trade_no,
        "channel": "ORIGINAL",
        "user_received_account": "支付用户零钱",
        "success_time": moment,
        "create_time": moment,
        status: "SUCCESS",
        "funds_account": "AVAILABLE",
        "amount": {
            "total": trade.amount_fen,
            "refund": made.amount_fen,
            "payer_total": trade.amount_fen,
            "payer_refund": made.amount_fen,
            "currency": "CNY",
        },
    }


def _notify(
    session: Session,
    tenant: Tenant,
    trade: GatewayTrade,
    now: datetime,
    *,
    event: str = "TRANSACTION.SUCCESS",
    summary: str = "支付成功",
    resource: dict[str, object] | None = None,
    url: str = "",
    forged: bool | str = False,
) -> None:
    notify_id = "EV-" + secrets.token_hex(12)
    body = json.dumps(
        {
            "id": notify_id,
            "create_time": now.isoformat() + "+08:00",
            "event_type": event,
            "resource_type": "plain-resource",
            "summary": summary,
            "resource": resource or query_body(trade),
        },
        ensure_ascii=False,
    )
    notify.announce(
        session,
        tenant,
        gateway=GATEWAY,
        notify_id=notify_id,
        url=url or trade.notify_url,
        body=body,
        headers={"Content-Type": "application/json"},
        now=now,
        forged=forged,
        out_trade_no=trade.out_trade_no if event == "TRANSACTION.SUCCESS" else "",
    )  # signed when sent


def query_body(trade: GatewayTrade, now: datetime | None = None) -> dict[str, object]:
    """The trade as a query (at the tenant's ``now``) or a notification tells it; a charge the provider answers late
    for (``trades.held``) is told as USERPAYING."""
    late = trades.held(trade, now)
    body: dict[str, object] = {
        "appid": APPID,
        "mchid": MCHID,
        "out_trade_no": trade.out_trade_no,
        "trade_state": "USERPAYING" if late else trade.state,
        "trade_state_desc": "用户支付中" if late else trade.state_desc,
        "amount": {"total": trade.amount_fen, "currency": "CNY"},
        "payer": {"openid": trade.payer},
    }
    if trade.success_at and not late:  # paid, and perhaps refunded since
        body.update(
            transaction_id=trade.transaction_id,
            trade_type="JSAPI",
            bank_type="OTHERS",
            success_time=trade.success_at.isoformat() + "+08:00",
        )
        body["amount"] = {"total": trade.amount_fen, "payer_total": trade.amount_fen, "currency": "CNY"}
    return body
