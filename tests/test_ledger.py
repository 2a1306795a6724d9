"""The ledger's invariants at GET /__sim/tenants/{id}/ledger, each broken by rows crafted in a tenant; and the
harness failing a feature scenario whose ledger does not hold."""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select, update

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator, SimControl, embedded
from simulators.core import idnumber
from simulators.core.db import Database
from simulators.core.models import Bill, Order, PaymentRecord
from simulators.gateways.models import GatewayTrade, Notification, Refund
from tests.conftest import Wechat

pytest_plugins = ["pytester"]

NAMES = [
    "charges_match_orders",
    "records_match_orders",
    "one_record_per_year",
    "refunds_matched",
    "no_debit_on_unpaid_order",
    "one_open_order_per_bill",
    "no_stuck_delivery",
]


def broken(control: SimControl, tenant: str) -> dict[str, str]:
    """The broken invariants of the tenant's ledger, by name, with their detail; the verdict agrees."""
    ledger = control.ledger(tenant)
    assert [i["name"] for i in ledger["invariants"]] == NAMES
    wrong = {i["name"]: i["detail"] for i in ledger["invariants"] if not i["ok"]}
    titles = [i["title"] for i in ledger["invariants"] if not i["ok"]]
    assert ledger["ok"] is not wrong
    assert ledger["verdict"] == ("不一致:" + "、".join(titles) if wrong else "一致")
    return wrong


@dataclass
class Rows:
    """The database under a simulator, for rows no client could write."""

    db: Database
    tenant: str

    def order(self, order_no: str, **values: Any) -> None:
        with self.db.transaction() as session:
            order = session.get(Order, order_no)
            assert order is not None
            for key, value in values.items():
                setattr(order, key, value)

    def trade(self, order_no: str, **values: Any) -> GatewayTrade:
        with self.db.transaction() as session:
            trade = session.scalars(
                select(GatewayTrade).where(GatewayTrade.tenant_id == self.tenant, GatewayTrade.out_trade_no == order_no)
            ).one()
            for key, value in values.items():
                setattr(trade, key, value)
            return trade

    def charge(self, order_no: str) -> GatewayTrade:
        """The provider took the money of the order's trade, whatever the merchant learnt of it."""
        with self.db.transaction() as session:
            trade = session.scalars(
                select(GatewayTrade).where(GatewayTrade.tenant_id == self.tenant, GatewayTrade.out_trade_no == order_no)
            ).one()
            trade.state, trade.success_at = "SUCCESS", trade.created_at + timedelta(minutes=1)
            return trade

    def refund(self, trade: GatewayTrade, amount_fen: int, *, refunded_fen: int | None = None) -> str:
        refund_no = "RF" + secrets.token_hex(6)
        with self.db.transaction() as session:
            session.add(
                Refund(
                    tenant_id=self.tenant,
                    gateway=trade.gateway,
                    out_trade_no=trade.out_trade_no,
                    out_refund_no=refund_no,
                    refund_id="R" + secrets.token_hex(8),
                    amount_fen=amount_fen,
                    reason="测试",
                    created_at=trade.created_at + timedelta(minutes=2),
                )
            )
            row = session.get(GatewayTrade, trade.prepay_id)
            assert row is not None
            row.refunded_fen += amount_fen if refunded_fen is None else refunded_fen
        return refund_no

    def records(self, order_no: str) -> list[PaymentRecord]:
        with self.db.transaction() as session:
            return list(session.scalars(select(PaymentRecord).where(PaymentRecord.order_no == order_no)))


@pytest.fixture
def rows(sim: EmbeddedSimulator, tenant: str) -> Rows:
    return Rows(sim.db, tenant)


def _paying(wechat: Wechat, payer: Payer) -> str:
    """An order whose WeChat Pay trade is open at the cashier: PAYING, nothing charged yet."""
    order = wechat.order(payer)
    assert order.status_code == 201, order.text
    order_no: str = order.json()["order_no"]
    assert wechat.pay(order_no).status_code == 200
    return order_no


def _paid(wechat: Wechat, payer: Payer) -> str:
    status = wechat.pay_through(payer)
    assert status["status"] == "PAID", status
    return str(status["order_no"])


# a ledger that holds ---------------------------------------------------------------------------------------
def test_a_clean_paid_flow_is_consistent(
    sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    _paid(wechat, enrol())
    ledger = sim_control.ledger(tenant)
    assert ledger["verdict"] == "一致" and ledger["ok"] is True
    assert all(i["ok"] and i["title"] and i["detail"] for i in ledger["invariants"])
    assert broken(sim_control, tenant) == {}
    assert {"orders", "records", "charges", "notifications"} <= set(ledger)


def test_a_charge_the_merchant_has_not_learnt_of_is_pending_not_broken(
    sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer], rows: Rows
) -> None:
    order_no = _paying(wechat, enrol())
    rows.charge(order_no)
    assert broken(sim_control, tenant) == {}
    charges = next(i for i in sim_control.ledger(tenant)["invariants"] if i["name"] == "charges_match_orders")
    assert f"订单{order_no}支付中,微信支付实收300.00元待对账" in charges["detail"]


def test_a_closed_order_whose_charge_was_refunded_in_full_is_consistent(
    sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer], rows: Rows
) -> None:
    order_no = _paying(wechat, enrol())
    rows.refund(rows.charge(order_no), 30000)
    rows.order(order_no, status="CLOSED")
    assert broken(sim_control, tenant) == {}


# each invariant, broken ------------------------------------------------------------------------------------
def test_a_charge_on_a_closed_order_is_named_by_both_money_invariants(
    sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer], rows: Rows
) -> None:
    order_no = _paying(wechat, enrol())
    rows.charge(order_no)
    rows.order(order_no, status="CLOSED")
    wrong = broken(sim_control, tenant)
    assert set(wrong) == {"charges_match_orders", "no_debit_on_unpaid_order"}
    for detail in wrong.values():
        assert f"订单{order_no}已关闭,但微信支付实收300.00元未退款" in detail


def test_a_paid_order_without_a_charge_breaks_charges_match_orders(
    sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer], rows: Rows
) -> None:
    order_no = _paid(wechat, enrol())
    rows.trade(order_no, success_at=None)
    wrong = broken(sim_control, tenant)
    assert set(wrong) == {"charges_match_orders"}
    assert f"订单{order_no}已缴费300.00元,但支付渠道没有实收" in wrong["charges_match_orders"]
    assert "已缴费订单合计300.00元,其实收合计0.00元" in wrong["charges_match_orders"]


def test_a_paid_order_charged_a_different_amount_breaks_charges_match_orders(
    sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer], rows: Rows
) -> None:
    order_no = _paid(wechat, enrol())
    rows.trade(order_no, amount_fen=20000)
    wrong = broken(sim_control, tenant)
    assert set(wrong) == {"charges_match_orders"}
    assert f"订单{order_no}已缴费300.00元,但微信支付实收200.00元" in wrong["charges_match_orders"]


def test_a_paid_order_charged_twice_breaks_charges_match_orders(
    sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer], rows: Rows
) -> None:
    order_no = _paid(wechat, enrol())
    with rows.db.transaction() as session:
        first = session.scalars(select(GatewayTrade).where(GatewayTrade.out_trade_no == order_no)).one()
        session.add(
            GatewayTrade(
                prepay_id="ali" + secrets.token_hex(8),
                tenant_id=tenant,
                gateway="alipay",
                out_trade_no=order_no,
                description=first.description,
                amount_fen=first.amount_fen,
                notify_url=first.notify_url,
                state="TRADE_SUCCESS",
                created_at=first.created_at,
                expires_at=first.expires_at,
                success_at=first.success_at,
            )
        )
    wrong = broken(sim_control, tenant)
    assert set(wrong) == {"charges_match_orders"}
    assert (
        f"订单{order_no}已缴费300.00元,却有2笔实收:微信支付实收300.00元、支付宝实收300.00元"
        in wrong["charges_match_orders"]
    )


def test_a_charge_of_no_order_breaks_charges_match_orders(
    sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer], rows: Rows
) -> None:
    order_no = _paid(wechat, enrol())
    rows.trade(order_no, out_trade_no="NB-NOWHERE")
    wrong = broken(sim_control, tenant)
    assert "微信支付实收300.00元(商户订单号NB-NOWHERE),但没有这笔订单" in wrong["charges_match_orders"]


def test_a_missing_or_wrong_record_breaks_records_match_orders(
    sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer], rows: Rows
) -> None:
    order_no = _paid(wechat, enrol())
    with rows.db.transaction() as session:
        record = session.scalars(select(PaymentRecord).where(PaymentRecord.order_no == order_no)).one()
        record.government_fen += 100
    wrong = broken(sim_control, tenant)
    assert set(wrong) == {"records_match_orders"}
    assert f"订单{order_no}已缴费,但缺少2024年度缴费记录" in wrong["records_match_orders"]
    assert f"订单{order_no}已缴费,但多出2024年度缴费记录" in wrong["records_match_orders"]

    with rows.db.transaction() as session:
        session.execute(delete(PaymentRecord).where(PaymentRecord.order_no == order_no))
    assert broken(sim_control, tenant)["records_match_orders"].startswith(f"订单{order_no}已缴费,但缺少2024年度")


def test_a_record_of_an_unpaid_order_breaks_records_match_orders(
    sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer], rows: Rows
) -> None:
    payer = enrol()
    order_no = _paid(wechat, payer)
    rows.order(order_no, status="FAILED")
    rows.trade(order_no, success_at=None)
    wrong = broken(sim_control, tenant)
    assert set(wrong) == {"records_match_orders"}
    assert f"2024年度缴费记录所属订单{order_no}支付失败,未缴费" in wrong["records_match_orders"]
    assert idnumber.mask(payer.id_number) in wrong["records_match_orders"]
    assert payer.id_number not in wrong["records_match_orders"]


REFUND_CASES = {
    # a closed order's trade, charged 300.00, then: how it was refunded → what the detail says
    "twice": (lambda r, t: [r.refund(t, 30000), r.refund(t, 30000, refunded_fen=0)], "扣款被退款2次"),
    "more than charged": (lambda r, t: [r.refund(t, 30100)], "大于实收300.00元"),
    "in part": (lambda r, t: [r.refund(t, 10000)], "不是全额退款(实收300.00元)"),
    "not as the trade says": (
        lambda r, t: [r.refund(t, 30000, refunded_fen=20000)],
        "交易记已退200.00元,退款单合计300.00元",
    ),
}


@pytest.mark.parametrize("case", list(REFUND_CASES))
def test_a_refund_that_is_not_one_full_refund_of_one_overcharge_breaks_refunds_matched(
    case: str, sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer], rows: Rows
) -> None:
    refund, said = REFUND_CASES[case]
    order_no = _paying(wechat, enrol())
    refund(rows, rows.charge(order_no))
    rows.order(order_no, status="CLOSED")
    wrong = broken(sim_control, tenant)
    assert "refunds_matched" in wrong and said in wrong["refunds_matched"], wrong


def test_a_refund_of_a_paid_orders_charge_breaks_refunds_matched(
    sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer], rows: Rows
) -> None:
    order_no = _paid(wechat, enrol())
    refund_no = rows.refund(rows.trade(order_no), 30000)
    wrong = broken(sim_control, tenant)
    assert f"退款{refund_no}(微信支付300.00元)退的是已缴费订单{order_no}的扣款" in wrong["refunds_matched"]
    assert f"订单{order_no}已缴费300.00元,但支付渠道没有实收" in wrong["charges_match_orders"]


def test_a_refund_of_a_trade_never_charged_breaks_refunds_matched(
    sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer], rows: Rows
) -> None:
    order_no = _paying(wechat, enrol())
    refund_no = rows.refund(rows.trade(order_no), 30000, refunded_fen=0)
    wrong = broken(sim_control, tenant)
    assert set(wrong) == {"refunds_matched"}
    assert f"退款{refund_no}(微信支付300.00元)所退的交易{order_no}从未扣款" in wrong["refunds_matched"]


def test_two_open_orders_holding_one_bill_break_one_open_order_per_bill(
    sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer], rows: Rows
) -> None:
    payer = enrol()
    first = _paying(wechat, payer)
    rows.order(first, status="CLOSED")  # out of the way, so the bill can be held by a second order
    with rows.db.transaction() as session:
        session.execute(update(Bill).where(Bill.order_no == first).values(order_no=None))
    second = wechat.order(payer).json()["order_no"]
    rows.order(first, status="PAYING")
    wrong = broken(sim_control, tenant)
    assert set(wrong) == {"one_open_order_per_bill"}
    assert (
        f"缴费人{payer.name}({idnumber.mask(payer.id_number)})2024年度有2笔未完成订单:{first}(支付中)、{second}(待支付)"
    ) in wrong["one_open_order_per_bill"]


# a simulator whose database lets through what the schema forbids, and never polls its outbox ----------------
def _without_unique_records(path: Path) -> None:
    Database(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as db:
        (ddl,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'payment_record'").fetchone()
        lax, count = re.subn(r",\s*UNIQUE \(tenant_id, person_id, insurance, year\)", "", ddl)
        assert count == 1, ddl
        db.execute("DROP TABLE payment_record")
        db.execute(lax)


@pytest.fixture(scope="module")
def lax_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedSimulator]:
    path = tmp_path_factory.mktemp("lax") / "sim.db"
    _without_unique_records(path)
    with embedded(path, notify_poll_seconds=3600) as running:
        yield running


@pytest.fixture
def lax(lax_sim: EmbeddedSimulator) -> Iterator[tuple[SimControl, str, Rows]]:
    control = SimControl(lax_sim.url)
    tenant = f"lax-{secrets.token_hex(4)}"
    control.create_tenant(tenant, 7)
    yield control, tenant, Rows(lax_sim.db, tenant)
    control.close()


def test_two_records_of_one_year_break_one_record_per_year(
    lax: tuple[SimControl, str, Rows], lax_sim: EmbeddedSimulator, fake: Any
) -> None:
    control, tenant, rows = lax
    payer = fake.ningbo_payer()
    control.add_payers(tenant, [payer.to_json()])
    with httpx.Client(base_url=lax_sim.url, headers={"X-Sim-Tenant": tenant}, timeout=30, trust_env=False) as http:
        order_no = _paid(Wechat(lax_sim, tenant, http).authorize(), payer)
    (record,) = rows.records(order_no)
    with rows.db.transaction() as session:
        session.add(
            PaymentRecord(
                **{c.name: getattr(record, c.name) for c in PaymentRecord.__table__.columns if c.name != "id"}
            )
        )
    wrong = broken(control, tenant)
    assert (
        f"缴费人{payer.name}({idnumber.mask(payer.id_number)})2024年度有2条缴费记录(订单{order_no}、{order_no})"
        in wrong["one_record_per_year"]
    )


def test_a_notification_sending_past_its_lease_or_without_one_breaks_no_stuck_delivery(
    lax: tuple[SimControl, str, Rows],
) -> None:
    control, tenant, rows = lax

    def note(notify_id: str, lease_until: datetime | None) -> None:
        with rows.db.transaction() as session:
            session.add(
                Notification(
                    tenant_id=tenant,
                    gateway="wechatpay",
                    notify_id=notify_id,
                    url="http://x/",
                    body="{}",
                    headers={},
                    next_at=datetime(2024, 3, 1),
                    status="sending",
                    lease_until=lease_until,
                )
            )

    note("N-LIVE", datetime(2999, 1, 1))
    assert broken(control, tenant) == {}
    note("N-EXPIRED", datetime(2000, 1, 1, 8, 0, 0))
    note("N-UNLEASED", None)
    detail = broken(control, tenant)["no_stuck_delivery"]
    assert "微信支付通知N-EXPIRED发送中,租期已于2000-01-01 08:00:00到期" in detail
    assert "微信支付通知N-UNLEASED发送中,但没有租期" in detail
    assert "N-LIVE" not in detail


# the harness: a feature scenario fails when its ledger does not hold ----------------------------------------
FEATURE = """\
# language: zh-CN
功能: 账目核对
  场景: 账目一致
    假如 一笔正常的缴费

  场景: 账目不一致
    假如 一笔已关闭订单的扣款未退款
"""

STEPS = """\
from __future__ import annotations

from datetime import timedelta

from pytest_bdd import given, scenarios
from sqlalchemy import select

from fixtures.payers import NingboPayerProvider
from simulators.core.db import Database
from simulators.core.models import Order
from simulators.gateways.models import GatewayTrade

scenarios("ledger.feature")
DB = Database({db_url!r})


def _paying(simulator_url, control, tenant_id, faker):
    import httpx

    payer = faker.ningbo_payer()
    control.add_payers(tenant_id, [payer.to_json()])
    with httpx.Client(base_url=simulator_url, headers={{"X-Sim-Tenant": tenant_id}}, trust_env=False) as http:
        openid = http.post("/wechat/api/oauth/authorize", json={{}}).json()["openid"]
        body = {{"name": payer.name, "id_type": "居民身份证", "id_number": payer.id_number, "insurance": "pension",
                "pay_type": "选档缴费", "year": 2024, "tier": 300, "idempotency_key": "k" * 12}}
        order_no = http.post("/wechat/api/orders", json=body, headers={{"X-Wechat-Openid": openid}}).json()["order_no"]
        paid = http.post(f"/wechat/api/orders/{{order_no}}/pay", json={{"gateway": "wechatpay"}},
                         headers={{"X-Wechat-Openid": openid}})
        assert paid.status_code == 200, paid.text
        return order_no


@given("一笔正常的缴费")
def _(simulator_url, control, tenant_id, faker):
    _paying(simulator_url, control, tenant_id, faker)


@given("一笔已关闭订单的扣款未退款")
def _(simulator_url, control, tenant_id, faker):
    order_no = _paying(simulator_url, control, tenant_id, faker)
    with DB.transaction() as session:
        trade = session.scalars(select(GatewayTrade).where(GatewayTrade.out_trade_no == order_no)).one()
        trade.state, trade.success_at = "SUCCESS", trade.created_at + timedelta(minutes=1)
        session.get(Order, order_no).status = "CLOSED"
"""


def test_the_harness_fails_a_scenario_whose_ledger_does_not_hold(
    pytester: pytest.Pytester, sim: EmbeddedSimulator
) -> None:
    pytester.makefile(".feature", ledger=FEATURE)
    pytester.makepyfile(test_ledger_steps=STEPS.format(db_url=sim.settings.db_url))
    pytester.makeconftest('pytest_plugins = ["fixtures.plugin"]')
    pytester.makeini(f"[pytest]\npythonpath = {Path(__file__).resolve().parents[1]}\n")
    results = pytester.path / "allure-results"
    run = pytester.runpytest_subprocess("--sim-url", sim.url, "--alluredir", str(results), "-p", "no:randomly")
    run.assert_outcomes(passed=1, failed=1)
    run.stdout.re_match_lines(
        [
            r".*账目不一致:支付渠道实收与已缴费订单一致 —— 订单NB\w+已关闭,"
            r"但微信支付实收300\.00元未退款.*"
        ]
    )
    run.stdout.fnmatch_lines(["*账目不一致:未缴费订单没有未退回的扣款 —— 订单NB*已关闭,但微信支付实收300.00元未退款*"])
    verdicts = {r["name"]: r for r in map(json.loads, (p.read_text() for p in results.glob("*-result.json")))}
    assert verdicts["账目一致"]["status"] == "passed"
    failed = verdicts["账目不一致"]
    assert failed["status"] == "failed"
    assert failed["statusDetails"]["message"].startswith("Failed: 账目不一致:支付渠道实收与已缴费订单一致 —— 订单NB")
    assert [a["name"] for a in failed.get("attachments", []) if a["name"].startswith("账目不一致(租户")]
    assert not [a for a in verdicts["账目一致"].get("attachments", []) if a["name"].startswith("账目")]
