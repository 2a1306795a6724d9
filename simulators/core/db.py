"""Engine and transactions: SQLite by default (one writer at a time), PostgreSQL by URL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, Update, create_engine, event
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry


class Base(DeclarativeBase):
    pass


def make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not pysqlite, decide when a transaction begins.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Every transaction takes the write lock up front: check-then-write never interleaves.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_schema(engine: Engine) -> None:
    """Every table registered in the metadata: each part's models register theirs when the app imports the part."""
    Base.metadata.create_all(engine)


def tenant_tables() -> list[Table]:
    """The tables of a tenant's data (those with a ``tenant_id`` column), those that refer to others first."""
    return [table for table in reversed(Base.metadata.sorted_tables) if "tenant_id" in table.c]


def rows_changed(session: Session, statement: Update) -> int:
    """How many rows a conditional UPDATE (a compare-and-set) changed: 0 when its condition no longer held."""
    # An UPDATE's result is a CursorResult (it carries rowcount); Session.execute is typed for any statement.
    return cast(CursorResult[Any], session.execute(statement)).rowcount


class Database:
    """One engine and its session factory; `transaction()` commits on success, rolls back on error."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        create_schema(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
