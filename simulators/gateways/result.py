"""What a merchant learns from any payment provider, in one shape for every gateway client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class Outcome(Enum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    CLOSED = "closed"
    REFUSED = "refused"
    REFUNDED = "refunded"  # the provider gave the charge back
    UNKNOWN = "unknown"  # the provider holds no trade of that number (a query's answer)


@dataclass(frozen=True)
class GatewayResult:
    outcome: Outcome
    trade_no: str = ""
    amount_fen: int = 0
    paid_at: datetime | None = None
    out_trade_no: str = ""
    detail: str = ""
    cashier_url: str = ""
