"""The hot paths find their rows through an index, whatever the tenant's size: the statements the real code
emits for a payer lookup, a statement, an order and its lines, the bills an order holds, a person's records, an
Alipay login by phone, the tenant of a request and the journal, each judged by SQLite's EXPLAIN QUERY PLAN.

A plan may SEARCH a table by a key or an index; it may never SCAN a table, nor SEARCH one by its tenant alone
(every row of the tenant: what grows with the tenant's size). Plans, never times."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from starlette.types import Receive, Scope, Send

from benchmarks.load import payer
from simulators.alipay import models as alipay
from simulators.core import billing, orders, refdata, tenants
from simulators.core.db import Database
from simulators.core.models import Order, Person, Tenant
from simulators.core.people import Resident
from simulators.gateways import merchant
from simulators.journal import JournalMiddleware
from simulators.wechat.routes import backend as wechat

TENANT = "big"
PAYERS = 300
TODAY = datetime(2024, 3, 1, 9, 0)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = Database(f"sqlite:///{Path(tmp_path_factory.mktemp('indexes')) / 'plans.db'}")
    with database.transaction() as session:
        tenants.create(
            session, tenant_id=TENANT, seed=1, generated=0, payers=[Resident.from_json(payer(i)) for i in range(PAYERS)]
        )
        tenants.create(
            session,
            tenant_id="other",
            seed=2,
            generated=0,
            payers=[Resident.from_json(payer(i)) for i in range(PAYERS)],
        )
    yield database
    database.dispose()


@contextmanager
def statements(db: Database) -> Iterator[list[tuple[str, Any]]]:
    """Every statement the engine runs inside the block, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        if not many:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def plans(db: Database, seen: list[tuple[str, Any]]) -> list[tuple[str, list[str]]]:
    """(statement, the details of its query plan) for each statement that reads or changes existing rows."""
    judged = []
    with db.engine.connect() as conn:
        for sql, parameters in seen:
            if sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
                rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parameters).fetchall()
                judged.append((sql, [str(row[-1]) for row in rows]))
    return judged


def size_bound(details: list[str]) -> list[str]:
    """The steps of a plan whose cost grows with a table or a tenant: scans, and searches by tenant alone."""
    return [d for d in details if d.startswith("SCAN") or d.endswith("(tenant_id=?)")]


def assert_indexed(db: Database, seen: list[tuple[str, Any]], *tables: str) -> None:
    judged = plans(db, seen)
    for table in tables:
        steps = [d for _sql, details in judged for d in details if f" {table} " in f"{d} "]
        assert steps, f"no statement read {table}"
        assert all("USING" in d and ("INDEX" in d or "PRIMARY KEY" in d) for d in steps), steps
    bad = [(" ".join(sql.split())[:160], size_bound(details)) for sql, details in judged if size_bound(details)]
    assert not bad, bad


def someone(session: Session, index: int = 123) -> tuple[Tenant, Person]:
    tenant = tenants.get(session, TENANT)
    p = payer(index)
    return tenant, billing.find_payer(
        session, tenant, name=p["name"], id_type=p["id_type"], id_number=p["id_number"], today=TODAY.date()
    )


def test_the_payer_lookup_searches_the_tenants_id_numbers(db: Database) -> None:
    with db.transaction() as session, statements(db) as seen:
        _tenant, person = someone(session)
    assert person.id_number == payer(123)["id_number"]
    assert_indexed(db, seen, "person")
    assert any("id_number=?" in d for _sql, details in plans(db, seen) for d in details)


def test_a_statement_and_the_records_of_a_person_use_the_person_index(db: Database) -> None:
    ref = refdata.load(refdata.DEFAULT_PATH)
    with db.transaction() as session:
        _tenant, person = someone(session, 7)
        with statements(db) as seen:
            billing.statement(session, ref, person, TODAY.date())
            wechat.records(session, person)
    assert_indexed(db, seen, "payment_record")


def test_an_order_by_its_number_and_the_bills_it_holds_are_index_searches(db: Database) -> None:
    ref = refdata.load(refdata.DEFAULT_PATH)
    with db.transaction() as session, statements(db) as seen:
        tenant, person = someone(session, 42)
        st = billing.statement(session, ref, person, TODAY.date())
        dues = billing.quote(ref, st, billing.CHOOSE_TIER, year=2024, tier=300)
        order = orders.confirm(
            session,
            ref,
            orders.Confirmation(tenant, person, billing.CHOOSE_TIER, "wechat", "plan-test-key-1", dues),
            TODAY,
        )
        session.expunge(order)
        found = merchant.find_order(session, tenant, order.order_no)
        orders.close(session, found, "计划测试")
    assert found.lines and found.status == orders.CLOSED
    assert_indexed(db, seen, "payment_order", "order_line", "bill")


def test_an_alipay_login_finds_the_payer_by_phone(db: Database) -> None:
    with db.transaction() as session, statements(db) as seen:
        tenant = tenants.get(session, TENANT)
        alipay.log_in(session, tenant, payer(99)["phone"])
    assert_indexed(db, seen, "person", "alipay_account")


async def no_app(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("writing a journal entry never calls the application")


def test_the_tenant_of_a_request_and_its_journal_entry_never_load_the_payer_list(db: Database) -> None:
    with db.transaction() as session, statements(db) as seen:
        assert tenants.get(session, TENANT).id == TENANT
    JournalMiddleware(no_app, db)._write(
        {"tenant": TENANT, "method": "GET", "path": "/x", "status": 200, "millis": 1.0, "request": "", "response": ""}
    )
    with statements(db) as journal:
        JournalMiddleware(no_app, db)._write(
            {
                "tenant": TENANT,
                "method": "GET",
                "path": "/y",
                "status": 200,
                "millis": 1.0,
                "request": "",
                "response": "",
            }
        )
    loaded = [sql for sql, _ in seen + journal if "initial_payers" in sql and sql.lstrip().startswith("SELECT")]
    assert not loaded, loaded
    assert_indexed(db, seen + journal, "tenant")


def test_a_reset_still_reads_the_payer_list(db: Database) -> None:
    """Deferred, not dropped: a reset rebuilds the tenant's payers from it."""
    with db.transaction() as session:
        tenant = tenants.get(session, "other")
        session.delete(session.scalars(select(Person).where(Person.tenant_id == "other")).first())
        session.flush()
        tenants.reset(session, tenant)
    with db.transaction() as session:
        count = len(tenants.payers(session, tenants.get(session, "other")))
        assert session.scalars(select(Order).where(Order.tenant_id == "other")).first() is None
    assert count == PAYERS
