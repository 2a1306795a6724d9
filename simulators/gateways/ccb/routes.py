"""CCB's merchant gateway (CCBIS/ccbMain, by TXCODE) and the payer's 龙支付 cashier, under /pay/ccb/."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from simulators import web
from simulators.core import clock, tenants
from simulators.core.billing import yuan
from simulators.gateways import deliveries, docs, notify, trades
from simulators.gateways.ccb import models, signing
from simulators.gateways.ccb.errors import CcbError, bad_mac, param_error
from simulators.gateways.ccb.schemas import CcbAnswer, CcbCashierPaidOut, CcbForm

PREFIX = "/pay/ccb"
router = APIRouter(prefix=PREFIX, tags=["建设银行(模拟)"])
pages = web.templates(Path(__file__).with_name("templates"))
SIGNED = {
    models.TX_ORDER: signing.ORDER,
    models.TX_QUERY: signing.LOOKUP,
    models.TX_CLOSE: signing.LOOKUP,
    models.TX_REFUND: signing.REFUND,
}


@router.post(
    "/CCBIS/ccbMain",
    operation_id="ccbMain",
    summary="商户网关(按交易码:下单、查询、关闭、退款)",
    dependencies=docs.TENANT,
    response_model=CcbAnswer,
    response_model_exclude_unset=True,
    response_description="建设银行的应答(拒绝时也是200:SUCCESS为false)",
    responses=docs.errors(*docs.SERVER),
    openapi_extra=docs.body(
        CcbForm,
        "application/x-www-form-urlencoded",
        optional="缺少参数(或没有请求内容)时答建设银行的错误应答(200,SUCCESS为false,如E1002)",
    ),
)
async def ccb_main(request: Request) -> dict[str, str]:
    """One form-encoded entrance: TXCODE 530550 places a 龙支付 order (answers PAYURL), 410408 queries it,
    410409 closes it, 5W1004 refunds it in full. Every request carries a MAC over its fields in CCB's order."""
    params = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    answered = await run_in_threadpool(_handle, request, params)
    if params.get("TXCODE") == models.TX_QUERY:
        deliveries.of(request).wake()  # a notification the query released (fault query_first)
    return answered


def _handle(request: Request, params: dict[str, str]) -> dict[str, str]:
    txcode = params.get("TXCODE", "")
    if txcode not in SIGNED:
        raise param_error(f"交易码TXCODE应为{'、'.join(SIGNED)}之一")
    models.check_merchant(params)
    with web.tenant_transaction(request) as (session, tenant):
        if not signing.check_mac(tenant.merchant_key, SIGNED[txcode], params):
            raise bad_mac()
        if txcode == models.TX_ORDER:
            trade = models.create(session, tenant, models.OrderForm.parse(params))
            return {
                "SUCCESS": "true",
                "RETURN_CODE": "000000",
                "RETURN_MSG": "交易成功",
                "ORDERID": trade.out_trade_no,
                "PAYURL": f"{PREFIX}/cashier/{trade.prepay_id}",
            }
        if txcode == models.TX_QUERY:
            trade = models.find(session, tenant, params.get("ORDERID", ""))
            notify.release_held(session, tenant, models.GATEWAY, trade.out_trade_no)
            return models.query_body(trade, clock.now(tenant))
        if txcode == models.TX_REFUND:
            return models.refund(session, tenant, params)
        models.close(session, tenant, params.get("ORDERID", ""))
        return {
            "SUCCESS": "true",
            "RETURN_CODE": "000000",
            "RETURN_MSG": "关闭成功",
            "ORDERID": params.get("ORDERID", ""),
        }


@router.get(
    "/cashier/{trade_id}",
    response_class=Response,
    operation_id="ccbCashier",
    summary="龙支付收银台页面(付款人确认支付)",
    responses=docs.page("收银台页面"),
)
def cashier(request: Request, trade_id: str, redirect: str = "") -> HTMLResponse:
    """The 龙支付 cashier: amount, merchant, 账户支付, 确认支付; then back to ``redirect`` (a local path)."""
    with web.database(request).transaction() as session:
        trade = models.at_cashier(session, trade_id)
        models.lapse(tenants.get(session, trade.tenant_id), trade)
        context = {
            "trade": trade,
            "trade_id": trade.prepay_id,
            "amount": yuan(trade.amount_fen),
            "merchant": models.MERCHANT,
            "open": trade.state == models.WAIT,
            "redirect": web.local_path(redirect),
        }
    return pages.TemplateResponse(request, "ccb_cashier.html", context)


@router.post(
    "/cashier/{trade_id}/pay",
    operation_id="ccbCashierPay",
    summary="在收银台确认支付(扣款或按故障计划拒绝)",
    responses=docs.errors(*docs.BUTTON),
)
def cashier_pay(request: Request, trade_id: str) -> CcbCashierPaidOut:
    done = trades.confirm_at_cashier(request, lambda session: models.at_cashier(session, trade_id), models.pay)
    return CcbCashierPaidOut(status=done.state, message=done.desc)


@router.post(
    "/cashier/{trade_id}/cancel",
    operation_id="ccbCashierCancel",
    summary="在收银台取消支付(不扣款,订单关闭)",
    responses=docs.errors(*docs.BUTTON),
)
def cashier_cancel(request: Request, trade_id: str) -> CcbCashierPaidOut:
    done = trades.cancel_at_cashier(request, lambda session: models.at_cashier(session, trade_id), models.cancel)
    return CcbCashierPaidOut(status=done.state, message=done.desc)


async def error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, CcbError)
    return JSONResponse(error.body())


def install(app: FastAPI) -> None:
    """What the provider sets up when the app starts: how its notifications are acknowledged, resent and signed."""
    models.install_notifications()
