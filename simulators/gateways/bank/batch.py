"""缴费批扣定档: a payer with a valid three-party agreement picks this year's tier once, and the bank's batch run
deducts it on the next batch day of the reference data.

Enrolment checks the agreement and the core's rules (arrears first, special status, eligibility, already paid)
and writes nothing when it refuses. A run makes, for each due enrolment, the order through the core (the same
rules again, on the day of the run) and debits it through 协议支付; each enrolment ends 已扣款 with its payment
record, or 扣款失败 with the reason. A bank that cannot be reached leaves the enrolment waiting for the next run.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time

from fastapi import Request
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from simulators import web
from simulators.core import billing, clock, defects, orders
from simulators.core.billing import CHOOSE_TIER, yuan
from simulators.core.db import Base
from simulators.core.errors import GatewayUnavailable, RuleRefused, SimError
from simulators.core.models import Order, Person, Tenant
from simulators.core.refdata import ReferenceData
from simulators.gateways import merchant
from simulators.gateways.bank import models as bank

PENDING, DEDUCTED, FAILED = "待扣款", "已扣款", "扣款失败"
BATCH = "batch"  # who confirms and pays a batch deduction's order: the bank's run, not a person at a screen


class BatchEnrolment(Base):
    """One payer's chosen tier for one year, waiting for (or done by) the bank's batch deduction."""

    __tablename__ = "batch_enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    year: Mapped[int]
    tier_yuan: Mapped[int]
    status: Mapped[str] = mapped_column(String(8))
    enrolled_at: Mapped[datetime]
    due_on: Mapped[date]
    agreement_no: Mapped[str] = mapped_column(String(32))
    order_no: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(String(200), default="")
    done_at: Mapped[datetime | None]


def _refusal(session: Session, tenant: Tenant, person: Person) -> RuleRefused | None:
    problem = bank.problem(session, tenant, person.id_number)
    if problem is None:
        return None
    return RuleRefused(
        f"{problem[1]},不能选择【缴费批扣定档】:请先与银行签订有效的三方协议,或选择【我为自己缴】在线缴费",
        field="agreement",
    )


def enrol(
    session: Session, ref: ReferenceData, tenant: Tenant, person: Person, *, channel: str, year: int, tier: int
) -> BatchEnrolment:
    """确认 a tier for the batch deduction; a waiting enrolment of the same year takes the new tier."""
    refused = defects.at(tenant, "batch.agreement", _refusal(session, tenant, person))
    if refused is not None:
        raise refused
    now = clock.now(tenant)
    billing.quote(ref, billing.statement(session, ref, person, now.date()), CHOOSE_TIER, year=year, tier=tier)
    day = ref.next_batch_day(year, now)
    if day is None:
        raise RuleRefused(f"{year}年度的银行批量扣款已全部结束,请选择【我为自己缴】在线缴费", field="year")
    agreement = bank.valid(session, tenant, person.id_number)
    waiting: BatchEnrolment | None = defects.at(
        tenant,
        "batch.enrolment",
        session.scalars(
            select(BatchEnrolment).where(
                BatchEnrolment.tenant_id == tenant.id,
                BatchEnrolment.person_id == person.id,
                BatchEnrolment.year == year,
                BatchEnrolment.status == PENDING,
            )
        ).first(),
    )
    if waiting is None:
        waiting = BatchEnrolment(
            tenant_id=tenant.id, person_id=person.id, channel=channel, year=year, status=PENDING, message=""
        )
        session.add(waiting)
    waiting.tier_yuan, waiting.enrolled_at, waiting.due_on = tier, now, day
    waiting.message = f"等待银行于{day:%Y年%m月%d日}发起扣款"
    waiting.agreement_no = agreement.agreement_no if agreement is not None else ""
    session.flush()
    return waiting


def of_person(session: Session, tenant: Tenant, person: Person) -> list[BatchEnrolment]:
    return list(
        session.scalars(
            select(BatchEnrolment)
            .where(
                BatchEnrolment.tenant_id == tenant.id,
                BatchEnrolment.person_id == person.id,
            )
            .order_by(BatchEnrolment.id.desc())
        )
    )


def of_tenant(session: Session, tenant: Tenant) -> list[BatchEnrolment]:
    return list(
        session.scalars(select(BatchEnrolment).where(BatchEnrolment.tenant_id == tenant.id).order_by(BatchEnrolment.id))
    )


def enrolment_json(e: BatchEnrolment) -> dict[str, object]:
    return {
        "id": e.id,
        "year": e.year,
        "tier": e.tier_yuan,
        "amount": yuan(e.tier_yuan * 100),
        "status": e.status,
        "message": e.message,
        "due_on": e.due_on.isoformat(),
        "agreement_no": e.agreement_no,
        "order_no": e.order_no,
        "enrolled_at": e.enrolled_at.isoformat(sep=" ", timespec="seconds"),
        "done_at": e.done_at.isoformat(sep=" ", timespec="seconds") if e.done_at else None,
    }


# the bank's batch run -------------------------------------------------------------------------------------------
def run(request: Request, tenant_id: str, *, due_only: bool) -> list[dict[str, object]]:
    """One batch run in the tenant: every waiting enrolment (``due_only``: those whose batch day has come). Runs
    on the app's delivery worker, which runs one job at a time: two runs never deduct side by side."""
    scoped = web.acting_for(request, tenant_id)  # the control API names the tenant in the path
    with web.tenant_transaction(scoped) as (session, tenant):
        now = clock.now(tenant)
        mine = of_tenant(session, tenant)
        ids = [
            e.id for e in mine if e.status == PENDING and (not due_only or datetime.combine(e.due_on, time()) <= now)
        ]
        again: list[int] = defects.at(tenant, "batch.again", [], enrolments=mine, now=now)
    return [_deduct(scoped, enrolment_id) for enrolment_id in ids] + [_debit_again(scoped, i) for i in again]


def _debit_again(request: Request, enrolment_id: int) -> dict[str, object]:
    """The bank debits a deducted enrolment's amount once more, under a batch number of its own (the batch_second_run
    defect: the bank's run is not told the enrolment is done)."""
    with web.tenant_transaction(request) as (session, tenant):
        enrolment = session.get(BatchEnrolment, enrolment_id)
        assert enrolment is not None and enrolment.order_no
        order = session.get(Order, enrolment.order_no)
        person = session.get(Person, enrolment.person_id)
        assert order is not None and person is not None
        bank.debit(
            session,
            tenant,
            bank.DebitRequest(
                merchant_id=bank.MERCHANT_ID,
                taxpayer_id=person.id_number,
                amount_fen=order.amount_fen,
                out_trade_no=f"{order.order_no}R{secrets.token_hex(2)}",
                description="城乡居民基本养老保险费(批量扣款)",
            ),
        )
        return enrolment_json(enrolment)


def _deduct(request: Request, enrolment_id: int) -> dict[str, object]:
    def quote(session: Session, tenant: Tenant) -> tuple[Person, str, tuple[billing.Due, ...]]:
        enrolment = session.get(BatchEnrolment, enrolment_id)
        assert enrolment is not None
        person = session.get(Person, enrolment.person_id)
        assert person is not None
        ref = web.reference(request)
        # The deduction belongs to its batch day: a clock that jumped past the day (and past the season's end) is
        # judged as of that day; a run asked for before the day, as of today.
        day = min(clock.now(tenant).date(), enrolment.due_on)
        st = billing.statement(session, ref, person, day)
        return person, CHOOSE_TIER, billing.quote(ref, st, CHOOSE_TIER, year=enrolment.year, tier=enrolment.tier_yuan)

    with web.tenant_transaction(request) as (session, tenant):
        enrolment = session.get(BatchEnrolment, enrolment_id)
        assert enrolment is not None
        channel = enrolment.channel
    order_no: str | None = None
    try:
        order_no = merchant.confirm(
            request,
            channel,
            quote,
            idempotency_key=f"batch-{enrolment_id:08d}",
            expected_amount_fen=None,
            visitor=BATCH,
        )
        merchant.pay(request, order_no, bank.GATEWAY, payer=BATCH, redirect="")
    except GatewayUnavailable as error:
        return _finish(request, enrolment_id, order_no, error.message, give_up=False)
    except SimError as error:
        return _finish(request, enrolment_id, order_no, error.message, give_up=True)
    return _finish(request, enrolment_id, order_no, "", give_up=True)


def _finish(
    request: Request, enrolment_id: int, order_no: str | None, message: str, *, give_up: bool
) -> dict[str, object]:
    """The enrolment ends as its order ended; a refusal before any order ends it with the rule's message."""
    with web.tenant_transaction(request) as (session, tenant):
        enrolment = session.get(BatchEnrolment, enrolment_id)
        assert enrolment is not None
        order = session.get(Order, order_no) if order_no else None
        enrolment.order_no = order_no
        if order is not None and order.status == orders.PAID:
            enrolment.status, enrolment.message = DEDUCTED, f"已从三方协议账户扣款{yuan(order.amount_fen)}元"
        elif order is not None and order.status == orders.FAILED:
            enrolment.status, enrolment.message = FAILED, order.failure or "银行扣款失败"
        elif give_up:
            enrolment.status, enrolment.message = FAILED, f"{message},银行未扣款" if message else "银行未扣款"
        else:
            enrolment.message = f"{message}(将在下一轮批量扣款时重试)"
        if enrolment.status != PENDING:
            enrolment.done_at = clock.now(tenant)
        return enrolment_json(enrolment)
