"""WeChat Pay's merchant API (v3 paths) and the payer's cashier page, under /pay/wechatpay/."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ValidationError

from simulators import web
from simulators.gateways import deliveries, trades
from simulators.gateways.wechatpay import models, signing
from simulators.gateways.wechatpay.errors import WechatPayError, param_error, sign_error

PREFIX = "/pay/wechatpay"
router = APIRouter(prefix=PREFIX, tags=["微信支付(模拟)"])
pages = web.templates(Path(__file__).with_name("templates"))
Body = TypeVar("Body", bound=BaseModel)


async def _signed_body(request: Request) -> str:
    body = (await request.body()).decode()
    url = request.url.path + (f"?{request.url.query}" if request.url.query else "")

    def check() -> None:
        with web.tenant_transaction(request) as (_session, tenant):
            if not signing.check_authorization(
                tenant.merchant_key, request.headers.get("Authorization", ""), request.method, url, body
            ):
                raise sign_error()

    await run_in_threadpool(check)
    return body


def _parsed(model: type[Body], body: str) -> Body:
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        first = error.errors()[0]
        raise param_error(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from error


@router.post("/v3/pay/transactions/jsapi", operation_id="wechatpayCreateJsapi")
async def create_jsapi(request: Request) -> dict[str, str]:
    req = _parsed(models.JsapiRequest, await _signed_body(request))

    def create() -> str:
        with web.tenant_transaction(request) as (session, tenant):
            return models.create_jsapi(session, tenant, req).prepay_id

    return {"prepay_id": await run_in_threadpool(create)}


@router.get("/v3/pay/transactions/out-trade-no/{out_trade_no}", operation_id="wechatpayQuery")
async def query(request: Request, out_trade_no: str, mchid: str) -> dict[str, object]:
    await _signed_body(request)
    if mchid != models.MCHID:
        raise param_error("mchid不正确")

    def find() -> dict[str, object]:
        with web.tenant_transaction(request) as (session, tenant):
            return models.query_body(models.by_out_trade_no(session, tenant, out_trade_no))

    return await run_in_threadpool(find)


@router.post("/v3/pay/transactions/out-trade-no/{out_trade_no}/close", status_code=204,
             operation_id="wechatpayClose")
async def close(request: Request, out_trade_no: str) -> Response:
    await _signed_body(request)

    def shut() -> None:
        with web.tenant_transaction(request) as (session, tenant):
            models.close(session, tenant, out_trade_no)

    await run_in_threadpool(shut)
    return Response(status_code=204)


@router.post("/v3/refund/domestic/refunds", operation_id="wechatpayRefund")
async def refund(request: Request) -> dict[str, object]:
    """申请退款: a whole charge back at once (status SUCCESS); REFUND.SUCCESS follows to ``notify_url``."""
    req = _parsed(models.RefundRequest, await _signed_body(request))

    def give_back() -> dict[str, object]:
        with web.tenant_transaction(request) as (session, tenant):
            answer = models.refund(session, tenant, req)
        deliveries.of(request).wake()
        return answer

    return await run_in_threadpool(give_back)


@router.get("/cashier/{prepay_id}", response_class=HTMLResponse, operation_id="wechatpayCashier")
def cashier(request: Request, prepay_id: str, redirect: str = "") -> HTMLResponse:
    with web.database(request).transaction() as session:
        trade = models.by_prepay_id(session, prepay_id)
        context = {
            "trade": trade, "amount": f"{trade.amount_fen / 100:.2f}", "redirect": web.local_path(redirect),
            "merchant": "国家税务总局宁波市税务局", "prepay_id": prepay_id,
        }
    return pages.TemplateResponse(request, "wechatpay_cashier.html", context)


@router.post("/cashier/{prepay_id}/pay", operation_id="wechatpayCashierPay")
def cashier_pay(request: Request, prepay_id: str) -> dict[str, str]:
    done = trades.confirm_at_cashier(request, lambda session: models.by_prepay_id(session, prepay_id),
                                     models.pay)
    return {"trade_state": done.state, "trade_state_desc": done.desc}


async def error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, WechatPayError)
    return JSONResponse(error.body(), status_code=error.status)


