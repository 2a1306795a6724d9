"""The merchant's side of Alipay: signed calls to gateway.do, signed answers checked, notifications verified.

``AlipayClient`` pays by wap pay (the payer goes to the Alipay cashier); ``AlipayQrClient`` by precreate (the
payer is shown a QR code to save and scan with the Alipay app). Both read the same query, close and
notification.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import httpx
from fastapi import Response
from fastapi.responses import PlainTextResponse

from simulators.core.billing import yuan
from simulators.core.models import Order
from simulators.gateways import notify, outbound
from simulators.gateways.alipay import models, signing
from simulators.gateways.result import GatewayResult, Outcome

STATES = {
    models.WAIT: Outcome.PENDING,
    models.SUCCESS: Outcome.PAID,
    models.FINISHED: Outcome.PAID,
    models.CLOSED: Outcome.CLOSED,
}
CASHIER = "/pay/alipay/cashier/"


class AlipayClient(outbound.ProviderClient):
    gateway = models.GATEWAY
    name = models.NAME
    path = "/pay/alipay/gateway.do"

    def _call(self, method: str, biz: dict[str, str], *, before_charge: bool = False, **extra: str) -> httpx.Response:
        params = signing.sign_request(
            self.key,
            {
                "app_id": models.APP_ID,
                "method": method,
                "format": "JSON",
                "charset": "utf-8",
                "timestamp": time.strftime(models.TIME_FORMAT),
                "version": "1.0",
                "biz_content": json.dumps(biz, ensure_ascii=False),
                **extra,
            },
        )
        return self.send("POST", self.url, urlencode(params), content_type=outbound.FORM, before_charge=before_charge)

    def _answer(self, method: str, response: httpx.Response, *, before_charge: bool = False) -> dict[str, object]:
        """The response object of a genuine answer; anything else means the provider is not to be trusted now."""
        if response.status_code != 200:
            raise outbound.status_error(self.name, response, before_charge=before_charge)
        try:
            body = signing.open_response(self.key, method, response.text)
        except ValueError as error:
            raise outbound.unavailable(self.name, error, before_charge=before_charge) from error
        if body is None:
            raise outbound.unavailable(self.name, ValueError("应答签名验证失败"), before_charge=before_charge)
        return body

    def _order(self, order: Order, description: str, product_code: str) -> dict[str, str]:
        return {
            "out_trade_no": order.order_no,
            "total_amount": yuan(order.amount_fen),
            "subject": description,
            "product_code": product_code,
            "time_expire": f"{order.expires_at:{models.TIME_FORMAT}}",
        }

    def create(
        self, order: Order, *, description: str, payer: str, taxpayer: str, notify_url: str, redirect: str
    ) -> GatewayResult:
        """alipay.trade.wap.pay: the signed form takes the payer to the cashier (a redirect to follow)."""
        method = "alipay.trade.wap.pay"
        response = self._call(
            method,
            self._order(order, description, "QUICK_WAP_WAY"),
            before_charge=True,
            notify_url=notify_url,
            return_url=redirect,
        )
        location = response.headers.get("location", "")
        if response.status_code == 302 and urlsplit(location).path.startswith(CASHIER):
            trade_no = urlsplit(location).path.removeprefix(CASHIER)
            return GatewayResult(Outcome.PENDING, trade_no=trade_no, out_trade_no=order.order_no, cashier_url=location)
        return self._refused(self._answer(method, response, before_charge=True))

    def query(self, out_trade_no: str) -> GatewayResult:
        body = self._answer("alipay.trade.query", self._call("alipay.trade.query", {"out_trade_no": out_trade_no}))
        if body.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return GatewayResult(Outcome.UNKNOWN, out_trade_no=out_trade_no, detail="支付渠道无此订单")
        if body.get("code") != signing.SUCCESS_CODE:
            raise outbound.unavailable(self.name, RuntimeError(str(body.get("sub_msg"))), before_charge=False)
        return self._result(body)

    def close(self, out_trade_no: str) -> GatewayResult:
        body = self._answer("alipay.trade.close", self._call("alipay.trade.close", {"out_trade_no": out_trade_no}))
        if body.get("code") == signing.SUCCESS_CODE or body.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return GatewayResult(Outcome.CLOSED, out_trade_no=out_trade_no)
        if body.get("sub_code") == "ACQ.TRADE_STATUS_ERROR":
            return self.query(out_trade_no)  # paid meanwhile: say so
        raise outbound.unavailable(self.name, RuntimeError(str(body.get("sub_msg"))), before_charge=False)

    def refund(
        self, out_trade_no: str, *, out_refund_no: str, amount_fen: int, reason: str, notify_url: str
    ) -> GatewayResult:
        """alipay.trade.refund of the whole trade, at once (Alipay sends no notification of it): REFUNDED with
        ``trade_no`` Alipay's trade number (it names a refund by that and ``out_request_no``), or REFUSED."""
        method = "alipay.trade.refund"
        body = self._answer(
            method,
            self._call(
                method,
                {
                    "out_trade_no": out_trade_no,
                    "refund_amount": yuan(amount_fen),
                    "out_request_no": out_refund_no,
                    "refund_reason": reason,
                },
            ),
        )
        if body.get("code") != signing.SUCCESS_CODE:
            return GatewayResult(
                Outcome.REFUSED,
                out_trade_no=out_trade_no,
                detail=str(body.get("sub_msg") or body.get("msg") or "退款失败"),
            )
        return GatewayResult(
            Outcome.REFUNDED,
            trade_no=str(body.get("trade_no", "")),
            amount_fen=models.fen(str(body.get("send_back_fee", ""))) or 0,
            out_trade_no=str(body.get("out_trade_no", "")),
            detail="退款成功",
        )

    def parse_notification(self, headers: dict[str, str], body: str) -> GatewayResult | None:
        """The notified result, or None unless the form is signed with our key, for our app and seller, with a
        well-formed amount (the amount itself is compared with the order when it is applied); InvalidInput when
        its signed notify_time is more than 5 minutes from the tenant's now (a replay)."""
        params = dict(parse_qsl(body, keep_blank_values=True))
        if not signing.check_notification(self.key, params):
            return None
        notify.refuse_stale(signing.notification_time(params), self.now(), "notify_time")
        if params.get("app_id") != models.APP_ID or params.get("seller_id", models.SELLER_ID) != models.SELLER_ID:
            return None
        if models.fen(params.get("total_amount", "")) is None:
            return None
        return self._result(params)

    @staticmethod
    def acknowledge(accepted: bool, message: str, status: int) -> Response:
        """Alipay reads exactly ``success`` as received; anything else (here ``fail``) and it resends."""
        if accepted:
            return PlainTextResponse(models.ACK)
        return PlainTextResponse("fail", status_code=status)

    @staticmethod
    def _refused(body: dict[str, object]) -> GatewayResult:
        return GatewayResult(Outcome.REFUSED, detail=str(body.get("sub_msg") or body.get("msg") or "下单失败"))

    @staticmethod
    def _result(data: Mapping[str, object]) -> GatewayResult:
        status = str(data.get("trade_status"))
        paid = data.get("gmt_payment") or data.get("send_pay_date")
        outcome = STATES.get(status, Outcome.PENDING)
        if outcome is Outcome.CLOSED and data.get("close_reason"):
            outcome = Outcome.FAILED
        if outcome is Outcome.CLOSED and models.fen(str(data.get("refund_fee", ""))):
            outcome = Outcome.REFUNDED
        return GatewayResult(
            outcome,
            trade_no=str(data.get("trade_no") or ""),
            amount_fen=models.fen(str(data.get("total_amount", ""))) or 0,
            paid_at=datetime.strptime(str(paid), models.TIME_FORMAT) if paid else None,
            out_trade_no=str(data.get("out_trade_no", "")),
            detail=str(data.get("close_reason") or models.STATUS_DESC.get(status, "")),
        )


class AlipayQrClient(AlipayClient):
    gateway = models.QR_GATEWAY
    name = models.QR_NAME

    def create(
        self, order: Order, *, description: str, payer: str, taxpayer: str, notify_url: str, redirect: str
    ) -> GatewayResult:
        """alipay.trade.precreate: a QR code, shown on a page the payer saves it from."""
        method = "alipay.trade.precreate"
        body = self._answer(
            method,
            self._call(
                method,
                self._order(order, description, "FACE_TO_FACE_PAYMENT"),
                before_charge=True,
                notify_url=notify_url,
            ),
            before_charge=True,
        )
        if body.get("code") != signing.SUCCESS_CODE:
            return self._refused(body)
        trade_no = str(body.get("trade_no", ""))
        page = f"/pay/alipay/qr/{quote(trade_no)}?redirect={quote(redirect, safe='')}"
        return GatewayResult(Outcome.PENDING, trade_no=trade_no, out_trade_no=order.order_no, cashier_url=page)
