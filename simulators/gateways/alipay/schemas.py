"""Alipay's answers as the open platform writes them (the simulator's subset): a JSON envelope with the response
object under ``<method>_response`` (``alipay.trade.query`` → ``alipay_trade_query_response``) and ``sign`` over its
exact text; an error answer may come unsigned, and one with no known method under ``error_response``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from simulators.gateways import docs, states

TRADE_STATUS = docs.one_of(states.ALIPAY)


class AlipayGatewayForm(BaseModel):
    """The form gateway.do reads: the common parameters; ``biz_content`` is the method's JSON."""

    app_id: str = Field(description="应用ID")
    method: str = Field(
        description="接口名称:alipay.trade.wap.pay、alipay.trade.precreate、alipay.trade.query、"
        "alipay.trade.close、alipay.trade.refund"
    )
    format: str = Field(default="JSON", description="仅支持JSON")
    charset: str = Field(default="utf-8", description="请求使用的编码格式")
    sign_type: str = Field(description="签名算法,RSA2")
    sign: str = Field(description="请求参数的签名(除sign外有值的参数按名称排序,以k=v&k=v连接)")
    timestamp: str = Field(description="发送请求的时间 yyyy-MM-dd HH:mm:ss")
    version: str = Field(description="接口版本,1.0")
    notify_url: str | None = Field(default=None, description="支付结果异步通知地址(http或https,最长256个字符)")
    return_url: str | None = Field(default=None, description="手机网站支付:付款后返回的商户页面")
    biz_content: str = Field(description="业务参数的JSON对象")


class AlipayErrorBody(BaseModel):
    """A refusal (HTTP 200 all the same): 40001 缺少必选参数, 40002 非法的参数, 40004 业务处理失败."""

    code: str = Field(description="网关返回码:40001、40002、40004")
    msg: str = Field(description="网关返回码描述")
    sub_code: str = Field(description="业务返回码,如 isv.invalid-signature、ACQ.TRADE_NOT_EXIST")
    sub_msg: str = Field(description="业务返回码的中文说明")


class AlipayAnswerBody(BaseModel):
    code: str = Field(description="网关返回码,成功为10000")
    msg: str = Field(description="网关返回码描述,成功为Success")


class AlipayPrecreateBody(AlipayAnswerBody):
    out_trade_no: str = Field(description="商户订单号")
    qr_code: str = Field(description="二维码内容(付款人用支付宝扫码)")
    trade_no: str = Field(description="支付宝交易号")


class AlipayQueryBody(AlipayAnswerBody):
    trade_no: str = Field(description="支付宝交易号")
    out_trade_no: str = Field(description="商户订单号")
    trade_status: str = Field(description="交易状态", json_schema_extra=TRADE_STATUS)
    total_amount: str = Field(description="交易金额(元)")
    buyer_user_id: str | None = Field(default=None, description="买家支付宝用户号")
    buyer_pay_amount: str | None = Field(default=None, description="买家实付金额(元),付款后才有")
    receipt_amount: str | None = Field(default=None, description="实收金额(元),付款后才有")
    send_pay_date: str | None = Field(default=None, description="付款时间 yyyy-MM-dd HH:mm:ss")
    close_reason: str | None = Field(default=None, description="模拟器的说明:付款被拒而关闭的原因")
    refund_fee: str | None = Field(default=None, description="模拟器的标记:已退款金额(元)")


class AlipayCloseBody(AlipayAnswerBody):
    trade_no: str = Field(description="支付宝交易号")
    out_trade_no: str = Field(description="商户订单号")


class AlipayRefundBody(AlipayAnswerBody):
    trade_no: str = Field(description="支付宝交易号(支付宝以交易号和退款请求号称呼一笔退款)")
    out_trade_no: str = Field(description="商户订单号")
    buyer_user_id: str = Field(description="买家支付宝用户号")
    fund_change: str = Field(description="本次是否发生资金变化:Y;同一退款请求号重复请求为N")
    refund_fee: str = Field(description="该笔交易已退款的总金额(元)")
    send_back_fee: str = Field(description="本次退款金额(元)")
    gmt_refund_pay: str = Field(description="退款时间 yyyy-MM-dd HH:mm:ss")


class AlipayAnswer(BaseModel):
    """The envelope of gateway.do: one ``<method>_response`` (or ``error_response``), and ``sign``."""

    alipay_trade_precreate_response: AlipayPrecreateBody | AlipayErrorBody | None = None
    alipay_trade_query_response: AlipayQueryBody | AlipayErrorBody | None = None
    alipay_trade_close_response: AlipayCloseBody | AlipayErrorBody | None = None
    alipay_trade_refund_response: AlipayRefundBody | AlipayErrorBody | None = None
    alipay_trade_wap_pay_response: AlipayErrorBody | None = Field(
        default=None, description="手机网站支付被拒时的应答(受理时是302跳转到收银台)"
    )
    error_response: AlipayErrorBody | None = Field(default=None, description="method缺失或不存在时的应答")
    sign: str | None = Field(default=None, description="对应答对象原文的签名(RSA2;模拟器为HMAC-SHA256);错误应答可不签")


class AlipayCashierPaidOut(BaseModel):
    """收银台确认付款之后的交易状态。"""

    trade_status: str = Field(description="交易状态", json_schema_extra=TRADE_STATUS)
    message: str = Field(description="交易状态描述")


class AlipayScannedOut(BaseModel):
    cashier_url: str = Field(description="所扫付款码的交易的收银台地址")
