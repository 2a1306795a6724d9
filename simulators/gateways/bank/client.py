"""The tax bureau's side of 协议支付: signed debit, query and close calls to the bank."""

from __future__ import annotations

from datetime import datetime

from fastapi import Response
from fastapi.responses import JSONResponse

from simulators.core.models import Order
from simulators.gateways import outbound
from simulators.gateways.bank import models, signing
from simulators.gateways.result import GatewayResult, Outcome


class AgreementClient(outbound.JsonProviderClient):
    """Settles at once: ``create`` answers PAID or FAILED (no cashier, no notification)."""

    gateway = models.GATEWAY
    name = models.NAME
    path = "/pay/bank"
    refuse_from = 500

    def signature(self, method: str, path: str, body: str, timestamp: int) -> dict[str, str]:
        return {signing.HEADER: signing.header(self.key, method, path, body, timestamp)}

    def create(
        self, order: Order, *, description: str, payer: str, taxpayer: str, notify_url: str, redirect: str
    ) -> GatewayResult:
        """Debit the agreement of ``taxpayer`` (the payer's ID number) for the order, at once."""
        response = self._call(
            "POST",
            "/agreement-pay",
            {
                "merchant_id": models.MERCHANT_ID,
                "taxpayer_id": taxpayer,
                "out_trade_no": order.order_no,
                "amount_fen": order.amount_fen,
                "description": description,
            },
        )
        data = self._json(response)
        if response.status_code != 200:
            return self._refused(data, "银行拒绝了扣款请求")
        return self._result(data)

    def query(self, out_trade_no: str) -> GatewayResult:
        response = self._call("GET", f"/agreement-pay/{out_trade_no}")
        if response.status_code == 404:
            return GatewayResult(Outcome.UNKNOWN, out_trade_no=out_trade_no, detail="银行无此扣款")
        return self._result(self._json(response))

    def close(self, out_trade_no: str) -> GatewayResult:
        response = self._call("POST", f"/agreement-pay/{out_trade_no}/close")
        if response.status_code == 404:
            return GatewayResult(Outcome.CLOSED, out_trade_no=out_trade_no)
        return self._result(self._json(response))

    def refund(
        self, out_trade_no: str, *, out_refund_no: str, amount_fen: int, reason: str, notify_url: str
    ) -> GatewayResult:
        """冲正 of the whole debit, at once (no notification): REFUNDED with ``trade_no`` the bank's refund id, or
        REFUSED with the bank's message."""
        response = self._call(
            "POST",
            f"/agreement-pay/{out_trade_no}/refund",
            {
                "merchant_id": models.MERCHANT_ID,
                "out_refund_no": out_refund_no,
                "amount_fen": amount_fen,
                "reason": reason[:100],
            },
        )
        data = self._json(response)
        if response.status_code != 200:
            return self._refused(data, "银行拒绝了冲正请求", out_trade_no)
        if data.get("result") != models.REFUNDED:
            raise outbound.unavailable(self.name, RuntimeError(f"冲正结果{data.get('result')}"), before_charge=False)
        return GatewayResult(
            Outcome.REFUNDED,
            trade_no=str(data.get("refund_id", "")),
            amount_fen=int(str(data.get("refund_fen", 0))),
            out_trade_no=str(data.get("out_trade_no", "")),
            detail="已冲正",
        )

    def parse_notification(self, headers: dict[str, str], body: str) -> GatewayResult | None:
        """The bank answers every debit at once and sends no notifications: nothing posted here is believed."""
        return None

    @staticmethod
    def acknowledge(accepted: bool, message: str, status: int) -> Response:
        return JSONResponse({"code": "SUCCESS" if accepted else "FAIL", "message": message}, status_code=status)

    @staticmethod
    def _refused(data: dict[str, object], default: str, out_trade_no: str = "") -> GatewayResult:
        error = data.get("error") if isinstance(data.get("error"), dict) else {}
        assert isinstance(error, dict)
        return GatewayResult(Outcome.REFUSED, out_trade_no=out_trade_no, detail=str(error.get("message", default)))

    @staticmethod
    def _result(data: dict[str, object]) -> GatewayResult:
        paid = data.get("paid_at")
        settled = {models.SUCCESS: Outcome.PAID, models.REFUNDED: Outcome.REFUNDED}.get(str(data.get("result")))
        if data.get("result") == models.PROCESSING:  # the bank has not answered yet: ask again later
            return GatewayResult(
                Outcome.PENDING, out_trade_no=str(data.get("out_trade_no", "")), detail=str(data.get("message", ""))
            )
        if settled is not None:  # a debit that was made (and perhaps reversed since)
            return GatewayResult(
                settled,
                trade_no=str(data.get("trade_no", "")),
                amount_fen=int(str(data.get("amount_fen", 0))),
                paid_at=datetime.fromisoformat(str(paid)) if paid else None,
                out_trade_no=str(data.get("out_trade_no", "")),
            )
        return GatewayResult(
            Outcome.FAILED,
            out_trade_no=str(data.get("out_trade_no", "")),
            detail=f"{data.get('message') or '银行扣款失败'},银行未扣款",
        )
