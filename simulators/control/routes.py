"""The test-control API under /__sim/: tenants, payers, clock, SMS inbox, fault plan, journal, reset.

Nouns with verb sub-paths, mutations only by POST, an operationId on each route. When the simulator
requires a token (it binds beyond loopback), every call must carry it in ``X-Sim-Token``.
"""

from __future__ import annotations

import difflib
import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from simulators import web
from simulators.control.models import (
    AdvanceIn,
    AgreementIn,
    AgreementOut,
    AgreementsOut,
    CaptchaOut,
    CatalogueOut,
    ClockChangeOut,
    ClockIn,
    ClockOut,
    DefectsIn,
    EnrolmentsOut,
    FaultsIn,
    FaultsOut,
    InboxOut,
    JournalOut,
    LedgerOut,
    LoginScanIn,
    PayersIn,
    PayersOut,
    ScanOut,
    SecretsOut,
    TenantDefectsOut,
    TenantIn,
    TenantOut,
)
from simulators.core import captcha, clock, defects, qrlogin, sms, tenants
from simulators.core.errors import NotAuthorized
from simulators.core.models import JournalEntry, Tenant
from simulators.core.schemas import order_json, record_json
from simulators.gateways import deliveries, ledger
from simulators.gateways.bank import batch
from simulators.gateways.bank import models as bank
from simulators.gateways.merchant import STATUS_TEXT
from simulators.gateways.models import Notification

TOKEN = APIKeyHeader(
    name="X-Sim-Token",
    scheme_name="SimToken",
    auto_error=False,
    description="控制接口的令牌:模拟器启动时设置了令牌(--token 或环境变量 SIM_TOKEN;绑定非本机地址而未给出时"
    "随机生成)时,每个控制接口请求都须在请求头 X-Sim-Token 中带上它,否则返回401;未设置令牌时不检查",
)
TenantPath = Annotated[str, Path(description="测试租户编号(由 POST /__sim/tenants 创建)", examples=["t-1"])]


def require_token(request: Request, given: Annotated[str | None, Security(TOKEN)] = None) -> None:
    """The control token, when the simulator was started with one: read from the declared ``X-Sim-Token``."""
    expected = request.app.state.settings.control_token
    if expected and not hmac.compare_digest((given or "").encode(), expected.encode()):
        raise NotAuthorized("控制接口需要令牌:请在请求头 X-Sim-Token 中提供启动时设置的令牌", field="X-Sim-Token")


router = APIRouter(
    prefix="/__sim", tags=["控制接口"], dependencies=[Depends(require_token)], responses=web.ERROR_RESPONSES
)


def _tenant_json(tenant: Tenant, session: Session) -> dict[str, object]:
    return {
        "id": tenant.id,
        "seed": tenant.seed,
        "now": clock.now(tenant).isoformat(sep=" ", timespec="seconds"),
        "frozen": tenant.clock_frozen,
        "faults": tenant.faults,
        "payers": [tenants.as_json(p) for p in tenants.payers(session, tenant)],
    }


@router.post(
    "/tenants",
    status_code=201,
    operation_id="createTenant",
    response_model=TenantOut,
    summary="创建测试租户(缴费人、模拟时钟)",
)
def create_tenant(request: Request, body: TenantIn) -> dict[str, object]:
    with web.database(request).transaction() as session:
        tenant = tenants.create(
            session,
            tenant_id=body.id,
            seed=body.seed,
            generated=body.generated_payers,
            payers=[p.payer() for p in body.payers],
            start=body.now,
            frozen=body.frozen,
        )
        return _tenant_json(tenant, session)


@router.get("/tenants/{tenant_id}", operation_id="getTenant", response_model=TenantOut, summary="查看测试租户")
def get_tenant(request: Request, tenant_id: TenantPath) -> dict[str, object]:
    with web.database(request).transaction() as session:
        return _tenant_json(tenants.get(session, tenant_id), session)


@router.get(
    "/tenants/{tenant_id}/secrets",
    operation_id="getTenantSecrets",
    response_model=SecretsOut,
    summary="查看租户的商户密钥",
)
def get_tenant_secrets(request: Request, tenant_id: TenantPath) -> dict[str, str]:
    """The tenant's merchant key (random, made at its creation, kept by a reset), for a test that signs as a
    provider or as the merchant. No other answer shows it."""
    with web.database(request).transaction() as session:
        return {"merchant_key": tenants.get(session, tenant_id).merchant_key}


@router.get(
    "/tenants/{tenant_id}/payers", operation_id="listPayers", response_model=PayersOut, summary="列出租户的缴费人"
)
def list_payers(request: Request, tenant_id: TenantPath) -> dict[str, object]:
    with web.database(request).transaction() as session:
        tenant = tenants.get(session, tenant_id)
        return {"payers": [tenants.as_json(p) for p in tenants.payers(session, tenant)]}


@router.post(
    "/tenants/{tenant_id}/payers",
    status_code=201,
    operation_id="addPayers",
    response_model=PayersOut,
    summary="登记缴费人",
)
def add_payers(request: Request, tenant_id: TenantPath, body: PayersIn) -> dict[str, object]:
    with web.database(request).transaction() as session:
        tenant = tenants.get(session, tenant_id)
        added = [tenants.add_person(session, tenant, spec.payer()) for spec in body.payers]
        tenant.initial_payers = [*tenant.initial_payers, *(spec.payer().to_json() for spec in body.payers)]
        return {"payers": [tenants.as_json(p) for p in added]}


@router.get("/tenants/{tenant_id}/clock", operation_id="getClock", response_model=ClockOut, summary="查看模拟时钟")
def get_clock(request: Request, tenant_id: TenantPath) -> dict[str, object]:
    with web.database(request).transaction() as session:
        tenant = tenants.get(session, tenant_id)
        return {"now": clock.now(tenant).isoformat(sep=" ", timespec="seconds"), "frozen": tenant.clock_frozen}


@router.post(
    "/tenants/{tenant_id}/clock",
    operation_id="setClock",
    response_model=ClockChangeOut,
    summary="设置模拟时钟(到期的通知与批扣随即执行)",
)
async def set_clock(request: Request, tenant_id: TenantPath, body: ClockIn) -> dict[str, object]:
    def run() -> None:
        with web.database(request).transaction() as session:
            clock.set_clock(tenants.get(session, tenant_id), body.now, frozen=body.frozen)

    return await _after_clock(request, tenant_id, run)


@router.post(
    "/tenants/{tenant_id}/clock/advance",
    operation_id="advanceClock",
    response_model=ClockChangeOut,
    summary="拨快模拟时钟(到期的通知与批扣随即执行)",
)
async def advance_clock(request: Request, tenant_id: TenantPath, body: AdvanceIn) -> dict[str, object]:
    def run() -> None:
        with web.database(request).transaction() as session:
            clock.advance(tenants.get(session, tenant_id), body.seconds)

    return await _after_clock(request, tenant_id, run)


async def _after_clock(request: Request, tenant_id: str, change: Callable[[], None]) -> dict[str, object]:
    """What falls due on the new time happens before the call returns, and is counted in its answer: the clock
    change and every job the parts registered at the app's start in the delivery worker's ``clock_jobs`` (the
    notifications and batch deductions that fell due, the reconciler's round; each answering under its name) run
    as one job on the worker, so no delivery round comes in between."""
    worker = deliveries.of(request)

    def job() -> dict[str, object]:
        change()
        done: dict[str, object] = {}
        for name, follow in worker.clock_jobs.items():
            done[name] = follow(request, tenant_id)
        return {**get_clock(request, tenant_id), **done}

    return await worker.run_async(job)


@router.get("/tenants/{tenant_id}/sms", operation_id="readSmsInbox", response_model=InboxOut, summary="读取短信收件箱")
def read_sms(
    request: Request,
    tenant_id: TenantPath,
    phone: Annotated[str | None, Query(max_length=11, description="只看发给这个手机号码的短信;不给时为全部")] = None,
) -> dict[str, object]:
    with web.database(request).transaction() as session:
        tenant = tenants.get(session, tenant_id)
        return {
            "messages": [
                {"phone": m.phone, "text": m.text, "code": m.code, "sent_at": m.sent_at.isoformat(sep=" ")}
                for m in sms.inbox(session, tenant, phone)
            ]
        }


@router.get(
    "/tenants/{tenant_id}/captchas/{captcha_id}",
    operation_id="readCaptcha",
    response_model=CaptchaOut,
    summary="读取随机验证码图片上的字符",
)
def read_captcha(
    request: Request,
    tenant_id: TenantPath,
    captcha_id: Annotated[str, Path(description="随机验证码编号(渠道页面图片地址中的编号)")],
) -> dict[str, object]:
    """What a 随机验证码 picture shows, as the person in front of it reads it."""
    with web.database(request).transaction() as session:
        found = captcha.find(session, tenants.get(session, tenant_id), captcha_id)
        return {
            "id": found.id,
            "text": found.text,
            "expires_at": found.expires_at.isoformat(sep=" "),
            "used": found.used_at is not None,
        }


@router.post(
    "/tenants/{tenant_id}/etax/scans",
    operation_id="scanEtaxLoginQr",
    response_model=ScanOut,
    summary="用税务APP或个人所得税APP扫电子税务局登录二维码并确认",
)
def scan_etax_login(request: Request, tenant_id: TenantPath, body: LoginScanIn) -> dict[str, object]:
    """税务APP扫码 / 个人所得税APP扫码: the app scans the 电子税务局 login QR code (its payload) and the person
    confirms on the phone; the login page then lets them in with 【登录】."""
    with web.database(request).transaction() as session:
        tenant = tenants.get(session, tenant_id)
        ticket = qrlogin.scanned(session, tenant, [body.payload], body.app, body.id_number)
        return {"ticket": ticket.id, "app": ticket.app, "state": qrlogin.state(tenant, ticket)}


@router.get(
    "/tenants/{tenant_id}/faults", operation_id="getFaultPlan", response_model=FaultsOut, summary="查看故障计划"
)
def get_faults(request: Request, tenant_id: TenantPath) -> dict[str, object]:
    with web.database(request).transaction() as session:
        return {"faults": tenants.get(session, tenant_id).faults}


@router.post(
    "/tenants/{tenant_id}/faults", operation_id="setFaultPlan", response_model=FaultsOut, summary="设置故障计划"
)
def set_faults(request: Request, tenant_id: TenantPath, body: FaultsIn) -> dict[str, object]:
    with web.database(request).transaction() as session:
        tenant = tenants.get(session, tenant_id)
        tenant.faults = [f.model_dump() for f in body.faults]
        return {"faults": tenant.faults}


@router.get("/defects", operation_id="listDefects", response_model=CatalogueOut, summary="列出缺陷目录")
def list_defects() -> dict[str, object]:
    """The defect catalogue: every defect a test may switch on for a tenant, the rule it breaks and where it shows
    (``surface``: rule, caught by the rule features; page, by the UI walk-throughs)."""
    return {"catalogue": defects.catalogue_json()}


@router.get(
    "/tenants/{tenant_id}/defects",
    operation_id="getTenantDefects",
    response_model=TenantDefectsOut,
    summary="查看租户打开的缺陷",
)
def get_defects(request: Request, tenant_id: TenantPath) -> dict[str, object]:
    with web.database(request).transaction() as session:
        return {"catalogue": defects.catalogue_json(), "active": list(tenants.get(session, tenant_id).defects or [])}


@router.post(
    "/tenants/{tenant_id}/defects",
    operation_id="setTenantDefects",
    response_model=TenantDefectsOut,
    summary="设置租户打开的缺陷",
)
def set_defects(request: Request, tenant_id: TenantPath, body: DefectsIn) -> dict[str, object]:
    """Switch on exactly these defects for the tenant ([] switches every one off); kept across restarts and resets."""
    names = body.names()
    with web.database(request).transaction() as session:
        tenant = tenants.get(session, tenant_id)
        tenant.defects = names
        if names:
            web.defects_in_use(request, now=True)
        return {"catalogue": defects.catalogue_json(), "active": list(tenant.defects)}


@router.get(
    "/tenants/{tenant_id}/journal", operation_id="readJournal", response_model=JournalOut, summary="读取租户的请求日志"
)
def read_journal(
    request: Request,
    tenant_id: TenantPath,
    limit: Annotated[int, Query(ge=1, le=5000, description="最多返回的条数(最近的,1至5000)")] = 500,
) -> dict[str, object]:
    with web.database(request).transaction() as session:
        tenants.get(session, tenant_id)
        rows = session.scalars(
            select(JournalEntry)
            .where(JournalEntry.tenant_id == tenant_id)
            .order_by(JournalEntry.id.desc())
            .limit(limit)
        )
        return {
            "entries": [
                {
                    "at": e.at.isoformat(sep=" "),
                    "method": e.method,
                    "path": e.path,
                    "status": e.status,
                    "millis": e.millis,
                    "request": e.request,
                    "response": e.response,
                }
                for e in reversed(list(rows))
            ]
        }


@router.get(
    "/tenants/{tenant_id}/ledger",
    operation_id="readLedger",
    response_model=LedgerOut,
    summary="读取租户的账目(订单、缴费记录、实际扣款)及核对结论",
)
def read_ledger(request: Request, tenant_id: TenantPath) -> dict[str, object]:
    """Orders, payment records and what each provider actually charged: the money, side by side, and the
    ledger's invariants over them (``invariants``, ``ok``, ``verdict``). Read-only, a few queries."""
    with web.database(request).transaction() as session:
        tenant = tenants.get(session, tenant_id)
        books = ledger.load(session, tenant)
        people = books.people
        notes = session.execute(
            select(Notification.status, func.count())
            .where(Notification.tenant_id == tenant.id)
            .group_by(Notification.status)
        )
        found = ledger.check(books)
        return {
            "orders": [order_json(o, people[o.person_id], STATUS_TEXT[o.status]) for o in books.orders],
            "records": [record_json(r, people[r.person_id]) for r in books.records],
            "charges": [
                {
                    "gateway": t.gateway,
                    "out_trade_no": t.out_trade_no,
                    "state": t.state,
                    "paid": t.success_at is not None,
                    "amount": f"{t.amount_fen / 100:.2f}",
                    "transaction_id": t.transaction_id,
                }
                for t in books.trades
            ],
            "notifications": {status: count for status, count in notes},
            "invariants": [i.as_json() for i in found],
            "ok": all(i.ok for i in found),
            "verdict": ledger.verdict(found),
        }


@router.post(
    "/tenants/{tenant_id}/agreements",
    status_code=201,
    operation_id="signAgreement",
    response_model=AgreementOut,
    summary="签订三方协议",
)
def sign_agreement(request: Request, tenant_id: TenantPath, body: AgreementIn) -> dict[str, object]:
    """签订三方协议 for a payer of the tenant (by ID number): the bank, the debit account and its balance."""
    with web.database(request).transaction() as session:
        tenant = tenants.get(session, tenant_id)
        return bank.agreement_json(
            bank.sign(
                session,
                tenant,
                id_number=body.id_number,
                bank=body.bank,
                balance_fen=body.balance_fen(),
                account=body.account,
                agreement_no=body.agreement_no,
            )
        )


@router.get(
    "/tenants/{tenant_id}/agreements",
    operation_id="listAgreements",
    response_model=AgreementsOut,
    summary="列出三方协议",
)
def list_agreements(request: Request, tenant_id: TenantPath) -> dict[str, object]:
    with web.database(request).transaction() as session:
        tenant = tenants.get(session, tenant_id)
        return {"agreements": [bank.agreement_json(a) for a in bank.of_tenant(session, tenant)]}


@router.post(
    "/tenants/{tenant_id}/agreements/{agreement_no}/revoke",
    operation_id="revokeAgreement",
    response_model=AgreementOut,
    summary="解除三方协议",
)
def revoke_agreement(
    request: Request, tenant_id: TenantPath, agreement_no: Annotated[str, Path(description="三方协议号")]
) -> dict[str, object]:
    """解除三方协议: later debits under it are refused."""
    with web.database(request).transaction() as session:
        return bank.agreement_json(bank.revoke(session, tenants.get(session, tenant_id), agreement_no))


@router.get(
    "/tenants/{tenant_id}/batch-deductions",
    operation_id="listBatchDeductions",
    response_model=EnrolmentsOut,
    summary="列出缴费批扣定档登记",
)
def list_batch_deductions(request: Request, tenant_id: TenantPath) -> dict[str, object]:
    """缴费批扣定档 enrolments of the tenant and how each ended."""
    with web.database(request).transaction() as session:
        tenant = tenants.get(session, tenant_id)
        return {"enrolments": [batch.enrolment_json(e) for e in batch.of_tenant(session, tenant)]}


@router.post(
    "/tenants/{tenant_id}/batch-deductions/run",
    operation_id="runBatchDeductions",
    response_model=EnrolmentsOut,
    summary="立即执行批量扣款",
)
async def run_batch_deductions(request: Request, tenant_id: TenantPath) -> dict[str, object]:
    """The bank's batch deduction, now: every waiting enrolment, whatever its batch day (on the delivery worker,
    one run at a time)."""

    def job() -> dict[str, object]:
        with web.database(request).transaction() as session:
            tenants.get(session, tenant_id)
        return {"enrolments": batch.run(request, tenant_id, due_only=False)}

    return await deliveries.of(request).run_async(job)


@router.post(
    "/tenants/{tenant_id}/reset",
    operation_id="resetTenant",
    response_model=TenantOut,
    summary="重置测试租户(保留缴费人)",
)
def reset_tenant(request: Request, tenant_id: TenantPath) -> dict[str, object]:
    with web.database(request).transaction() as session:
        tenant = tenants.get(session, tenant_id)
        tenants.reset(session, tenant)
        return _tenant_json(tenant, session)


def near_miss(request: Request) -> JSONResponse:
    """For a control call that matched nothing: the nearest routes, as WireMock answers."""
    paths = sorted({getattr(r, "path", "") for r in router.routes})
    wanted = request.url.path.replace("/__sim", "", 1)
    shape = "/".join("{tenant_id}" if i == 2 else part for i, part in enumerate(wanted.split("/")))
    nearest = difflib.get_close_matches("/__sim" + shape, [p for p in paths], n=3, cutoff=0.3)
    return JSONResponse(
        status_code=404,
        content={
            "error": {
                "code": "no_such_route",
                "field": None,
                "message": f"控制接口没有 {request.method} {request.url.path};最接近的是:{'、'.join(nearest) or '无'}",
                "nearest": nearest,
            }
        },
    )


__all__ = ["router", "near_miss"]
