"""WeChat Pay's payment notifications at the merchant's notify endpoint: signatures, repeats, amounts, delays
and the resend schedule on the tenant's virtual clock."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import httpx
import respx
from sqlalchemy import select

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator, SimControl
from fixtures.waiting import poll
from simulators.core.models import Order, Tenant
from simulators.gateways import notify
from simulators.gateways.models import Notification
from simulators.gateways.wechatpay import models as wechatpay
from simulators.gateways.wechatpay.signing import epoch, notification_headers

if TYPE_CHECKING:
    from tests.conftest import Wechat

NOTIFY_PATH = "/wechat/api/notify/wechatpay"
T0 = datetime(2024, 3, 1, 9, 0, 0)


def _at_cashier(wechat: Wechat, payer: Payer) -> tuple[str, str]:
    """An order with a WeChat Pay trade open at the cashier, not yet confirmed: no notification exists."""
    order = wechat.order(payer)
    assert order.status_code == 201, order.text
    order_no = order.json()["order_no"]
    cashier = wechat.pay(order_no)
    assert cashier.status_code == 200, cashier.text
    return order_no, cashier.json()["cashier_url"]


def _paying_order(wechat: Wechat, payer: Payer) -> str:
    return _at_cashier(wechat, payer)[0]


def _order(sim: EmbeddedSimulator, order_no: str) -> tuple[str, int]:
    with sim.db.transaction() as session:
        order = session.get(Order, order_no)
        assert order is not None
        return order.status, order.amount_fen


def _merchant_key(sim: EmbeddedSimulator, tenant: str) -> str:
    with sim.db.transaction() as session:
        row = session.get(Tenant, tenant)
        assert row is not None
        return row.merchant_key


def _body(order_no: str, amount_fen: int) -> str:
    return json.dumps(
        {
            "id": "EV-" + secrets.token_hex(12),
            "create_time": "2024-03-01T09:00:05+08:00",
            "event_type": "TRANSACTION.SUCCESS",
            "resource_type": "plain-resource",
            "summary": "支付成功",
            "resource": {
                "appid": wechatpay.APPID,
                "mchid": wechatpay.MCHID,
                "out_trade_no": order_no,
                "trade_state": "SUCCESS",
                "trade_state_desc": "支付成功",
                "amount": {"total": amount_fen, "payer_total": amount_fen, "currency": "CNY"},
                "payer": {"openid": "o-test"},
                "transaction_id": "4200000000000000000000000001",
                "trade_type": "JSAPI",
                "bank_type": "OTHERS",
                "success_time": "2024-03-01T09:00:05+08:00",
            },
        },
        ensure_ascii=False,
    )


def _post(sim: EmbeddedSimulator, tenant: str, key: str, body: str) -> httpx.Response:
    headers = {**notification_headers(key, body, epoch(T0)), "X-Sim-Tenant": tenant}
    with httpx.Client(base_url=sim.url, timeout=30, trust_env=False) as http:
        return http.post(NOTIFY_PATH, content=body.encode(), headers=headers)


def _deliver(sim: EmbeddedSimulator, tenant: str) -> int:
    """A delivery round of the tenant, run on the app's delivery worker as every round is."""
    return sim.deliveries.run(lambda: notify.deliver_due(sim.db, tenant))


def _notes(sim: EmbeddedSimulator, tenant: str) -> list[Notification]:
    with sim.db.transaction() as session:
        return list(
            session.scalars(select(Notification).where(Notification.tenant_id == tenant).order_by(Notification.id))
        )


def test_a_notification_with_a_wrong_signature_is_refused(
    sim: EmbeddedSimulator, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    order_no = _paying_order(wechat, enrol())
    status, amount_fen = _order(sim, order_no)
    assert status == "PAYING"
    key = _merchant_key(sim, tenant)
    body = _body(order_no, amount_fen)

    forged = _post(sim, tenant, "not-the-merchant-key", body)
    assert forged.status_code == 401
    assert forged.json() == {"code": "FAIL", "message": "签名验证失败"}
    headers = {**notification_headers(key, body, epoch(T0)), "X-Sim-Tenant": tenant}
    tampered = httpx.post(
        sim.url + NOTIFY_PATH, content=body.replace("支付成功", "支付成功 ").encode(), headers=headers, trust_env=False
    )
    assert tampered.status_code == 401
    assert _order(sim, order_no)[0] == "PAYING"
    assert wechat.rows()["payment_record"] == 0

    genuine = _post(sim, tenant, key, body)
    assert genuine.status_code == 204, genuine.text
    assert _order(sim, order_no)[0] == "PAID"
    assert wechat.rows()["payment_record"] == 1


def test_a_notification_posted_twice_writes_one_record(
    sim: EmbeddedSimulator, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    order_no = _paying_order(wechat, enrol())
    body = _body(order_no, _order(sim, order_no)[1])
    key = _merchant_key(sim, tenant)

    answers = [_post(sim, tenant, key, body).status_code for _ in range(2)]
    assert answers == [204, 204]
    assert _order(sim, order_no)[0] == "PAID"
    assert wechat.rows()["payment_record"] == 1


def test_a_notification_posted_concurrently_writes_one_record(
    sim: EmbeddedSimulator, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    order_no = _paying_order(wechat, enrol())
    body = _body(order_no, _order(sim, order_no)[1])
    key = _merchant_key(sim, tenant)
    start = threading.Barrier(2, timeout=10)
    answers: list[int] = []

    def post() -> None:
        start.wait()
        answers.append(_post(sim, tenant, key, body).status_code)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert answers == [204, 204]
    assert _order(sim, order_no)[0] == "PAID"
    assert wechat.rows()["payment_record"] == 1


def test_a_notification_with_another_amount_is_refused(
    sim: EmbeddedSimulator, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    order_no = _paying_order(wechat, enrol())
    amount_fen = _order(sim, order_no)[1]
    assert amount_fen == 30000

    refused = _post(sim, tenant, _merchant_key(sim, tenant), _body(order_no, amount_fen - 1))
    assert refused.status_code == 400
    assert refused.json() == {"code": "FAIL", "message": "支付金额299.99元与订单金额300.00元不一致"}
    assert _order(sim, order_no)[0] == "PAYING"
    assert wechat.rows()["payment_record"] == 0


def test_a_late_notification_waits_for_the_clock_and_adds_no_second_record(
    sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    sim_control.plan_faults(tenant, [{"kind": "notify_late", "delay_seconds": 600}])
    payer = enrol()
    order_no, cashier_url = _at_cashier(wechat, payer)
    assert wechat.confirm_at_cashier(cashier_url).json()["trade_state"] == "SUCCESS"
    assert sim_control.http.get(f"/__sim/tenants/{tenant}/faults").json() == {"faults": []}
    assert sim_control.ledger(tenant)["notifications"] == {"pending": 1}
    assert wechat.rows()["payment_record"] == 0

    assert wechat.status(order_no)["status"] == "PAID"  # the result page asks WeChat Pay
    assert wechat.rows()["payment_record"] == 1

    early = sim_control.advance(tenant, 599)
    assert (early["now"], early["notifications_delivered"]) == ("2024-03-01 09:09:59", 0)
    assert sim_control.ledger(tenant)["notifications"] == {"pending": 1}

    due = sim_control.advance(tenant, 1)
    assert due["now"] == "2024-03-01 09:10:00"
    ledger = poll(lambda: sim_control.ledger(tenant), lambda got: got["notifications"] == {"delivered": 1})
    assert ledger["notifications"] == {"delivered": 1}
    assert [r["year"] for r in ledger["records"]] == [2024]
    assert wechat.rows()["payment_record"] == 1
    assert len(sim_control.sms(tenant, payer.phone)) == 1


def test_a_refused_notification_is_resent_on_wechat_schedule(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)

    def settled(attempts: int) -> Notification:
        notes = poll(
            lambda: _notes(sim, tenant),
            lambda got: len(got) == 1 and (got[0].attempts, got[0].status) == (attempts, "pending"),
        )
        assert [(n.attempts, n.status) for n in notes] == [(attempts, "pending")]
        return notes[0]

    with respx.mock(assert_all_mocked=False, assert_all_called=False) as mock:
        refusing = mock.post(sim.url + NOTIFY_PATH).respond(500, json={"code": "FAIL", "message": "系统繁忙"})
        mock.route().pass_through()

        order_no, cashier_url = _at_cashier(wechat, enrol())
        assert wechat.confirm_at_cashier(cashier_url).json()["trade_state"] == "SUCCESS"
        assert _deliver(sim, tenant) == 0
        first = settled(1)
        assert first.next_at == T0 + timedelta(seconds=15)
        assert first.last_result.startswith("HTTP 500")
        assert refusing.call_count == 1

        assert _deliver(sim, tenant) == 0  # not due again before 15 s on the tenant's clock
        assert settled(1).next_at == T0 + timedelta(seconds=15)
        assert refusing.call_count == 1

        sim_control.advance(tenant, 15)
        assert settled(2).next_at == T0 + timedelta(seconds=30)
        sim_control.advance(tenant, 15)
        assert settled(3).next_at == T0 + timedelta(seconds=60)
        assert refusing.call_count == 3
        assert wechat.rows()["payment_record"] == 0

    sim_control.advance(tenant, 29)
    assert _deliver(sim, tenant) == 0
    assert settled(3).next_at == T0 + timedelta(seconds=60)
    sim_control.advance(tenant, 1)
    notes = poll(lambda: _notes(sim, tenant), lambda got: got[0].status == "delivered")
    assert [(n.attempts, n.status, n.last_result) for n in notes] == [(4, "delivered", "HTTP 204 ")]
    assert _order(sim, order_no)[0] == "PAID"
    assert wechat.rows()["payment_record"] == 1


def test_a_delivery_round_in_flight_is_waited_for_not_skipped(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    """Two rounds asked for at once (the poller and a clock advance): neither returns while the other is still
    sending."""
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    sim_control.plan_faults(tenant, [{"kind": "notify_late", "delay_seconds": 60}])
    _, cashier_url = _at_cashier(wechat, enrol())
    assert wechat.confirm_at_cashier(cashier_url).json()["trade_state"] == "SUCCESS"
    db = sim.db
    with db.transaction() as session:  # due now, without the control API delivering it
        row = session.get(Tenant, tenant)
        assert row is not None
        row.clock_base = T0 + timedelta(seconds=60)
    started, seen = threading.Event(), []

    def slow_merchant(request: httpx.Request) -> httpx.Response:
        started.set()
        time.sleep(0.5)
        return httpx.Response(204)

    def round_() -> None:
        _deliver(sim, tenant)
        seen.append(sorted(n.status for n in _notes(sim, tenant)))

    with respx.mock(assert_all_mocked=False, assert_all_called=False) as mock:
        mock.post(sim.url + NOTIFY_PATH).mock(side_effect=slow_merchant)
        mock.route().pass_through()
        first = threading.Thread(target=round_)
        first.start()
        assert started.wait(10)
        round_()  # the other round, begun while the first is sending
        first.join(10)
    assert seen == [["delivered"], ["delivered"]]


def test_a_clock_advance_counts_what_it_made_due_while_the_poller_runs(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    """Rounds on the worker, back to back (as a busy poller runs them), never take a delivery from under the
    advance that made it due."""
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    stop = threading.Event()

    def poller() -> None:
        while not stop.is_set():
            _deliver(sim, tenant)

    running = threading.Thread(target=poller)
    running.start()
    try:
        for _ in range(5):
            sim_control.plan_faults(tenant, [{"kind": "notify_late", "delay_seconds": 60}])
            _, cashier_url = _at_cashier(wechat, enrol())
            assert wechat.confirm_at_cashier(cashier_url).json()["trade_state"] == "SUCCESS"
            assert sim_control.advance(tenant, 60)["notifications_delivered"] == 1
    finally:
        stop.set()
        running.join(10)
    assert sim_control.ledger(tenant)["notifications"] == {"delivered": 5}
