"""The 宁波市电子税务局: its desktop pages under /etax/, its JSON back end under /etax/api/, and the tax apps'
扫一扫 that confirms a QR login (/etax/scan)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from simulators import account_api, app_pages, channel_api, qrcodes, web
from simulators.core import accounts, qrlogin
from simulators.core.errors import SimError
from simulators.core.responses import QrScannedOut
from simulators.core.schemas import one_of
from simulators.etax import models

pages = web.templates(Path(__file__).with_name("templates"))
router = APIRouter(tags=["电子税务局"])
api = APIRouter(
    prefix="/etax/api",
    tags=["电子税务局 扫码登录"],
    responses=web.ERROR_RESPONSES,
    dependencies=[Depends(web.declared_tenant)],
)
C = models.CHANNEL
SBJF = f"/{C}/bszx/sbjf"

# Guide step 5: 本人 is the logged-in account's person; 他人 only after the check of 姓名, 证件号码, 手机号码 and
# the random code.
backend = channel_api.ChannelBackend(
    channel=C,
    label=models.APP.label,
    visitor=models.APP.visitor,
    admit=models.APP.admit,
    gateways=models.GATEWAYS,
    login=models.APP.key,
    result_page=lambda order_no: f"{SBJF}/result?order_no={order_no}",
    system_choice=app_pages.TICK_AND_PAY,
    arrears_first=app_pages.ARREARS_FIRST,
)


def _user(request: Request) -> str:
    """The name of the person logged in, for the top bar ('' when nobody is)."""
    try:
        with web.tenant_transaction(request) as (session, tenant):
            return models.APP.login(request, session, tenant).person.name
    except SimError:
        return ""


def _page(request: Request, template: str, *, signed_in: bool = True, **context: object) -> Response:
    """A page of the site; pages behind the login send a person to 登录 first."""
    return app_pages.page(
        pages,
        models.APP,
        request,
        template,
        signed_in=signed_in,
        app=models.NAME,
        user=_user(request),
        navigation=models.NAVIGATION,
        **context,
    )


@router.get("/etax/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> Response:
    """首页, with 【登录】 at the top right."""
    return _page(request, "etax_home.html", signed_in=False)


@router.get("/etax/login/verify", response_class=HTMLResponse, include_in_schema=False)
def verify(request: Request) -> Response:
    """登录验证: 短信验证, 税务APP扫码 or 个人所得税APP扫码; only for a login waiting for its second factor."""
    try:
        with web.tenant_transaction(request) as (session, tenant):
            accounts.half_done(session, tenant, C, models.APP.token(request), models.NAME)
    except SimError:  # no half-done login: a whole one goes home, anyone else to 登录
        logged_in = not models.APP.signed_in(request)
        return RedirectResponse(f"/{C}/" if logged_in else f"/{C}/login", status_code=303)
    return _page(request, "etax_verify.html", signed_in=False, factors=account_api.SECOND_FACTORS)


@router.get("/etax/bszx", response_class=HTMLResponse, include_in_schema=False)
def tax_centre(request: Request) -> Response:
    """办税中心."""
    return _page(request, "etax_bszx.html")


@router.get("/etax/bszx/sswbl", response_class=HTMLResponse, include_in_schema=False)
def tax_business(request: Request) -> Response:
    """涉税业务办理: the categories; 社保缴费 is simulated."""
    return _page(request, "etax_sswbl.html", categories=models.CATEGORIES)


@router.get("/etax/bszx/sbjf", response_class=HTMLResponse, include_in_schema=False)
def social_insurance(request: Request) -> Response:
    """社保缴费: 社保缴费办理(城乡养老), 已缴费查询, 社保费电子缴款回执单."""
    return _page(request, "etax_sbjf.html")


# 注册, 登录, and 社保缴费's 社保缴费办理(城乡养老) (the guide's 第5–7步), result, 已缴费查询 and 社保费电子缴款回执单
RECEIPT = "社保费电子缴款回执单"  # the guide's step 8: the receipts' page and each PDF are titled so
app_pages.add_pages(
    router,
    models.APP,
    _page,
    section=SBJF,
    launch=False,
    receipts=RECEIPT,
    pension={"third_party": models.THIRD_PARTY, "agreement": models.AGREEMENT},
)


# The tax apps' 扫一扫 (税务APP, 个人所得税APP), as the person's phone: a picture of the login QR code --------------
@router.get("/etax/scan", response_class=HTMLResponse, include_in_schema=False)
def scan_page(request: Request) -> Response:
    """The phone's 扫一扫 in 税务APP or 个人所得税APP, with 从相册选择 for a picture of the login QR code."""
    return web.page(pages, request, "etax_scan.html", apps=qrlogin.APPS)


PICTURE = {
    "requestBody": {
        "required": True,
        "description": "登录二维码的照片或截图(PNG 或 JPEG 原始字节)",
        "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in sorted(qrcodes.IMAGE_TYPES)},
    }
}


@api.post(
    "/scans",
    operation_id="etaxScanLoginQr",
    response_model=QrScannedOut,
    openapi_extra=PICTURE,
    summary="用税务APP或个人所得税APP扫描登录二维码",
)
async def scan(
    request: Request,
    scan_app: str = Query(
        json_schema_extra=one_of(qrlogin.APPS),
        description="扫码的APP:" + "、".join(f"{k}({v})" for k, v in qrlogin.APPS.items()),
    ),
) -> dict[str, object]:
    """The raw bytes of a PNG or JPEG picture of a login QR code, scanned with ``scan_app`` (taxapp: 税务APP,
    iit: 个人所得税APP), and the login confirmed on the phone. The login page then lets the person in."""
    qrlogin.app_name(scan_app)
    payloads = await qrcodes.read_upload(request, "二维码图片")
    return await run_in_threadpool(_confirm, request, payloads, scan_app)


def _confirm(request: Request, payloads: list[str], scan_app: str) -> dict[str, object]:
    with web.tenant_transaction(request) as (session, tenant):
        ticket = qrlogin.scanned(session, tenant, payloads, scan_app)
        return {
            "ticket": ticket.id,
            "state": qrlogin.state(tenant, ticket),
            "message": f"已在{qrlogin.APPS[scan_app]}上确认登录{models.NAME},请在电脑上点击【登录】",
        }


routers = (
    router,
    api,
    account_api.account_router(models.APP, receipt_title=RECEIPT),
    channel_api.payment_router(backend),
    channel_api.notification_router(C),
)
__all__ = ["routers"]
