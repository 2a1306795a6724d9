"""Money is never lost, created or charged twice: each class of defect that probing found, reproduced
deterministically, with what the providers charged and the ledger checked after it."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import respx
from sqlalchemy import func, select

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator, SimControl
from fixtures.waiting import poll
from simulators.core.models import Bill, Order, PaymentRecord
from simulators.gateways import merchant
from simulators.gateways.bank.models import BankAgreement
from simulators.gateways.models import GatewayTrade, Refund
from simulators.gateways.result import GatewayResult, Outcome
from tests.alipay_user import AlipayUser
from tests.app_user import AppUser, app_user, tenant_client
from tests.provider_side import Merchant

if TYPE_CHECKING:
    from tests.conftest import Wechat


@pytest.fixture
def shop(sim: EmbeddedSimulator, wechat: Wechat) -> Merchant:
    return Merchant(sim, wechat)


# what the providers charged, side by side with the orders ---------------------------------------------------
def money(sim: EmbeddedSimulator, tenant: str) -> dict[str, Any]:
    """Net charges at the providers, paid orders and records of the tenant, in fen."""
    with sim.db.transaction() as session:
        trades = list(session.scalars(select(GatewayTrade).where(GatewayTrade.tenant_id == tenant)))
        paid = list(session.scalars(select(Order).where(Order.tenant_id == tenant, Order.status == "PAID")))
        return {
            "charged": sum(t.amount_fen for t in trades if t.success_at is not None),
            "refunded": sum(t.refunded_fen for t in trades),
            "paid_orders": sum(o.amount_fen for o in paid),
            "records": session.scalar(
                select(func.count()).select_from(PaymentRecord).where(PaymentRecord.tenant_id == tenant)
            )
            or 0,
            "refunds": session.scalar(select(func.count()).select_from(Refund).where(Refund.tenant_id == tenant)) or 0,
        }


def ledger_holds(control: SimControl, tenant: str) -> None:
    ledger = control.ledger(tenant)
    assert ledger["ok"], ledger["verdict"]


def order_row(sim: EmbeddedSimulator, order_no: str) -> Order:
    with sim.db.transaction() as session:
        order = session.get(Order, order_no)
        assert order is not None
        return order


def balance(sim: EmbeddedSimulator, tenant: str) -> int:
    with sim.db.transaction() as session:
        return session.scalars(select(BankAgreement.balance_fen).where(BankAgreement.tenant_id == tenant)).one()


# 1. a double charge with no race at all -----------------------------------------------------------------------
def test_a_bill_confirmed_again_in_another_channel_and_again_is_charged_once(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    payer = enrol()
    first = wechat.order(payer).json()["order_no"]
    first_cashier = wechat.pay(first).json()["cashier_url"]  # the payer is left at WeChat Pay's cashier
    with tenant_client(sim, tenant) as http:
        alipay = AlipayUser(sim, tenant, http).log_in(payer)
        made = alipay.order(alipay.own())
        assert made.status_code == 201, made.text
        second = made.json()["order_no"]
        second_cashier = alipay.call("POST", f"/orders/{second}/pay", {"gateway": "alipay"}).json()["cashier_url"]
        third = wechat.order(payer)
        assert third.status_code == 201, third.text
        third_no = third.json()["order_no"]
        third_cashier = wechat.pay(third_no).json()["cashier_url"]

        pressed = [
            http.post(url.split("?")[0] + "/pay", json={}) for url in (second_cashier, third_cashier, first_cashier)
        ]
        assert alipay.call("GET", f"/orders/{second}").json()["status"] == "CLOSED"
    assert [p.status_code for p in pressed] == [409, 200, 400]  # only the newest order's cashier still charges
    assert "已关闭" in pressed[0].json()["error"]["message"]
    assert wechat.status(third_no)["status"] == "PAID"
    assert wechat.status(first)["status"] == "CLOSED"
    assert money(sim, tenant) == {"charged": 30000, "refunded": 0, "paid_orders": 30000, "records": 1, "refunds": 0}
    ledger_holds(sim_control, tenant)


def test_a_bill_held_by_an_order_at_a_provider_leaves_no_half_made_order(
    sim: EmbeddedSimulator, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    """The confirmation that found the bill held wrote nothing: its retry makes the order that holds it."""
    payer = enrol()
    held = wechat.order(payer).json()["order_no"]
    wechat.pay(held)
    again = wechat.order(payer, idempotency_key="same-key-twice-0001")
    repeated = wechat.order(payer, idempotency_key="same-key-twice-0001")
    assert again.json()["order_no"] == repeated.json()["order_no"]
    with sim.db.transaction() as session:
        bill = session.scalars(select(Bill).where(Bill.tenant_id == tenant)).one()
        assert bill.order_no == again.json()["order_no"]
        assert session.scalar(select(func.count()).select_from(Order).where(Order.tenant_id == tenant)) == 2


# 2. one order, several attempts at once ---------------------------------------------------------------------
GATEWAYS = ("ccb", "wechatpay", "alipay_qr", "agreement")


def test_simultaneous_payments_through_four_gateways_make_one_attempt(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, enrol: Callable[..., Payer]
) -> None:
    for _round in range(3):
        payer = enrol()
        sim_control.sign_agreement(tenant, payer.id_number, balance="5000")
        with app_user(sim, sim_control, tenant, AppUser) as user:
            user.sign_in(payer)
            order_no = user.order_no(payer)
            barrier = threading.Barrier(len(GATEWAYS))
            answers: dict[str, httpx.Response] = {}

            def attempt(
                gateway: str,
                order_no: str = order_no,
                barrier: threading.Barrier = barrier,
                token: str = user.token,
                answers: dict[str, httpx.Response] = answers,
            ) -> None:
                with httpx.Client(
                    base_url=sim.url,
                    timeout=30,
                    trust_env=False,
                    headers={"X-Sim-Tenant": tenant, "X-App-Token": token},
                ) as http:
                    barrier.wait()
                    answers[gateway] = http.post(f"/taxapp/api/orders/{order_no}/pay", json={"gateway": gateway})

            threads = [threading.Thread(target=attempt, args=(g,)) for g in GATEWAYS]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            assert sorted(a.status_code for a in answers.values()) == [200, 409, 409, 409], {
                g: a.text for g, a in answers.items()
            }
            for refused in (a for a in answers.values() if a.status_code == 409):
                message = refused.json()["error"]["message"]
                # in flight, through another gateway, or already paid by the winner (协议支付 settles at once)
                assert "正在向" in message or "已选择" in message or message.endswith("已缴费,不能支付"), message
            winner = next(g for g, a in answers.items() if a.status_code == 200)
            assert order_row(sim, order_no).gateway == winner
            with sim.db.transaction() as session:
                assert (
                    session.scalar(
                        select(func.count())
                        .select_from(GatewayTrade)
                        .where(GatewayTrade.tenant_id == tenant, GatewayTrade.out_trade_no == order_no)
                    )
                    == 1
                )
            if winner in ("ccb", "wechatpay"):  # the payer completes at the cashier the winner sent them to
                url = answers[winner].json()["cashier_url"]
                assert user.http.post(url.split("?")[0] + "/pay", json={}).status_code == 200

                def status(order_no: str = order_no) -> str:
                    return order_row(sim, order_no).status

                assert poll(status, lambda s: s == "PAID") == "PAID"
    charged = money(sim, tenant)
    assert charged["charged"] == charged["paid_orders"] and charged["refunds"] == 0
    ledger_holds(sim_control, tenant)


# 3. 协议支付: a debit whose answer never reached the merchant ----------------------------------------------------
@contextmanager
def answer_lost(sim: EmbeddedSimulator, path: str) -> Iterator[respx.Route]:
    """The provider does the call, but its answer never reaches the merchant (a read timeout)."""

    def through_then_lost(request: httpx.Request) -> httpx.Response:
        forwarded = urllib.request.Request(
            str(request.url), data=request.content, method=request.method, headers=dict(request.headers)
        )
        with urllib.request.urlopen(forwarded, timeout=30) as done:  # noqa: S310 (loopback)
            done.read()
        raise httpx.ReadTimeout("answer lost", request=request)

    with respx.mock(assert_all_mocked=False, assert_all_called=False) as mock:
        route = mock.post(sim.url + path).mock(side_effect=through_then_lost)
        mock.route().pass_through()
        yield route


@contextmanager
def debit_answer_lost(
    sim: EmbeddedSimulator, control: SimControl, tenant: str, payer: Payer
) -> Iterator[tuple[AppUser, str]]:
    """A 宁波税务APP user whose 协议支付 was debited by the bank, the answer lost on the way: the user and order."""
    control.sign_agreement(tenant, payer.id_number, balance="1000")
    with app_user(sim, control, tenant, AppUser) as user:
        user.sign_in(payer)
        order_no = user.order_no(payer)
        with answer_lost(sim, "/pay/bank/agreement-pay") as debit:
            lost = user.pay(order_no, "agreement")
        assert debit.call_count == 1
        assert lost.status_code == 502
        assert "已支付的款项确认后自动入账,不会重复扣款" in lost.json()["error"]["message"]
        assert balance(sim, tenant) == 70000  # the bank did debit
        assert order_row(sim, order_no).status == "PAYING"
        yield user, order_no


def test_a_debit_whose_answer_was_lost_is_found_and_never_taken_twice(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, enrol: Callable[..., Payer]
) -> None:
    with debit_answer_lost(sim, sim_control, tenant, enrol()) as (user, order_no):
        retried = user.pay(order_no, "agreement")  # the payer's retry finds the debit instead of making another
        assert retried.status_code == 200, retried.text
        assert user.ok("GET", f"/orders/{order_no}")["status"] == "PAID"
        assert user.pay(order_no, "agreement").status_code == 409
    assert balance(sim, tenant) == 70000
    assert money(sim, tenant) == {"charged": 30000, "refunded": 0, "paid_orders": 30000, "records": 1, "refunds": 0}
    ledger_holds(sim_control, tenant)


def test_a_lost_debit_is_found_by_the_query_of_the_result_page(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, enrol: Callable[..., Payer]
) -> None:
    with debit_answer_lost(sim, sim_control, tenant, enrol()) as (user, order_no):
        assert user.ok("GET", f"/orders/{order_no}")["status"] == "PAID"
    assert money(sim, tenant)["records"] == 1
    ledger_holds(sim_control, tenant)


def test_a_debit_that_lands_after_its_order_was_superseded_is_reversed(
    sim: EmbeddedSimulator,
    sim_control: SimControl,
    tenant: str,
    enrol: Callable[..., Payer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bank is slow: the payer confirms again meanwhile (the old attempt's lease has run out), the bank then
    debits the old order, which can no longer be paid: the debit is reversed, and the new order is paid once."""
    monkeypatch.setattr(merchant, "LEASE", merchant.LEASE * 0)
    payer = enrol()
    sim_control.sign_agreement(tenant, payer.id_number, balance="1000")
    entered, go = threading.Event(), threading.Event()

    def slow_debit(request: httpx.Request) -> httpx.Response:
        entered.set()
        go.wait(30)
        forwarded = urllib.request.Request(
            str(request.url), data=request.content, method="POST", headers=dict(request.headers)
        )
        with urllib.request.urlopen(forwarded, timeout=30) as done:  # noqa: S310 (loopback)
            return httpx.Response(done.status, content=done.read(), headers={"Content-Type": "application/json"})

    with app_user(sim, sim_control, tenant, AppUser) as user:
        user.sign_in(payer)
        old = user.order_no(payer)
        answers: list[httpx.Response] = []
        with respx.mock(assert_all_mocked=False, assert_all_called=False) as mock:
            debit = mock.post(sim.url + "/pay/bank/agreement-pay").mock(side_effect=slow_debit)
            mock.route().pass_through()
            with tenant_client(sim, tenant) as other_http:
                waiting = threading.Thread(
                    target=lambda: answers.append(
                        other_http.post(
                            f"/taxapp/api/orders/{old}/pay",
                            json={"gateway": "agreement"},
                            headers={"X-App-Token": user.token},
                        )
                    )
                )
                waiting.start()
                assert entered.wait(30)
                new = user.order_no(payer)  # supersedes the old order: the bank has no debit of it yet
                assert order_row(sim, old).status == "CLOSED"
                go.set()
                waiting.join(timeout=60)
            debit.side_effect = None
            debit.pass_through()
            paid = user.pay(new, "agreement")
        assert paid.status_code == 200, paid.text
    assert answers and answers[0].status_code in (200, 409), answers[0].text
    old_row = order_row(sim, old)
    assert (old_row.status, old_row.refunded, old_row.refund_due) == ("CLOSED", True, False)
    assert balance(sim, tenant) == 70000  # 300.00 debited twice, 300.00 reversed
    assert money(sim, tenant) == {"charged": 60000, "refunded": 30000, "paid_orders": 30000, "records": 1, "refunds": 1}
    ledger_holds(sim_control, tenant)


# a charge that lands on an order the provider said was closed is refunded -------------------------------------
CASHIER_GATEWAYS = ("wechatpay", "alipay", "ccb")


@pytest.mark.parametrize("gateway", CASHIER_GATEWAYS)
def test_a_charge_on_a_superseded_order_is_refunded(
    gateway: str,
    sim: EmbeddedSimulator,
    sim_control: SimControl,
    tenant: str,
    shop: Merchant,
    enrol: Callable[..., Payer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The provider answers the merchant's close with 'closed' but the payer's payment at its cashier still goes
    through (a close that raced a payment inside the provider): the charge is refunded, never kept or lost."""
    payer = enrol()
    old, cashier = shop.paying(payer, gateway)
    monkeypatch.setattr(
        merchant.CLIENTS[gateway],
        "close",
        lambda self, out_trade_no: GatewayResult(Outcome.CLOSED, out_trade_no=out_trade_no),
    )
    new = shop.order(payer)
    assert shop.status(old)[0] == "CLOSED"
    assert shop.confirm(cashier).status_code == 200  # charged at the provider

    refunded = poll(lambda: shop.trade(old), lambda trade: trade.refunded_fen == trade.amount_fen)
    assert refunded.refunded_fen == 30000
    assert poll(lambda: order_row(sim, old), lambda row: row.refunded).refund_due is False
    monkeypatch.undo()
    new_cashier = shop.pay(new, gateway)
    assert shop.confirm(new_cashier).status_code == 200
    assert poll(lambda: shop.status(new)[0], lambda status: status == "PAID") == "PAID"
    assert money(sim, shop.tenant) == {
        "charged": 60000,
        "refunded": 30000,
        "paid_orders": 30000,
        "records": 1,
        "refunds": 1,
    }
    ledger_holds(sim_control, tenant)


# 6. another person's order --------------------------------------------------------------------------------------
def test_another_login_cannot_see_or_pay_an_order(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, enrol: Callable[..., Payer]
) -> None:
    owner, stranger = enrol(), enrol()
    sim_control.sign_agreement(tenant, stranger.id_number, balance="1000")
    with app_user(sim, sim_control, tenant, AppUser) as me, app_user(sim, sim_control, tenant, AppUser) as them:
        me.sign_in(owner)
        them.sign_in(stranger)
        order_no = me.order_no(owner)
        for response in (them.call("GET", f"/orders/{order_no}"), them.pay(order_no, "agreement")):
            assert response.status_code == 404, response.text
            assert response.json()["error"] == {
                "code": "not_found",
                "field": "订单号",
                "message": f"订单{order_no}不存在",
            }
        assert me.call("GET", f"/orders/{order_no}").status_code == 200
    assert balance(sim, tenant) == 100000
    with sim.db.transaction() as session:
        assert (
            session.scalar(select(func.count()).select_from(GatewayTrade).where(GatewayTrade.tenant_id == tenant)) == 0
        )
    ledger_holds(sim_control, tenant)


def test_an_order_belongs_to_its_channel_and_its_visitor(
    sim: EmbeddedSimulator, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    order_no = wechat.order(enrol()).json()["order_no"]
    with tenant_client(sim, tenant) as http:
        other_openid = http.post("/wechat/api/oauth/authorize", json={}).json()["openid"]
        seen = http.get(f"/wechat/api/orders/{order_no}", headers={"X-Wechat-Openid": other_openid})
        paid = http.post(
            f"/wechat/api/orders/{order_no}/pay",
            json={"gateway": "wechatpay"},
            headers={"X-Wechat-Openid": other_openid},
        )
    assert (seen.status_code, paid.status_code) == (404, 404)
    assert json.loads(seen.text)["error"]["message"] == f"订单{order_no}不存在"
    assert wechat.status(order_no)["status"] == "CREATED"


# the reconciler on the tenant's clock -----------------------------------------------------------------------------
def test_a_payment_whose_notification_never_arrives_is_found_on_the_clock(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    sim_control.set_clock(tenant, "2024-03-01T09:00:00", frozen=True)
    with respx.mock(assert_all_mocked=False, assert_all_called=False) as mock:
        refused = mock.post(sim.url + "/wechat/api/notify/wechatpay").respond(500)
        mock.route().pass_through()
        order_no, cashier = shop.paying(enrol(), "wechatpay")
        assert shop.confirm(cashier).status_code == 200
        assert poll(lambda: refused.call_count, lambda n: n >= 1) >= 1
        assert sim_control.advance(tenant, 14 * 60)["unreconciled"] == 0
        assert shop.status(order_no)[0] == "PAYING"  # a notification may still come: not asked yet
        assert sim_control.advance(tenant, 60)["unreconciled"] == 0
        assert shop.status(order_no)[0] == "PAID"  # overdue: the merchant asked WeChat Pay
    ledger_holds(sim_control, tenant)


def test_an_attempt_past_its_expiry_is_closed_at_the_provider_on_the_clock(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    sim_control.set_clock(tenant, "2024-03-01T09:00:00", frozen=True)
    order_no, cashier = shop.paying(enrol(), "ccb")
    sim_control.advance(tenant, 3 * 3600)
    assert shop.status(order_no)[0] == "CLOSED"
    assert shop.trade(order_no).state == "CLOSED"
    assert shop.confirm(cashier).status_code == 409  # the payer who comes back to the cashier is refused
    ledger_holds(sim_control, tenant)
