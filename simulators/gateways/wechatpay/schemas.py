"""WeChat Pay's answers as its v3 API writes them (the simulator's subset), for the OpenAPI document and the
routes' response models."""

from __future__ import annotations

from pydantic import BaseModel, Field

from simulators.gateways import docs, states

TRADE_STATES = docs.one_of({**states.WECHATPAY, "USERPAYING": "用户支付中(支付渠道尚未确认)"})


class WechatPayErrorOut(BaseModel):
    """WeChat Pay's own error answer: ``{"code", "message"}`` with its HTTP status."""

    code: str = Field(
        description="错误码:PARAM_ERROR、INVALID_REQUEST、ORDERPAID、ORDER_CLOSED、PREPAY_EXPIRED、"
        "SIGN_ERROR、ORDER_NOT_EXIST、RESOURCE_NOT_EXISTS"
    )
    message: str = Field(description="中文说明")

    model_config = {"json_schema_extra": {"examples": [{"code": "SIGN_ERROR", "message": "签名错误"}]}}


class WechatPayPrepayOut(BaseModel):
    prepay_id: str = Field(description="预支付交易会话标识,用于拉起收银台(2小时内有效)")


class WechatPayTransactionAmount(BaseModel):
    total: int = Field(description="订单金额(分)")
    payer_total: int | None = Field(default=None, description="用户支付金额(分),支付成功后才有")
    currency: str = Field(description="币种,CNY")


class WechatPayPayer(BaseModel):
    openid: str = Field(description="付款用户在商户appid下的唯一标识")


class WechatPayTransactionOut(BaseModel):
    """查询订单的应答,也是 TRANSACTION.SUCCESS 通知的 resource。"""

    appid: str
    mchid: str
    out_trade_no: str = Field(description="商户订单号")
    trade_state: str = Field(description="交易状态", json_schema_extra=TRADE_STATES)
    trade_state_desc: str = Field(description="交易状态描述")
    amount: WechatPayTransactionAmount
    payer: WechatPayPayer
    transaction_id: str | None = Field(default=None, description="微信支付订单号,支付成功后才有")
    trade_type: str | None = Field(default=None, description="交易类型,JSAPI")
    bank_type: str | None = Field(default=None, description="付款银行")
    success_time: str | None = Field(default=None, description="支付完成时间(RFC 3339,+08:00)")


class WechatPayRefundAmount(BaseModel):
    total: int = Field(description="原订单金额(分)")
    refund: int = Field(description="退款金额(分)")
    payer_total: int = Field(description="用户支付金额(分)")
    payer_refund: int = Field(description="用户退款金额(分)")
    currency: str = Field(description="币种,CNY")


class WechatPayRefundOut(BaseModel):
    """申请退款的应答:模拟器受理全额退款,当即成功(status SUCCESS)。"""

    mchid: str
    refund_id: str = Field(description="微信支付退款单号")
    out_refund_no: str = Field(description="商户退款单号")
    transaction_id: str | None = Field(description="微信支付订单号")
    out_trade_no: str = Field(description="商户订单号")
    channel: str = Field(description="退款渠道,ORIGINAL(原路退款)")
    user_received_account: str = Field(description="退款入账账户")
    success_time: str = Field(description="退款成功时间(RFC 3339,+08:00)")
    create_time: str = Field(description="退款创建时间(RFC 3339,+08:00)")
    status: str = Field(description="退款状态,SUCCESS")
    funds_account: str = Field(description="资金账户,AVAILABLE")
    amount: WechatPayRefundAmount


class WechatPayCashierPaidOut(BaseModel):
    """收银台确认支付之后的交易状态。"""

    trade_state: str = Field(description="交易状态", json_schema_extra=TRADE_STATES)
    trade_state_desc: str = Field(description="交易状态描述")
