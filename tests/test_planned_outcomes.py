"""The fault plan's outcomes of a payment, honoured by every provider a channel offers (over HTTP, as the channel's
pages and the providers' cashiers talk): the payer cancels at the cashier; the provider takes the charge but answers
late; a rightly signed 支付成功 notification that is stale or names another amount; a notification held until the
channel has queried. Money stays safe in each: never charged twice, never lost, never "未扣款" when charged."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator, SimControl
from simulators.core import faults
from simulators.gateways import notify
from simulators.gateways.models import GatewayTrade, Notification
from steps.drivers.api import cashier
from tests.app_user import AppUser, app_user

CASHIER_GATEWAYS = ("ccb", "wechatpay", "alipay_qr")  # the 宁波税务APP's providers with a cashier
PRICE = 30000  # 300 yuan, in fen


@pytest.fixture
def user(sim: EmbeddedSimulator, sim_control: SimControl, tenant: str) -> Iterator[AppUser]:
    with app_user(sim, sim_control, tenant, AppUser) as person:
        yield person


def plan(control: SimControl, tenant: str, *kinds: str, **options: Any) -> None:
    control.plan_faults(tenant, [{"kind": kind, **options} for kind in kinds])


def cashier_page(user: AppUser, order_no: str, gateway: str) -> str:
    """Pay the order through the provider; the cashier's path (an Alipay payment code scanned first)."""
    answer = user.pay(order_no, gateway)
    assert answer.status_code == 200, answer.text
    url = str(answer.json()["cashier_url"])
    if url.startswith(cashier.ALIPAY_QR):
        url = cashier.scan_payment_code(user.http, url)
    return url.split("?")[0]


def press(user: AppUser, page: str, button: str) -> dict[str, Any]:
    """The cashier's pay (``pay``) or 取消支付 (``cancel``) button: its answer."""
    answer = user.http.post(f"{page}/{button}", json={})
    assert answer.is_success, answer.text
    body: dict[str, Any] = answer.json()
    return body


def charged(sim: EmbeddedSimulator, tenant: str) -> list[int]:
    """What the providers took of the tenant (net of refunds), a charge at a time."""
    with sim.db.transaction() as session:
        rows = session.scalars(select(GatewayTrade).where(GatewayTrade.tenant_id == tenant))
        return [
            t.amount_fen - t.refunded_fen for t in rows if t.success_at is not None and t.amount_fen > t.refunded_fen
        ]


def outbox(sim: EmbeddedSimulator, tenant: str) -> list[Notification]:
    with sim.db.transaction() as session:
        rows = list(session.scalars(select(Notification).where(Notification.tenant_id == tenant)))
        session.expunge_all()
        return rows


def paid_with(
    user: AppUser, enrol: Callable[..., Payer], control: SimControl, tenant: str, gateway: str, *kinds: str
) -> tuple[Payer, str]:
    """A payer signed in, ``kinds`` planned, an order confirmed and paid at the provider's cashier: (payer, order)."""
    payer = enrol()
    user.sign_in(payer)
    plan(control, tenant, *kinds)
    order_no = user.order_no(payer)
    press(user, cashier_page(user, order_no, gateway), "pay")
    return payer, order_no


def ledger_holds(control: SimControl, tenant: str) -> None:
    ledger = control.ledger(tenant)
    assert ledger["ok"], ledger["verdict"]


def eventually(check: Callable[[], bool], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "did not happen in time"
        time.sleep(0.05)


def test_every_new_kind_is_declared_and_accepted_by_the_control_api(sim_control: SimControl, tenant: str) -> None:
    new = ("cancel", "timeout_then_success", "notify_stale", "notify_wrong_amount", "query_first", "notify_resent")
    assert set(new) <= set(faults.KINDS)
    plan(sim_control, tenant, *new)
    assert [f["kind"] for f in sim_control.faults(tenant)] == list(new)


# cancel ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["button", "fault"])
@pytest.mark.parametrize("gateway", CASHIER_GATEWAYS)
def test_a_payer_who_cancels_at_the_cashier_is_charged_nothing_and_may_pay_again(
    sim: EmbeddedSimulator,
    sim_control: SimControl,
    tenant: str,
    user: AppUser,
    enrol: Callable[..., Payer],
    gateway: str,
    how: str,
) -> None:
    payer = enrol()
    user.sign_in(payer)
    if how == "fault":
        plan(sim_control, tenant, "cancel")
    order_no = user.order_no(payer)
    page = cashier_page(user, order_no, gateway)
    press(user, page, "cancel" if how == "button" else "pay")
    order = user.ok("GET", f"/orders/{order_no}")
    assert order["status"] in ("CLOSED", "FAILED"), order
    assert order["failure"] == "用户取消支付", order
    assert charged(sim, tenant) == []
    assert sim_control.faults(tenant) == []
    again = user.order_no(payer)
    press(user, cashier_page(user, again, gateway), "pay")
    assert user.ok("GET", f"/orders/{again}")["status"] == "PAID"
    assert charged(sim, tenant) == [PRICE]
    ledger_holds(sim_control, tenant)


def test_cancel_leaves_a_paid_trade_paid(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, user: AppUser, enrol: Callable[..., Payer]
) -> None:
    payer = enrol()
    user.sign_in(payer)
    order_no = user.order_no(payer)
    page = cashier_page(user, order_no, "ccb")
    press(user, page, "pay")
    assert press(user, page, "cancel")["status"] == "SUCCESS"
    assert user.ok("GET", f"/orders/{order_no}")["status"] == "PAID"
    assert charged(sim, tenant) == [PRICE]


# timeout, then success ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("gateway", [*CASHIER_GATEWAYS, "agreement"])
def test_a_charge_the_provider_confirms_late_is_pending_never_unpaid_and_settles_once(
    sim: EmbeddedSimulator,
    sim_control: SimControl,
    tenant: str,
    user: AppUser,
    enrol: Callable[..., Payer],
    gateway: str,
) -> None:
    payer = enrol()
    user.sign_in(payer)
    if gateway == "agreement":
        sim_control.sign_agreement(tenant, payer.id_number, balance="1000")
    plan(sim_control, tenant, "timeout_then_success")
    order_no = user.order_no(payer)
    if gateway == "agreement":
        answer = user.pay(order_no, gateway)
        assert answer.status_code == 502, answer.text
        message = answer.json()["error"]["message"]
        assert "暂时无法确认支付结果" in message and "未扣款" not in message, message
    else:
        press(user, cashier_page(user, order_no, gateway), "pay")
    assert charged(sim, tenant) == [PRICE]  # the provider took it
    assert user.ok("GET", f"/orders/{order_no}")["status"] == "PAYING"  # 支付结果确认中: the query says not yet
    retried = user.pay(order_no, gateway)  # the payer tries again meanwhile: no second charge
    assert retried.status_code in (200, 409, 502), retried.text
    assert charged(sim, tenant) == [PRICE]
    sim_control.advance(tenant, faults.HOLD.total_seconds() + notify.FRESHNESS.total_seconds() + 900)
    assert user.ok("GET", f"/orders/{order_no}")["status"] == "PAID"
    assert charged(sim, tenant) == [PRICE]
    assert sum(1 for r in sim_control.ledger(tenant)["records"] if r["year"] == 2024) == 1
    eventually(lambda: all(n.status in (notify.DELIVERED, notify.GAVE_UP) for n in outbox(sim, tenant)))
    ledger_holds(sim_control, tenant)


# stale and wrong-amount notifications ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "refusal"), [("notify_stale", "相差超过5分钟"), ("notify_wrong_amount", "与订单金额")]
)
@pytest.mark.parametrize("gateway", CASHIER_GATEWAYS)
def test_a_rightly_signed_success_notification_that_is_stale_or_of_another_amount_does_not_count(
    sim: EmbeddedSimulator,
    sim_control: SimControl,
    tenant: str,
    user: AppUser,
    enrol: Callable[..., Payer],
    gateway: str,
    kind: str,
    refusal: str,
) -> None:
    _, order_no = paid_with(user, enrol, sim_control, tenant, gateway, "decline", kind)
    spoofed = [n for n in outbox(sim, tenant) if n.attempts and n.status == notify.GAVE_UP]
    assert len(spoofed) == 1, [(n.status, n.last_result) for n in outbox(sim, tenant)]
    if not gateway.startswith("alipay"):  # Alipay's merchant answers a bare "fail": the others say why
        assert refusal in spoofed[0].last_result, spoofed[0].last_result
    assert spoofed[0].status == notify.GAVE_UP  # sent once, refused, never resent
    assert user.ok("GET", f"/orders/{order_no}")["status"] in ("FAILED", "CLOSED")
    assert charged(sim, tenant) == []
    assert sim_control.ledger(tenant)["records"] == []
    ledger_holds(sim_control, tenant)


# a query before the notice --------------------------------------------------------------------------------------
@pytest.mark.parametrize("gateway", CASHIER_GATEWAYS)
def test_a_notification_held_until_the_channel_queries_follows_the_query_and_counts_once(
    sim: EmbeddedSimulator,
    sim_control: SimControl,
    tenant: str,
    user: AppUser,
    enrol: Callable[..., Payer],
    gateway: str,
) -> None:
    _, order_no = paid_with(user, enrol, sim_control, tenant, gateway, "query_first")
    time.sleep(0.3)  # the delivery worker was woken by the press: the held notification must stay
    held = outbox(sim, tenant)
    assert [(n.status, n.headers.get(notify.HELD)) for n in held] == [(notify.PENDING, order_no)]
    assert user.ok("GET", f"/orders/{order_no}")["status"] == "PAID"  # the query told the truth first
    eventually(lambda: [n.status for n in outbox(sim, tenant)] == [notify.DELIVERED])
    assert charged(sim, tenant) == [PRICE]
    assert len(sim_control.ledger(tenant)["records"]) == 1
    ledger_holds(sim_control, tenant)


# notify_resent --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("gateway", CASHIER_GATEWAYS)
def test_a_notification_whose_acknowledgement_is_lost_is_resent_on_schedule_taken_again_and_booked_once(
    sim: EmbeddedSimulator,
    sim_control: SimControl,
    tenant: str,
    user: AppUser,
    enrol: Callable[..., Payer],
    gateway: str,
) -> None:
    payer, order_no = paid_with(user, enrol, sim_control, tenant, gateway, "notify_resent")
    eventually(lambda: [(n.status, n.attempts) for n in outbox(sim, tenant)] == [(notify.PENDING, 1)])
    first = outbox(sim, tenant)[0]
    assert notify.ACK_LOST not in first.headers and first.last_result.startswith("HTTP 2")  # the channel said 已收到
    assert user.ok("GET", f"/orders/{order_no}")["status"] == "PAID"
    sim_control.advance(tenant, 3600)
    eventually(lambda: [(n.status, n.attempts) for n in outbox(sim, tenant)] == [(notify.DELIVERED, 2)])
    assert charged(sim, tenant) == [PRICE]
    assert len(sim_control.ledger(tenant)["records"]) == 1
    assert [m for m in sim_control.sms(tenant, payer.phone) if not m.get("code")][1:] == []  # one success SMS
    ledger_holds(sim_control, tenant)
