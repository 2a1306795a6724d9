"""The Alipay channel: Alipay's home, search and 应用中心 → 市民中心 → 税务 pages, the 宁波社保缴费 mini-program
under /alipay/, and its JSON back end under /alipay/api/ (login, authorization, 缴费批扣定档 and the shared
社保缴费 routes)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import Field
from sqlalchemy.orm import Session

from simulators import channel_api, web
from simulators.alipay import models
from simulators.core import billing, clock, defects, idnumber
from simulators.core.errors import NotAuthorized
from simulators.core.models import ChannelSession, Person, Tenant
from simulators.core.responses import (
    AlipayAuthorizedOut,
    AlipayIdentityOut,
    AlipaySignedInOut,
    AlipayUnauthorizedOut,
    BatchOut,
    EnrolmentOut,
    OkOut,
)
from simulators.core.schemas import PHONE, Strict
from simulators.gateways.bank import batch
from simulators.gateways.bank import models as bank

pages = web.templates(Path(__file__).with_name("templates"))
router = APIRouter(tags=["支付宝小程序"])
api = APIRouter(
    prefix="/alipay/api",
    tags=["支付宝小程序 后端"],
    responses=web.ERROR_RESPONSES,
    dependencies=[Depends(web.declared_tenant)],
)
C = models.CHANNEL
LOGIN = channel_api.LoginKey.of(
    models.TOKEN_HEADER,
    models.TOKEN_COOKIE,
    "登录支付宝后得到的令牌",
    header_scheme="alipayToken",
    cookie_scheme="alipayTokenCookie",
)
# The account as 宁波社保缴费 sees it: its real-name identity only once the mini-program is authorized.
AccountOut = Annotated[AlipayUnauthorizedOut | AlipayAuthorizedOut, Field(discriminator="authorized")]
# 应用中心 → 市民中心: the categories of services and what 税务 holds (the others are scenery).
CITIZEN_CATEGORIES = {
    "社保": ("社保查询", "电子社保卡", "养老金测算"),
    "公积金": ("公积金查询", "公积金提取"),
    "医疗": ("医保电子凭证", "预约挂号"),
    "税务": (models.MINI_PROGRAM, "个税查询", "发票查验"),
    "交通": ("违章查询", "交通罚款缴纳"),
}


class LoginIn(Strict):
    phone: str = Field(min_length=1, max_length=20, json_schema_extra=PHONE, description="手机号码(11位,以1开头)")


class RegisterIn(LoginIn):
    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=1, max_length=18)


class EnrolIn(Strict):
    year: int = Field(ge=1900, le=2100)
    tier: int = Field(ge=0, le=100000)


def _login(request: Request, session: Session, tenant: Tenant) -> tuple[ChannelSession, models.AlipayAccount]:
    return models.current(session, tenant, LOGIN(request))


def _visitor(request: Request, session: Session, tenant: Tenant) -> str:
    """Who is at the screen: the logged-in Alipay account, as Alipay's gateway knows its buyer."""
    return _login(request, session, tenant)[1].user_id


def _own_person(request: Request, session: Session, tenant: Tenant) -> Person:
    """我为自己缴: the authorized account's own person in the payer registry (never a typed identity)."""
    record, account = _login(request, session, tenant)
    me = models.identity(record, account)
    return billing.find_payer(
        session, tenant, name=me.name, id_type=me.id_type, id_number=me.id_number, today=clock.now(tenant).date()
    )


# Guide step 2: 我为自己缴 sends the identity the account gave the mini-program; 我帮他人缴 names anyone by name
# and ID number. Either way the registry decides, through the plain admission; the login is required throughout.
backend = channel_api.ChannelBackend(
    channel=C,
    label="支付宝小程序",
    visitor=_visitor,
    gateways=models.GATEWAYS,
    login=LOGIN,
    result_page=lambda order_no: f"/{C}/sbjf?order_no={order_no}",
)


def _account_json(account: models.AlipayAccount, *, identity: bool) -> dict[str, object]:
    shown: dict[str, object] = {
        "user_id": account.user_id,
        "phone": idnumber.mask_phone(account.phone),
        "name": account.name,
    }
    if identity:  # the account's own real-name identity, for the mini-program it authorized (本人)
        shown.update(id_type=account.id_type, id_number=account.id_number, masked_id=idnumber.mask(account.id_number))
    return shown


def _signed_in(response: Response, token: str, account: models.AlipayAccount) -> dict[str, object]:
    response.set_cookie(models.TOKEN_COOKIE, token, httponly=True, samesite="lax")
    return {"token": token, "account": _account_json(account, identity=False)}


@api.post("/login", operation_id="alipayLogin", response_model=AlipaySignedInOut, summary="用手机号码登录支付宝")
def login(request: Request, response: Response, body: LoginIn) -> dict[str, object]:
    """登录支付宝 on the simulated phone, by the account's phone number."""
    with web.tenant_transaction(request) as (session, tenant):
        token = models.log_in(session, tenant, body.phone)
        return _signed_in(response, token, models.current(session, tenant, token)[1])


@api.post(
    "/register", operation_id="alipayRegister", response_model=AlipaySignedInOut, summary="实名认证并注册支付宝账号"
)
def register(request: Request, response: Response, body: RegisterIn) -> dict[str, object]:
    """实名认证 of a phone that has no Alipay account yet: name and resident ID number."""
    with web.tenant_transaction(request) as (session, tenant):
        token = models.register(session, tenant, body.phone, body.name, body.id_number)
        return _signed_in(response, token, models.current(session, tenant, token)[1])


@api.post(
    "/logout", operation_id="alipayLogout", response_model=OkOut, summary="退出支付宝登录", dependencies=LOGIN.required
)
def logout(request: Request, response: Response) -> dict[str, object]:
    with web.tenant_transaction(request) as (session, tenant):
        record, _account = _login(request, session, tenant)
        session.delete(record)
    response.delete_cookie(models.TOKEN_COOKIE)
    return {"ok": True}


@api.post(
    "/oauth/authorize",
    operation_id="alipayAuthorize",
    response_model=AlipayIdentityOut,
    summary="同意授权小程序读取姓名和身份证号码",
    dependencies=LOGIN.required,
)
def authorize(request: Request) -> dict[str, object]:
    """同意授权: 宁波社保缴费 may read the account's name and ID number (for 我为自己缴)."""
    with web.tenant_transaction(request) as (session, tenant):
        record, account = _login(request, session, tenant)
        models.authorize(record)
        return _account_json(account, identity=True)


@api.get(
    "/account",
    operation_id="alipayAccount",
    response_model=AccountOut,
    summary="查询登录的支付宝账号",
    dependencies=LOGIN.required,
)
def account(request: Request) -> dict[str, object]:
    """The logged-in account; its real-name identity once the mini-program is authorized."""
    with web.tenant_transaction(request) as (session, tenant):
        record, found = _login(request, session, tenant)
        authorized = bool((record.data or {}).get(models.AUTHORIZED))
        return {**_account_json(found, identity=authorized), "authorized": authorized}


@api.get(
    "/batch",
    operation_id="alipayBatchDeduction",
    response_model=BatchOut,
    summary="查询缴费批扣定档",
    dependencies=LOGIN.required,
)
def batch_view(request: Request) -> dict[str, object]:
    """缴费批扣定档: the account's agreement, this year's tiers and next batch day, and its enrolments."""
    with web.tenant_transaction(request) as (session, tenant):
        person = _own_person(request, session, tenant)
        ref = web.reference(request)
        now = clock.now(tenant)
        season = defects.at(tenant, "reference.season", ref.season_year(now.date()))
        agreement = bank.valid(session, tenant, person.id_number)
        problem = bank.problem(session, tenant, person.id_number)
        day = ref.next_batch_day(season.year, now) if season else None
        paid = billing.statement(session, ref, person, now.date()).current_paid
        return {
            "payer": {"name": person.name, "id_number": idnumber.mask(person.id_number)},
            "agreement": bank.agreement_json(agreement, balance=False) if agreement else None,
            "problem": f"{problem[1]},不能选择【缴费批扣定档】" if problem else None,
            "years": [season.year] if season else [],
            "tiers": list(season.tiers) if season else [],
            "next_day": day.isoformat() if day else None,
            "paid": f"{season.year}年度城乡居民基本养老保险费已缴纳" if season and paid else None,
            "enrolments": [batch.enrolment_json(e) for e in batch.of_person(session, tenant, person)],
        }


@api.post(
    "/batch/enrolments",
    status_code=201,
    operation_id="alipayBatchEnrol",
    response_model=EnrolmentOut,
    summary="确认批量扣款的缴费档次",
    dependencies=LOGIN.required,
)
def batch_enrol(request: Request, body: EnrolIn) -> dict[str, object]:
    """确认 a tier for the bank's batch deduction: only for the account's own person and under a valid agreement."""
    with web.tenant_transaction(request) as (session, tenant):
        person = _own_person(request, session, tenant)
        enrolment = batch.enrol(
            session, web.reference(request), tenant, person, channel=C, year=body.year, tier=body.tier
        )
        return batch.enrolment_json(enrolment)


# pages ----------------------------------------------------------------------------------------------------------
def _page(request: Request, template: str, **context: object) -> Response:
    """A page of the phone's Alipay; without a login on the phone it opens 登录支付宝 first."""
    with web.tenant_transaction(request) as (session, tenant):
        try:
            _record, found = _login(request, session, tenant)
        except NotAuthorized:
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            query = {
                "next": here,
                **({web.TENANT_COOKIE: v} if (v := request.query_params.get(web.TENANT_COOKIE)) else {}),
            }
            return RedirectResponse(f"/{C}/login?{urlencode(query, safe='/', quote_via=quote)}", status_code=303)
        phone = idnumber.mask_phone(found.phone)
    return web.page(pages, request, template, channel=C, phone=phone, **context)


@router.get("/alipay/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "") -> HTMLResponse:
    return web.page(pages, request, "alipay_login.html", channel=C, next=web.local_path(next) or f"/{C}/")


@router.get("/alipay/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> Response:
    """Alipay's home: the search box and the grid of apps, with 更多."""
    return _page(request, "alipay_home.html")


@router.get("/alipay/search", response_class=HTMLResponse, include_in_schema=False)
def search(request: Request, q: str = "") -> Response:
    """The home's search box: the way in of guide step 1 (搜索“宁波社保缴费”)."""
    query = q.strip()[:50]
    return _page(request, "alipay_search.html", query=query, found=bool(query) and query in models.MINI_PROGRAM)


@router.get("/alipay/apps", response_class=HTMLResponse, include_in_schema=False)
def app_centre(request: Request) -> Response:
    """更多 → 应用中心."""
    return _page(request, "alipay_apps.html")


@router.get("/alipay/citizen", response_class=HTMLResponse, include_in_schema=False)
def citizen_centre(request: Request) -> Response:
    """市民中心, with its categories (税务 holds 宁波社保缴费)."""
    return _page(request, "alipay_citizen.html", categories=CITIZEN_CATEGORIES)


@router.get("/alipay/sbjf", response_class=HTMLResponse, include_in_schema=False)
def mini_program(request: Request) -> Response:
    """The 宁波社保缴费 mini-program: the guide's 第2–6步."""
    return _page(request, "alipay_sbjf.html")


routers = (router, api, channel_api.payment_router(backend), channel_api.notification_router(C))
__all__ = ["routers"]
