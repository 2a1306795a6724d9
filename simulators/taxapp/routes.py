"""The 宁波税务 APP: its pages under /taxapp/ and its JSON back end under /taxapp/api/."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from simulators import account_api, app_pages, channel_api, web
from simulators.core.billing import ID_TYPES
from simulators.taxapp import models

pages = web.templates(Path(__file__).with_name("templates"))
router = APIRouter(tags=["宁波税务APP"])
C = models.CHANNEL
SBJF = f"/{C}/sbjf"

# Guide step 3: 本人 is the logged-in account's person; 他人 only after the check of the five fields. Step 4: an
# amount the system generates needs no choice, only its item ticked.
backend = channel_api.ChannelBackend(
    channel=C,
    label=models.APP.label,
    visitor=models.APP.visitor,
    admit=models.APP.admit,
    gateways=models.GATEWAYS,
    login=models.APP.key,
    result_page=lambda order_no: f"{SBJF}/result?order_no={order_no}",
    system_choice=f"请勾选【{app_pages.SYSTEM_ITEM}】条目,缴费金额由系统自动生成,无需选择",
    arrears_first=app_pages.ARREARS_FIRST,
)


def _page(request: Request, template: str, *, signed_in: bool = True, **context: object) -> Response:
    """A page of the app; pages behind the login send a person to 登录 or to the choice of 个人业务 first."""
    return app_pages.page(pages, models.APP, request, template, signed_in=signed_in, app=models.APP.app, **context)


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


# 启动页, 注册, 登录, and 社保缴费's (城乡养老)缴费 (the guide's 第3–6步), result, 已缴费查询 and 打印缴费回执单
app_pages.add_pages(
    router,
    models.APP,
    _page,
    section=SBJF,
    register={"id_types": ID_TYPES},
    pension={"id_types": ID_TYPES, "third_party": models.THIRD_PARTY, "agreement": models.AGREEMENT},
)

routers = (
    router,
    account_api.account_router(models.APP),
    channel_api.payment_router(backend),
    channel_api.notification_router(C),
)
__all__ = ["routers"]
