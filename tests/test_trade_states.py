"""The providers' trades change state only as their provider declares (``simulators.gateways.states``): every
declared change is made, every other one refused (RuleRefused, 409), and a refusal writes nothing."""

from __future__ import annotations

import secrets
from datetime import datetime

import pytest
from sqlalchemy import func, select

from fixtures.simulator import EmbeddedSimulator
from simulators.core.errors import RuleRefused
from simulators.gateways import states, trades
from simulators.gateways.models import GatewayTrade, Refund

T0 = datetime(2025, 3, 1, 9, 0, 0)
UNKNOWN = "NOSUCHSTATE"

ALLOWED = [
    (gateway, state, to)
    for gateway, table in states.DECLARED.items()
    for state, targets in table.items()
    for to in sorted(targets)
]
REFUSED = [
    (gateway, state, to)
    for gateway, table in states.DECLARED.items()
    for state, targets in table.items()
    for to in [*table, UNKNOWN]
    if to not in targets
]


def _trade(gateway: str, state: str) -> GatewayTrade:
    return GatewayTrade(gateway=gateway, out_trade_no="NB1", state=state, state_desc="before")


def test_the_tables_are_what_the_providers_do() -> None:
    assert len(ALLOWED) == 17 and len(REFUSED) == 95  # a table that grows or shrinks is a change to review here
    assert states.DECLARED["alipay_qr"] is states.DECLARED["alipay"]
    for table in states.DECLARED.values():
        for targets in table.values():
            assert targets <= set(table)  # no state is reached that the provider does not have


@pytest.mark.parametrize(("gateway", "state", "to"), ALLOWED)
def test_every_declared_change_is_made(gateway: str, state: str, to: str) -> None:
    trade = _trade(gateway, state)
    trades.transition(trade, to, "after")
    assert (trade.state, trade.state_desc) == (to, "after")


@pytest.mark.parametrize(("gateway", "state", "to"), REFUSED)
def test_every_other_change_is_refused(gateway: str, state: str, to: str) -> None:
    trade = _trade(gateway, state)
    with pytest.raises(RuleRefused, match=f"支付渠道交易NB1状态为{state},不能变为{to}") as refused:
        trades.transition(trade, to, "after")
    assert refused.value.status == 409
    assert (trade.state, trade.state_desc) == (state, "before")


@pytest.mark.parametrize(("gateway", "state", "to"), REFUSED[::7])
def test_a_plain_assignment_is_checked_too(gateway: str, state: str, to: str) -> None:
    trade = _trade(gateway, state)
    with pytest.raises(RuleRefused, match=f"不能变为{to}"):
        trade.state = to
    assert trade.state == state


@pytest.mark.parametrize("gateway", states.DECLARED)
def test_a_trade_is_born_only_in_a_state_of_its_provider(gateway: str) -> None:
    for state in states.DECLARED[gateway]:
        assert _trade(gateway, state).state == state
    with pytest.raises(RuleRefused, match=f"不能以状态{UNKNOWN}创建"):
        _trade(gateway, UNKNOWN)
    with pytest.raises(RuleRefused, match=f"不能以状态{UNKNOWN}创建"):  # whichever of the two is given first
        GatewayTrade(state=UNKNOWN, gateway=gateway, out_trade_no="NB1")


def test_an_unknown_gateway_declares_nothing() -> None:
    with pytest.raises(RuleRefused, match="不能以状态SUCCESS创建"):
        _trade("paypal", "SUCCESS")


# in the database: a refusal leaves the stored trade as it was -------------------------------------------------
def _stored(sim: EmbeddedSimulator, tenant: str, gateway: str, state: str) -> str:
    prepay_id = "T" + secrets.token_hex(12)
    with sim.app.state.db.transaction() as session:
        session.add(
            GatewayTrade(
                prepay_id=prepay_id,
                tenant_id=tenant,
                gateway=gateway,
                out_trade_no="NB" + secrets.token_hex(6),
                description="城乡居民基本养老保险",
                amount_fen=30000,
                notify_url="http://127.0.0.1/notify",
                state=state,
                state_desc="before",
                created_at=T0,
                expires_at=T0,
                success_at=T0 if state != "WAIT" else None,
            )
        )
    return prepay_id


def _row(sim: EmbeddedSimulator, prepay_id: str) -> tuple[str, str, int]:
    with sim.app.state.db.transaction() as session:
        trade = session.get(GatewayTrade, prepay_id)
        assert trade is not None
        return trade.state, trade.state_desc, trade.refunded_fen


def test_a_refused_change_writes_nothing(sim: EmbeddedSimulator, tenant: str) -> None:
    prepay_id = _stored(sim, tenant, "ccb", "REFUNDED")
    with pytest.raises(RuleRefused), sim.app.state.db.transaction() as session:
        trade = session.get(GatewayTrade, prepay_id)
        assert trade is not None
        trade.payer = "6217000011112222"  # a change beside it, in the same transaction, is not written either
        trades.transition(trade, "SUCCESS", "after")
    assert _row(sim, prepay_id) == ("REFUNDED", "before", 0)
    with sim.app.state.db.transaction() as session:
        assert session.scalar(select(GatewayTrade.payer).where(GatewayTrade.prepay_id == prepay_id)) == ""


def test_a_declared_change_is_written(sim: EmbeddedSimulator, tenant: str) -> None:
    prepay_id = _stored(sim, tenant, "ccb", "WAIT")
    with sim.app.state.db.transaction() as session:
        trade = session.get(GatewayTrade, prepay_id)
        assert trade is not None
        trades.transition(trade, "CLOSED", "已关闭")
    assert _row(sim, prepay_id) == ("CLOSED", "已关闭", 0)


@pytest.mark.parametrize(
    ("gateway", "state", "to"),
    [
        ("ccb", "SUCCESS", "WAIT"),
        ("wechatpay", "NOTPAY", "REFUND"),
        ("alipay", "TRADE_FINISHED", "TRADE_CLOSED"),
        ("agreement", "FAILED", "REFUNDED"),
    ],
)
def test_a_refund_to_an_undeclared_state_takes_no_charge(
    sim: EmbeddedSimulator, tenant: str, gateway: str, state: str, to: str
) -> None:
    """The refund claims the charge with a compare-and-set before it moves the trade: the move is checked first,
    so a refused one leaves the charge unclaimed and no refund written."""
    prepay_id = _stored(sim, tenant, gateway, state)
    with sim.app.state.db.transaction() as session:
        trade = session.get(GatewayTrade, prepay_id)
        assert trade is not None
        with pytest.raises(RuleRefused, match=f"不能变为{to}"):
            trades.refund(
                session, trade, out_refund_no="RF" + prepay_id, refund_id="X", reason="", to=to, desc="after", now=T0
            )
        session.flush()
    assert _row(sim, prepay_id) == (state, "before", 0)
    with sim.app.state.db.transaction() as session:
        assert (
            session.scalar(select(func.count()).select_from(Refund).where(Refund.out_refund_no == "RF" + prepay_id))
            == 0
        )
