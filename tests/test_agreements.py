"""The bank behind 协议支付 and Alipay's 缴费批扣定档: agreements through the control API, the bank's signed debit
API, and the batch run. Money only moves under a valid agreement with enough balance, once per bill."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import respx

from fixtures.payers import Payer
from fixtures.simulator import ControlError, EmbeddedSimulator, SimControl
from simulators.core import tenants
from simulators.core.models import Order
from simulators.gateways.bank import signing
from simulators.gateways.bank.client import AgreementClient
from simulators.gateways.result import GatewayResult, Outcome
from steps.drivers.api.client import connect
from tests.alipay_user import AlipayUser

DEBIT_PATH = "/pay/bank/agreement-pay"


@pytest.fixture
def phone(sim: EmbeddedSimulator, tenant: str) -> Iterator[AlipayUser]:
    with connect(sim.url, tenant) as http:
        yield AlipayUser(sim, tenant, http)


def _agreement(control: SimControl, tenant: str, payer: Payer) -> dict[str, Any]:
    return next(a for a in control.agreements(tenant) if a["id_number"] == payer.id_number)


def _enrolled(phone: AlipayUser, payer: Payer, tier: int = 500) -> dict[str, Any]:
    phone.log_in(payer)
    response = phone.enrol(tier)
    assert response.status_code == 201, response.text
    enrolment: dict[str, Any] = response.json()
    return enrolment


# agreements through the control API ---------------------------------------------------------------------------
def test_an_agreement_is_signed_listed_and_revoked(
    sim_control: SimControl, tenant: str, enrol: Callable[..., Payer]
) -> None:
    payer = enrol()
    signed = sim_control.sign_agreement(
        tenant, payer.id_number, bank="宁波银行", balance="88.50", account="6222021234567890123"
    )
    assert signed["status"] == "有效" and signed["balance"] == "88.50" and signed["bank"] == "宁波银行"
    assert signed["account"] == "6222 **** **** 0123"
    assert sim_control.agreements(tenant) == [signed]
    revoked = sim_control.revoke_agreement(tenant, signed["agreement_no"])
    assert revoked["status"] == "已解除" and revoked["revoked_at"]
    assert sim_control.revoke_agreement(tenant, signed["agreement_no"]) == revoked  # nothing changes twice
    again = sim_control.sign_agreement(tenant, payer.id_number, balance="10")  # a new one after the old ended
    assert again["status"] == "有效" and again["agreement_no"] != signed["agreement_no"]


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"bank": "花旗银行"}, 422, "开户银行应为"),
        ({"balance": "-1"}, 422, "账户余额超出允许范围"),
        ({"account": "62-22"}, 422, "银行账号格式不正确"),
        ({"id_number": "330203199001011235"}, 422, "校验位错误"),
        ({"unknown": True}, 404, "的缴费人不存在,不能签订三方协议"),
        ({"again": True}, 409, "缴费人已签订有效的三方协议"),
    ],
    ids=["unknown bank", "negative balance", "bad account", "bad check character", "not a payer", "second valid"],
)
def test_bad_agreements_are_refused_and_write_nothing(
    sim_control: SimControl,
    tenant: str,
    phone: AlipayUser,
    enrol: Callable[..., Payer],
    fake,
    change: dict[str, Any],
    status: int,
    message: str,
) -> None:
    payer = enrol()
    body: dict[str, Any] = {"bank": "中国建设银行", "balance": "100"}
    if change.pop("again", False):
        sim_control.sign_agreement(tenant, payer.id_number)
    id_number = fake.ningbo_payer().id_number if change.pop("unknown", False) else payer.id_number
    before = phone.rows()
    with pytest.raises(ControlError) as refused:
        sim_control.sign_agreement(tenant, change.pop("id_number", id_number), **{**body, **change})
    assert f"→ {status}:" in str(refused.value)
    assert message in json.loads(str(refused.value).split(": ", 1)[1])["error"]["message"]
    assert phone.rows() == before


def test_revoking_an_unknown_agreement_is_404(sim_control: SimControl, tenant: str) -> None:
    with pytest.raises(ControlError, match="三方协议NOSUCH001不存在"):
        sim_control.revoke_agreement(tenant, "NOSUCH001")


# the bank's debit API -----------------------------------------------------------------------------------------
@pytest.fixture
def bank(sim: EmbeddedSimulator, tenant: str) -> AgreementClient:
    with sim.db.transaction() as session:
        return AgreementClient(sim.url, tenants.get(session, tenant))


def _order(phone: AlipayUser, payer: Payer, tier: int = 300) -> Order:
    """An order of the payer's, as the tax bureau holds it (the bank only sees its number, amount and taxpayer)."""
    phone.log_in(payer)
    order_no = phone.order(phone.own(), tier=tier).json()["order_no"]
    with phone.sim.db.transaction() as session:
        order = session.get(Order, order_no)
        assert order is not None
        session.expunge(order)
        return order


def _debit(bank: AgreementClient, order: Order, payer: Payer) -> GatewayResult:
    return bank.create(
        order,
        description="城乡居民基本养老保险费(选档缴费)",
        payer="",
        taxpayer=payer.id_number,
        notify_url="",
        redirect="",
    )


def test_a_debit_settles_at_once_and_only_once(
    bank: AgreementClient, phone: AlipayUser, sim_control: SimControl, tenant: str, enrol: Callable[..., Payer]
) -> None:
    payer = enrol()
    sim_control.sign_agreement(tenant, payer.id_number, balance="1000")
    order = _order(phone, payer)
    first, again = _debit(bank, order, payer), _debit(bank, order, payer)
    assert first.outcome is Outcome.PAID and first.amount_fen == 30000 and first.trade_no
    assert again == first
    assert bank.query(order.order_no) == first and bank.close(order.order_no) == first
    assert _agreement(sim_control, tenant, payer)["balance"] == "700.00"
    assert phone.rows()["paid_charges"] == 1


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("none", "未签订三方协议,银行未扣款"),
        ("revoked", "已解除,银行未扣款"),
        ("short", "账户余额不足,银行未扣款"),
    ],
)
def test_a_refused_debit_charges_nothing(
    bank: AgreementClient,
    phone: AlipayUser,
    sim_control: SimControl,
    tenant: str,
    enrol: Callable[..., Payer],
    setup: str,
    reason: str,
) -> None:
    payer = enrol()
    if setup != "none":
        signed = sim_control.sign_agreement(tenant, payer.id_number, balance="299.99" if setup == "short" else "1000")
        if setup == "revoked":
            sim_control.revoke_agreement(tenant, signed["agreement_no"])
    result = _debit(bank, _order(phone, payer), payer)
    assert result.outcome is Outcome.FAILED and result.detail.endswith(reason)
    assert phone.rows()["paid_charges"] == 0
    if setup == "short":
        assert _agreement(sim_control, tenant, payer)["balance"] == "299.99"


def test_the_bank_refuses_unsigned_or_changed_requests(
    sim: EmbeddedSimulator,
    bank: AgreementClient,
    phone: AlipayUser,
    sim_control: SimControl,
    tenant: str,
    enrol: Callable[..., Payer],
) -> None:
    payer = enrol()
    sim_control.sign_agreement(tenant, payer.id_number, balance="1000")
    order = _order(phone, payer)
    body = {
        "merchant_id": "NBTAX-SBF-0001",
        "taxpayer_id": payer.id_number,
        "out_trade_no": order.order_no,
        "amount_fen": order.amount_fen,
        "description": "城乡居民基本养老保险费",
    }
    unsigned = phone.http.post(DEBIT_PATH, json=body)
    assert unsigned.status_code == 401 and "银行验签失败" in unsigned.json()["error"]["message"]
    text = json.dumps(body)
    forged = phone.http.post(
        DEBIT_PATH,
        content=text,
        headers={signing.HEADER: signing.header("not-the-key", "POST", DEBIT_PATH, text, int(time.time()))},
    )
    assert forged.status_code == 401
    assert phone.rows()["paid_charges"] == 0
    assert _debit(bank, order, payer).outcome is Outcome.PAID
    changed = json.dumps({**body, "amount_fen": 1})
    with sim.db.transaction() as session:
        key = tenants.get(session, tenant).merchant_key
    response = phone.http.post(
        DEBIT_PATH,
        content=changed,
        headers={signing.HEADER: signing.header(key, "POST", DEBIT_PATH, changed, int(time.time()))},
    )
    assert response.status_code == 409 and "金额不能改变" in response.json()["error"]["message"]
    assert _agreement(sim_control, tenant, payer)["balance"] == "700.00"


# 缴费批扣定档 and the batch run ---------------------------------------------------------------------------------
def test_enrolment_needs_a_valid_agreement_and_writes_nothing_without_one(
    phone: AlipayUser, sim_control: SimControl, tenant: str, enrol: Callable[..., Payer]
) -> None:
    payer = enrol()
    phone.log_in(payer)
    before = phone.rows()
    error = phone.enrol().json()["error"]
    assert (error["field"], error["message"]) == (
        "三方协议",
        "未签订三方协议,不能选择【缴费批扣定档】:请先与银行签订有效的三方协议,或选择【我为自己缴】在线缴费",
    )
    signed = sim_control.sign_agreement(tenant, payer.id_number)
    sim_control.revoke_agreement(tenant, signed["agreement_no"])
    before = phone.rows()
    response = phone.enrol()
    assert response.status_code == 409
    assert response.json()["error"]["message"].startswith(f"三方协议{signed['agreement_no']}已解除,不能选择")
    assert phone.rows() == before


def test_enrolment_follows_the_core_rules(
    phone: AlipayUser, sim_control: SimControl, tenant: str, enrol: Callable[..., Payer]
) -> None:
    owing = enrol(arrears_years=(2023,))
    poor = enrol(special_status="低保对象")
    for payer, message in ((owing, "请先选择【特殊缴费】缴纳补缴的养老保险费"), (poor, "低保对象的应缴金额由系统核定")):
        sim_control.sign_agreement(tenant, payer.id_number, balance="1000")
        phone.log_in(payer)
        before = phone.rows()
        response = phone.enrol(300)
        assert response.status_code == 409 and message in response.json()["error"]["message"]
        assert phone.rows() == before


def test_a_second_tier_replaces_the_waiting_one(
    phone: AlipayUser, sim_control: SimControl, tenant: str, enrol: Callable[..., Payer]
) -> None:
    payer = enrol()
    sim_control.sign_agreement(tenant, payer.id_number, balance="1000")
    first = _enrolled(phone, payer, 300)
    second = phone.enrol(800).json()
    assert (second["id"], second["tier"], second["status"]) == (first["id"], 800, "待扣款")
    assert [e["tier"] for e in sim_control.batch_deductions(tenant)] == [800]


def test_the_clock_passing_the_batch_day_deducts_once(
    phone: AlipayUser, sim_control: SimControl, tenant: str, enrol: Callable[..., Payer]
) -> None:
    payer = enrol()
    sim_control.sign_agreement(tenant, payer.id_number, balance="1000")
    enrolled = _enrolled(phone, payer)
    assert enrolled["due_on"] == "2024-03-20"
    assert sim_control.set_clock(tenant, "2024-03-19T23:00:00")["batch_deductions"] == []
    done = sim_control.advance(tenant, 3600)["batch_deductions"]
    assert [(e["status"], e["message"]) for e in done] == [("已扣款", "已从三方协议账户扣款500.00元")]
    assert sim_control.run_batch_deductions(tenant) == []  # nothing waits any more
    assert sim_control.advance(tenant, 90 * 86400)["batch_deductions"] == []
    ledger = sim_control.ledger(tenant)
    assert [(r["year"], r["amount"], r["channel"], r["gateway"]) for r in ledger["records"]] == [
        (2024, "500.00", "alipay", "agreement")
    ]
    assert [c["amount"] for c in ledger["charges"] if c["paid"]] == ["500.00"]
    assert _agreement(sim_control, tenant, payer)["balance"] == "500.00"
    phone.log_in(payer)
    shown = phone.call("GET", "/batch").json()["enrolments"]
    assert [(e["status"], e["order_no"]) for e in shown] == [("已扣款", done[0]["order_no"])]


@pytest.mark.parametrize(
    ("trouble", "message"),
    [
        ("revoked", "已解除,银行未扣款"),
        ("short", "账户余额不足,银行未扣款"),
        ("paid", "2024年度城乡居民基本养老保险费已缴纳,不能重复缴费,银行未扣款"),
    ],
)
def test_a_failed_deduction_is_listed_and_charges_nothing(
    phone: AlipayUser, sim_control: SimControl, tenant: str, enrol: Callable[..., Payer], trouble: str, message: str
) -> None:
    payer = enrol()
    signed = sim_control.sign_agreement(tenant, payer.id_number, balance="499.99" if trouble == "short" else "1000")
    _enrolled(phone, payer)
    if trouble == "revoked":
        sim_control.revoke_agreement(tenant, signed["agreement_no"])
    paid_before = 0
    if trouble == "paid":  # paid online in the meantime: the batch must not take a second payment
        order_no = phone.order(phone.own(), tier=300).json()["order_no"]
        cashier = phone.call("POST", f"/orders/{order_no}/pay", {"gateway": "alipay"}).json()["cashier_url"]
        phone.http.post(cashier.split("?")[0] + "/pay", json={})
        assert phone.call("GET", f"/orders/{order_no}").json()["status"] == "PAID"
        paid_before = 1
    done = sim_control.run_batch_deductions(tenant)
    assert [e["status"] for e in done] == ["扣款失败"] and done[0]["message"].endswith(message)
    rows = phone.rows()
    assert (rows["paid_charges"], rows["payment_record"]) == (paid_before, paid_before)
    assert phone.call("GET", "/batch").json()["enrolments"][0]["status"] == "扣款失败"
    balance = _agreement(sim_control, tenant, payer)["balance"]
    assert balance == ("499.99" if trouble == "short" else "1000.00")


@contextmanager
def _bank_down(sim: EmbeddedSimulator) -> Iterator[respx.Route]:
    with respx.mock(assert_all_mocked=False, assert_all_called=False) as mock:
        route = mock.post(url__startswith=sim.url + DEBIT_PATH).mock(side_effect=httpx.ConnectTimeout)
        mock.route().pass_through()
        yield route


def test_a_bank_out_of_reach_leaves_the_enrolment_waiting(
    sim: EmbeddedSimulator, phone: AlipayUser, sim_control: SimControl, tenant: str, enrol: Callable[..., Payer]
) -> None:
    payer = enrol()
    sim_control.sign_agreement(tenant, payer.id_number, balance="1000")
    _enrolled(phone, payer)
    with _bank_down(sim) as debit:
        waiting = sim_control.run_batch_deductions(tenant)
    assert debit.call_count == 1
    assert waiting[0]["status"] == "待扣款" and "将在下一轮批量扣款时重试" in waiting[0]["message"]
    assert phone.rows()["paid_charges"] == 0
    assert [e["status"] for e in sim_control.run_batch_deductions(tenant)] == ["已扣款"]
    assert phone.rows()["paid_charges"] == 1 and phone.rows()["payment_record"] == 1


def test_reset_clears_agreements_enrolments_and_alipay_accounts(
    phone: AlipayUser, sim_control: SimControl, tenant: str, enrol: Callable[..., Payer]
) -> None:
    payer = enrol()
    sim_control.sign_agreement(tenant, payer.id_number, balance="1000")
    _enrolled(phone, payer)
    sim_control.reset(tenant)
    rows = phone.rows()
    assert (rows["bank_agreement"], rows["batch_enrolment"], rows["alipay_account"]) == (0, 0, 0)
    assert sim_control.agreements(tenant) == [] and sim_control.batch_deductions(tenant) == []
