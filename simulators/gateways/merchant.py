"""The tax bureau's payment service, shared by every channel: confirm, pay, settle, receive notifications.

It stands between the core (orders and their rules) and the gateway clients (HTTP to the providers), and
never holds a database transaction across an HTTP call. Money moves here only: an attempt is claimed before a
provider is called (``pay``), and every answer a provider gives (its reply, a query, a notification) is applied
once by ``apply``; what a provider charged that no order can take is refunded. ``settle`` reconciles one order
with its provider; ``simulators.gateways.reconciler`` runs it over every open attempt.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

import channels
from simulators import web
from simulators.core import clock, defects, orders, sms
from simulators.core.billing import Due, yuan
from simulators.core.errors import GatewayUnavailable, InvalidInput, NotFound, RuleRefused
from simulators.core.models import INSURANCE_NAMES, Order, Person, Tenant
from simulators.core.refdata import ReferenceData
from simulators.gateways import notify, outbound, trades
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

    def create(
        self, order: Order, *, description: str, payer: str, taxpayer: str, notify_url: str, redirect: str
    ) -> GatewayResult:
        """``payer``: who is at the screen, as the provider knows them; ``taxpayer``: the ID number of the
        person whose fee it is (a bank agreement is theirs)."""

    def query(self, out_trade_no: str) -> GatewayResult: ...
    def close(self, out_trade_no: str) -> GatewayResult: ...
    def refund(
        self, out_trade_no: str, *, out_refund_no: str, amount_fen: int, reason: str, notify_url: str
    ) -> GatewayResult:
        """Give a charge back in full: REFUNDED (``trade_no`` the provider's refund id), idempotent by
        ``out_refund_no``; REFUSED when the provider will not (nothing charged, already refunded elsewhere)."""

    def parse_notification(self, headers: dict[str, str], body: str) -> GatewayResult | None: ...
    def acknowledge(self, accepted: bool, message: str, status: int) -> Response:
        """The merchant's reply to a notification, in the shape this provider reads."""


CLIENTS: dict[str, Callable[[str, Tenant], GatewayClient]] = {
    "wechatpay": WechatPayClient,
    "alipay": AlipayClient,
    "alipay_qr": AlipayQrClient,
    "ccb": CcbClient,
    "agreement": AgreementClient,
}
GATEWAY_NAMES = {
    "wechatpay": "微信支付",
    "alipay": "支付宝",
    "alipay_qr": "支付宝扫码",
    "ccb": "建设银行",
    "agreement": "协议支付",
}


def client(request: Request, tenant: Tenant, gateway: str) -> GatewayClient:
    if gateway not in CLIENTS:
        raise InvalidInput(f"缴费渠道应为{'、'.join(GATEWAY_NAMES.values())}之一", field="gateway")
    return CLIENTS[gateway](str(request.base_url), tenant)


def offered(gateway: str, gateways: tuple[str, ...]) -> None:
    """A channel offers some providers only; any other is refused before anything is created."""
    if gateway not in gateways:
        names = "、".join(GATEWAY_NAMES.get(g, g) for g in gateways)
        raise InvalidInput(f"缴费渠道应为本渠道提供的{names}之一", field="gateway")


def find_order(session: Session, tenant: Tenant, order_no: str, visitor: str | None = None) -> Order:
    """The tenant's order; with ``visitor``, only theirs: anyone else is told it does not exist."""
    order = session.get(Order, order_no, with_for_update=visitor is not None)
    if order is None or order.tenant_id != tenant.id or (visitor is not None and order.visitor != visitor):
        raise NotFound(f"订单{order_no}不存在", field="order_no")
    return order


Quote = Callable[[Session, Tenant], tuple[Person, str, tuple[Due, ...]]]
District = Callable[[Session, Tenant], str | None]  # the county code of the tax bureau paid through (None: payer's)
LEASE = timedelta(seconds=45)  # a claim in flight: longer than a provider call may take (outbound.TIMEOUT)


def _wall() -> datetime:
    return datetime.now()


def confirm(
    request: Request,
    channel: str,
    quote: Quote,
    *,
    idempotency_key: str,
    expected_amount_fen: int | None,
    tax_district: District | None = None,
    visitor: str = "",
) -> str:
    """Create (or find again) the order for a quote. A bill held by an open order that never reached a provider
    is taken over; one held by an order at a provider is settled first: the provider is asked, and an unpaid
    trade closed there, so the old order can never be paid once the new one exists."""
    ref: ReferenceData = web.reference(request)
    for _attempt in range(3):
        try:
            with web.tenant_transaction(request) as (session, tenant):
                person, pay_type, dues = quote(session, tenant)
                return orders.confirm(
                    session,
                    ref,
                    orders.Confirmation(
                        tenant,
                        person,
                        pay_type,
                        channel,
                        idempotency_key,
                        dues,
                        expected_amount_fen,
                        tax_district(session, tenant) if tax_district else None,
                        visitor,
                    ),
                    clock.now(tenant),
                ).order_no
        except orders.BillHeld as held:  # rolled back: nothing of this confirmation was written
            settle(request, held.order_no, close_if_pending=True)
    raise RuleRefused("该笔费款正在另一笔订单中支付,请稍后再试", field="order_no")


def pay(request: Request, order_no: str, gateway: str, *, payer: str, redirect: str) -> str:
    """Pay the order through the provider; returns where the payer goes next: the provider's cashier, or
    ``redirect`` (the channel's result page) when the provider settled at once.

    The attempt is claimed before the provider is called; a second attempt meanwhile is refused (409), and a
    payer who comes back to an attempt already at the provider is first reconciled with it."""
    with web.tenant_transaction(request) as (session, tenant):
        order = find_order(session, tenant, order_no, payer)
        api = client(request, tenant, gateway)
        if order.status not in orders.OPEN:
            raise RuleRefused(f"订单{order_no}{_state(order)},不能支付", field="order_no")
        if order.gateway and order.gateway != gateway:
            raise RuleRefused(
                f"该订单已选择{GATEWAY_NAMES.get(order.gateway, order.gateway)}支付,"
                "不能改用其他缴费渠道;如需更换请重新提交缴费",
                field="gateway",
            )
        if order.claimed_until is not None and order.claimed_until > _wall():
            raise RuleRefused(f"该订单正在向{api.name}提交支付,请勿重复提交", field="order_no")
        if orders.past_deadline(order, clock.now(tenant)) and order.status == orders.CREATED:
            raise RuleRefused(f"订单{order_no}已超过支付期限,请重新提交缴费", field="order_no")
        claimed = orders.claim(session, order, gateway, _wall() + LEASE)
        description = f"{INSURANCE_NAMES[order.insurance]}({order.pay_type})"
        person = session.get(Person, order.person_id)
        assert person is not None
        taxpayer = person.id_number
    if not claimed:  # back at an attempt the provider already has: what does it say now?
        status = settle(request, order_no)
        if status == orders.PAID:
            return redirect
        if status == orders.CREATED:  # the provider never had it: claim it afresh
            return pay(request, order_no, gateway, payer=payer, redirect=redirect)
        if status != orders.PAYING:
            _not_payable(request, order_no)
    try:
        result = api.create(
            order,
            description=description,
            payer=payer,
            taxpayer=taxpayer,
            redirect=redirect,
            notify_url=_notify_url(request, order.channel, gateway),
        )
    except GatewayUnavailable as error:
        _end_lease(request, order_no)  # nobody is calling now: the reconciler may ask the provider at once
        if claimed:  # the provider never had this order: no cashier, no charge
            raise
        raise outbound.unconfirmed(api.name, error) from error  # back at a trade the payer may have paid
    if result.outcome is Outcome.REFUSED:
        _refused(request, api, order_no)
        raise RuleRefused(f"{api.name}下单失败:{result.detail}", field="gateway")
    with web.tenant_transaction(request) as (session, tenant):
        order = find_order(session, tenant, order_no)
        if order.status == orders.CREATED and order.gateway == gateway:  # released while we called: ours again
            orders.claim(session, order, gateway, _wall())
        if order.status == orders.PAYING:
            orders.opened(order, result.trade_no)
        if result.outcome is not Outcome.PENDING:
            apply(session, web.reference(request), tenant, order, result)
        status = order.status
    _refund_if_due(request, order_no)
    if result.outcome is not Outcome.PENDING or status == orders.PAID:
        return redirect
    if status != orders.PAYING:  # ended while the provider was called (superseded): its trade must not be paid
        with contextlib.suppress(GatewayUnavailable):
            api.close(order_no)
        _not_payable(request, order_no)
    return result.cashier_url


def _not_payable(request: Request, order_no: str) -> None:
    """Refuse a payment of the order as it stands now: 订单…已关闭(…),不能支付."""
    with web.tenant_transaction(request) as (session, tenant):
        order = find_order(session, tenant, order_no)
    raise RuleRefused(f"订单{order_no}{_state(order)},不能支付", field="order_no")


def _notify_url(request: Request, channel: str, gateway: str) -> str:
    """Where a provider notifies the channel's back end of the gateway's results."""
    return f"{str(request.base_url).rstrip('/')}/{channel}/api/notify/{gateway}"


def _end_lease(request: Request, order_no: str) -> None:
    with web.tenant_transaction(request) as (session, tenant):
        order = find_order(session, tenant, order_no)
        if order.status == orders.PAYING and order.claimed_until is not None:
            order.claimed_until = _wall()


def _refused(request: Request, api: GatewayClient, order_no: str) -> None:
    """The provider declined to create the trade: release the claim only once it says it holds none."""
    try:
        known = api.query(order_no)
    except GatewayUnavailable:
        _end_lease(request, order_no)
        raise
    with web.tenant_transaction(request) as (session, tenant):
        order = find_order(session, tenant, order_no)
        if order.status != orders.PAYING:
            return
        if known.outcome is Outcome.UNKNOWN:
            orders.release(order)
        else:
            orders.opened(order, known.trade_no)
            apply(session, web.reference(request), tenant, order, known)
    _refund_if_due(request, order_no)


def settle(request: Request, order_no: str, *, close_if_pending: bool = False) -> str:
    """Reconcile one order with its provider: ask how the attempt stands and apply the answer (never trust the
    page); an unpaid trade is closed when the order is superseded or expired; a charge that can no longer be
    applied is refunded. An attempt still in flight (its claim's lease running) is left alone. Returns the status."""
    with web.tenant_transaction(request) as (session, tenant):
        order = find_order(session, tenant, order_no)
        if order.status == orders.CREATED and close_if_pending:
            orders.close(session, order, orders.SUPERSEDED)  # never reached a provider: nothing to ask anyone
        in_flight = order.claimed_until is not None and order.claimed_until > _wall()
        if order.status != orders.PAYING or not order.gateway or in_flight:
            status, asking = order.status, False
        else:
            api, asking = client(request, tenant, order.gateway), True
            expired = orders.past_deadline(order, clock.now(tenant))
    if asking:
        result = api.query(order_no)
        if result.outcome is Outcome.PENDING and (close_if_pending or expired):
            result = api.close(order_no)
        with web.tenant_transaction(request) as (session, tenant):
            order = find_order(session, tenant, order_no)
            if order.status == orders.PAYING:
                orders.opened(order, "")
                if result.outcome is Outcome.UNKNOWN:  # the attempt never reached the provider
                    if close_if_pending or expired:
                        orders.close(session, order, orders.SUPERSEDED if close_if_pending else "订单已超过支付期限")
                    else:
                        orders.release(order)
            if (
                apply(session, web.reference(request), tenant, order, result)
                and close_if_pending
                and order.status == orders.CLOSED
            ):
                order.failure = orders.SUPERSEDED
            status = order.status
    _refund_if_due(request, order_no)
    return status


def apply(session: Session, ref: ReferenceData, tenant: Tenant, order: Order, result: GatewayResult) -> bool:
    """Apply a provider's answer once; True when it changed the order. A charge on an order that can no longer
    be paid (closed, failed, or its year paid by another order) is marked for refund, never lost or doubled."""
    result = defects.at(tenant, "payment.result", result, order=order)
    if result.outcome is Outcome.REFUNDED:
        if order.status != orders.PAID and not order.refunded:
            order.refunded, order.refund_due = True, False
            return True
        return False
    if result.outcome is Outcome.PAID and order.status != orders.PAID:
        if order.status == orders.CREATED and order.gateway:  # paid through a trade of a released claim
            orders.transition(order, orders.PAYING)
        if order.status in orders.OPEN and orders.paid_elsewhere(session, order):
            orders.close(session, order, orders.PAID_ELSEWHERE)
        if order.status not in orders.OPEN:
            if order.refunded or order.refund_due:
                return False
            order.refund_due = True
            return True
    if order.status not in orders.OPEN:
        return False
    if result.outcome is Outcome.PAID:
        orders.settle_paid(
            session, ref, order, amount_fen=result.amount_fen, paid_at=result.paid_at or clock.now(tenant)
        )
        person = session.get(Person, order.person_id)
        assert person is not None
        years = "、".join(str(line.year) for line in order.lines)
        sms.send(
            session,
            tenant,
            person.phone,
            f"【宁波税务】{person.name}您好,您已成功缴纳{years}年度{INSURANCE_NAMES[order.insurance]}"
            f"{yuan(order.amount_fen)}元。",
        )
        return True
    if result.outcome is Outcome.FAILED:
        orders.fail(session, order, result.detail or "支付失败")
        return True
    if result.outcome is Outcome.CLOSED:
        orders.close(session, order, result.detail if result.detail == trades.CANCELLED else None)
        return True
    return False


def _refund_if_due(request: Request, order_no: str) -> None:
    """Give back a charge the order could not take, in full, once (the refund number is the order's)."""
    with web.tenant_transaction(request) as (session, tenant):
        order = find_order(session, tenant, order_no)
        if not order.refund_due or not order.gateway:
            return
        api = client(request, tenant, order.gateway)
        reason = order.failure or "订单已关闭"
    try:
        result = api.refund(
            order_no,
            out_refund_no=f"RF{order_no}",
            amount_fen=order.amount_fen,
            reason=reason[:80],
            notify_url=_notify_url(request, order.channel, order.gateway),
        )
        if result.outcome is not Outcome.REFUNDED:
            result = api.query(order_no)  # refused: perhaps refunded already; the query says
    except GatewayUnavailable:
        return  # still due: the reconciler asks again
    if result.outcome is Outcome.REFUNDED:
        with web.tenant_transaction(request) as (session, tenant):
            apply(session, web.reference(request), tenant, find_order(session, tenant, order_no), result)


def _state(order: Order) -> str:
    """The order's state as a person reads it, with the reason when there is one: 已关闭(该笔费款已另行提交缴费)."""
    reason = f"({order.failure})" if order.failure and order.status != orders.PAID else ""
    return STATUS_TEXT[order.status] + reason


STATUS_TEXT = {
    orders.CREATED: "待支付",
    orders.PAYING: "支付中",
    orders.PAID: "已缴费",
    orders.FAILED: "支付失败",
    orders.CLOSED: "已关闭",
}


def notification_router(channel: str, **declared: Any) -> APIRouter:
    """The notify endpoints a channel's back end exposes to every provider (``declared``: what OpenAPI shows of
    them: summary, responses, dependencies)."""
    router = APIRouter(prefix=f"/{channel}/api/notify", tags=[f"{channels.channel(channel).name} 支付结果通知"])

    @router.post("/{gateway}", operation_id=f"{channel}ReceiveNotification", **declared)
    async def receive(request: Request, gateway: str) -> Response:
        body = (await request.body()).decode()
        headers = dict(request.headers)
        from fastapi.concurrency import run_in_threadpool

        return await run_in_threadpool(_receive, request, gateway, headers, body)

    return router


def _believed(
    api: GatewayClient, tenant: Tenant, gateway: str, headers: dict[str, str], body: str
) -> GatewayResult | None:
    """A notification read as if its signature held (what a merchant that skips the check sees in it)."""
    provider = notify.PROVIDERS.get(gateway)
    if provider is None:
        return None
    signed_body, signed = provider.sign(tenant.merchant_key, body, clock.now(tenant))
    return api.parse_notification({**headers, **signed}, signed_body)


def _receive(request: Request, gateway: str, headers: dict[str, str], body: str) -> Response:
    order_no = ""
    with web.tenant_transaction(request) as (session, tenant):
        if gateway not in CLIENTS:
            return JSONResponse({"code": "FAIL", "message": f"未知的支付渠道{gateway}"}, status_code=404)
        api = client(request, tenant, gateway)
        try:
            result = api.parse_notification(headers, body)
        except InvalidInput as stale:  # genuine but outside the freshness window: a replay
            return api.acknowledge(False, stale.message, 400)
        result = defects.at(
            tenant,
            "notification.result",
            result,
            session=session,
            unsigned=lambda: _believed(api, tenant, gateway, headers, body),
        )
        if result is None:
            return api.acknowledge(False, "签名验证失败", 401)
        order = session.get(Order, result.out_trade_no)
        if order is None or order.tenant_id != tenant.id or order.gateway != gateway:
            return api.acknowledge(False, "订单不存在", 404)
        try:
            apply(session, web.reference(request), tenant, order, result)
        except InvalidInput as error:
            return api.acknowledge(False, error.message, 400)
        order_no = order.order_no
    _refund_if_due(request, order_no)
    return api.acknowledge(True, "", 200)
