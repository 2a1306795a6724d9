"""The 社保缴费 back end every channel exposes under /<channel>/api/: the payer's insured items, a quote, an
order, its payment, its state and the payer's records.

It is built once per channel around the one thing channels differ in: how they know who is at the screen
and for whom that person may pay (a WeChat authorization, an Alipay account, an app login with a check of
the other person's phone and a random code, …). The rules are the core's; the money is the merchant's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request, Security
from fastapi.params import Depends as Dependency
from fastapi.security import APIKeyCookie, APIKeyHeader
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from simulators import web
from simulators.core import billing, clock, defects
from simulators.core.errors import InvalidInput, NotFound
from simulators.core.models import PENSION, PaymentRecord, Person, Tenant
from simulators.core.refdata import ReferenceData
from simulators.core.responses import NotifyAckOut, OrderOut, PayerItemsOut, PaymentOut, QuoteOut, RecordsOut
from simulators.core.schemas import (
    OrderIn,
    PayerIn,
    PayIn,
    SelectionIn,
    items_json,
    order_json,
    pay_in,
    payer_json,
    quote_json,
    record_json,
)
from simulators.gateways import merchant


@dataclass(frozen=True)
class LoginKey:
    """How a channel's login travels: in a request header (API clients) or a cookie (its pages), both declared as
    OpenAPI security schemes. Calling it reads the login of a request: the one reader, for routes and pages."""

    header: APIKeyHeader
    cookie: APIKeyCookie

    @classmethod
    def of(cls, header: str, cookie: str, what: str, *, header_scheme: str, cookie_scheme: str) -> LoginKey:
        """``what``: what the value is, in Chinese (微信授权得到的 openid)."""
        return cls(
            APIKeyHeader(
                name=header,
                scheme_name=header_scheme,
                auto_error=False,
                description=f"{what},放在请求头 {header} 中(接口调用)",
            ),
            APIKeyCookie(
                name=cookie,
                scheme_name=cookie_scheme,
                auto_error=False,
                description=f"{what},放在 Cookie {cookie} 中(渠道页面,登录时设置)",
            ),
        )

    def __call__(self, request: Request) -> str | None:
        return request.headers.get(self.header.model.name) or request.cookies.get(self.cookie.model.name)

    @property
    def required(self) -> list[Dependency]:
        """The dependencies of a route that needs the login: either scheme will do."""
        return [Security(self.header), Security(self.cookie)]


Handler = TypeVar("Handler", bound=Callable[..., Any])


def with_body(model: type[BaseModel]) -> Callable[[Handler], Handler]:
    """A route's ``body`` read as ``model``, a model built for one channel (its gateways, its way of login): the
    annotation of a route made in a function cannot name it (FastAPI resolves annotations in the module)."""

    def annotate(handler: Handler) -> Handler:
        handler.__annotations__["body"] = model
        return handler

    return annotate


# (request, session, tenant) → who is at the screen, as the gateways know them (openid, account id, …).
Visitor = Callable[[Request, Session, Tenant], str]
# (request, session, tenant, visitor, payer named) → the payer, once the channel has let the visitor pay for them.
Admit = Callable[[Request, Session, Tenant, str, PayerIn], Person]
# (request, session, tenant) → the county code of the tax bureau the visitor pays through (浙里办: the district
# chosen in 办事服务), or None for the bureau of the payer's own county.
TaxDistrict = Callable[[Request, Session, Tenant], str | None]


def find_payer(request: Request, session: Session, tenant: Tenant, _visitor: str, payer: PayerIn) -> Person:
    """The plain admission: anyone at the screen may pay for anyone named by name, ID type and number."""
    return billing.find_payer(
        session,
        tenant,
        name=payer.name,
        id_type=payer.id_type,
        id_number=payer.id_number,
        today=clock.now(tenant).date(),
    )


def payers_district(_request: Request, _session: Session, _tenant: Tenant) -> str | None:
    """The plain rule: the payer's own county's tax bureau takes the fee."""
    return None


@dataclass(frozen=True)
class ChannelBackend:
    channel: str
    label: str  # the channel's Chinese name, for the OpenAPI tags
    visitor: Visitor
    result_page: Callable[[str], str]  # order number → the channel's page that shows the result
    gateways: tuple[str, ...]  # the payment providers the channel offers, by gateway code
    login: LoginKey  # how the login of who is at the screen travels (declared on every route: all need it)
    admit: Admit = find_payer
    tax_district: TaxDistrict = payers_district
    system_choice: str = billing.SYSTEM_CHOICE  # how its person asks for the amount the system sets
    arrears_first: str = billing.ARREARS_FIRST  # how it tells its person to pay the arrears before the current year

    def payer(self, request: Request, session: Session, tenant: Tenant, payer: PayerIn) -> Person:
        payer = defects.at(tenant, "payer.named", payer, session=session, channel=self.channel)
        return self.admit(request, session, tenant, self.visitor(request, session, tenant), payer)

    def quote(
        self, request: Request, session: Session, tenant: Tenant, sel: SelectionIn
    ) -> tuple[Person, str, tuple[billing.Due, ...]]:
        if sel.insurance != PENSION:
            raise InvalidInput("本渠道模拟仅支持缴纳城乡居民基本养老保险费", field="insurance")
        person = self.payer(request, session, tenant, sel)
        ref = web.reference(request)
        st = billing.statement(session, ref, person, clock.now(tenant).date())
        return (
            person,
            sel.pay_type,
            billing.quote(
                ref,
                st,
                sel.pay_type,
                year=sel.year,
                tier=sel.tier,
                system_choice=self.system_choice,
                arrears_first=self.arrears_first,
            ),
        )

    def order_view(self, request: Request, order_no: str, visitor: str) -> dict[str, object]:
        """The order, to the visitor who confirmed it in this channel only (anyone else: 404)."""
        with web.tenant_transaction(request) as (session, tenant):
            order = merchant.find_order(session, tenant, order_no, visitor)
            if order.channel != self.channel:
                raise NotFound(f"订单{order_no}不存在", field="order_no")
            person = session.get(Person, order.person_id)
            assert person is not None
            return order_json(order, person, merchant.STATUS_TEXT[order.status])

    def records(self, session: Session, person: Person, ref: ReferenceData | None = None) -> dict[str, object]:
        rows = session.scalars(
            select(PaymentRecord)
            .where(PaymentRecord.person_id == person.id, PaymentRecord.insurance == PENSION)
            .order_by(PaymentRecord.year.desc())
        )
        shown = defects.at(
            session.get(Tenant, person.tenant_id),
            "records.shown",
            [record_json(r, person) for r in rows],
            session=session,
            person=person,
            ref=ref,
        )
        return {"payer": payer_json(person), "records": shown}


def payment_router(backend: ChannelBackend) -> APIRouter:
    """The routes of the shared back end, under the channel's prefix and with its operation ids."""
    c = backend.channel
    api = APIRouter(
        prefix=f"/{c}/api",
        tags=[f"{backend.label} 后端"],
        responses=web.ERROR_RESPONSES,
        dependencies=[Depends(web.declared_tenant), *backend.login.required],
    )

    @api.post(
        "/payer/items", operation_id=f"{c}PayerItems", response_model=PayerItemsOut, summary="查询缴费人的参保险种"
    )
    def payer_items(request: Request, payer: PayerIn) -> dict[str, object]:
        """The payer's valid insured items, brought up from name, ID type and number."""
        with web.tenant_transaction(request) as (session, tenant):
            person = backend.payer(request, session, tenant, payer)
            st = billing.statement(session, web.reference(request), person, clock.now(tenant).date())
            return {"payer": payer_json(person), "items": items_json(st)}

    @api.post("/quote", operation_id=f"{c}Quote", response_model=QuoteOut, summary="计算所选缴费类型的应缴金额")
    def quote(request: Request, sel: SelectionIn) -> dict[str, object]:
        """What the chosen 缴费类型 (and year and tier) comes to: computed here, never taken from the page."""
        with web.tenant_transaction(request) as (session, tenant):
            return quote_json(*backend.quote(request, session, tenant, sel))

    @api.post(
        "/orders",
        status_code=201,
        operation_id=f"{c}ConfirmOrder",
        response_model=OrderOut,
        summary="确认缴费信息,生成订单",
    )
    def confirm(request: Request, body: OrderIn) -> dict[str, object]:
        """One order per submission key, its amount computed here; it belongs to who confirmed it."""
        with web.tenant_transaction(request) as (session, tenant):
            visitor = backend.visitor(request, session, tenant)
        order_no = merchant.confirm(
            request,
            c,
            lambda session, tenant: backend.quote(request, session, tenant, body),
            idempotency_key=body.idempotency_key,
            expected_amount_fen=body.expected_fen(),
            tax_district=lambda session, tenant: backend.tax_district(request, session, tenant),
            visitor=visitor,
        )
        return backend.order_view(request, order_no, visitor)

    @api.post(
        "/orders/{order_no}/pay",
        operation_id=f"{c}PayOrder",
        response_model=PaymentOut,
        summary="选择支付渠道,发起支付",
    )
    @with_body(pay_in(c, backend.gateways, merchant.GATEWAY_NAMES))  # its own gateways, enumerated in its schema
    def pay(request: Request, order_no: str, body: PayIn) -> dict[str, object]:
        """Pay through the chosen provider: the URL to go to next (its cashier, or the result when the
        provider settled at once, as a bank agreement does)."""
        merchant.offered(body.gateway, backend.gateways)
        with web.tenant_transaction(request) as (session, tenant):
            visitor = backend.visitor(request, session, tenant)
        backend.order_view(request, order_no, visitor)  # another channel's or person's order: 404
        url = merchant.pay(request, order_no, body.gateway, payer=visitor, redirect=backend.result_page(order_no))
        return {"cashier_url": url, "order": backend.order_view(request, order_no, visitor)}

    @api.get("/orders/{order_no}", operation_id=f"{c}GetOrder", response_model=OrderOut, summary="查询订单与缴费结果")
    def get_order(request: Request, order_no: str) -> dict[str, object]:
        """The result page asks here; the back end asks the provider before it answers."""
        with web.tenant_transaction(request) as (session, tenant):
            visitor = backend.visitor(request, session, tenant)
        backend.order_view(request, order_no, visitor)  # not theirs: 404 before anyone is asked
        merchant.settle(request, order_no)
        return backend.order_view(request, order_no, visitor)

    @api.post("/records/query", operation_id=f"{c}Records", response_model=RecordsOut, summary="查询已缴费记录")
    def records(request: Request, payer: PayerIn) -> dict[str, object]:
        """The payer's paid pension records, newest year first."""
        with web.tenant_transaction(request) as (session, tenant):
            return backend.records(session, backend.payer(request, session, tenant, payer), web.reference(request))

    return api


_TEXT = {"schema": {"type": "string"}}
_REFUSED: dict[str, Any] = {"model": NotifyAckOut | web.ErrorOut, "content": {"text/plain": _TEXT}}
NOTIFY_RESPONSES: dict[int | str, dict[str, Any]] = {
    **web.ERROR_RESPONSES,
    200: {
        "model": NotifyAckOut,
        "content": {"text/plain": {"schema": {"type": "string", "enum": ["success", "SUCCESS"]}}},
        "description": "已收到并处理:支付宝回 success、建设银行回 SUCCESS(text/plain),协议支付回 JSON",
    },
    204: {"description": "已收到并处理(微信支付:无内容)"},
    400: {**_REFUSED, "description": "未处理:通知内容不符合规则,或已过时(重放);支付渠道会重发"},
    401: {**_REFUSED, "description": "未处理:签名验证失败"},
    404: {**_REFUSED, "description": "未处理:订单不存在、未知的支付渠道,或租户不存在"},
}


def notification_router(channel: str) -> APIRouter:
    """Where the providers notify the channel's back end of a payment or refund: each answers in the form its
    provider reads (JSON, text or no content)."""
    return merchant.notification_router(
        channel,
        summary="接收支付渠道的支付结果通知",
        responses=NOTIFY_RESPONSES,
        dependencies=[Depends(web.declared_tenant)],
        description="支付渠道(微信支付、支付宝、建设银行、协议支付)按各自的格式发来的支付或退款结果通知,"
        "签名验证通过才记账;路径中的 gateway 为支付渠道代码。",
    )


__all__ = [
    "Admit",
    "ChannelBackend",
    "LoginKey",
    "TaxDistrict",
    "Visitor",
    "find_payer",
    "notification_router",
    "payers_district",
    "payment_router",
    "with_body",
]
