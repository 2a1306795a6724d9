"""Orders and money: one order per submission, one paid bill per year, one charge however the clicks race."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from simulators.core.models import Order, PaymentRecord
from simulators.gateways.models import GatewayTrade
from tests.conftest import Wechat


def test_a_repeated_submission_key_gives_the_same_order(wechat: Wechat, enrol) -> None:
    payer = enrol()
    first = wechat.order(payer, idempotency_key="same-key-123")
    again = wechat.order(payer, idempotency_key="same-key-123")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["order_no"] == again.json()["order_no"]
    assert wechat.rows()["payment_order"] == 1


def test_two_concurrent_confirmations_end_with_one_paid_order_and_one_charge(wechat: Wechat, enrol) -> None:
    payer = enrol()
    start = threading.Barrier(2)

    def confirm_and_pay(key: str) -> str:
        start.wait()
        order = wechat.order(payer, idempotency_key=key)
        if order.status_code != 201:
            return f"refused {order.status_code}"
        cashier = wechat.pay(order.json()["order_no"])
        if cashier.status_code != 200:
            return f"refused {cashier.status_code}"
        state: str = wechat.confirm_at_cashier(cashier.json()["cashier_url"]).json().get("trade_state", "refused")
        return state

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(confirm_and_pay, ["device-one-key", "device-two-key"]))
    assert outcomes.count("SUCCESS") == 1, outcomes
    statuses = [wechat.status(order)["status"] for order in _orders(wechat)]
    assert statuses.count("PAID") == 1, statuses
    rows = wechat.rows()
    assert rows["payment_record"] == 1
    with wechat.sim.db.transaction() as session:
        charged = session.scalars(select(GatewayTrade.state).where(GatewayTrade.tenant_id == wechat.tenant)).all()
    assert list(charged).count("SUCCESS") == 1


def _orders(wechat: Wechat) -> list[str]:
    with wechat.sim.db.transaction() as session:
        return list(session.scalars(select(Order.order_no).where(Order.tenant_id == wechat.tenant)))


@pytest.mark.parametrize("round_", range(3))
def test_racing_payments_of_one_bill_never_charge_twice(wechat: Wechat, enrol, round_: int) -> None:
    payer = enrol()
    orders = [wechat.order(payer, idempotency_key=f"race-{round_}-{i}-key").json() for i in range(2)]
    # The second confirmation closed the first (it never reached a provider): only the last can be paid.
    assert wechat.status(orders[0]["order_no"])["status"] == "CLOSED"
    refused = wechat.pay(orders[0]["order_no"])
    assert refused.status_code == 409 and "已关闭" in refused.json()["error"]["message"]
    assert wechat.pay_through(payer, idempotency_key=f"race-{round_}-1-key")["status"] == "PAID"
    assert wechat.rows()["payment_record"] == 1


def test_an_abandoned_cashier_is_closed_when_the_payer_submits_again(wechat: Wechat, enrol) -> None:
    payer = enrol()
    first = wechat.order(payer).json()["order_no"]
    abandoned = wechat.pay(first).json()["cashier_url"]
    second = wechat.pay_through(payer)
    assert second["status"] == "PAID"
    late = wechat.confirm_at_cashier(abandoned)
    assert late.status_code == 400 and late.json()["code"] == "ORDER_CLOSED"
    assert wechat.status(first)["status"] == "CLOSED"
    assert wechat.rows()["payment_record"] == 1


def test_the_database_itself_refuses_a_second_paid_record(wechat: Wechat, enrol) -> None:
    payer = enrol()
    assert wechat.pay_through(payer)["status"] == "PAID"
    db = wechat.sim.db
    with pytest.raises(IntegrityError), db.transaction() as session:
        paid = session.scalars(select(PaymentRecord).where(PaymentRecord.tenant_id == wechat.tenant)).one()
        copy = {c.name: getattr(paid, c.name) for c in PaymentRecord.__table__.columns if c.name != "id"}
        session.add(PaymentRecord(**copy))
        session.flush()


def test_a_declined_payment_charges_nothing_and_frees_the_bill(wechat: Wechat, enrol, sim_control) -> None:
    payer = enrol()
    sim_control.plan_faults(wechat.tenant, [{"kind": "decline"}])
    failed = wechat.pay_through(payer)
    assert failed["status"] == "FAILED" and "余额不足" in failed["failure"]
    assert wechat.rows()["payment_record"] == 0
    assert wechat.pay_through(payer)["status"] == "PAID"
