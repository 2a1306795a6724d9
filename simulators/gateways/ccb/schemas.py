"""CCB's answers on CCBIS/ccbMain (the simulator's subset): a flat JSON object of upper-case fields, HTTP 200 even
for a refusal (``SUCCESS`` "false", ``RETURN_CODE``/``RETURN_MSG``). Each model takes its own fields only, so that
an answer is read as exactly one of them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from simulators.gateways import docs, states
from simulators.gateways.ccb import models


class CcbForm(BaseModel):
    """The form CCBIS/ccbMain reads: which fields a TXCODE takes, and the MAC over them in CCB's order."""

    MERCHANTID: str = Field(description="商户代码")
    POSID: str = Field(description="商户柜台代码")
    BRANCHID: str = Field(description="分行代码")
    TXCODE: str = Field(description="交易码:530550 下单、410408 查询、410409 关闭、5W1004 退款")
    ORDERID: str = Field(description="订单号(最长30位)")
    PAYMENT: str | None = Field(default=None, description="530550:付款金额(元)")
    CURCODE: str | None = Field(default=None, description="530550:币种,01(人民币)")
    REMARK1: str | None = Field(default=None, description="530550、5W1004:备注(最长30个字符)")
    REMARK2: str | None = Field(default=None, description="530550:备注二")
    TIMEOUT: str | None = Field(default=None, description="530550:订单超时时间 YYYYMMDDHHMMSS")
    NOTIFYURL: str | None = Field(default=None, description="530550:支付结果通知地址(http或https)")
    MONEY: str | None = Field(default=None, description="5W1004:退款金额(元),应等于订单金额")
    REFUND_CODE: str | None = Field(default=None, description="5W1004:商户退款流水号(最长30位)")
    MAC: str = Field(description="按该交易码的字段顺序连接字段值,以商户密钥计算的MAC")


class CcbFlat(BaseModel):
    model_config = ConfigDict(extra="forbid")

    SUCCESS: str = Field(description="是否成功:true;拒绝时为false")
    RETURN_CODE: str = Field(description="返回码,成功为000000")
    RETURN_MSG: str = Field(description="返回码的中文说明")


class CcbErrorOut(CcbFlat):
    """A refusal: E1001 MAC校验失败、E1002 参数错误、E1003 商户信息不符、E2001–E2008 订单与退款的规则."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"SUCCESS": "false", "RETURN_CODE": "E1001", "RETURN_MSG": "MAC校验失败"}]},
    )


class CcbOrderOut(CcbFlat):
    """TXCODE 530550 下单:付款人去往的收银台地址。"""

    ORDERID: str = Field(description="订单号")
    PAYURL: str = Field(description="龙支付收银台地址 /pay/ccb/cashier/{交易编号}")


class CcbQueryOut(CcbFlat):
    """TXCODE 410408 查询订单。"""

    ORDERID: str = Field(description="订单号")
    PAYMENT: str = Field(description="付款金额(元)")
    ORDER_STATUS: str = Field(
        description="订单状态:1 支付成功、0 支付失败、2 待支付、9 已关闭、5 已退款",
        json_schema_extra=docs.one_of(dict.fromkeys(models.ORDER_STATUS.values())),
    )
    STATUS_DESC: str = Field(description="订单状态说明")
    PAY_TIME: str | None = Field(default=None, description="支付时间 YYYYMMDDHHMMSS,支付成功后才有")
    CCB_SERIAL: str | None = Field(default=None, description="银行流水号,支付成功后才有")


class CcbCloseOut(CcbFlat):
    """TXCODE 410409 关闭订单。"""

    ORDERID: str = Field(description="订单号")


class CcbRefundOut(CcbFlat):
    """TXCODE 5W1004 全额退款,当即完成。"""

    ORDERID: str = Field(description="订单号")
    REFUND_CODE: str = Field(description="商户退款流水号")
    MONEY: str = Field(description="退款金额(元)")
    REFUND_SERIAL: str = Field(description="银行退款流水号")
    REFUND_TIME: str = Field(description="退款时间 YYYYMMDDHHMMSS")


CcbAnswer = CcbOrderOut | CcbQueryOut | CcbCloseOut | CcbRefundOut | CcbErrorOut


class CcbCashierPaidOut(BaseModel):
    """收银台确认支付之后的订单状态。"""

    status: str = Field(description="订单状态", json_schema_extra=docs.one_of(states.CCB))
    message: str = Field(description="订单状态说明")
