"""Alipay's open-platform gateway (gateway.do), the payer's cashier, the QR page and the Alipay app's scanner,
under /pay/alipay/."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from simulators import qrcodes, web
from simulators.core import clock, tenants
from simulators.core.billing import yuan
from simulators.core.models import Tenant
from simulators.gateways import deliveries, docs, notify, trades
from simulators.gateways.alipay import models, signing
from simulators.gateways.alipay.errors import AlipayError, invalid, invalid_signature, missing
from simulators.gateways.alipay.schemas import AlipayAnswer, AlipayCashierPaidOut, AlipayGatewayForm, AlipayScannedOut

PREFIX = "/pay/alipay"
router = APIRouter(prefix=PREFIX, tags=["支付宝(模拟)"])
pages = web.templates(Path(__file__).with_name("templates"))
REQUIRED = ("app_id", "method", "sign_type", "sign", "timestamp", "version", "biz_content")
Handler = Callable[[Session, Tenant, dict[str, str], dict[str, Any]], Response]


GATEWAY_ANSWERS: docs.Responses = {
    200: {"model": AlipayAnswer, "description": "签名的JSON应答(拒绝时也是200:code不是10000,可不签名)"},
    302: {
        "description": "alipay.trade.wap.pay 受理:跳转到支付宝收银台",
        "headers": {
            "Location": {
                "description": "收银台地址 /pay/alipay/cashier/{trade_no}?redirect=…",
                "schema": {"type": "string"},
            }
        },
    },
    **docs.errors(*docs.SERVER),
}


@router.post(
    "/gateway.do",
    operation_id="alipayGateway",
    response_class=Response,
    summary="开放平台网关(手机网站支付、当面付预下单、查询、关闭、退款)",
    dependencies=docs.TENANT,
    responses=GATEWAY_ANSWERS,
    openapi_extra=docs.body(
        AlipayGatewayForm,
        "application/x-www-form-urlencoded",
        optional="公共参数也可放在查询字符串中;缺少必选参数时答支付宝的错误应答(200,40001 Missing Required Arguments)",
    ),
)
async def gateway(request: Request) -> Response:
    """The one entrance of the open platform: ``method`` picks wap pay, precreate, query, close or refund.
    Parameters come as a form (the common ones may also come in the query string), signed by the merchant."""
    body = (await request.body()).decode()
    params = {**dict(request.query_params), **dict(parse_qsl(body, keep_blank_values=True))}
    return await run_in_threadpool(_dispatch, request, params)


def _dispatch(request: Request, params: dict[str, str]) -> Response:
    method = params.get("method", "")
    try:
        answered = _handle(request, method, params)
        if method == "alipay.trade.query":
            deliveries.of(request).wake()  # a notification the query released (fault query_first)
        return answered
    except AlipayError as error:
        error.method = method if method in HANDLERS else ""
        raise


def _handle(request: Request, method: str, params: dict[str, str]) -> Response:
    for name in REQUIRED:
        if not params.get(name):
            raise missing(name)
    if method not in HANDLERS:
        raise invalid("isv.invalid-method", f"不存在的方法名{method}")
    if params["app_id"] != models.APP_ID:
        raise invalid("isv.invalid-app-id", "无效的AppID参数")
    if params["sign_type"] != signing.SIGN_TYPE:
        raise invalid("isv.invalid-signature-type", "无效的签名类型,应为RSA2")
    notify_url = params.get("notify_url", "")
    if notify_url and (not notify_url.startswith(("http://", "https://")) or len(notify_url) > 256):
        raise invalid("isv.invalid-notify-url", "notify_url应为http或https地址,最长256个字符")
    with web.tenant_transaction(request) as (session, tenant):
        if not signing.check_request(tenant.merchant_key, params):
            raise invalid_signature()
        try:
            biz = json.loads(params["biz_content"])
        except ValueError:
            biz = None
        if not isinstance(biz, dict):
            raise invalid("isv.invalid-biz-content", "biz_content应为JSON对象")
        return HANDLERS[method](session, tenant, params, biz)


def _answer(tenant: Tenant, method: str, payload: dict[str, object]) -> Response:
    return Response(
        signing.response_text(tenant.merchant_key, method, payload), media_type="application/json;charset=utf-8"
    )


def _wap_pay(session: Session, tenant: Tenant, params: dict[str, str], biz: dict[str, Any]) -> Response:
    """The payer's browser posts the signed form here and lands on the cashier."""
    trade = models.create(session, tenant, models.GATEWAY, models.OrderFields.parse(biz), params.get("notify_url", ""))
    cashier = f"{PREFIX}/cashier/{trade.prepay_id}?redirect={quote(params.get('return_url', ''), safe='')}"
    return RedirectResponse(cashier, status_code=302)


def _precreate(session: Session, tenant: Tenant, params: dict[str, str], biz: dict[str, Any]) -> Response:
    trade = models.create(
        session, tenant, models.QR_GATEWAY, models.OrderFields.parse(biz), params.get("notify_url", "")
    )
    return _answer(
        tenant,
        params["method"],
        {
            "code": signing.SUCCESS_CODE,
            "msg": "Success",
            "out_trade_no": trade.out_trade_no,
            "qr_code": models.qr_code(trade),
            "trade_no": trade.prepay_id,
        },
    )


def _query(session: Session, tenant: Tenant, params: dict[str, str], biz: dict[str, Any]) -> Response:
    trade = models.find(session, tenant, biz)
    notify.release_held(session, tenant, trade.gateway, trade.out_trade_no)
    return _answer(tenant, params["method"], models.query_body(trade, clock.now(tenant)))


def _close(session: Session, tenant: Tenant, params: dict[str, str], biz: dict[str, Any]) -> Response:
    trade = models.close(session, tenant, biz)
    return _answer(
        tenant,
        params["method"],
        {
            "code": signing.SUCCESS_CODE,
            "msg": "Success",
            "trade_no": trade.prepay_id,
            "out_trade_no": trade.out_trade_no,
        },
    )


def _refund(session: Session, tenant: Tenant, params: dict[str, str], biz: dict[str, Any]) -> Response:
    return _answer(tenant, params["method"], models.refund(session, tenant, biz))


HANDLERS: dict[str, Handler] = {
    "alipay.trade.wap.pay": _wap_pay,
    "alipay.trade.precreate": _precreate,
    "alipay.trade.query": _query,
    "alipay.trade.close": _close,
    "alipay.trade.refund": _refund,
}


# the payer's pages ------------------------------------------------------------------------------------------
def _shown(request: Request, trade_no: str, gateways: tuple[str, ...]) -> dict[str, object]:
    with web.database(request).transaction() as session:
        trade = models.at_cashier(session, trade_no, gateways)
        models.settle_time(tenants.get(session, trade.tenant_id), trade)
        return {
            "trade": trade,
            "trade_no": trade.prepay_id,
            "amount": yuan(trade.amount_fen),
            "merchant": models.MERCHANT,
            "open": trade.state == models.WAIT,
            "redirect": web.local_path(request.query_params.get("redirect", "")),
        }


@router.get(
    "/cashier/{trade_no}",
    response_class=Response,
    operation_id="alipayCashier",
    summary="支付宝收银台页面(付款人确认付款)",
    responses=docs.page("收银台页面"),
)
def cashier(request: Request, trade_no: str, redirect: str = "") -> HTMLResponse:
    """The Alipay cashier: amount, merchant, 确认付款; then back to ``redirect`` (a local path)."""
    return web.shown(
        request,
        pages.TemplateResponse(request, "alipay_cashier.html", _shown(request, trade_no, models.GATEWAYS)),
        "alipay",
        "alipay_cashier.html",
    )


@router.post(
    "/cashier/{trade_no}/pay",
    operation_id="alipayCashierPay",
    summary="在收银台确认付款(扣款或按故障计划拒绝)",
    responses=docs.errors(*docs.BUTTON),
)
def cashier_pay(request: Request, trade_no: str) -> AlipayCashierPaidOut:
    done = trades.confirm_at_cashier(request, lambda session: models.at_cashier(session, trade_no), models.pay)
    return AlipayCashierPaidOut(trade_status=done.state, message=done.desc)


@router.post(
    "/cashier/{trade_no}/cancel",
    operation_id="alipayCashierCancel",
    summary="在收银台取消支付(不扣款,交易关闭)",
    responses=docs.errors(*docs.BUTTON),
)
def cashier_cancel(request: Request, trade_no: str) -> AlipayCashierPaidOut:
    done = trades.cancel_at_cashier(request, lambda session: models.at_cashier(session, trade_no), models.cancel)
    return AlipayCashierPaidOut(trade_status=done.state, message=done.desc)


@router.get(
    "/qr/{trade_no}.png",
    operation_id="alipayQrImage",
    response_class=Response,
    summary="当面付二维码图片",
    responses=docs.png("二维码图片"),
)
def qr_image(request: Request, trade_no: str) -> Response:
    """The QR code of a precreate trade, as the PNG the payer saves."""
    with web.database(request).transaction() as session:
        payload = models.qr_code(models.at_cashier(session, trade_no, (models.QR_GATEWAY,)))
    return Response(qrcodes.png(payload), media_type="image/png")


@router.get(
    "/qr/{trade_no}",
    response_class=Response,
    operation_id="alipayQrPage",
    summary="当面付二维码页面(保存后用支付宝扫码)",
    responses=docs.page("二维码页面"),
)
def qr_page(request: Request, trade_no: str, redirect: str = "") -> HTMLResponse:
    """The QR code to save and scan with the Alipay app, and 我已完成支付 back to ``redirect``."""
    return pages.TemplateResponse(request, "alipay_qr.html", _shown(request, trade_no, (models.QR_GATEWAY,)))


@router.get(
    "/scan",
    response_class=Response,
    operation_id="alipayScanPage",
    summary="支付宝扫一扫页面",
    responses=docs.page("扫一扫页面", 500),
)
def scan_page(request: Request) -> HTMLResponse:
    """The Alipay app's 扫一扫, with 从相册选择 for a saved QR code."""
    return pages.TemplateResponse(request, "alipay_scan.html", {})


@router.post(
    "/scan",
    operation_id="alipayScan",
    summary="识别相册中的付款码图片,得到收银台地址",
    responses=docs.errors(400, 403, 413, 422, 500),
    openapi_extra=docs.image_body(qrcodes.IMAGE_TYPES),
)
async def scan(request: Request) -> AlipayScannedOut:
    """The raw bytes of a PNG or JPEG picture: the cashier of the open QR trade it shows."""
    payloads = await qrcodes.read_upload(request, "付款码图片")
    return await run_in_threadpool(_scan, request, payloads)


def _scan(request: Request, payloads: list[str]) -> AlipayScannedOut:
    with web.database(request).transaction() as session:
        trade = models.scanned(session, payloads)
        return AlipayScannedOut(cashier_url=f"{PREFIX}/cashier/{trade.prepay_id}")


async def error_handler(_request: Request, error: Exception) -> Response:
    assert isinstance(error, AlipayError)
    return Response(error.text(), media_type="application/json;charset=utf-8")


def install(app: FastAPI) -> None:
    """What the provider sets up when the app starts: how its notifications are acknowledged, resent and signed."""
    models.install_notifications()
