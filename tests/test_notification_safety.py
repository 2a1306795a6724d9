"""Notifications that cannot be forged, are fresh, survive a crash and are delivered off the request path: the
tenant's random merchant key, the 5-minute window on the tenant's clock, leases on the outbox rows and the app's
one delivery worker."""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import httpx
import pytest
import respx

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator, SimControl, embedded
from simulators.gateways import deliveries, notify
from simulators.gateways.alipay import models as alipay
from simulators.gateways.alipay import signing as alipay_signing
from simulators.gateways.ccb import models as ccb
from simulators.gateways.ccb import signing as ccb_signing
from simulators.gateways.models import Notification
from simulators.gateways.wechatpay import models as wechatpay
from simulators.gateways.wechatpay import signing as wechatpay_signing
from tests.provider_side import Merchant

if TYPE_CHECKING:
    from tests.conftest import Wechat

T0 = datetime(2024, 3, 1, 9, 0, 0)
SEED = 7  # the conftest tenant's seed, which every report prints
FORM = "application/x-www-form-urlencoded; charset=utf-8"


@pytest.fixture
def shop(sim: EmbeddedSimulator, wechat: Wechat) -> Merchant:
    return Merchant(sim, wechat)


def _derivable_key(tenant: str) -> str:
    """The key every tenant used to have: anyone who read a report could compute it."""
    return hashlib.sha256(f"merchant/{tenant}/{SEED}".encode()).hexdigest()


def _wechatpay(key: str, order_no: str, at: datetime) -> tuple[str, dict[str, str]]:
    body = json.dumps(
        {
            "id": "EV-" + secrets.token_hex(12),
            "create_time": f"{at.isoformat()}+08:00",
            "event_type": "TRANSACTION.SUCCESS",
            "resource_type": "plain-resource",
            "summary": "支付成功",
            "resource": {
                "appid": wechatpay.APPID,
                "mchid": wechatpay.MCHID,
                "out_trade_no": order_no,
                "trade_state": "SUCCESS",
                "trade_state_desc": "支付成功",
                "amount": {"total": 30000, "payer_total": 30000, "currency": "CNY"},
                "payer": {"openid": "o-test"},
                "transaction_id": "4200000000000000000000000001",
                "success_time": f"{at.isoformat()}+08:00",
            },
        },
        ensure_ascii=False,
    )
    return wechatpay_signing.sign_delivery(key, body, at)


def _alipay(key: str, order_no: str, at: datetime) -> tuple[str, dict[str, str]]:
    body = urlencode(
        {
            "notify_type": "trade_status_sync",
            "notify_id": secrets.token_hex(16),
            "app_id": alipay.APP_ID,
            "charset": "utf-8",
            "version": "1.0",
            "trade_no": "2024030122001000000000000001",
            "out_trade_no": order_no,
            "seller_id": alipay.SELLER_ID,
            "trade_status": "TRADE_SUCCESS",
            "total_amount": "300.00",
            "gmt_payment": f"{at:%Y-%m-%d %H:%M:%S}",
            "subject": "城乡居民基本养老保险费",
        }
    )
    return alipay_signing.sign_delivery(key, body, at)


def _ccb(key: str, order_no: str, at: datetime) -> tuple[str, dict[str, str]]:
    body = urlencode(
        {
            "POSID": ccb.POSID,
            "BRANCHID": ccb.BRANCHID,
            "ORDERID": order_no,
            "PAYMENT": "300.00",
            "CURCODE": "01",
            "REMARK1": "",
            "REMARK2": "",
            "ACC_TYPE": "12",
            "SUCCESS": "Y",
            "TYPE": "1",
            "REFERER": "",
            "CLIENTIP": "",
            "ACCDATE": f"{at:%Y%m%d}",
            "ERRMSG": "",
        }
    )
    return ccb_signing.sign_delivery(key, body, at)


Signed = Callable[[str, str, datetime], tuple[str, dict[str, str]]]
PROVIDERS: dict[str, tuple[Signed, str, str]] = {  # how it signs, its field of time, its content type
    "wechatpay": (_wechatpay, "Wechatpay-Timestamp", "application/json"),
    "alipay": (_alipay, "notify_time", FORM),
    "ccb": (_ccb, "NOTIFYTIME", FORM),
}


def _post(shop: Merchant, gateway: str, key: str, order_no: str, at: datetime) -> httpx.Response:
    """A notification of the order's payment, signed with ``key`` at ``at``, posted as the provider posts it."""
    sign, _field, content_type = PROVIDERS[gateway]
    body, headers = sign(key, order_no, at)
    with shop.http() as http:
        return http.post(
            f"/wechat/api/notify/{gateway}",
            content=body.encode(),
            headers={"Content-Type": content_type, **headers, "X-Sim-Tenant": shop.tenant},
        )


def _refusal(answer: httpx.Response) -> str:
    return (
        str(answer.json()["message"]) if answer.headers["content-type"].startswith("application/json") else answer.text
    )


def _deliver(sim: EmbeddedSimulator, tenant: str) -> int:
    return sim.deliveries.run(lambda: notify.deliver_due(sim.db, tenant))


# secrets ----------------------------------------------------------------------------------------------------------
def test_the_merchant_key_is_random_kept_by_a_reset_and_shown_only_by_the_secrets_route(
    sim_control: SimControl, tenant: str
) -> None:
    key = sim_control.secrets(tenant)["merchant_key"]
    assert len(key) == 64 and int(key, 16) >= 0
    assert key != _derivable_key(tenant)
    other = f"{tenant}-twin"
    sim_control.create_tenant(other, SEED)
    assert sim_control.secrets(other)["merchant_key"] != key  # same seed, another key

    answers = [
        sim_control.reset(tenant),
        sim_control.http.get(f"/__sim/tenants/{tenant}").json(),
        sim_control.create_tenant(f"{tenant}-third", SEED),
        sim_control.clock(tenant),
        sim_control.ledger(tenant),
    ]
    assert sim_control.secrets(tenant)["merchant_key"] == key
    assert all(key not in json.dumps(answer) for answer in answers)


def test_the_secrets_route_needs_the_control_token(tmp_path: Path) -> None:
    with (
        embedded(tmp_path / "token.db", control_token="s3cret", demo_payers=0) as guarded,
        httpx.Client(base_url=guarded.url, timeout=30, trust_env=False) as http,
    ):
        token = {"X-Sim-Token": "s3cret"}
        assert http.post("/__sim/tenants", json={"id": "guarded", "seed": 3}, headers=token).status_code == 201
        bare = http.get("/__sim/tenants/guarded/secrets")
        assert bare.status_code == 401 and "X-Sim-Token" in bare.json()["error"]["message"]
        assert len(http.get("/__sim/tenants/guarded/secrets", headers=token).json()["merchant_key"]) == 64


@pytest.mark.parametrize("gateway", PROVIDERS)
def test_a_notification_signed_with_the_derivable_key_is_refused_and_the_order_stays_unpaid(
    sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer], gateway: str
) -> None:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    order_no, _cashier = shop.paying(enrol(), gateway)
    before = shop.wechat.rows()

    forged = _post(shop, gateway, _derivable_key(tenant), order_no, T0)
    assert forged.status_code == 401
    assert shop.status(order_no)[0] == "PAYING"
    assert shop.wechat.rows() == before

    genuine = _post(shop, gateway, sim_control.secrets(tenant)["merchant_key"], order_no, T0)
    assert genuine.is_success, genuine.text
    assert shop.status(order_no)[0] == "PAID"


# freshness --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("gateway", PROVIDERS)
def test_a_genuine_notification_replayed_outside_the_window_is_refused_and_changes_nothing(
    sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer], gateway: str
) -> None:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    order_no, _cashier = shop.paying(enrol(), gateway)
    key, field = sim_control.secrets(tenant)["merchant_key"], PROVIDERS[gateway][1]
    before = shop.wechat.rows()

    sim_control.advance(tenant, 5 * 60 + 1)
    late = _post(shop, gateway, key, order_no, T0)
    early = _post(shop, gateway, key, order_no, T0 + timedelta(minutes=10, seconds=2))
    for refused in (late, early):
        assert refused.status_code == 400
        assert _refusal(refused) == (
            "fail"
            if gateway == "alipay"
            else f"通知时间{field}缺失或与当前时间相差超过5分钟:可能是重放的旧通知,不予处理"
        )
    assert shop.status(order_no)[0] == "PAYING"
    assert shop.wechat.rows() == before


@pytest.mark.parametrize("gateway", PROVIDERS)
def test_a_genuine_notification_replayed_inside_the_window_is_harmless(
    sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer], gateway: str
) -> None:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    payer = enrol()
    order_no, _cashier = shop.paying(payer, gateway)
    key = sim_control.secrets(tenant)["merchant_key"]
    sign = PROVIDERS[gateway][0]
    body, headers = sign(key, order_no, T0)

    def post() -> httpx.Response:
        with shop.http() as http:
            return http.post(
                f"/wechat/api/notify/{gateway}",
                content=body.encode(),
                headers={"Content-Type": PROVIDERS[gateway][2], **headers, "X-Sim-Tenant": tenant},
            )

    assert post().is_success
    sim_control.advance(tenant, 5 * 60)
    assert post().is_success  # the very same request, at the edge of the window
    assert shop.status(order_no)[0] == "PAID"
    assert shop.wechat.rows()["payment_record"] == 1
    assert len(sim_control.sms(tenant, payer.phone)) == 1


@pytest.mark.parametrize("gateway", PROVIDERS)
def test_a_resend_hours_later_is_signed_when_sent_and_accepted(
    sim: EmbeddedSimulator,
    sim_control: SimControl,
    tenant: str,
    shop: Merchant,
    enrol: Callable[..., Payer],
    gateway: str,
) -> None:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    with respx.mock(assert_all_mocked=False, assert_all_called=False) as mock:
        mock.post(f"{sim.url}/wechat/api/notify/{gateway}").respond(503, text="busy")
        mock.route().pass_through()
        order_no, cashier_url = shop.paying(enrol(), gateway)
        shop.confirm(cashier_url)
        notes = shop.notes_when(lambda got: [(n.attempts, n.status) for n in got] == [(1, "pending")])
        assert [(n.attempts, n.status) for n in notes] == [(1, "pending")]
    later = sim_control.set_clock(tenant, (T0 + timedelta(hours=3)).isoformat(), frozen=True)
    assert later["notifications_delivered"] == 1  # the resend, stamped 3 hours after the first, is fresh
    assert [(n.attempts, n.status) for n in shop.notes()] == [(2, "delivered")]
    assert shop.status(order_no)[0] == "PAID"


# leases -----------------------------------------------------------------------------------------------------------
def _orphan(sim: EmbeddedSimulator, tenant: str, lease_until: datetime) -> int:
    """The tenant's one notification, as a process killed mid-delivery leaves it: claimed, never finished."""
    with sim.db.transaction() as session:
        row = session.query(Notification).filter_by(tenant_id=tenant).one()
        row.status, row.lease_until = "sending", lease_until
        return row.id


def test_a_sending_row_whose_lease_ran_out_is_delivered_by_the_next_round(
    sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    sim_control.plan_faults(tenant, [{"kind": "notify_late", "delay_seconds": 3600}])
    order_no, cashier_url = shop.paying(enrol(), "wechatpay")
    assert shop.confirm(cashier_url).json()["trade_state"] == "SUCCESS"
    _orphan(shop.sim, tenant, datetime.now() - timedelta(seconds=1))

    notes = shop.notes_when(lambda got: got[0].status == "delivered")  # the worker's own poll finds it
    assert [(n.status, n.attempts, n.lease_until) for n in notes] == [("delivered", 1, None)]
    assert shop.status(order_no)[0] == "PAID"
    assert shop.wechat.rows()["payment_record"] == 1


def test_a_sending_row_whose_lease_holds_is_not_sent_again(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    sim_control.plan_faults(tenant, [{"kind": "notify_late", "delay_seconds": 60}])
    order_no, cashier_url = shop.paying(enrol(), "wechatpay")
    shop.confirm(cashier_url)
    held = datetime.now() + timedelta(hours=1)
    _orphan(sim, tenant, held)

    # Due long since, but its lease holds (and the merchant does not ask the provider before 15 minutes).
    assert sim_control.advance(tenant, 600)["notifications_delivered"] == 0
    assert _deliver(sim, tenant) == 0
    assert [(n.status, n.attempts, n.lease_until) for n in shop.notes()] == [("sending", 0, held)]
    assert shop.status(order_no)[0] == "PAYING"


# the delivery worker ----------------------------------------------------------------------------------------------
def _recording(names: list[str]) -> Callable[[httpx.Request], httpx.Response]:
    def merchant(_request: httpx.Request) -> httpx.Response:
        names.append(threading.current_thread().name)
        return httpx.Response(204)

    return merchant


def test_a_cashier_press_is_delivered_on_the_worker_thread_not_a_request_thread(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    names: list[str] = []
    with respx.mock(assert_all_mocked=False, assert_all_called=False) as mock:
        mock.post(f"{sim.url}/wechat/api/notify/wechatpay").mock(side_effect=_recording(names))
        mock.route().pass_through()
        _order_no, cashier_url = shop.paying(enrol(), "wechatpay")
        assert shop.confirm(cashier_url).json()["trade_state"] == "SUCCESS"
        notes = shop.notes_when(lambda got: [n.status for n in got] == ["delivered"])
    assert [n.status for n in notes] == ["delivered"]
    assert names == [deliveries.THREAD_NAME]


def test_a_clock_advance_delivers_on_the_worker_and_counts_what_it_delivered(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    sim_control.plan_faults(tenant, [{"kind": "notify_late", "delay_seconds": 60}, {"kind": "notify_twice"}])
    names: list[str] = []
    with respx.mock(assert_all_mocked=False, assert_all_called=False) as mock:
        mock.post(f"{sim.url}/wechat/api/notify/wechatpay").mock(side_effect=_recording(names))
        mock.route().pass_through()
        _order_no, cashier_url = shop.paying(enrol(), "wechatpay")
        shop.confirm(cashier_url)
        assert sim_control.advance(tenant, 59)["notifications_delivered"] == 0
        advanced = sim_control.advance(tenant, 1)
    assert (advanced["now"], advanced["notifications_delivered"], advanced["batch_deductions"]) == (
        "2024-03-01 09:01:00",
        2,
        [],
    )
    assert names == [deliveries.THREAD_NAME] * 2
    assert sim_control.ledger(tenant)["notifications"] == {"delivered": 2}


def test_the_worker_runs_jobs_one_at_a_time_in_order_and_hands_back_values_and_errors(sim: EmbeddedSimulator) -> None:
    worker = sim.deliveries
    seen: list[int] = []
    for n in range(5):
        worker.schedule(partial(seen.append, n))
    assert worker.run(lambda: (list(seen), threading.current_thread().name)) == (
        [0, 1, 2, 3, 4],
        deliveries.THREAD_NAME,
    )
    assert worker.run(lambda: worker.run(lambda: "nested")) == "nested"  # on the worker: at once, no deadlock

    def fails() -> None:
        raise LookupError("没有这笔通知")

    with pytest.raises(LookupError, match="没有这笔通知"):
        worker.run(fails)
    assert worker.run(lambda: "still running") == "still running"


def test_a_stopped_worker_refuses_work(sim: EmbeddedSimulator) -> None:
    worker = deliveries.Deliveries(sim.db, every=3600)
    with pytest.raises(RuntimeError, match="未启动"):
        worker.run(lambda: None)
    worker.schedule(lambda: None)  # a start-up job, queued before the thread exists
    worker.start()
    assert worker.run(lambda: threading.current_thread().name) == deliveries.THREAD_NAME
    worker.stop()
    with pytest.raises(RuntimeError, match="已停止"):
        worker.run(lambda: None)
