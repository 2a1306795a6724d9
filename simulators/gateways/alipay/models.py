"""The Alipay back end: wap-pay and precreate (QR) trades, the payer's payment, query, close, full refunds, the
scanner's look-up of a QR code, and the notification (a signed form that wants exactly ``success`` back).

A refund (alipay.trade.refund) is settled at once and sends no notification; a fully refunded trade is
TRADE_CLOSED, and its query shows ``refund_fee`` (the simulator's marker: Alipay's own query says only CLOSED)."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy.orm import Session

from simulators.core import clock, faults, tenants
from simulators.core.billing import yuan
from simulators.core.errors import InvalidInput, NotFound, RuleRefused
from simulators.core.models import Tenant
from simulators.gateways import notify, trades
from simulators.gateways.alipay import signing
from simulators.gateways.alipay.errors import business, invalid_parameter, not_exist
from simulators.gateways.models import GatewayTrade, Refund

GATEWAY, QR_GATEWAY = "alipay", "alipay_qr"
GATEWAYS = (GATEWAY, QR_GATEWAY)
NAME, QR_NAME = "支付宝", "支付宝扫码"
APP_ID = "2021004117600001"
SELLER_ID = "2088441500000001"
MERCHANT = "国家税务总局宁波市税务局"
WAIT, SUCCESS, FINISHED, CLOSED = "WAIT_BUYER_PAY", "TRADE_SUCCESS", "TRADE_FINISHED", "TRADE_CLOSED"
STATUS_DESC = {WAIT: "等待买家付款", SUCCESS: "支付成功", FINISHED: "交易结束", CLOSED: "交易关闭"}
DECLINED = "支付失败:账户余额不足"
REFUNDED = "交易关闭:已全额退款"
DEFAULT_TTL = timedelta(days=15)  # an order without time_expire stays payable for 15 days
REFUND_WINDOW = timedelta(days=90)  # after it a successful trade is finished: no refund any more
MIN_FEN, MAX_FEN = 1, 100_000_000 * 100
QR_PREFIX = "https://qr.alipay.com/bax"
TIME_FORMAT = signing.TIME_FORMAT
# The first notification, then 7 resends: 4m, 10m, 10m, 1h, 2h, 6h, 15h (about 25 hours in all).
SCHEDULE = (240, 600, 600, 3600, 7200, 21600, 54000)
ACK = "success"


def accepts(response: httpx.Response) -> bool:
    """Alipay stops resending only when the merchant's reply is exactly ``success``."""
    return response.status_code == 200 and response.text == ACK


def install_notifications() -> None:
    """Alipay's notifications (its cashier's and its QR code's): acknowledged by ``success``, resent on
    ``SCHEDULE``, signed as it signs."""
    for gateway in GATEWAYS:
        notify.register(gateway, accepts, SCHEDULE, signing.sign_delivery)


def fen(amount: str) -> int | None:
    """``"300.00"`` → 30000; None for anything that is not a yuan amount with at most two decimals."""
    if not re.fullmatch(r"\d{1,12}(\.\d{1,2})?", amount):
        return None
    try:
        return int(Decimal(amount) * 100)
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class OrderFields:
    """The order part of ``biz_content`` for wap pay and precreate, checked as Alipay checks it."""

    out_trade_no: str
    amount_fen: int
    subject: str
    time_expire: datetime | None

    @classmethod
    def parse(cls, biz: dict[str, Any]) -> OrderFields:
        out_trade_no = str(biz.get("out_trade_no") or "")
        if not re.fullmatch(r"[0-9A-Za-z_-]{1,64}", out_trade_no):
            raise invalid_parameter("商户订单号out_trade_no必填,最长64位,只能由字母、数字、下划线或短横线组成")
        amount = fen(str(biz.get("total_amount") or ""))
        if amount is None or not MIN_FEN <= amount <= MAX_FEN:
            raise invalid_parameter("订单总金额total_amount必填,单位为元,最多两位小数,取值范围[0.01,100000000]")
        subject = str(biz.get("subject") or "")
        if not 1 <= len(subject) <= 256:
            raise invalid_parameter("订单标题subject必填,最长256个字符")
        expire = None
        if biz.get("time_expire"):
            try:
                expire = datetime.strptime(str(biz["time_expire"]), TIME_FORMAT)
            except ValueError as error:
                raise invalid_parameter("绝对超时时间time_expire格式应为yyyy-MM-dd HH:mm:ss") from error
        return cls(out_trade_no, amount, subject, expire)


def _trade_no(now: datetime) -> str:
    return f"{now:%Y%m%d}22001{secrets.randbelow(10**15):015d}"


def create(session: Session, tenant: Tenant, gateway: str, order: OrderFields, notify_url: str) -> GatewayTrade:
    """A wap-pay (``alipay``) or precreate (``alipay_qr``) trade; the same order again finds the same trade."""
    now = clock.now(tenant)
    trade = trades.find(session, tenant, GATEWAYS, order.out_trade_no)
    if trade is not None:
        if (trade.amount_fen, trade.description, trade.gateway) != (order.amount_fen, order.subject, gateway):
            raise business("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改:同一商户订单号的交易信息不一致")
        settle_time(tenant, trade)
        if trade.state in (SUCCESS, FINISHED):
            raise business("ACQ.TRADE_HAS_SUCCESS", "交易已被支付")
        if trade.state == CLOSED:
            raise business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
        return trade
    if order.time_expire is not None and order.time_expire <= now:
        raise invalid_parameter("绝对超时时间time_expire早于当前时间")
    trade_no = _trade_no(now)
    trade = GatewayTrade(
        prepay_id=trade_no,
        tenant_id=tenant.id,
        gateway=gateway,
        out_trade_no=order.out_trade_no,
        description=order.subject,
        amount_fen=order.amount_fen,
        payer="",
        notify_url=notify_url,
        state=WAIT,
        state_desc=STATUS_DESC[WAIT],
        transaction_id=trade_no,
        created_at=now,
        expires_at=min(order.time_expire or now + DEFAULT_TTL, now + DEFAULT_TTL),
    )
    session.add(trade)
    return trade


def settle_time(tenant: Tenant, trade: GatewayTrade) -> None:
    """What time alone does to a trade: an unpaid one lapses, a paid one is finished after the refund window."""
    trades.lapse(tenant, trade, unpaid=WAIT, closed=CLOSED, desc="未付款交易超时关闭")
    if trade.state == SUCCESS and trade.success_at and clock.now(tenant) > trade.success_at + REFUND_WINDOW:
        trades.transition(trade, FINISHED, STATUS_DESC[FINISHED])


def find(session: Session, tenant: Tenant, biz: dict[str, Any]) -> GatewayTrade:
    """The trade named by ``out_trade_no`` or ``trade_no`` in a query or close."""
    out_trade_no, trade_no = str(biz.get("out_trade_no") or ""), str(biz.get("trade_no") or "")
    if not out_trade_no and not trade_no:
        raise invalid_parameter("out_trade_no和trade_no不能同时为空")
    trade = (
        trades.find(session, tenant, GATEWAYS, out_trade_no)
        if out_trade_no
        else trades.by_id(session, GATEWAYS, trade_no)
    )
    if trade is None or trade.tenant_id != tenant.id or (trade_no and trade.prepay_id != trade_no):
        raise not_exist()
    settle_time(tenant, trade)
    return trade


def at_cashier(session: Session, trade_no: str, gateways: tuple[str, ...] = GATEWAYS) -> GatewayTrade:
    """The trade a cashier or QR page shows (the payer's side: a page error, not an API answer)."""
    trade = trades.by_id(session, gateways, trade_no)
    if trade is None:
        raise NotFound(f"支付宝交易{trade_no}不存在", field="交易号")
    return trade


def close(session: Session, tenant: Tenant, biz: dict[str, Any]) -> GatewayTrade:
    trade = find(session, tenant, biz)
    if trade.state in (SUCCESS, FINISHED):
        raise business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法:交易已支付,不能关闭")
    if trade.state == WAIT:
        trades.transition(trade, CLOSED, STATUS_DESC[CLOSED])
    return trade


def pay(session: Session, tenant: Tenant, trade: GatewayTrade) -> None:
    """The payer pressed 确认付款: charge the account, or decline, cancel or answer late as the fault plan says."""
    settle_time(tenant, trade)
    if trade.state in (SUCCESS, FINISHED):
        return
    if trade.state != WAIT:
        raise RuleRefused("该笔交易已关闭,不能付款,请返回商户重新下单", field="交易号")
    if trades.cancelled(tenant, trade, unpaid=WAIT, closed=CLOSED):
        return
    now = clock.now(tenant)
    trade.payer = "2088" + trade.prepay_id[-12:]  # the buyer's Alipay user id
    spoof = faults.spoof(tenant, trade.gateway)
    if spoof:
        _notify(session, tenant, trades.as_paid(trade, SUCCESS, STATUS_DESC[SUCCESS], now, spoof), now, forged=spoof)
    if faults.take(tenant, "decline", trade.gateway):
        trades.transition(trade, CLOSED, DECLINED)
        return
    trades.transition(trade, SUCCESS, STATUS_DESC[SUCCESS])
    trade.success_at = trades.success_time(tenant, trade.gateway, now)
    _notify(session, tenant, trade, trade.success_at)


def cancel(session: Session, tenant: Tenant, trade: GatewayTrade) -> None:
    """The payer pressed 取消支付 in the cashier: an unpaid trade is closed; a paid or closed one stays as it is."""
    settle_time(tenant, trade)
    if trade.state == WAIT:
        trades.transition(trade, CLOSED, trades.CANCELLED)


def refund(session: Session, tenant: Tenant, biz: dict[str, Any]) -> dict[str, object]:
    """alipay.trade.refund of the whole trade, by ``out_request_no`` (the trade's own number when none is given):
    the same request again answers the same refund with ``fund_change`` N (no money moved this time)."""
    trade = find(session, tenant, biz)
    amount = fen(str(biz.get("refund_amount") or ""))
    if amount is None or amount < MIN_FEN:
        raise invalid_parameter("退款金额refund_amount必填,单位为元,最多两位小数,且须大于0")
    request_no = str(biz.get("out_request_no") or trade.out_trade_no)
    if not re.fullmatch(r"[0-9A-Za-z_-]{1,64}", request_no):
        raise invalid_parameter("退款请求号out_request_no最长64位,只能由字母、数字、下划线或短横线组成")
    reason = str(biz.get("refund_reason") or "")
    if len(reason) > 256:
        raise invalid_parameter("退款原因refund_reason最长256个字符")
    earlier = trades.earlier_refund(session, tenant, GATEWAYS, request_no)
    if earlier is not None:
        if earlier.out_trade_no != trade.out_trade_no:
            raise invalid_parameter("退款请求号out_request_no已用于另一笔交易的退款,请使用新的退款请求号")
        if earlier.amount_fen != amount:
            raise invalid_parameter("同一退款请求号out_request_no的退款金额refund_amount应与首次请求一致")
        return _refund_answer(trade, earlier, fund_change="N")
    if trade.state == FINISHED:
        raise business("ACQ.TRADE_HAS_FINISHED", "交易已完结:付款已超过90天,不能退款")
    if trade.state == CLOSED and trade.refunded_fen:
        raise business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法:交易已全额退款,不能再退款")
    if trade.state != SUCCESS:
        raise business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法:交易未付款,不能退款")
    if amount != trade.amount_fen:
        raise business(
            "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
            f"退款金额refund_amount应等于交易金额{yuan(trade.amount_fen)}元:模拟器只受理全额退款",
        )
    made = trades.refund(
        session,
        trade,
        out_refund_no=request_no,
        refund_id=trade.prepay_id,
        reason=reason,
        to=CLOSED,
        desc=REFUNDED,
        now=clock.now(tenant),
    )
    if made is None:
        raise business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法:交易已全额退款,不能再退款")
    return _refund_answer(trade, made, fund_change="Y")


def _refund_answer(trade: GatewayTrade, made: Refund, *, fund_change: str) -> dict[str, object]:
    """Alipay names a refund by its trade and out_request_no, with no id of its own: the refund's id is the
    trade_no."""
    return {
        "code": signing.SUCCESS_CODE,
        "msg": "Success",
        "trade_no": trade.prepay_id,
        "out_trade_no": trade.out_trade_no,
        "buyer_user_id": trade.payer,
        "fund_change": fund_change,
        "refund_fee": yuan(trade.refunded_fen),
        "send_back_fee": yuan(made.amount_fen),
        "gmt_refund_pay": f"{made.created_at:{TIME_FORMAT}}",
    }


def _notify(session: Session, tenant: Tenant, trade: GatewayTrade, now: datetime, forged: bool | str = False) -> None:
    if not trade.notify_url:
        return
    notify_id = secrets.token_hex(16)
    amount = yuan(trade.amount_fen)
    params = signing.sign_notification(
        tenant.merchant_key,
        {
            "notify_time": f"{now:{TIME_FORMAT}}",
            "notify_type": "trade_status_sync",
            "notify_id": notify_id,
            "app_id": APP_ID,
            "charset": "utf-8",
            "version": "1.0",
            "trade_no": trade.prepay_id,
            "out_trade_no": trade.out_trade_no,
            "buyer_id": trade.payer,
            "seller_id": SELLER_ID,
            "trade_status": trade.state,
            "total_amount": amount,
            "receipt_amount": amount,
            "buyer_pay_amount": amount,
            "subject": trade.description,
            "gmt_create": f"{trade.created_at:{TIME_FORMAT}}",
            "gmt_payment": f"{now:{TIME_FORMAT}}",
            "fund_bill_list": json.dumps([{"amount": amount, "fundChannel": "ALIPAYACCOUNT"}]),
        },
    )
    notify.announce(
        session,
        tenant,
        gateway=trade.gateway,
        notify_id=notify_id,
        url=trade.notify_url,
        body=urlencode(params),
        now=now,
        forged=forged,
        out_trade_no=trade.out_trade_no,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )


def query_body(trade: GatewayTrade, now: datetime | None = None) -> dict[str, object]:
    """The trade as alipay.trade.query answers it at the tenant's ``now``; a charge the provider answers late for
    (``trades.held``) is still WAIT_BUYER_PAY."""
    late = trades.held(trade, now)
    body: dict[str, object] = {
        "code": signing.SUCCESS_CODE,
        "msg": "Success",
        "trade_no": trade.prepay_id,
        "out_trade_no": trade.out_trade_no,
        "trade_status": WAIT if late else trade.state,
        "total_amount": yuan(trade.amount_fen),
    }
    if trade.payer:
        body["buyer_user_id"] = trade.payer
    if trade.success_at and not late:
        body.update(
            buyer_pay_amount=yuan(trade.amount_fen),
            receipt_amount=yuan(trade.amount_fen),
            send_pay_date=f"{trade.success_at:{TIME_FORMAT}}",
        )
    if trade.state == CLOSED and trade.state_desc in (DECLINED, trades.CANCELLED):
        body["close_reason"] = trade.state_desc  # the simulator's word on why: declined or cancelled, not a lapse
    if trade.refunded_fen:
        body["refund_fee"] = yuan(trade.refunded_fen)  # the simulator's marker of a refunded trade
    return body


# QR pay: the code the payer saves and the Alipay app's scanner --------------------------------------------
def qr_code(trade: GatewayTrade) -> str:
    """The QR payload of a precreate trade: an Alipay-like URL that names the trade."""
    number, digits = int(trade.prepay_id), "0123456789abcdefghijklmnopqrstuvwxyz"
    code = ""
    while number:
        number, rest = divmod(number, 36)
        code = digits[rest] + code
    return QR_PREFIX + code


def scanned(session: Session, payloads: list[str]) -> GatewayTrade:
    """The open QR trade one of the decoded payloads names; a Chinese refusal for anything else."""
    codes = [p[len(QR_PREFIX) :] for p in payloads if re.fullmatch(re.escape(QR_PREFIX) + "[0-9a-z]{1,24}", p)]
    if not codes:
        raise InvalidInput(
            "未识别到支付宝付款码,请选择包含支付宝付款码的图片" if not payloads else "该二维码不是支付宝付款码",
            field="付款码图片",
        )
    trade = trades.by_id(session, (QR_GATEWAY,), str(int(codes[0], 36)))
    if trade is None:
        raise InvalidInput("付款码无效:找不到对应的交易", field="付款码图片")
    tenant = tenants.get(session, trade.tenant_id)
    settle_time(tenant, trade)
    if trade.state != WAIT:
        paid = trade.state in (SUCCESS, FINISHED)
        raise InvalidInput(
            "该笔交易已付款,无需重复支付" if paid else "该笔交易已关闭,请返回商户重新下单", field="付款码图片"
        )
    return trade
