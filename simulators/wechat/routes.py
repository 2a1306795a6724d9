"""The WeChat channel: its pages under /wechat/ and its JSON back end under /wechat/api/."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from simulators import channel_api, web
from simulators.core.models import Tenant
from simulators.core.responses import OpenidOut
from simulators.wechat import models

pages = web.templates(Path(__file__).with_name("templates"))
router = APIRouter(tags=["微信公众号"])
api = APIRouter(
    prefix="/wechat/api",
    tags=["微信公众号 后端"],
    responses=web.ERROR_RESPONSES,
    dependencies=[Depends(web.declared_tenant)],
)
LOGIN = channel_api.LoginKey.of(
    models.OPENID_HEADER,
    models.OPENID_COOKIE,
    "微信授权(同意授权)后得到的 openid",
    header_scheme="wechatOpenid",
    cookie_scheme="wechatOpenidCookie",
)


def _openid(request: Request, session: Session, tenant: Tenant) -> str:
    return models.require_openid(session, tenant, LOGIN(request))


# Guide step 3: WeChat pays for anyone named by name, ID type and number (the plain admission).
backend = channel_api.ChannelBackend(
    channel=models.CHANNEL,
    label="微信公众号",
    visitor=_openid,
    gateways=models.GATEWAYS,
    login=LOGIN,
    result_page=lambda order_no: f"/wechat/sbjf?order_no={order_no}",
)


@api.post("/oauth/authorize", operation_id="wechatAuthorize", response_model=OpenidOut, summary="同意授权,取得 openid")
def authorize(request: Request, response: Response) -> dict[str, str]:
    """同意授权: the official account receives an openid for this person."""
    with web.tenant_transaction(request) as (session, tenant):
        openid = models.authorize(session, tenant)
    response.set_cookie(models.OPENID_COOKIE, openid, httponly=True, samesite="lax")
    return {"openid": openid}


@router.get("/wechat/search", response_class=HTMLResponse, include_in_schema=False)
def search(request: Request, q: str = "") -> HTMLResponse:
    """WeChat's search box: the way in of guide step 1 (搜索“宁波税务”)."""
    query = q.strip()[:50]
    return web.page(
        pages,
        request,
        "wechat_search.html",
        channel=models.CHANNEL,
        query=query,
        found=bool(query) and query in models.ACCOUNT_NAME,
    )


@router.get("/wechat/", response_class=HTMLResponse, include_in_schema=False)
def official_account(request: Request) -> HTMLResponse:
    return web.page(pages, request, "wechat_account.html", channel=models.CHANNEL)


@router.get("/wechat/sbjf", response_class=HTMLResponse, include_in_schema=False)
def payment_app(request: Request) -> HTMLResponse:
    return web.page(pages, request, "wechat_sbjf.html", channel=models.CHANNEL)


routers = (router, api, channel_api.payment_router(backend), channel_api.notification_router(models.CHANNEL))
__all__ = ["routers"]
