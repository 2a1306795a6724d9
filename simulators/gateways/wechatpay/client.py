"""The merchant's side of WeChat Pay: signed calls to the provider and checks of its notifications."""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import quote

from fastapi import Response
from fastapi.responses import JSONResponse

from simulators.core.models import Order
from simulators.gateways import notify, outbound
from simulators.gateways.result import GatewayResult, Outcome
from simulators.gateways.wechatpay import models, signing

STATES = {
    models.SUCCESS: Outcome.PAID,
    models.NOTPAY: Outcome.PENDING,
    "USERPAYING": Outcome.PENDING,
    models.PAYERROR: Outcome.FAILED,
    models.CLOSED: Outcome.CLOSED,
    "REVOKED": Outcome.CLOSED,
    models.REFUND: Outcome.REFUNDED,
}


class WechatPayClient(outbound.JsonProviderClient):
    gateway = models.GATEWAY
    name = models.NAME
    path = "/pay/wechatpay"

    def signature(self, method: str, path: str, body: str, timestamp: int) -> dict[str, str]:
        return {"Authorization": signing.authorization(self.key, models.MCHID, method, path, body, timestamp)}

    def create(
        self, order: Order, *, description: str, payer: str, taxpayer: str, notify_url: str, redirect: str
    ) -> GatewayResult:
        response = self._call(
            "POST",
            "/v3/pay/transactions/jsapi",
            {
                "appid": models.APPID,
                "mchid": models.MCHID,
                "description": description,
                "out_trade_no": order.order_no,
                "notify_url": notify_url,
                "amount": {"total": order.amount_fen, "currency": "CNY"},
                "payer": {"openid": payer},
                "time_expire": order.expires_at.isoformat() + "+08:00",
            },
            before_charge=True,
        )
        data = self._json(response, before_charge=True)
        if response.status_code >= 500:
            raise outbound.status_error(self.name, response, before_charge=True)
        if response.status_code != 200 or "prepay_id" not in data:
            return GatewayResult(Outcome.REFUSED, detail=str(data.get("message", "下单失败")))
        cashier = f"/pay/wechatpay/cashier/{data['prepay_id']}?redirect={quote(redirect, safe='')}"
        return GatewayResult(Outcome.PENDING, trade_no=str(data["prepay_id"]), cashier_url=cashier)

    def query(self, out_trade_no: str) -> GatewayResult:
        response = self._call("GET", f"/v3/pay/transactions/out-trade-no/{out_trade_no}?mchid={models.MCHID}")
        if response.status_code == 404:
            return GatewayResult(Outcome.UNKNOWN, out_trade_no=out_trade_no, detail="支付渠道无此订单")
        if response.status_code != 200:
            raise outbound.status_error(self.name, response)
        return self._result(self._json(response))

    def close(self, out_trade_no: str) -> GatewayResult:
        response = self._call(
            "POST", f"/v3/pay/transactions/out-trade-no/{out_trade_no}/close", {"mchid": models.MCHID}
        )
        if response.status_code in (204, 404):
            return GatewayResult(Outcome.CLOSED)
        data = self._json(response)
        if data.get("code") == "ORDERPAID":
            return self.query(out_trade_no)
        raise outbound.status_error(self.name, response)

    def refund(
        self, out_trade_no: str, *, out_refund_no: str, amount_fen: int, reason: str, notify_url: str
    ) -> GatewayResult:
        """申请退款 of the whole charge: REFUNDED at once (``trade_no`` the refund_id), REFUSED with WeChat Pay's
        message when it will not."""
        response = self._call(
            "POST",
            "/v3/refund/domestic/refunds",
            {
                "out_trade_no": out_trade_no,
                "out_refund_no": out_refund_no,
                "reason": reason,
                "notify_url": notify_url,
                "amount": {"refund": amount_fen, "total": amount_fen, "currency": "CNY"},
            },
        )
        if response.status_code >= 500:
            raise outbound.status_error(self.name, response)
        data = self._json(response)
        if response.status_code != 200:
            return GatewayResult(
                Outcome.REFUSED, out_trade_no=out_trade_no, detail=str(data.get("message", "退款失败"))
            )
        if data.get("status") != "SUCCESS":
            raise outbound.unavailable(self.name, RuntimeError(f"退款状态{data.get('status')}"), before_charge=False)
        return self._refunded(data)

    def parse_notification(self, headers: dict[str, str], body: str) -> GatewayResult | None:
        """The notified result, or None when the signature does not hold; InvalidInput when its signed
        Wechatpay-Timestamp is more than 5 minutes from the tenant's now (a replay)."""
        if not signing.check_notification(self.key, headers, body):
            return None
        notify.refuse_stale(signing.notification_time(headers), self.now(), "Wechatpay-Timestamp")
        data = json.loads(body)
        resource = data.get("resource") if isinstance(data, dict) else None
        if not isinstance(resource, dict):
            return None
        return self._result(resource)

    @staticmethod
    def acknowledge(accepted: bool, message: str, status: int) -> Response:
        """WeChat Pay reads any 2xx as received; otherwise a JSON {code, message} and it resends."""
        if accepted:
            return Response(status_code=204)
        return JSONResponse({"code": "FAIL", "message": message}, status_code=status)

    @staticmethod
    def _refunded(data: dict[str, object]) -> GatewayResult:
        """A refund, as the refund API answers it or a REFUND.SUCCESS notification carries it."""
        amount = data.get("amount") if isinstance(data.get("amount"), dict) else {}
        assert isinstance(amount, dict)
        return GatewayResult(
            Outcome.REFUNDED,
            trade_no=str(data.get("refund_id") or ""),
            amount_fen=int(amount.get("refund", 0)),
            out_trade_no=str(data.get("out_trade_no", "")),
            detail="退款成功",
        )

    @classmethod
    def _result(cls, data: dict[str, object]) -> GatewayResult:
        """A transaction (query, TRANSACTION.SUCCESS) or a refund (REFUND.* carries ``refund_status``)."""
        if "refund_status" in data:
            if data["refund_status"] == "SUCCESS":
                return cls._refunded(data)
            return GatewayResult(
                Outcome.PENDING,
                out_trade_no=str(data.get("out_trade_no", "")),
                detail=f"退款状态{data['refund_status']}",
            )
        amount = data.get("amount") if isinstance(data.get("amount"), dict) else {}
        assert isinstance(amount, dict)
        success = data.get("success_time")
        return GatewayResult(
            STATES.get(str(data.get("trade_state")), Outcome.PENDING),
            trade_no=str(data.get("transaction_id") or ""),
            amount_fen=int(str(amount.get("payer_total", amount.get("total", 0)))),
            paid_at=datetime.fromisoformat(str(success)).replace(tzinfo=None) if success else None,
            out_trade_no=str(data.get("out_trade_no", "")),
            detail=str(data.get("trade_state_desc", "")),
        )
