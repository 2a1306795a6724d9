"""WeChat Pay's merchant API (v3 paths) and the payer's cashier page, under /pay/wechatpay/."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from fastapi import APIRouter, FastAPI, Query, Request, Response, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ValidationError

from simulators import web
from simulators.core import clock
from simulators.gateways import deliveries, docs, notify, trades
from simulators.gateways.wechatpay import models, signing
from simulators.gateways.wechatpay.errors import WechatPayError, param_error, sign_error
from simulators.gateways.wechatpay.schemas import (
    WechatPayCashierPaidOut,
    WechatPayPrepayOut,
    WechatPayRefundOut,
    WechatPayTransactionOut,
)
from simulators.gateways.wechatpay.schemas import WechatPayErrorOut as Refusal

PREFIX = "/pay/wechatpay"
router = APIRouter(prefix=PREFIX, tags=["微信支付(模拟)"])
pages = web.templates(Path(__file__).with_name("templates"))
Body = TypeVar("Body", bound=BaseModel)
AUTHORIZATION = APIKeyHeader(
    name="Authorization",
    scheme_name="WechatPayV3",
    auto_error=False,
    description='微信支付APIv3签名:WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",'
    'serial_no="…",signature="…";签名串为“请求方法\\nURL路径\\n时间戳\\n随机串\\n请求体\\n”'
    "(模拟器以商户密钥的HMAC-SHA256代替RSA),签名不对时答 401 SIGN_ERROR",
)
SIGNED = [*docs.TENANT, Security(AUTHORIZATION)]
API_ERRORS = docs.errors(413, 415, 422, 500, own={401: Refusal}, either={400: Refusal, 404: Refusal})


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


@router.post(
    "/v3/pay/transactions/jsapi",
    operation_id="wechatpayCreateJsapi",
    summary="JSAPI下单(得到prepay_id)",
    dependencies=SIGNED,
    responses=API_ERRORS,
    openapi_extra=docs.body(models.JsapiRequest),
)
async def create_jsapi(request: Request) -> WechatPayPrepayOut:
    """The signed JSON body is read as WeChat Pay reads it: a malformed one is 400 PARAM_ERROR."""
    req = _parsed(models.JsapiRequest, await _signed_body(request))

    def create() -> str:
        with web.tenant_transaction(request) as (session, tenant):
            return models.create_jsapi(session, tenant, req).prepay_id

    return WechatPayPrepayOut(prepay_id=await run_in_threadpool(create))


@router.get(
    "/v3/pay/transactions/out-trade-no/{out_trade_no}",
    operation_id="wechatpayQuery",
    summary="商户订单号查询订单",
    dependencies=SIGNED,
    responses=API_ERRORS,
    response_model_exclude_unset=True,
)
async def query(
    request: Request, out_trade_no: str, mchid: str = Query(description="直连商户号,应为模拟器的商户号")
) -> WechatPayTransactionOut:
    await _signed_body(request)
    if mchid != models.MCHID:
        raise param_error("mchid不正确")

    def find() -> dict[str, object]:
        with web.tenant_transaction(request) as (session, tenant):
            notify.release_held(session, tenant, models.GATEWAY, out_trade_no)
            return models.query_body(models.by_out_trade_no(session, tenant, out_trade_no), clock.now(tenant))

    found = await run_in_threadpool(find)
    deliveries.of(request).wake()
    return WechatPayTransactionOut.model_validate(found)


@router.post(
    "/v3/pay/transactions/out-trade-no/{out_trade_no}/close",
    status_code=204,
    operation_id="wechatpayClose",
    summary="关闭订单(未支付的订单)",
    dependencies=SIGNED,
    responses={204: {"description": "已关闭(或本已关闭),无应答体"}, **API_ERRORS},
)
async def close(request: Request, out_trade_no: str) -> Response:
    await _signed_body(request)

    def shut() -> None:
        with web.tenant_transaction(request) as (session, tenant):
            models.close(session, tenant, out_trade_no)

    await run_in_threadpool(shut)
    return Response(status_code=204)


@router.post(
    "/v3/refund/domestic/refunds",
    operation_id="wechatpayRefund",
    summary="申请退款(全额,当即成功)",
    dependencies=SIGNED,
    responses=API_ERRORS,
    openapi_extra=docs.body(models.RefundRequest),
)
async def refund(request: Request) -> WechatPayRefundOut:
    """申请退款: a whole charge back at once (status SUCCESS); REFUND.SUCCESS follows to ``notify_url``."""
    req = _parsed(models.RefundRequest, await _signed_body(request))

    def give_back() -> dict[str, object]:
        with web.tenant_transaction(request) as (session, tenant):
            answer = models.refund(session, tenant, req)
        deliveries.of(request).wake()
        return answer

    return WechatPayRefundOut.model_validate(await run_in_threadpool(give_back))


@router.get(
    "/cashier/{prepay_id}",
    response_class=Response,
    operation_id="wechatpayCashier",
    summary="微信支付收银台页面(付款人确认支付)",
    responses={**docs.page("收银台页面", 422, 500), **docs.errors(either={404: Refusal})},
)
def cashier(request: Request, prepay_id: str, redirect: str = "") -> HTMLResponse:
    with web.database(request).transaction() as session:
        trade = models.by_prepay_id(session, prepay_id)
        context = {
            "trade": trade,
            "amount": f"{trade.amount_fen / 100:.2f}",
            "redirect": web.local_path(redirect),
            "merchant": "国家税务总局宁波市税务局",
            "prepay_id": prepay_id,
        }
    return pages.TemplateResponse(request, "wechatpay_cashier.html", context)


@router.post(
    "/cashier/{prepay_id}/pay",
    operation_id="wechatpayCashierPay",
    summary="在收银台确认支付(扣款或按故障计划拒绝)",
    responses=docs.errors(403, 409, 413, 422, 500, either={400: Refusal, 404: Refusal}),
)
def cashier_pay(request: Request, prepay_id: str) -> WechatPayCashierPaidOut:
    done = trades.confirm_at_cashier(request, lambda session: models.by_prepay_id(session, prepay_id), models.pay)
    return WechatPayCashierPaidOut(trade_state=done.state, trade_state_desc=done.desc)


@router.post(
    "/cashier/{prepay_id}/cancel",
    operation_id="wechatpayCashierCancel",
    summary="在收银台取消支付(不扣款,交易关闭)",
    responses=docs.errors(403, 409, 413, 422, 500, either={400: Refusal, 404: Refusal}),
)
def cashier_cancel(request: Request, prepay_id: str) -> WechatPayCashierPaidOut:
    done = trades.cancel_at_cashier(request, lambda session: models.by_prepay_id(session, prepay_id), models.cancel)
    return WechatPayCashierPaidOut(trade_state=done.state, trade_state_desc=done.desc)


async def error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, WechatPayError)
    return JSONResponse(error.body(), status_code=error.status)


def install(app: FastAPI) -> None:
    """What the provider sets up when the app starts: how its notifications are acknowledged, resent and signed."""
    models.install_notifications()
