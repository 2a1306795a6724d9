"""The bank's answers about agreement debits (协议支付) and their reversals (冲正)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from simulators.gateways import docs, states


class BankDebitOut(BaseModel):
    """One debit: settled at once (SUCCESS, or FAILED with the bank's code and reason), REFUNDED after 冲正."""

    result: str = Field(
        description="扣款结果", json_schema_extra=docs.one_of({**states.BANK, "PROCESSING": "处理中(银行尚未确认)"})
    )
    code: str = Field(description="扣款失败的原因代码:NO_AGREEMENT、AGREEMENT_REVOKED、INSUFFICIENT_BALANCE;否则为空")
    message: str = Field(description="扣款失败的中文原因;否则为空")
    trade_no: str = Field(description="银行扣款流水号(扣款成功才有,否则为空)")
    out_trade_no: str = Field(description="税务机关的订单号")
    agreement_no: str = Field(description="扣款所依的三方协议号(无有效协议时为空)")
    amount_fen: int = Field(description="扣款金额(分)")
    paid_at: str | None = Field(description="扣款时间(ISO 8601);未扣款为 null")


class BankReversalOut(BankDebitOut):
    """冲正的应答:扣款如今的样子(REFUNDED),和这笔冲正。"""

    refund_id: str = Field(description="银行冲正流水号")
    out_refund_no: str = Field(description="税务机关的冲正流水号")
    refund_fen: int = Field(description="冲正金额(分)")
    refunded_at: str = Field(description="冲正时间(ISO 8601)")
