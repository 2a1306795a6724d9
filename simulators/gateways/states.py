"""The states of every provider's trades and the changes each provider allows, declared once.

Each provider names its states its own way; ``DECLARED`` holds, per gateway code, the states a trade may move to
from each state (the same shape as the order's ``simulators.core.orders.TRANSITIONS``). A trade is born in one of
its provider's states (unpaid; the bank's debits are born settled, SUCCESS or FAILED) and ``GatewayTrade`` checks
every later assignment of its state here: an undeclared change raises before anything is written.
"""

from __future__ import annotations

from simulators.core.errors import RuleRefused

Transitions = dict[str, frozenset[str]]

WECHATPAY: Transitions = {
    "NOTPAY": frozenset({"SUCCESS", "PAYERROR", "CLOSED"}),
    "SUCCESS": frozenset({"REFUND"}),
    "PAYERROR": frozenset(),
    "CLOSED": frozenset(),
    "REFUND": frozenset(),
}
ALIPAY: Transitions = {  # a full refund closes a paid trade; after the refund window it is finished
    "WAIT_BUYER_PAY": frozenset({"TRADE_SUCCESS", "TRADE_CLOSED"}),
    "TRADE_SUCCESS": frozenset({"TRADE_FINISHED", "TRADE_CLOSED"}),
    "TRADE_FINISHED": frozenset(),
    "TRADE_CLOSED": frozenset(),
}
CCB: Transitions = {
    "WAIT": frozenset({"SUCCESS", "FAILED", "CLOSED"}),
    "SUCCESS": frozenset({"REFUNDED"}),
    "FAILED": frozenset(),
    "CLOSED": frozenset(),
    "REFUNDED": frozenset(),
}
BANK: Transitions = {  # a debit settles at once: only a successful one changes again, by 冲正
    "SUCCESS": frozenset({"REFUNDED"}),
    "FAILED": frozenset(),
    "REFUNDED": frozenset(),
}
DECLARED: dict[str, Transitions] = {
    "wechatpay": WECHATPAY,
    "alipay": ALIPAY,
    "alipay_qr": ALIPAY,
    "ccb": CCB,
    "agreement": BANK,
}


def allowed(gateway: str, state: str | None, to: str) -> bool:
    """Whether a trade of ``gateway`` may go from ``state`` to ``to``; ``state`` None: born in ``to``."""
    declared = DECLARED.get(gateway, {})
    return to in declared if state is None else to in declared.get(state, frozenset())


def check(gateway: str, out_trade_no: str, state: str | None, to: str) -> None:
    """Refuse (RuleRefused, 409) a change of state the trade's provider does not declare."""
    if allowed(gateway, state, to):
        return
    if state is None:
        raise RuleRefused(f"支付渠道交易{out_trade_no}不能以状态{to}创建:{gateway}没有这个状态", field="state")
    raise RuleRefused(f"支付渠道交易{out_trade_no}状态为{state},不能变为{to}", field="order_no")
