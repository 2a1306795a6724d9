"""The WeChat channel: its pages under /wechat/ and its JSON back end under /wechat/api/."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from simulators import channel_api, web
from simulators.core.models import Tenant
from simulators.gateways import merchant
from simulators.wechat import models

pages = web.templates(Path(__file__).with_name("templates"))
router = APIRouter(tags=["微信公众号"])
api = APIRouter(prefix="/wechat/api", tags=["微信公众号 后端"], responses=web.ERROR_RESPONSES)


def _openid(request: Request, session: Session, tenant: Tenant) -> str:
    given = request.headers.get(models.OPENID_HEADER) or request.cookies.get(models.OPENID_COOKIE)
    return models.require_openid(session, tenant, given)


# Guide step 3: WeChat pays for anyone named by name, ID type and number (the plain admission).
backend = channel_api.ChannelBackend(
    channel=models.CHANNEL, label="微信公众号", visitor=_openid, gateways=models.GATEWAYS,
    result_page=lambda order_no: f"/wechat/sbjf?order_no={order_no}",
)


@api.post("/oauth/authorize", operation_id="wechatAuthorize")
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
    return web.page(pages, request, "wechat_search.html", channel=models.CHANNEL, query=query,
                    found=bool(query) and query in models.ACCOUNT_NAME)


@router.get("/wechat/", response_class=HTMLResponse, include_in_schema=False)
def official_account(request: Request) -> HTMLResponse:
    return web.page(pages, request, "wechat_account.html", channel=models.CHANNEL)


@router.get("/wechat/sbjf", response_class=HTMLResponse, include_in_schema=False)
def payment_app(request: Request) -> HTMLResponse:
    return web.page(pages, request, "wechat_sbjf.html", channel=models.CHANNEL)


routers = (router, api, channel_api.payment_router(backend), merchant.notification_router(models.CHANNEL))
__all__ = ["routers"]
