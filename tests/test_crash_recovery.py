"""Crash recovery: a simulator process on a file database, killed with SIGKILL at random points of payment flows
through every channel and gateway, restarted each time on the same file. After recovery nothing is lost,
doubled, created or stuck.

Seeded: ``CRASH_SEED=N`` replays a run (the seed is in every failure message).
"""

from __future__ import annotations

import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from faker import Faker
from sqlalchemy import select

from fixtures.waiting import poll
from simulators.core.db import Database
from simulators.core.models import Order, PaymentRecord
from simulators.gateways.bank.models import BankAgreement
from simulators.gateways.models import GatewayTrade, Notification

SEED = int(os.environ.get("CRASH_SEED", "20241201"))
FLOWS = 20
TENANT = "crash"
ROUTES = (
    ("wechat", "wechatpay"),
    ("alipay", "alipay"),
    ("taxapp", "ccb"),
    ("taxapp", "wechatpay"),
    ("taxapp", "agreement"),
)
ROOT = Path(__file__).resolve().parent.parent
OPEN_STATES = frozenset({"NOTPAY", "WAIT_BUYER_PAY", "WAIT"})  # a trade still waiting at its cashier


class Simulator:
    """``python -m simulators`` as its own process, killed and restarted on one database file."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.process: subprocess.Popen[bytes] | None = None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (our own module)
            [sys.executable, "-m", "simulators", "--port", str(self.port), "--db", f"sqlite:///{self.db}"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/__sim/tenants/demo", timeout=1, trust_env=False).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("模拟器进程未能在30秒内启动")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        assert self.process is not None
        self.process.send_signal(sig)
        self.process.wait(timeout=20)
        assert self.process.stderr is not None
        self.process.stderr.close()

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


@dataclass
class Flow:
    """One person paying one year through one channel and gateway, step by step; each step may be cut by the
    crash, and the person simply does it again once the simulator is back (same submission key)."""

    channel: str
    gateway: str
    payer: dict[str, Any]
    key: str = field(default_factory=lambda: secrets.token_hex(12))
    headers: dict[str, str] = field(default_factory=dict)
    order_no: str = ""
    cashier: str = ""
    steps_done: int = 0
    status: str = ""

    def api(self, path: str) -> str:
        return f"/{self.channel}/api{path}"

    def steps(self) -> list[Callable[[httpx.Client], None]]:
        return [self.enter, self.confirm, self.pay, self.press, self.result]

    def enter(self, http: httpx.Client) -> None:
        if self.channel == "wechat":
            openid = ok(http.post("/wechat/api/oauth/authorize", json={}))["openid"]
            self.headers = {"X-Wechat-Openid": openid}
        elif self.channel == "alipay":
            self.headers = {
                "X-Alipay-Token": ok(http.post("/alipay/api/login", json={"phone": self.payer["phone"]}))["token"]
            }
            ok(http.post("/alipay/api/oauth/authorize", headers=self.headers))
        else:
            phone = self.payer["phone"]
            sent = http.post(self.api("/sms/code"), json={"phone": phone, "purpose": "register"})
            if sent.status_code != 409:  # 409: a code was sent before the crash, and is still in the inbox
                ok(sent)
            inbox = ok(http.get(f"/__sim/tenants/{TENANT}/sms", params={"phone": phone}))["messages"]
            code = [m for m in inbox if m["code"]][-1]["code"]
            made = http.post(
                self.api("/accounts"),
                json={
                    "phone": phone,
                    "sms_code": code,
                    "password": "Aa123456",
                    "password_confirm": "Aa123456",
                    "name": self.payer["name"],
                    "id_type": "居民身份证",
                    "id_number": self.payer["id_number"],
                },
            )
            if made.status_code in (409, 422):  # registered before the crash: log in
                made = http.post(self.api("/sessions"), json={"phone": phone, "password": "Aa123456"})
            self.headers = {"X-App-Token": ok(made)["token"]}
            ok(http.post(self.api("/business"), json={"business": "个人业务"}, headers=self.headers))

    def confirm(self, http: httpx.Client) -> None:
        body = {
            "name": self.payer["name"],
            "id_type": "居民身份证",
            "id_number": self.payer["id_number"],
            "insurance": "pension",
            "pay_type": "选档缴费",
            "year": 2024,
            "tier": 300,
            "idempotency_key": self.key,
        }
        self.order_no = ok(http.post(self.api("/orders"), json=body, headers=self.headers))["order_no"]

    def pay(self, http: httpx.Client) -> None:
        answer = http.post(
            self.api(f"/orders/{self.order_no}/pay"), json={"gateway": self.gateway}, headers=self.headers
        )
        if answer.status_code == 409 and "已缴费" in answer.text:
            self.cashier = ""
            return
        self.cashier = ok(answer)["cashier_url"]

    def press(self, http: httpx.Client) -> None:
        if self.gateway == "agreement" or not self.cashier.startswith("/pay/"):
            return  # settled at once, or paid before the crash
        pressed = http.post(self.cashier.split("?")[0] + "/pay", json={})
        if pressed.status_code >= 500:
            raise httpx.RemoteProtocolError(pressed.text)

    def result(self, http: httpx.Client) -> None:
        self.status = ok(http.get(self.api(f"/orders/{self.order_no}"), headers=self.headers))["status"]

    def run(self, url: str, until_done: bool) -> None:
        """Walk the steps from where the person is; a cut step is done again. Stops at the first transport error
        unless ``until_done`` (then the simulator is back up and every step must go through)."""
        headers = {"X-Sim-Tenant": TENANT, "Origin": url}
        with httpx.Client(base_url=url, timeout=10, trust_env=False, headers=headers) as http:
            while self.steps_done < len(self.steps()):
                try:
                    self.steps()[self.steps_done](http)
                except (httpx.TransportError, Cut):
                    if not until_done:
                        return
                    time.sleep(0.1)
                    continue
                self.steps_done += 1
                if self.steps_done == len(self.steps()) and self.status != "PAID" and until_done:
                    self.steps_done = 2  # not paid yet: pay again (the same attempt, reconciled)
                    time.sleep(0.1)


class Cut(Exception):
    """An answer the crash cut short (a 5xx of a half-dead process)."""


def ok(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 500:
        raise Cut(response.text)
    assert response.is_success, f"{response.request.method} {response.request.url} → {response.text}"
    answer: dict[str, Any] = response.json()
    return answer


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[Simulator]:
    running = Simulator(tmp_path / "crash.db")
    running.start()
    yield running
    if running.process and running.process.poll() is None:
        running.kill()


def test_a_killed_simulator_restarted_on_its_database_loses_doubles_and_creates_nothing(
    simulator: Simulator, fake: Faker
) -> None:
    rng = random.Random(SEED)
    fake.seed_instance(SEED)
    payers = [fake.ningbo_payer(contribution_year=2024).to_json() for _ in range(FLOWS)]
    with httpx.Client(base_url=simulator.url, timeout=30, trust_env=False) as control:
        created = control.post("/__sim/tenants", json={"id": TENANT, "seed": SEED % 10**6, "generated_payers": 0})
        assert created.status_code == 201, created.text
        added = control.post(f"/__sim/tenants/{TENANT}/payers", json={"payers": payers})
        assert added.status_code == 201, added.text
        for payer in payers:
            control.post(
                f"/__sim/tenants/{TENANT}/agreements", json={"id_number": payer["id_number"], "balance": "1000"}
            )
    flows = [Flow(*ROUTES[i % len(ROUTES)], payer=payers[i]) for i in range(FLOWS)]
    kills, returned = [], []
    for flow in flows:
        walker = threading.Thread(target=flow.run, args=(simulator.url, False))
        walker.start()
        delay = rng.uniform(0.0, 0.6)
        time.sleep(delay)
        simulator.kill()
        walker.join(timeout=30)
        comes_back = rng.random() < 0.5  # else the person walks away: only the simulator can finish it
        kills.append((flow.channel, flow.gateway, flow.steps_done, round(delay, 3), comes_back))
        simulator.start()
        if comes_back:
            flow.run(simulator.url, until_done=True)
            returned.append(flow)
    simulator.kill()  # once more, then nobody asks: the start-up reconciliation alone must finish the rest
    simulator.start()
    db = Database(f"sqlite:///{simulator.db}")
    settled = poll(lambda: tally(db), lambda counts: counts["stuck"] == 0, seconds=30)
    with httpx.Client(base_url=simulator.url, timeout=30, trust_env=False) as control:
        ledger = control.get(f"/__sim/tenants/{TENANT}/ledger").json()
    simulator.stop()

    where = f"CRASH_SEED={SEED}; kills (channel, gateway, steps done, delay, came back): {kills}"
    counts = tally(db)
    db.dispose()
    print(f"{len(kills)} kills, {len(returned)} payers came back; after recovery: {counts}; {where}")  # -s shows it
    assert settled["stuck"] == 0 and counts["stuck"] == 0, f"{counts}; {where}"
    assert {k: counts[k] for k in ("lost", "doubled", "created")} == {"lost": 0, "doubled": 0, "created": 0}, where
    assert [f.status for f in returned] == ["PAID"] * len(returned), where
    assert counts["paid"] >= len(returned), where
    assert ledger["ok"], f"{ledger['verdict']}; {where}"


def tally(db: Database) -> dict[str, int]:
    """Lost: a net charge on an order that is not paid. Doubled: two net charges for one person and year.
    Created: a paid order or record without its charge, a debit the bank's balances do not show. Stuck: a
    notification still sending, a refund still due, an order at a provider that the provider has settled (or
    does not know): anything but a trade still open at its cashier."""
    with db.transaction() as session:
        orders = {o.order_no: o for o in session.scalars(select(Order).where(Order.tenant_id == TENANT))}
        trades = list(session.scalars(select(GatewayTrade).where(GatewayTrade.tenant_id == TENANT)))
        records = list(session.scalars(select(PaymentRecord).where(PaymentRecord.tenant_id == TENANT)))
        sending = list(
            session.scalars(
                select(Notification).where(Notification.tenant_id == TENANT, Notification.status == "sending")
            )
        )
        debited = sum(
            100000 - a.balance_fen
            for a in session.scalars(select(BankAgreement).where(BankAgreement.tenant_id == TENANT))
        )
    net = [t for t in trades if t.success_at is not None and t.amount_fen > t.refunded_fen]
    open_trades = {t.out_trade_no: t.state in OPEN_STATES for t in trades}
    charged = {t.out_trade_no for t in net}
    per_person: dict[int, int] = {}
    for trade in net:
        per_person[orders[trade.out_trade_no].person_id] = per_person.get(orders[trade.out_trade_no].person_id, 0) + 1
    paid = [o for o in orders.values() if o.status == "PAID"]
    agreement_net = sum(t.amount_fen - t.refunded_fen for t in trades if t.gateway == "agreement" and t.success_at)
    return {
        "lost": sum(1 for t in net if orders[t.out_trade_no].status != "PAID"),
        "doubled": sum(n - 1 for n in per_person.values() if n > 1),
        "created": sum(1 for o in paid if o.order_no not in charged)
        + sum(1 for r in records if orders[r.order_no].status != "PAID")
        + (debited != agreement_net),
        "stuck": len(sending)
        + sum(
            1
            for o in orders.values()
            if o.refund_due or (o.status == "PAYING" and open_trades.get(o.order_no) is not True)
        ),
        "paid": len(paid),
    }
