"""The 浙里办 APP: its pages under /zheliban/ and its JSON back end under /zheliban/api/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field

from simulators import account_api, app_pages, channel_api, web
from simulators.core.errors import NotAuthorized
from simulators.core.idnumber import County
from simulators.core.responses import ChosenDistrictOut, DistrictsOut
from simulators.core.schemas import Strict, one_of
from simulators.zheliban import models

pages = web.templates(Path(__file__).with_name("templates"))
router = APIRouter(tags=["浙里办APP"])
api = APIRouter(
    prefix="/zheliban/api",
    tags=["浙里办APP 办事服务"],
    responses=web.ERROR_RESPONSES,
    dependencies=[Depends(web.declared_tenant), *models.APP.key.required],
)
C = models.CHANNEL
SBF = f"/{C}/sbf"

# Guide step 5: 本人 is the logged-in account's person; 他人 only after the check of the five fields. The bureau
# on the records is the chosen district's (step 2). Step 6: an amount the system generates needs no choice: tick its
# item, then 【缴费】.
backend = channel_api.ChannelBackend(
    channel=C,
    label=models.APP.label,
    visitor=models.APP.visitor,
    admit=models.admit,
    tax_district=models.tax_district,
    gateways=models.GATEWAYS,
    login=models.APP.key,
    result_page=lambda order_no: f"{SBF}/result?order_no={order_no}",
    system_choice=app_pages.TICK_AND_PAY,
    arrears_first=app_pages.ARREARS_FIRST,
)


class DistrictIn(Strict):
    district: str = Field(
        min_length=1,
        max_length=10,
        json_schema_extra=one_of([c.name for c in models.DISTRICTS]),
        description="宁波市的区、县(市)名称,如奉化区",
    )


# 办事服务: the district --------------------------------------------------------------------------------------------
@api.get("/districts", operation_id="zhelibanDistricts", response_model=DistrictsOut, summary="查询可选择的区(县、市)")
def districts(request: Request) -> dict[str, object]:
    """宁波市's districts and counties to choose from, each with its tax bureau, and the one this login chose."""
    with web.tenant_transaction(request) as (session, tenant):
        county = models.chosen(models.APP.personal(request, session, tenant))
    ref = web.reference(request)
    return {
        "city": models.CITY,
        "chosen": county.name if county else None,
        "districts": [
            {"name": c.name, "code": c.code, "tax_authority": models.bureau(ref, c)} for c in models.DISTRICTS
        ],
    }


@api.post(
    "/district", operation_id="zhelibanChooseDistrict", response_model=ChosenDistrictOut, summary="选择办事的区(县、市)"
)
def choose_district(request: Request, body: DistrictIn) -> dict[str, object]:
    """选择【奉化区】: the district whose 线上一站办 (and tax bureau) the person goes on with."""
    county = models.district(body.district)
    with web.tenant_transaction(request) as (session, tenant):
        models.choose(models.APP.personal(request, session, tenant), county)
    return {
        "district": county.name,
        "code": county.code,
        "tax_authority": models.bureau(web.reference(request), county),
    }


# pages -------------------------------------------------------------------------------------------------------------
def _where(request: Request) -> tuple[str, County | None]:
    """Where a page behind the login sends a person ('' to stay), and the district chosen."""
    try:
        with web.tenant_transaction(request) as (session, tenant):
            return "", models.chosen(models.APP.personal(request, session, tenant))
    except NotAuthorized:
        return f"/{C}/login", None


def _page(
    request: Request,
    template: str,
    *,
    signed_in: bool = True,
    district: bool = False,
    of_district: Callable[[County], dict[str, object]] | None = None,
    **context: object,
) -> Response:
    """A page of the app; behind the login it needs one, and a district's pages need a district chosen
    (``of_district``: more of the page's context, from the district)."""
    county = None
    if signed_in:
        target, county = _where(request)
        if not target and (district or of_district) and county is None:
            target = f"/{C}/services"
        if target:
            return RedirectResponse(target, status_code=303)
    ref = web.reference(request)
    if county and of_district:
        context.update(of_district(county))
    return web.page(
        pages,
        request,
        template,
        channel=C,
        app=models.APP.app,
        county=county,
        bureau=models.bureau(ref, county) if county else "",
        **context,
    )


@router.get("/zheliban/home", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> Response:
    """首页: guide step 1, 【办事服务】."""
    return _page(request, "zheliban_home.html", services=models.HOME_SERVICES)


@router.get("/zheliban/services", response_class=HTMLResponse, include_in_schema=False)
def services(request: Request) -> Response:
    """办事服务: choose the district (guide step 2)."""
    return _page(request, "zheliban_services.html", city=models.CITY, districts=models.DISTRICTS)


@router.get("/zheliban/area", response_class=HTMLResponse, include_in_schema=False)
def area(request: Request) -> Response:
    """The chosen district's 办事服务: 【线上一站办】."""
    return _page(request, "zheliban_area.html", district=True, services=models.AREA_SERVICES)


@router.get("/zheliban/yzb", response_class=HTMLResponse, include_in_schema=False)
def one_stop(request: Request) -> Response:
    """线上一站办 → 【按部门】: the district's departments, its tax bureau among them."""
    ref = web.reference(request)
    return _page(
        request, "zheliban_yzb.html", of_district=lambda county: {"departments": models.departments(ref, county)}
    )


@router.get("/zheliban/dept", response_class=HTMLResponse, include_in_schema=False)
def tax_bureau(request: Request) -> Response:
    """The district tax bureau's 事项: 【社会保险费及非税收入业务办理】 → 【城乡居民社会保险费申报缴费】 (step 3)."""
    return _page(request, "zheliban_dept.html", district=True, groups=models.TAX_ITEMS, simulated=models.RESIDENTS_FEE)


@router.get("/zheliban/sbf", response_class=HTMLResponse, include_in_schema=False)
def residents_fee(request: Request) -> Response:
    """城乡居民社会保险费申报缴费: 【在线办理】 → 【(城乡养老)缴费】 (guide step 4)."""
    return _page(request, "zheliban_sbf.html", district=True, item=models.RESIDENTS_FEE)


# 启动页, 注册, 登录, and the district's 城乡居民社会保险费申报缴费: (城乡养老)缴费 (the guide's 第5–8步), result,
# 已缴费查询 (step 9) and 打印缴费回执单; the pages on the way through it need a district chosen
app_pages.add_pages(
    router,
    models.APP,
    _page,
    section=SBF,
    register={"id_types": models.ID_TYPES},
    behind={"district": True},
    pension={"id_types": models.ID_TYPES, "third_party": models.THIRD_PARTY, "agreement": models.AGREEMENT},
)

routers = (
    router,
    api,
    account_api.account_router(models.APP),
    channel_api.payment_router(backend),
    channel_api.notification_router(C),
)
__all__ = ["routers"]
