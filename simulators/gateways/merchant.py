"""The tax bureau's payment service, shared by every channel: confirm, pay, settle, receive notifications.

It stands between the core (orders and their rules) and the gateway clients (HTTP to the providers), and
never holds a database transaction across an HTTP call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from simulators import web
from simulators.core import clock, orders, sms
from simulators.core.billing import Due, yuan
from simulators.core.errors import InvalidInput, NotFound, RuleRefused
from simulators.core.models import INSURANCE_NAMES, Order, Person, Tenant
from simulators.core.refdata import ReferenceData
from simulators.gateways.alipay.client import AlipayClient, AlipayQrClient
from simulators.gateways.bank.client import AgreementClient
from simulators.gateways.ccb.client import CcbClient
from simulators.gateways.result import GatewayResult, Outcome
from simulators.gateways.wechatpay.client import WechatPayClient


class GatewayClient(Protocol):
    """The merchant's side of one provider. ``create`` answers PENDING with the cashier URL the payer goes to,
    or, for a provider that settles at once (a bank agreement), PAID or FAILED; REFUSED when it declines the
    order itself."""

    gateway: str
    name: str

    def create(self, order: Order, *, description: str, payer: str, taxpayer: str, notify_url: str,
               redirect: str) -> GatewayResult:
        """``payer``: who is at the screen, as the provider knows them; ``taxpayer``: the ID number of the
        person whose fee it is (a bank agreement is theirs)."""
    def query(self, out_trade_no: str) -> GatewayResult: ...
    def close(self, out_trade_no: str) -> GatewayResult: ...
    def refund(self, out_trade_no: str, *, out_refund_no: str, amount_fen: int, reason: str,
               notify_url: str) -> GatewayResult:
        """Give a charge back in full: REFUNDED (``trade_no`` the provider's refund id), idempotent by
        ``out_refund_no``; REFUSED when the provider will not (nothing charged, already refunded elsewhere)."""
    def parse_notification(self, headers: dict[str, str], body: str) -> GatewayResult | None: ...
    def acknowledge(self, accepted: bool, message: str, status: int) -> Response:
        """The merchant's reply to a notification, in the shape this provider reads."""


CLIENTS: dict[str, Callable[[str, Tenant], GatewayClient]] = {
    "wechatpay": WechatPayClient, "alipay": AlipayClient, "alipay_qr": AlipayQrClient, "ccb": CcbClient,
    "agreement": AgreementClient,
}
GATEWAY_NAMES = {"wechatpay": "微信支付", "alipay": "支付宝", "alipay_qr": "支付宝扫码", "ccb": "建设银行",
                 "agreement": "协议支付"}


def client(request: Request, tenant: Tenant, gateway: str) -> GatewayClient:
    if gateway not in CLIENTS:
        raise InvalidInput(f"缴费渠道应为{'、'.join(GATEWAY_NAMES.values())}之一", field="gateway")
    return CLIENTS[gateway](str(request.base_url), tenant)


def offered(gateway: str, gateways: tuple[str, ...]) -> None:
    """A channel offers some providers only; any other is refused before anything is created."""
    if gateway not in gateways:
        names = "、".join(GATEWAY_NAMES.get(g, g) for g in gateways)
        raise InvalidInput(f"缴费渠道应为本渠道提供的{names}之一", field="gateway")


def find_order(session: Session, tenant: Tenant, order_no: str) -> Order:
    order = session.get(Order, order_no)
    if order is None or order.tenant_id != tenant.id:
        raise NotFound(f"订单{order_no}不存在", field="order_no")
    return order


Quote = Callable[[Session, Tenant], tuple[Person, str, tuple[Due, ...]]]
District = Callable[[Session, Tenant], str | None]  # the county code of the tax bureau paid through (None: payer's)


def confirm(request: Request, channel: str, quote: Quote, *, idempotency_key: str,
            expected_amount_fen: int | None, tax_district: District | None = None) -> str:
    """Create (or find again) the order for a quote; an abandoned order holding the bills is closed first."""
    ref: ReferenceData = web.reference(request)
    for _attempt in range(3):
        with web.tenant_transaction(request) as (session, tenant):
            person, pay_type, dues = quote(session, tenant)
            try:
                return orders.confirm(session, ref, orders.Confirmation(
                    tenant, person, pay_type, channel, idempotency_key, dues, expected_amount_fen,
                    tax_district(session, tenant) if tax_district else None,
                ), clock.now(tenant)).order_no
            except orders.BillHeld as held:
                held_no = held.order_no
        settle(request, held_no, close_if_pending=True)
    raise RuleRefused("该笔费款正在另一笔订单中支付,请稍后再试", field="order_no")


def pay(request: Request, order_no: str, gateway: str, *, payer: str, redirect: str) -> str:
    """Pay the order through the provider; returns where the payer goes next: the provider's cashier, or
    ``redirect`` (the channel's result page) when the provider settled at once."""
    with web.tenant_transaction(request) as (session, tenant):
        order = find_order(session, tenant, order_no)
        if order.status not in orders.OPEN:
            raise RuleRefused(f"订单{order_no}{_state(order)},不能支付", field="order_no")
        if order.gateway and order.gateway != gateway:
            raise RuleRefused("该订单已选择其他缴费渠道,请重新提交缴费", field="gateway")
        if clock.now(tenant) > order.expires_at:
            raise RuleRefused(f"订单{order_no}已超过支付期限,请重新提交缴费", field="order_no")
        api = client(request, tenant, gateway)
        description = f"{INSURANCE_NAMES[order.insurance]}({order.pay_type})"
        person = session.get(Person, order.person_id)
        assert person is not None
        taxpayer = person.id_number
    result = api.create(order, description=description, payer=payer, taxpayer=taxpayer, redirect=redirect,
                        notify_url=f"{str(request.base_url).rstrip('/')}/{order.channel}/api/notify/{gateway}")
    if result.outcome not in (Outcome.PENDING, Outcome.PAID, Outcome.FAILED):
        raise RuleRefused(f"{api.name}下单失败:{result.detail}", field="gateway")
    with web.tenant_transaction(request) as (session, tenant):
        order = find_order(session, tenant, order_no)
        if order.status not in orders.OPEN:
            if result.outcome is Outcome.PENDING:
                raise RuleRefused(f"订单{order_no}{_state(order)},不能支付", field="order_no")
            return redirect  # already settled by the provider's notification
        orders.start_payment(order, gateway, result.trade_no)
        if result.outcome is not Outcome.PENDING:
            apply(session, web.reference(request), tenant, order, result)
            return redirect
    return result.cashier_url


def settle(request: Request, order_no: str, *, close_if_pending: bool = False) -> str:
    """Ask the provider how the order stands and apply the answer; never trust the page. Returns the status."""
    with web.tenant_transaction(request) as (session, tenant):
        order = find_order(session, tenant, order_no)
        if order.status != orders.PAYING or not order.gateway:
            if close_if_pending and order.status == orders.CREATED:
                orders.close(session, order, orders.SUPERSEDED)
            return order.status
        api = client(request, tenant, order.gateway)
        expired = clock.now(tenant) > order.expires_at
    result = api.query(order_no)
    if result.outcome is Outcome.PENDING and (close_if_pending or expired):
        result = api.close(order_no)
    with web.tenant_transaction(request) as (session, tenant):
        order = find_order(session, tenant, order_no)
        if apply(session, web.reference(request), tenant, order, result) and close_if_pending \
                and order.status == orders.CLOSED:
            order.failure = orders.SUPERSEDED
        return order.status


def apply(session: Session, ref: ReferenceData, tenant: Tenant, order: Order, result: GatewayResult) -> bool:
    """Apply a provider's answer once; True when it changed the order."""
    if order.status not in orders.OPEN:
        return False
    if result.outcome is Outcome.PAID:
        orders.settle_paid(session, ref, order, amount_fen=result.amount_fen,
                           paid_at=result.paid_at or clock.now(tenant))
        person = session.get(Person, order.person_id)
        assert person is not None
        years = "、".join(str(line.year) for line in order.lines)
        sms.send(session, tenant, person.phone,
                 f"【宁波税务】{person.name}您好,您已成功缴纳{years}年度{INSURANCE_NAMES[order.insurance]}"
                 f"{yuan(order.amount_fen)}元。")
        return True
    if result.outcome is Outcome.FAILED:
        orders.fail(session, order, result.detail or "支付失败")
        return True
    if result.outcome is Outcome.CLOSED:
        orders.close(session, order)
        return True
    return False


def _state(order: Order) -> str:
    """The order's state as a person reads it, with the reason when there is one: 已关闭(该笔费款已另行提交缴费)."""
    reason = f"({order.failure})" if order.failure and order.status != orders.PAID else ""
    return STATUS_TEXT[order.status] + reason


STATUS_TEXT = {
    orders.CREATED: "待支付", orders.PAYING: "支付中", orders.PAID: "已缴费",
    orders.FAILED: "支付失败", orders.CLOSED: "已关闭",
}


def notification_router(channel: str) -> APIRouter:
    """The notify endpoints a channel's back end exposes to every provider."""
    router = APIRouter(prefix=f"/{channel}/api/notify", tags=[f"{channel} 支付结果通知"])

    @router.post("/{gateway}", operation_id=f"{channel}ReceiveNotification", include_in_schema=True)
    async def receive(request: Request, gateway: str) -> Response:
        body = (await request.body()).decode()
        headers = dict(request.headers)
        from fastapi.concurrency import run_in_threadpool

        return await run_in_threadpool(_receive, request, gateway, headers, body)

    return router


def _receive(request: Request, gateway: str, headers: dict[str, str], body: str) -> Response:
    with web.tenant_transaction(request) as (session, tenant):
        if gateway not in CLIENTS:
            return JSONResponse({"code": "FAIL", "message": f"未知的支付渠道{gateway}"}, status_code=404)
        api = client(request, tenant, gateway)
        result = api.parse_notification(headers, body)
        if result is None:
            return api.acknowledge(False, "签名验证失败", 401)
        order = session.get(Order, result.out_trade_no)
        if order is None or order.tenant_id != tenant.id:
            return api.acknowledge(False, "订单不存在", 404)
        try:
            apply(session, web.reference(request), tenant, order, result)
        except InvalidInput as error:
            return api.acknowledge(False, error.message, 400)
    return api.acknowledge(True, "", 200)
