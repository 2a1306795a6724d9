"""The bank's agreement-debit API under /pay/bank/: debit, query, close and reversal (冲正), each signed by the
tax bureau."""

from __future__ import annotations

from typing import TypeVar

from fastapi import APIRouter, FastAPI, Request, Response, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ValidationError

from simulators import web
from simulators.core import clock
from simulators.core.errors import InvalidInput, NotAuthorized
from simulators.gateways import docs
from simulators.gateways.bank import batch, models, signing
from simulators.gateways.bank.schemas import BankDebitOut, BankReversalOut

PREFIX = "/pay/bank"
SIGNATURE = APIKeyHeader(
    name=signing.HEADER,
    scheme_name="BankSignature",
    auto_error=False,
    description="银行请求签名:t=<时间戳>,sig=<base64>,对“请求方法\\n路径\\n时间戳\\n请求体”以商户密钥计算的"
    "HMAC-SHA256(代替银行证书);签名不对时答 401",
)
router = APIRouter(
    prefix=PREFIX,
    tags=["银行协议支付(模拟)"],
    dependencies=[*docs.TENANT, Security(SIGNATURE)],
    responses=docs.errors(400, 401, 404, 409, 413, 415, 422, 500),
)
Body = TypeVar("Body", bound=BaseModel)


async def _signed(request: Request) -> str:
    body = (await request.body()).decode()

    def check() -> None:
        with web.tenant_transaction(request) as (_session, tenant):
            if not signing.holds(
                tenant.merchant_key, request.headers.get(signing.HEADER, ""), request.method, request.url.path, body
            ):
                raise NotAuthorized("银行验签失败:请求签名错误", field="signature")

    await run_in_threadpool(check)
    return body


def _parsed(model: type[Body], body: str, what: str) -> Body:
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        first = error.errors()[0]
        raise InvalidInput(
            f"{what}请求格式不正确:{'.'.join(str(p) for p in first['loc'])} {first['msg']}", field="body"
        ) from error


@router.post(
    "/agreement-pay",
    operation_id="bankAgreementPay",
    summary="协议扣款(当即扣款成功或失败)",
    response_model=BankDebitOut,
    responses={504: {"model": web.ErrorOut, "description": "银行处理超时:扣款可能已做,以查询结果为准"}},
    openapi_extra=docs.body(models.DebitRequest),
)
async def agreement_pay(request: Request) -> Response:
    """Debit the taxpayer's agreement account for one order: SUCCESS at once, or FAIL with the bank's reason. A debit
    the bank answers late for (fault timeout_then_success) is made, but the call times out (504)."""
    req = _parsed(models.DebitRequest, await _signed(request), "扣款")

    def debit() -> dict[str, object]:
        with web.tenant_transaction(request) as (session, tenant):
            return models.trade_json(models.debit(session, tenant, req), clock.now(tenant))

    answer = await run_in_threadpool(debit)
    if answer["result"] == models.PROCESSING:
        return JSONResponse({"error": {"code": "TIMEOUT", "message": "银行处理超时"}}, status_code=504)
    return JSONResponse(BankDebitOut.model_validate(answer).model_dump(mode="json"))


async def _debit_of(request: Request, out_trade_no: str) -> BankDebitOut:
    await _signed(request)

    def find() -> dict[str, object]:
        with web.tenant_transaction(request) as (session, tenant):
            return models.trade_json(models.find(session, tenant, out_trade_no), clock.now(tenant))

    return BankDebitOut.model_validate(await run_in_threadpool(find))


@router.get("/agreement-pay/{out_trade_no}", operation_id="bankAgreementQuery", summary="查询扣款结果")
async def query(request: Request, out_trade_no: str) -> BankDebitOut:
    return await _debit_of(request, out_trade_no)


@router.post(
    "/agreement-pay/{out_trade_no}/refund",
    operation_id="bankAgreementRefund",
    summary="冲正(全额退回扣款账户)",
    openapi_extra=docs.body(models.ReversalRequest),
)
async def refund(request: Request, out_trade_no: str) -> BankReversalOut:
    """冲正: the whole debit back to the agreement account at once; the debit's result becomes REFUNDED."""
    req = _parsed(models.ReversalRequest, await _signed(request), "冲正")

    def reverse() -> dict[str, object]:
        with web.tenant_transaction(request) as (session, tenant):
            return models.reversal_json(*models.reverse(session, tenant, out_trade_no, req))

    return BankReversalOut.model_validate(await run_in_threadpool(reverse))


@router.post(
    "/agreement-pay/{out_trade_no}/close", operation_id="bankAgreementClose", summary="关闭扣款(扣款当即了结,答其结果)"
)
async def close(request: Request, out_trade_no: str) -> BankDebitOut:
    """A debit settles at once, so there is nothing left to close: the answer is how it ended."""
    return await _debit_of(request, out_trade_no)


def install(app: FastAPI) -> None:
    """The bank's batch deductions follow each tenant's clock: those whose batch day has come are run before a clock
    call answers (a job of the delivery worker's ``clock_jobs``, counted as ``batch_deductions``)."""
    app.state.deliveries.clock_jobs["batch_deductions"] = lambda request, tenant_id: batch.run(
        request, tenant_id, due_only=True
    )


__all__ = ["install", "router"]
