"""Tenants: isolated worlds of payers, orders, clock, SMS inbox, fault plan and journal."""

from __future__ import annotations

import random
import re
import secrets
import time
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from simulators.core import clock, db, idnumber, people
from simulators.core.errors import InvalidInput, NotFound
from simulators.core.models import (
    MEDICAL,
    PENSION,
    Person,
    Tenant,
)
from simulators.core.people import SPECIAL_STATUSES, Resident

DEMO = "demo"
TENANT_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def get(session: Session, tenant_id: str) -> Tenant:
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound(f"测试租户“{tenant_id}”不存在,请先通过 /__sim/tenants 创建", field="tenant")
    return tenant


def create(
    session: Session,
    *,
    tenant_id: str | None,
    seed: int | None,
    generated: int,
    payers: list[Resident],
    start: datetime | None = None,
    frozen: bool = False,
) -> Tenant:
    seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
    tenant_id = tenant_id or f"t{seed}-{time.monotonic_ns() % 10**8}"
    if not TENANT_ID.match(tenant_id):
        raise InvalidInput("租户编号只能包含字母、数字、下划线、点和横线,且不超过64个字符", field="tenant")
    if session.get(Tenant, tenant_id) is not None:
        raise InvalidInput(f"测试租户“{tenant_id}”已存在", field="tenant")
    when = clock.in_range(start or clock.DEFAULT_START)
    tenant = Tenant(
        id=tenant_id,
        seed=seed,
        created_at=datetime.now(),
        clock_start=when,
        clock_start_frozen=frozen,
        clock_base=when,
        clock_anchor=time.time(),
        clock_frozen=frozen,
        faults=[],
        merchant_key=secrets.token_hex(32),  # never from the seed, which every report prints
        initial_payers=[],
    )
    session.add(tenant)
    session.flush()
    everyone = people.generate(seed, generated, when.year) + payers
    tenant.initial_payers = [p.to_json() for p in everyone]
    for payer in everyone:
        add_person(session, tenant, payer)
    return tenant


def add_person(session: Session, tenant: Tenant, payer: Resident) -> Person:
    try:
        info = idnumber.parse(payer.id_number, today=date(9999, 12, 31))
    except idnumber.IdNumberError as error:
        raise InvalidInput(f"缴费人{payer.name}:{error.rule}", field="id_number") from error
    if payer.special_status not in (None, *SPECIAL_STATUSES):
        raise InvalidInput(f"特殊身份应为{'、'.join(SPECIAL_STATUSES)}之一", field="special_status")
    exists = session.scalars(
        select(Person).where(Person.tenant_id == tenant.id, Person.id_number == info.number)
    ).first()
    if exists is not None:
        raise InvalidInput(f"证件号码{idnumber.mask(info.number)}的缴费人已存在", field="id_number")
    person = Person(
        tenant_id=tenant.id,
        name=payer.name,
        id_type=payer.id_type,
        id_number=info.number,
        phone=payer.phone,
        gender=info.gender,
        birth_date=info.birth_date,
        county_code=payer.county_code,
        enrolment=payer.enrolment,
        insurances=[PENSION, MEDICAL],
        special_status=payer.special_status,
        arrears_years=sorted(payer.arrears_years),
    )
    session.add(person)
    session.flush()
    return person


def payers(session: Session, tenant: Tenant) -> list[Person]:
    return list(session.scalars(select(Person).where(Person.tenant_id == tenant.id).order_by(Person.id)))


def reset(session: Session, tenant: Tenant) -> None:
    """Back to the state of its creation: same payers, no orders, records, accounts, sessions, SMS, random codes
    or journal."""
    for table in db.tenant_tables():  # whichever part registered it: orders, trades, accounts, the journal
        session.execute(table.delete().where(table.c.tenant_id == tenant.id))
    tenant.faults = []
    tenant.defect_marks = []  # what defects did is gone with the rest; the defects switched on stay
    clock.set_clock(tenant, tenant.clock_start, frozen=tenant.clock_start_frozen)
    for raw in tenant.initial_payers:
        add_person(session, tenant, Resident.from_json(raw))


def as_json(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "id_type": person.id_type,
        "id_number": person.id_number,
        "phone": person.phone,
        "gender": person.gender,
        "birth_date": person.birth_date.isoformat(),
        "county_code": person.county_code,
        "enrolment": person.enrolment,
        "insurances": person.insurances,
        "special_status": person.special_status,
        "arrears_years": person.arrears_years,
    }
