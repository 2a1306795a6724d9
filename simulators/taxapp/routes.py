"""The 宁波税务 APP: its pages under /taxapp/ and its JSON back end under /taxapp/api/."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from simulators import account_api, channel_api, web
from simulators.gateways import merchant
from simulators.taxapp import models

pages = web.templates(Path(__file__).with_name("templates"))
router = APIRouter(tags=["宁波税务APP"])
C = models.CHANNEL

# Guide step 3: 本人 is the logged-in account's person; 他人 only after the check of the five fields.
backend = channel_api.ChannelBackend(
    channel=C, label=models.APP.label, visitor=models.APP.visitor, admit=models.APP.admit,
    gateways=models.GATEWAYS, result_page=lambda order_no: f"/{C}/sbjf/result?order_no={order_no}",
)


def _page(request: Request, template: str, *, signed_in: bool = True, **context: object) -> Response:
    """A page of the app; pages behind the login send a person to 登录 or to the choice of 个人业务 first."""
    if signed_in:
        target = models.APP.signed_in(request)
        if target:
            return RedirectResponse(target, status_code=303)
    return web.page(pages, request, template, channel=C, app=models.APP.app, **context)


@router.get("/taxapp/", response_class=HTMLResponse, include_in_schema=False)
def launch(request: Request) -> Response:
    """The app opened: 登录 or 注册; a person still logged in goes straight to the home page."""
    if not models.APP.signed_in(request):
        return RedirectResponse(f"/{C}/home", status_code=303)
    return _page(request, "taxapp_launch.html", signed_in=False)


@router.get("/taxapp/register", response_class=HTMLResponse, include_in_schema=False)
def register(request: Request) -> Response:
    return _page(request, "taxapp_register.html", signed_in=False)


@router.get("/taxapp/login", response_class=HTMLResponse, include_in_schema=False)
def login(request: Request) -> Response:
    return _page(request, "taxapp_login.html", signed_in=False)


@router.get("/taxapp/identity", response_class=HTMLResponse, include_in_schema=False)
def identity(request: Request) -> Response:
    """注册并选择【个人业务】."""
    if models.APP.signed_in(request) == f"/{C}/login":
        return RedirectResponse(f"/{C}/login", status_code=303)
    return _page(request, "taxapp_identity.html", signed_in=False)


@router.get("/taxapp/home", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> Response:
    return _page(request, "taxapp_home.html", services=models.SERVICES)


@router.get("/taxapp/sbjf", response_class=HTMLResponse, include_in_schema=False)
def social_insurance(request: Request) -> Response:
    return _page(request, "taxapp_sbjf.html")


@router.get("/taxapp/sbjf/cxyl", response_class=HTMLResponse, include_in_schema=False)
def pension(request: Request) -> Response:
    """(城乡养老)缴费: guide steps 3–6."""
    return _page(request, "taxapp_cxyl.html", third_party=models.THIRD_PARTY, agreement=models.AGREEMENT)


@router.get("/taxapp/sbjf/result", response_class=HTMLResponse, include_in_schema=False)
def result(request: Request) -> Response:
    return _page(request, "taxapp_result.html")


@router.get("/taxapp/sbjf/records", response_class=HTMLResponse, include_in_schema=False)
def records(request: Request) -> Response:
    """已缴费查询: the payments of 本人 and of the 他人 verified in this login."""
    return _page(request, "taxapp_records.html", title="已缴费查询")


@router.get("/taxapp/sbjf/receipts", response_class=HTMLResponse, include_in_schema=False)
def receipts(request: Request) -> Response:
    """打印缴费回执单: the same payments, each with its receipt."""
    return _page(request, "taxapp_records.html", title="打印缴费回执单")


routers = (router, account_api.account_router(models.APP), channel_api.payment_router(backend),
           merchant.notification_router(C))
__all__ = ["routers"]
