"""A tenant's fault plan: one-shot business outcomes a test asks for, consumed when they happen.

Kinds: ``decline`` (the next payment is declined), ``notify_late`` (the next notification arrives
``delay_seconds`` later on the tenant's clock), ``notify_twice`` (the next notification is sent twice),
``notify_resent`` (the merchant's 已收到 to the next notification is lost on its way back: the provider, never
having heard it, resends the notification on its schedule),
``notify_forged`` (at the next payment a forged 支付成功 notification, its signature wrong, reaches the channel
before the provider's real answer), ``notify_stale`` and ``notify_wrong_amount`` (the same, but rightly signed: with a
signed time more than 5 minutes off the tenant's clock, or with an amount that is not the order's), ``cancel`` (the
payer cancels at the cashier instead of paying: nothing is charged, the trade is closed), ``timeout_then_success``
(the provider takes the charge but answers late: a cashier's provider reports the trade as still being paid, and the
bank's debit call times out, until ``HOLD`` has passed on the tenant's clock; its notification comes then) and
``query_first`` (the next notification is held until the merchant has queried the trade).
Transport faults are not planned here: tests lay respx routes over the outbound httpx calls.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from simulators.core.models import Tenant

KINDS = {
    "decline": "下一笔支付被拒绝(余额不足)",
    "notify_late": "下一条支付结果通知延迟送达",
    "notify_twice": "下一条支付结果通知重复送达两次",
    "notify_resent": "下一条支付结果通知送达后,渠道“已收到”的应答在途中丢失,支付渠道按它的时间表重发",
    "notify_forged": "下一笔支付时,渠道先收到一条签名不对的伪造“支付成功”通知",
    "notify_stale": "下一笔支付时,渠道先收到一条签名时间与当前相差超过5分钟的“支付成功”通知(重放)",
    "notify_wrong_amount": "下一笔支付时,渠道先收到一条签名正确、金额与订单不符的“支付成功”通知",
    "cancel": "下一笔支付时,付款人在收银台取消支付(不扣款,交易关闭)",
    "timeout_then_success": "下一笔支付扣款成功,但支付渠道迟迟不应答(协议扣款超时,收银台类交易查询仍为支付中),"
    "过一段时间(租户时钟)才确认成功并发出通知",
    "query_first": "下一条支付结果通知等渠道向支付渠道查询订单之后才送达",
}
# Faults that make a provider send, at the next payment, a 支付成功 notification that must not count, ahead of its
# real answer: each is sent once, as its kind says (notify.SPOOFED).
SPOOFS = ("notify_forged", "notify_stale", "notify_wrong_amount")
HOLD = timedelta(minutes=2)  # how long a provider answers late under timeout_then_success (tenant's clock)


def take(tenant: Tenant, kind: str, gateway: str) -> dict[str, Any] | None:
    """Consume one planned fault of this kind for this gateway, if any."""
    plan = list(tenant.faults)
    for i, fault in enumerate(plan):
        if fault["kind"] == kind and fault.get("gateway") in (None, "*", gateway):
            left = fault.get("times", 1) - 1
            plan[i : i + 1] = [{**fault, "times": left}] if left > 0 else []
            tenant.faults = plan
            return fault
    return None


def spoof(tenant: Tenant, gateway: str) -> str | None:
    """Consume the first planned spoofed notification (a kind of ``SPOOFS``) for this gateway, if any."""
    for fault in tenant.faults:
        if fault["kind"] in SPOOFS and take(tenant, fault["kind"], gateway):
            return str(fault["kind"])
    return None
