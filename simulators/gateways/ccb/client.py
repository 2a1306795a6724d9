"""The merchant's side of CCB: MAC-signed form calls to CCBIS/ccbMain and checks of the bank's notifications."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import Response
from fastapi.responses import PlainTextResponse

from simulators.core.billing import yuan
from simulators.core.models import Order
from simulators.gateways import notify, outbound
from simulators.gateways.ccb import models, signing
from simulators.gateways.result import GatewayResult, Outcome

STATES = {"1": Outcome.PAID, "0": Outcome.FAILED, "2": Outcome.PENDING, "9": Outcome.CLOSED, "5": Outcome.REFUNDED}
CASHIER = "/pay/ccb/cashier/"
MERCHANT = {"MERCHANTID": models.MERCHANTID, "POSID": models.POSID, "BRANCHID": models.BRANCHID}


class CcbClient(outbound.ProviderClient):
    gateway = models.GATEWAY
    name = models.NAME
    path = "/pay/ccb/CCBIS/ccbMain"

    def _call(self, fields: tuple[str, ...], params: dict[str, str], *, before_charge: bool = False) -> dict[str, str]:
        form = signing.with_mac(self.key, fields, {**MERCHANT, **params})
        response = self.send("POST", self.url, urlencode(form), content_type=outbound.FORM, before_charge=before_charge)
        if response.status_code != 200:
            raise outbound.status_error(self.name, response, before_charge=before_charge)
        data = outbound.json_object(self.name, response, before_charge=before_charge)
        if "RETURN_CODE" not in data:
            raise outbound.unavailable(self.name, TypeError("not a CCB answer"), before_charge=before_charge)
        return {str(k): str(v) for k, v in data.items()}

    def create(
        self, order: Order, *, description: str, payer: str, taxpayer: str, notify_url: str, redirect: str
    ) -> GatewayResult:
        """TXCODE 530550: the bank answers the cashier's address (PAYURL) the payer goes to."""
        data = self._call(
            signing.ORDER,
            {
                "ORDERID": order.order_no,
                "PAYMENT": yuan(order.amount_fen),
                "CURCODE": "01",
                "TXCODE": models.TX_ORDER,
                "REMARK1": description[:30],
                "REMARK2": "",
                "TIMEOUT": f"{order.expires_at:{models.TIMEOUT_FORMAT}}",
                "NOTIFYURL": notify_url,
            },
            before_charge=True,
        )
        pay_url = data.get("PAYURL", "")
        if data.get("SUCCESS") != "true" or not pay_url.startswith(CASHIER):
            return GatewayResult(Outcome.REFUSED, detail=data.get("RETURN_MSG") or "下单失败")
        return GatewayResult(
            Outcome.PENDING,
            trade_no=pay_url.removeprefix(CASHIER),
            out_trade_no=order.order_no,
            cashier_url=f"{pay_url}?redirect={quote(redirect, safe='')}",
        )

    def query(self, out_trade_no: str) -> GatewayResult:
        data = self._call(signing.LOOKUP, {"ORDERID": out_trade_no, "TXCODE": models.TX_QUERY})
        if data["RETURN_CODE"] == "E2001":
            return GatewayResult(Outcome.UNKNOWN, out_trade_no=out_trade_no, detail="支付渠道无此订单")
        if data["RETURN_CODE"] != "000000" or data.get("ORDER_STATUS") not in STATES:
            raise outbound.unavailable(self.name, RuntimeError(data.get("RETURN_MSG", "")), before_charge=False)
        paid = data.get("PAY_TIME")
        return GatewayResult(
            STATES[data["ORDER_STATUS"]],
            trade_no=data.get("CCB_SERIAL", ""),
            amount_fen=models.fen(data.get("PAYMENT", "")) or 0,
            out_trade_no=data.get("ORDERID", ""),
            paid_at=datetime.strptime(paid, models.TIMEOUT_FORMAT) if paid else None,
            detail=data.get("STATUS_DESC", ""),
        )

    def close(self, out_trade_no: str) -> GatewayResult:
        data = self._call(signing.LOOKUP, {"ORDERID": out_trade_no, "TXCODE": models.TX_CLOSE})
        if data["RETURN_CODE"] in ("000000", "E2001"):
            return GatewayResult(Outcome.CLOSED, out_trade_no=out_trade_no)
        if data["RETURN_CODE"] == "E2002":
            return self.query(out_trade_no)  # paid meanwhile: say so
        raise outbound.unavailable(self.name, RuntimeError(data.get("RETURN_MSG", "")), before_charge=False)

    def refund(
        self, out_trade_no: str, *, out_refund_no: str, amount_fen: int, reason: str, notify_url: str
    ) -> GatewayResult:
        """TXCODE 5W1004, the whole payment back at once (CCB sends no notification of it): REFUNDED with
        ``trade_no`` the bank's REFUND_SERIAL, or REFUSED with its RETURN_MSG."""
        data = self._call(
            signing.REFUND,
            {
                "ORDERID": out_trade_no,
                "MONEY": yuan(amount_fen),
                "REFUND_CODE": out_refund_no,
                "TXCODE": models.TX_REFUND,
                "REMARK1": reason[:30],
            },
        )
        if data["RETURN_CODE"] != "000000":
            return GatewayResult(
                Outcome.REFUSED, out_trade_no=out_trade_no, detail=data.get("RETURN_MSG") or "退款失败"
            )
        return GatewayResult(
            Outcome.REFUNDED,
            trade_no=data.get("REFUND_SERIAL", ""),
            amount_fen=models.fen(data.get("MONEY", "")) or 0,
            out_trade_no=data.get("ORDERID", ""),
            detail="退款成功",
        )

    def parse_notification(self, headers: dict[str, str], body: str) -> GatewayResult | None:
        """The notified result, or None unless the form is signed with our key, for our POS, with a
        well-formed amount (the amount itself is compared with the order when it is applied); InvalidInput when
        its signed NOTIFYTIME is more than 5 minutes from the tenant's now (a replay)."""
        params = dict(parse_qsl(body, keep_blank_values=True))
        if not signing.check_sign(self.key, params):
            return None
        notify.refuse_stale(signing.notification_time(params), self.now(), "NOTIFYTIME")
        amount = models.fen(params.get("PAYMENT", ""))
        if (params.get("POSID"), params.get("BRANCHID")) != (models.POSID, models.BRANCHID) or amount is None:
            return None
        if params.get("SUCCESS") not in ("Y", "N"):
            return None
        paid = params["SUCCESS"] == "Y"
        return GatewayResult(
            Outcome.PAID if paid else Outcome.FAILED,
            amount_fen=amount,
            out_trade_no=params.get("ORDERID", ""),
            detail=params.get("ERRMSG") or "",
        )

    @staticmethod
    def acknowledge(accepted: bool, message: str, status: int) -> Response:
        """The bank reads any 2xx as received; otherwise it resends."""
        if accepted:
            return PlainTextResponse("SUCCESS")
        return PlainTextResponse(message, status_code=status)
