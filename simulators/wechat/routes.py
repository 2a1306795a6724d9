"""The WeChat channel: its pages under /wechat/ and its JSON back end under /wechat/api/."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from simulators import web
from simulators.core import billing, clock
from simulators.core.errors import InvalidInput
from simulators.core.models import PENSION, PaymentRecord, Person, Tenant
from simulators.core.schemas import (
    OrderIn,
    PayerIn,
    PayIn,
    SelectionIn,
    items_json,
    order_json,
    payer_json,
    quote_json,
    record_json,
)
from simulators.gateways import merchant
from simulators.wechat import models

pages = web.templates(Path(__file__).with_name("templates"))
router = APIRouter(tags=["微信公众号"])
api = APIRouter(prefix="/wechat/api", tags=["微信公众号 后端"], responses=web.ERROR_RESPONSES)


def _openid(request: Request, session: Session, tenant: Tenant) -> str:
    given = request.headers.get(models.OPENID_HEADER) or request.cookies.get(models.OPENID_COOKIE)
    return models.require_openid(session, tenant, given)


def _payer(request: Request, session: Session, tenant: Tenant, payer: PayerIn) -> Person:
    _openid(request, session, tenant)
    return billing.find_payer(session, tenant, name=payer.name, id_type=payer.id_type,
                              id_number=payer.id_number, today=clock.now(tenant).date())


def _quote(request: Request, session: Session, tenant: Tenant,
           sel: SelectionIn) -> tuple[Person, str, tuple[billing.Due, ...]]:
    if sel.insurance != PENSION:
        raise InvalidInput("本渠道模拟仅支持缴纳城乡居民基本养老保险费", field="insurance")
    person = _payer(request, session, tenant, sel)
    ref = web.reference(request)
    st = billing.statement(session, ref, person, clock.now(tenant).date())
    return person, sel.pay_type, billing.quote(ref, st, sel.pay_type, year=sel.year, tier=sel.tier)


@api.post("/oauth/authorize", operation_id="wechatAuthorize")
def authorize(request: Request, response: Response) -> dict[str, str]:
    with web.tenant_transaction(request) as (session, tenant):
        openid = models.authorize(session, tenant)
    response.set_cookie(models.OPENID_COOKIE, openid, httponly=True, samesite="lax")
    return {"openid": openid}


@api.post("/payer/items", operation_id="wechatPayerItems")
def payer_items(request: Request, payer: PayerIn) -> dict[str, object]:
    """Step 3: the payer's valid insured items, brought up from name, ID type and number."""
    with web.tenant_transaction(request) as (session, tenant):
        person = _payer(request, session, tenant, payer)
        st = billing.statement(session, web.reference(request), person, clock.now(tenant).date())
        return {"payer": payer_json(person), "items": items_json(st)}


@api.post("/quote", operation_id="wechatQuote")
def quote(request: Request, sel: SelectionIn) -> dict[str, object]:
    """Steps 4–5: what the chosen 缴费类型 (and year and tier) comes to."""
    with web.tenant_transaction(request) as (session, tenant):
        return quote_json(*_quote(request, session, tenant, sel))


@api.post("/orders", status_code=201, operation_id="wechatConfirmOrder")
def confirm(request: Request, body: OrderIn) -> dict[str, object]:
    """Step 6 (确认提交): one order per submission key, its amount computed here."""
    order_no = merchant.confirm(
        request, models.CHANNEL, lambda session, tenant: _quote(request, session, tenant, body),
        idempotency_key=body.idempotency_key, expected_amount_fen=body.expected_fen(),
    )
    return _order_view(request, order_no)


@api.post("/orders/{order_no}/pay", operation_id="wechatPayOrder")
def pay(request: Request, order_no: str, body: PayIn) -> dict[str, str]:
    """Step 7 (确认支付): the provider's cashier for the chosen payment channel."""
    with web.tenant_transaction(request) as (session, tenant):
        openid = _openid(request, session, tenant)
    cashier = merchant.pay(request, order_no, body.gateway, payer=openid,
                           redirect=f"/wechat/sbjf?order_no={order_no}")
    return {"cashier_url": cashier}


@api.get("/orders/{order_no}", operation_id="wechatGetOrder")
def get_order(request: Request, order_no: str) -> dict[str, object]:
    """The result page asks here; the back end asks the provider before it answers."""
    with web.tenant_transaction(request) as (session, tenant):
        _openid(request, session, tenant)
    merchant.settle(request, order_no)
    return _order_view(request, order_no)


def _order_view(request: Request, order_no: str) -> dict[str, object]:
    with web.tenant_transaction(request) as (session, tenant):
        order = merchant.find_order(session, tenant, order_no)
        person = session.get(Person, order.person_id)
        assert person is not None
        return order_json(order, person, merchant.STATUS_TEXT[order.status])


@api.post("/records/query", operation_id="wechatRecords")
def records(request: Request, payer: PayerIn) -> dict[str, object]:
    """Step 8 (查记录): the payer's paid pension records, newest year first."""
    with web.tenant_transaction(request) as (session, tenant):
        person = _payer(request, session, tenant, payer)
        rows = session.scalars(select(PaymentRecord).where(
            PaymentRecord.person_id == person.id, PaymentRecord.insurance == PENSION
        ).order_by(PaymentRecord.year.desc()))
        return {"payer": payer_json(person), "records": [record_json(r, person) for r in rows]}


@router.get("/wechat/search", response_class=HTMLResponse, include_in_schema=False)
def search(request: Request, q: str = "") -> HTMLResponse:
    """WeChat's search box: the way in of guide step 1 (搜索“宁波税务”)."""
    query = q.strip()[:50]
    return _page(request, "wechat_search.html", query=query, found=bool(query) and query in models.ACCOUNT_NAME)


@router.get("/wechat/", response_class=HTMLResponse, include_in_schema=False)
def official_account(request: Request) -> HTMLResponse:
    return _page(request, "wechat_account.html")


@router.get("/wechat/sbjf", response_class=HTMLResponse, include_in_schema=False)
def payment_app(request: Request) -> HTMLResponse:
    return _page(request, "wechat_sbjf.html")


def _page(request: Request, template: str, **context: object) -> HTMLResponse:
    response = pages.TemplateResponse(request, template, {"channel": models.CHANNEL, **context})
    given = request.query_params.get(web.TENANT_COOKIE)
    if given:
        response.set_cookie(web.TENANT_COOKIE, given, samesite="lax")
    return response


routers = (router, api, merchant.notification_router(models.CHANNEL))
__all__ = ["routers"]
