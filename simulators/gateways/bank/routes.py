"""The bank's agreement-debit API under /pay/bank/: debit, query, close and reversal (冲正), each signed by the
tax bureau."""

from __future__ import annotations

from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ValidationError

from simulators import web
from simulators.core.errors import InvalidInput, NotAuthorized
from simulators.gateways.bank import models, signing

PREFIX = "/pay/bank"
router = APIRouter(prefix=PREFIX, tags=["银行协议支付(模拟)"], responses=web.ERROR_RESPONSES)
Body = TypeVar("Body", bound=BaseModel)


async def _signed(request: Request) -> str:
    body = (await request.body()).decode()

    def check() -> None:
        with web.tenant_transaction(request) as (_session, tenant):
            if not signing.holds(tenant.merchant_key, request.headers.get(signing.HEADER, ""), request.method,
                                 request.url.path, body):
                raise NotAuthorized("银行验签失败:请求签名错误", field="signature")

    await run_in_threadpool(check)
    return body


def _parsed(model: type[Body], body: str, what: str) -> Body:
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        first = error.errors()[0]
        raise InvalidInput(f"{what}请求格式不正确:{'.'.join(str(p) for p in first['loc'])} {first['msg']}",
                           field="body") from error


@router.post("/agreement-pay", operation_id="bankAgreementPay")
async def agreement_pay(request: Request) -> dict[str, object]:
    """Debit the taxpayer's agreement account for one order: SUCCESS at once, or FAIL with the bank's reason."""
    req = _parsed(models.DebitRequest, await _signed(request), "扣款")

    def debit() -> dict[str, object]:
        with web.tenant_transaction(request) as (session, tenant):
            return models.trade_json(models.debit(session, tenant, req))

    return await run_in_threadpool(debit)


async def _debit_of(request: Request, out_trade_no: str) -> dict[str, object]:
    await _signed(request)

    def find() -> dict[str, object]:
        with web.tenant_transaction(request) as (session, tenant):
            return models.trade_json(models.find(session, tenant, out_trade_no))

    return await run_in_threadpool(find)


@router.get("/agreement-pay/{out_trade_no}", operation_id="bankAgreementQuery")
async def query(request: Request, out_trade_no: str) -> dict[str, object]:
    return await _debit_of(request, out_trade_no)


@router.post("/agreement-pay/{out_trade_no}/refund", operation_id="bankAgreementRefund")
async def refund(request: Request, out_trade_no: str) -> dict[str, object]:
    """冲正: the whole debit back to the agreement account at once; the debit's result becomes REFUNDED."""
    req = _parsed(models.ReversalRequest, await _signed(request), "冲正")

    def reverse() -> dict[str, object]:
        with web.tenant_transaction(request) as (session, tenant):
            return models.reversal_json(*models.reverse(session, tenant, out_trade_no, req))

    return await run_in_threadpool(reverse)


@router.post("/agreement-pay/{out_trade_no}/close", operation_id="bankAgreementClose")
async def close(request: Request, out_trade_no: str) -> dict[str, object]:
    """A debit settles at once, so there is nothing left to close: the answer is how it ended."""
    return await _debit_of(request, out_trade_no)


__all__ = ["router"]
