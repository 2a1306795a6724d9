"""The CCB back end: 龙支付 orders, the payer's payment, query, close, full refunds and the server notification.

CCB's own interface was not among the sources: the order / notify / query pattern is the other providers', in
CCB's field names (MERCHANTID, POSID, BRANCHID, ORDERID, PAYMENT, TXCODE, MAC; SUCCESS=Y/N, SIGN). The refund is
TXCODE 5W1004 (the simulator's choice of code) with MONEY and the merchant's refund number REFUND_CODE, answered
at once with the bank's REFUND_SERIAL; the bank sends no server notification for a refund (the simulator's choice:
the merchant asked and was answered), and the order's query then says ORDER_STATUS 5 已退款.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from simulators.core import clock, faults
from simulators.core.billing import yuan
from simulators.core.errors import NotFound, RuleRefused
from simulators.core.models import Tenant
from simulators.gateways import notify, trades
from simulators.gateways.ccb import signing
from simulators.gateways.ccb.errors import CcbError, not_exist, param_error
from simulators.gateways.models import GatewayTrade, Refund

GATEWAY = "ccb"
NAME = "建设银行"
MERCHANTID, POSID, BRANCHID = "105332000012345", "002345678", "332000000"
MERCHANT = "国家税务总局宁波市税务局"
TX_ORDER, TX_QUERY, TX_CLOSE, TX_REFUND = "530550", "410408", "410409", "5W1004"
WAIT, SUCCESS, FAILED, CLOSED, REFUNDED = "WAIT", "SUCCESS", "FAILED", "CLOSED", "REFUNDED"
STATE_DESC = {WAIT: "待支付", SUCCESS: "支付成功", FAILED: "支付失败", CLOSED: "已关闭", REFUNDED: "已退款"}
ORDER_STATUS = {SUCCESS: "1", FAILED: "0", WAIT: "2", CLOSED: "9", REFUNDED: "5"}
DECLINED = "支付失败:账户余额不足"
DEFAULT_TTL = timedelta(hours=24)  # an order without TIMEOUT stays payable for a day
MAX_FEN = 10_000_000 * 100
TIMEOUT_FORMAT = "%Y%m%d%H%M%S"
# The first notification, then resends at 1m, 5m, 15m, 30m, 1h, 2h, 6h (the simulator's choice).
SCHEDULE = (60, 300, 900, 1800, 3600, 7200, 21600)


def install_notifications() -> None:
    """CCB's notifications: acknowledged by any 2xx, resent on ``SCHEDULE``, signed as it signs."""
    notify.register(GATEWAY, notify.accepts_2xx, SCHEDULE, signing.sign_delivery)


def fen(amount: str) -> int | None:
    """``"300.00"`` → 30000; None for anything that is not a yuan amount with at most two decimals."""
    if not re.fullmatch(r"\d{1,10}(\.\d{1,2})?", amount):
        return None
    whole, _, cents = amount.partition(".")
    return int(whole) * 100 + int(cents.ljust(2, "0"))


def check_merchant(params: dict[str, str]) -> None:
    if (params.get("MERCHANTID"), params.get("POSID"), params.get("BRANCHID")) != (MERCHANTID, POSID, BRANCHID):
        raise CcbError("E1003", "商户信息不符:MERCHANTID、POSID、BRANCHID与签约信息不一致")


@dataclass(frozen=True)
class OrderForm:
    """The order fields of TXCODE 530550, checked as the bank checks them."""

    order_id: str
    amount_fen: int
    remark: str
    timeout: datetime | None
    notify_url: str

    @classmethod
    def parse(cls, params: dict[str, str]) -> OrderForm:
        order_id = params.get("ORDERID", "")
        if not re.fullmatch(r"[0-9A-Za-z_-]{1,30}", order_id):
            raise param_error("订单号ORDERID必填,最长30位,只能由字母、数字、下划线或短横线组成")
        amount = fen(params.get("PAYMENT", ""))
        if amount is None or not 1 <= amount <= MAX_FEN:
            raise param_error("付款金额PAYMENT必填,单位为元,最多两位小数,取值范围0.01至10000000.00")
        if params.get("CURCODE") != "01":
            raise param_error("币种CURCODE应为01(人民币)")
        remark = params.get("REMARK1", "")
        if len(remark) > 30:
            raise param_error("备注REMARK1最长30个字符")
        timeout = None
        if params.get("TIMEOUT"):
            try:
                timeout = datetime.strptime(params["TIMEOUT"], TIMEOUT_FORMAT)
            except ValueError as error:
                raise param_error("订单超时时间TIMEOUT格式应为YYYYMMDDHHMMSS") from error
        notify_url = params.get("NOTIFYURL", "")
        if not re.fullmatch(r"https?://\S{1,290}", notify_url):
            raise param_error("通知地址NOTIFYURL必填,应为http或https地址")
        return cls(order_id, amount, remark, timeout, notify_url)


def create(session: Session, tenant: Tenant, form: OrderForm) -> GatewayTrade:
    """The bank's order for ORDERID; the same order again finds the same one."""
    now = clock.now(tenant)
    trade = trades.find(session, tenant, (GATEWAY,), form.order_id)
    if trade is not None:
        if (trade.amount_fen, trade.description) != (form.amount_fen, form.remark):
            raise CcbError("E2004", "订单号重复且订单信息不一致")
        lapse(tenant, trade)
        if trade.state == SUCCESS:
            raise CcbError("E2002", "订单已支付")
        if trade.state != WAIT:
            raise CcbError("E2003", f"订单{trade.state_desc}")
        return trade
    if form.timeout is not None and form.timeout <= now:
        raise param_error("订单超时时间TIMEOUT早于当前时间")
    trade = GatewayTrade(
        prepay_id=f"CCB{now:%Y%m%d%H%M%S}{secrets.randbelow(10**8):08d}",
        tenant_id=tenant.id,
        gateway=GATEWAY,
        out_trade_no=form.order_id,
        description=form.remark,
        amount_fen=form.amount_fen,
        payer="",
        notify_url=form.notify_url,
        state=WAIT,
        state_desc=STATE_DESC[WAIT],
        created_at=now,
        expires_at=min(form.timeout or now + DEFAULT_TTL, now + DEFAULT_TTL),
    )
    session.add(trade)
    return trade


def lapse(tenant: Tenant, trade: GatewayTrade) -> None:
    trades.lapse(tenant, trade, unpaid=WAIT, closed=CLOSED, desc="订单超时关闭")


def find(session: Session, tenant: Tenant, order_id: str) -> GatewayTrade:
    trade = trades.find(session, tenant, (GATEWAY,), order_id)
    if trade is None:
        raise not_exist()
    lapse(tenant, trade)
    return trade


def at_cashier(session: Session, trade_id: str) -> GatewayTrade:
    """The order the cashier shows (the payer's side: a page error, not an API answer)."""
    trade = trades.by_id(session, (GATEWAY,), trade_id)
    if trade is None:
        raise NotFound(f"建设银行订单{trade_id}不存在", field="订单号")
    return trade


def close(session: Session, tenant: Tenant, order_id: str) -> None:
    trade = find(session, tenant, order_id)
    if trade.state in (SUCCESS, REFUNDED):
        raise CcbError("E2002", "订单已支付,不能关闭" if trade.state == SUCCESS else "订单已支付并已退款,不能关闭")
    if trade.state == WAIT:
        trades.transition(trade, CLOSED, STATE_DESC[CLOSED])


def pay(session: Session, tenant: Tenant, trade: GatewayTrade) -> None:
    """The payer pressed 确认支付: debit the account, or decline, cancel or answer late as the fault plan says;
    either way the merchant is notified (SUCCESS=Y or N), except of a cancellation."""
    lapse(tenant, trade)
    if trade.state == SUCCESS:
        return
    if trade.state != WAIT:
        raise RuleRefused(f"该订单{trade.state_desc.removeprefix('订单')},不能支付,请返回商户重新下单", field="订单号")
    if trades.cancelled(tenant, trade, unpaid=WAIT, closed=CLOSED):
        return
    now = clock.now(tenant)
    trade.payer = "6217" + trade.prepay_id[-12:]  # the debited card, as the bank knows it
    spoof = faults.spoof(tenant, GATEWAY)
    if spoof:
        _notify(session, tenant, trades.as_paid(trade, SUCCESS, STATE_DESC[SUCCESS], now, spoof), now, forged=spoof)
    if faults.take(tenant, "decline", GATEWAY):
        trades.transition(trade, FAILED, DECLINED)
    else:
        trades.transition(trade, SUCCESS, STATE_DESC[SUCCESS])
        trade.success_at = trades.success_time(tenant, GATEWAY, now)
        trade.transaction_id = f"{now:%Y%m%d}{secrets.randbelow(10**12):012d}"
        now = trade.success_at
    _notify(session, tenant, trade, now)


def cancel(session: Session, tenant: Tenant, trade: GatewayTrade) -> None:
    """The payer pressed 取消支付 in the cashier: an unpaid order is closed; a paid or closed one stays as it is."""
    lapse(tenant, trade)
    if trade.state == WAIT:
        trades.transition(trade, CLOSED, trades.CANCELLED)


def refund(session: Session, tenant: Tenant, params: dict[str, str]) -> dict[str, str]:
    """TXCODE 5W1004: give the whole payment back at once; the same REFUND_CODE again answers the same refund."""
    trade = find(session, tenant, params.get("ORDERID", ""))
    refund_code = params.get("REFUND_CODE", "")
    if not re.fullmatch(r"[0-9A-Za-z_-]{1,30}", refund_code):
        raise param_error("退款流水号REFUND_CODE必填,最长30位,只能由字母、数字、下划线或短横线组成")
    amount = fen(params.get("MONEY", ""))
    if amount is None or amount < 1:
        raise param_error("退款金额MONEY必填,单位为元,最多两位小数,且须大于0")
    remark = params.get("REMARK1", "")
    if len(remark) > 30:
        raise param_error("备注REMARK1最长30个字符")
    earlier = trades.earlier_refund(session, tenant, (GATEWAY,), refund_code)
    if earlier is not None:
        if (earlier.out_trade_no, earlier.amount_fen) != (trade.out_trade_no, amount):
            raise CcbError("E2007", "退款流水号REFUND_CODE重复且退款信息不一致")
        return _refund_answer(earlier)
    if trade.state == REFUNDED:
        raise CcbError("E2006", "订单已退款,不能重复退款")
    if trade.state != SUCCESS:
        raise CcbError("E2005", f"订单{trade.state_desc},不能退款:只能退款支付成功的订单")
    if amount != trade.amount_fen:
        raise CcbError("E2008", f"退款金额MONEY应等于订单金额{yuan(trade.amount_fen)}元:模拟器只受理全额退款")
    now = clock.now(tenant)
    made = trades.refund(
        session,
        trade,
        out_refund_no=refund_code,
        reason=remark,
        to=REFUNDED,
        desc=STATE_DESC[REFUNDED],
        now=now,
        refund_id=f"RF{now:%Y%m%d}{secrets.randbelow(10**12):012d}",
    )
    if made is None:
        raise CcbError("E2006", "订单已退款,不能重复退款")
    return _refund_answer(made)


def _refund_answer(made: Refund) -> dict[str, str]:
    return {
        "SUCCESS": "true",
        "RETURN_CODE": "000000",
        "RETURN_MSG": "退款成功",
        "ORDERID": made.out_trade_no,
        "REFUND_CODE": made.out_refund_no,
        "MONEY": yuan(made.amount_fen),
        "REFUND_SERIAL": made.refund_id,
        "REFUND_TIME": f"{made.created_at:{TIMEOUT_FORMAT}}",
    }


def _notify(session: Session, tenant: Tenant, trade: GatewayTrade, now: datetime, forged: bool | str = False) -> None:
    paid = trade.state == SUCCESS
    params = signing.with_sign(
        tenant.merchant_key,
        {
            "POSID": POSID,
            "BRANCHID": BRANCHID,
            "ORDERID": trade.out_trade_no,
            "PAYMENT": yuan(trade.amount_fen),
            "CURCODE": "01",
            "REMARK1": trade.description,
            "REMARK2": "",
            "ACC_TYPE": "12",
            "SUCCESS": "Y" if paid else "N",
            "TYPE": "1",
            "REFERER": "",
            "CLIENTIP": "",
            "ACCDATE": f"{now:%Y%m%d}",
            "ERRMSG": "" if paid else trade.state_desc,
        },
    )
    notify.announce(
        session,
        tenant,
        gateway=GATEWAY,
        notify_id="CCB-" + secrets.token_hex(12),
        url=trade.notify_url,
        body=urlencode(params),
        now=now,
        forged=forged,
        out_trade_no=trade.out_trade_no,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )


def query_body(trade: GatewayTrade, now: datetime | None = None) -> dict[str, str]:
    """TXCODE 410408's answer at the tenant's ``now``; a payment the bank answers late for (``trades.held``) is
    still 待支付 (处理中)."""
    late = trades.held(trade, now)
    body = {
        "SUCCESS": "true",
        "RETURN_CODE": "000000",
        "RETURN_MSG": "查询成功",
        "ORDERID": trade.out_trade_no,
        "PAYMENT": yuan(trade.amount_fen),
        "ORDER_STATUS": ORDER_STATUS[WAIT] if late else ORDER_STATUS[trade.state],
        "STATUS_DESC": "支付处理中" if late else trade.state_desc,
    }
    if trade.success_at and not late:
        body.update(PAY_TIME=f"{trade.success_at:{TIMEOUT_FORMAT}}", CCB_SERIAL=trade.transaction_id or "")
    return body
