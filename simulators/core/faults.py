"""A tenant's fault plan: one-shot business outcomes a test asks for, consumed when they happen.

Kinds: ``decline`` (the next payment is declined), ``notify_late`` (the next notification arrives
``delay_seconds`` later on the tenant's clock), ``notify_twice`` (the next notification is sent twice),
``notify_forged`` (at the next payment a forged 支付成功 notification, its signature wrong, reaches the channel
before the provider's real answer).
Transport faults are not planned here: tests lay respx routes over the outbound httpx calls.
"""

from __future__ import annotations

from typing import Any

from simulators.core.models import Tenant

KINDS = {
    "decline": "下一笔支付被拒绝(余额不足)",
    "notify_late": "下一条支付结果通知延迟送达",
    "notify_twice": "下一条支付结果通知重复送达两次",
    "notify_forged": "下一笔支付时,渠道先收到一条签名不对的伪造“支付成功”通知",
}


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
