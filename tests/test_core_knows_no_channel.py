"""The core (tenants, the seeded random, orders, billing, persistence) knows no channel and no provider: every part
registers its tables through the metadata, and a tenant's reset walks whatever tables have a ``tenant_id``."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARTS = (
    "simulators.wechat",
    "simulators.alipay",
    "simulators.taxapp",
    "simulators.etax",
    "simulators.zheliban",
    "simulators.gateways",
    "simulators.control",
    "simulators.app",
    "simulators.web",
    "simulators.channel_api",
    "simulators.account_api",
    "simulators.app_pages",
    "channels",
)


def test_the_core_imports_no_channel_gateway_or_control_module() -> None:
    found = {}
    for path in sorted((ROOT / "simulators" / "core").rglob("*.py")):
        modules = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules.add(node.module)
        wrong = sorted(m for m in modules if any(m == part or m.startswith(f"{part}.") for part in PARTS))
        if wrong:
            found[path.name] = wrong
    assert found == {}


PROBE = """
import sys
from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, mapped_column
from simulators.core import tenants
from simulators.core.db import Base, Database

class Probe(Base):  # a part added later, with tenant data of its own: nothing in the core names it
    __tablename__ = "reset_probe"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(String(20))

db = Database(f"sqlite:///{sys.argv[1]}")
with db.transaction() as session:
    for name in ("a", "b"):
        tenants.create(session, tenant_id=name, seed=7, generated=2, payers=[])
        session.add(Probe(tenant_id=name, note="x"))
with db.transaction() as session:
    tenants.reset(session, tenants.get(session, "a"))
with db.transaction() as session:
    count = lambda name: session.scalar(select(func.count()).select_from(Probe).where(Probe.tenant_id == name))
    people = len(tenants.payers(session, tenants.get(session, "a")))
    print(count("a"), count("b"), people)
"""


def test_a_reset_clears_every_table_with_a_tenant_id_and_only_that_tenants_rows(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "probe.db")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "1", "2"]  # the tenant's rows gone, the other's kept, its payers back


STARTED = """
import json, sys
from simulators.gateways import notify
import simulators.app as composed  # every part imported: the providers register nothing on import
before = sorted(notify.PROVIDERS)
from simulators.settings import Settings
composed.create_app(Settings(db_url=f"sqlite:///{sys.argv[1]}"))
print(json.dumps([before, sorted(notify.PROVIDERS)]))
"""


def test_the_providers_register_their_notifications_when_the_app_starts_not_on_import(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", STARTED, str(tmp_path / "started.db")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [[], ["alipay", "alipay_qr", "ccb", "wechatpay"]]
