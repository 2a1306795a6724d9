"""Complete payment flows under load: throughput and latency per number of clients and per tenant size.

    .venv/bin/python -m benchmarks.load [--flows 40] [--clients 1,2,4,8,16] [--sizes 1000,10000,100000] [--quick]
                                        [--size-clients 1] [--rounds 3] [--spread-tenants 4] [--budget 120]

The simulator runs in its own process (``python -m simulators``) on a free loopback port with a temporary SQLite
file. Its tenants are built beforehand with the simulator's own modules and bulk inserts (Faker is far too slow
for 100,000 payers). A flow is what a person does through a channel's back end over HTTP, as the API drivers do
it (WeChat: 同意授权 → payer items → quote → confirm → pay with 微信支付 → 支付 at the cashier → the order read
until 已缴费), each on a payer of its own. Clients are threads, each with its own httpx client.

Printed per run: flows, flows/s, p50/p95/p99 of a flow and of the payer lookup (payer/items), errors with the
first messages, and each tenant's ledger verdict. It prints figures and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import insert

from simulators.core import idnumber, tenants
from simulators.core.db import Database
from simulators.core.models import MEDICAL, PENSION, Person

ROOT = Path(__file__).resolve().parents[1]
COUNTY = "330203"  # 海曙区, since 1983: every birth year below is after it was set up
FIRST_BIRTH = date(1984, 1, 1)  # ages 24 to 40 in the 2024 season: all inside 16–60
BIRTH_DAYS = 6000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
YEAR, TIER = 2024, 300  # 选档缴费 in the default clock's season
CHANNELS = ("wechat", "alipay", "taxapp")
REQUEST_TIMEOUT = 60.0
SETTLE_TIMEOUT = 60.0
ERRORS_SHOWN = 3


# payers and tenants ---------------------------------------------------------------------------------------------
def payer(index: int) -> dict[str, Any]:
    """The ``index``-th synthetic payer of a tenant: a valid, unique resident ID and phone, an ordinary payer."""
    birth = FIRST_BIRTH + timedelta(days=index % BIRTH_DAYS)
    sequence = index // BIRTH_DAYS + 1
    first17 = f"{COUNTY}{birth:%Y%m%d}{sequence:03d}"
    name = SURNAMES[index % 20] + GIVEN[index // 20 % 20] + GIVEN[index // 400 % 20]
    return {
        "name": name,
        "id_number": first17 + idnumber.check_char(first17),
        "phone": f"13{index:09d}",
        "gender": "男" if sequence % 2 else "女",
        "birth_date": birth.isoformat(),
        "county_code": COUNTY,
        "id_type": "居民身份证",
        "special_status": None,
        "arrears_years": [],
        "enrolment": "正常",
    }


def build(db_url: str, sizes: dict[str, int]) -> None:
    """Tenants of these sizes, as ``tenants.create`` leaves them (persons and ``initial_payers``), in bulk."""
    db = Database(db_url)
    try:
        for tenant_id, count in sizes.items():
            with db.transaction() as session:
                tenant = tenants.create(session, tenant_id=tenant_id, seed=1, generated=0, payers=[])
                people = [payer(i) for i in range(count)]
                tenant.initial_payers = people
                session.execute(
                    insert(Person),
                    [
                        {
                            **{
                                k: p[k]
                                for k in (
                                    "name",
                                    "id_type",
                                    "id_number",
                                    "phone",
                                    "gender",
                                    "county_code",
                                    "enrolment",
                                    "special_status",
                                    "arrears_years",
                                )
                            },
                            "tenant_id": tenant_id,
                            "birth_date": date.fromisoformat(p["birth_date"]),
                            "insurances": [PENSION, MEDICAL],
                        }
                        for p in people
                    ],
                )
    finally:
        db.dispose()


# the simulator ----------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def simulator(db_url: str, folder: Path) -> Iterator[str]:
    """``python -m simulators`` on a free loopback port; yields its base URL once it answers."""
    port = free_port()
    log = (folder / "simulator.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators", "--host", "127.0.0.1", "--port", str(port), "--db", db_url],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                sys.exit(f"模拟器未能启动:\n{(folder / 'simulator.log').read_text()[-3000:]}")
            try:
                if httpx.get(f"{base}/__sim/tenants/demo/clock", timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# flows --------------------------------------------------------------------------------------------------------
class FlowError(Exception):
    pass


@dataclass
class Visit:
    """One person's visit to a channel of a tenant, through one client's connection."""

    http: httpx.Client
    tenant: str
    headers: dict[str, str] = field(default_factory=dict)
    lookup: float = 0.0

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.request(method, path, json=body, headers={"X-Sim-Tenant": self.tenant, **self.headers})
        try:
            data: dict[str, Any] = response.json()
        except ValueError:
            data = {}
        if response.is_error:
            message = (data.get("error") or {}).get("message") if isinstance(data, dict) else None
            raise FlowError(f"{method} {path} → {response.status_code} {message or response.text[:120]}")
        return data

    def look_up(self, api: str, named: dict[str, str]) -> None:
        started = time.perf_counter()
        self.call("POST", f"{api}/payer/items", named)
        self.lookup = time.perf_counter() - started

    def pay(self, api: str, named: dict[str, str], gateway: str) -> None:
        """Quote, 确认缴费, pay through the provider, 支付 at its cashier, and read the order until 已缴费."""
        selection = {**named, "insurance": "pension", "pay_type": "选档缴费", "year": YEAR, "tier": TIER}
        amount = self.call("POST", f"{api}/quote", selection)["amount"]
        order = self.call(
            "POST", f"{api}/orders", {**selection, "idempotency_key": secrets.token_hex(16), "expected_amount": amount}
        )
        url = self.call("POST", f"{api}/orders/{order['order_no']}/pay", {"gateway": gateway})["cashier_url"]
        self.call("POST", urlsplit(url).path.rstrip("/") + "/pay", {})
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while True:
            state = self.call("GET", f"{api}/orders/{order['order_no']}")
            if state["status"] == "PAID":
                return
            if state["status"] in ("FAILED", "CLOSED") or time.monotonic() > deadline:
                why = state.get("failure") or ""
                raise FlowError(f"订单{order['order_no']}未缴费成功:{state['status_text']} {why}")
            time.sleep(0.05)


def _named(person: dict[str, Any]) -> dict[str, str]:
    return {"name": person["name"], "id_type": person["id_type"], "id_number": person["id_number"]}


def wechat(visit: Visit, person: dict[str, Any]) -> None:
    visit.headers["X-Wechat-Openid"] = visit.call("POST", "/wechat/api/oauth/authorize", {})["openid"]
    visit.look_up("/wechat/api", _named(person))
    visit.pay("/wechat/api", _named(person), "wechatpay")


def alipay(visit: Visit, person: dict[str, Any]) -> None:
    """登录支付宝 with the payer's phone, 同意授权, then 我为自己缴 with the identity the account gave."""
    visit.headers["X-Alipay-Token"] = visit.call("POST", "/alipay/api/login", {"phone": person["phone"]})["token"]
    me = visit.call("POST", "/alipay/api/oauth/authorize", {})
    named = {"name": me["name"], "id_type": me["id_type"], "id_number": me["id_number"]}
    visit.look_up("/alipay/api", named)
    visit.pay("/alipay/api", named, "alipay")


def taxapp(visit: Visit, person: dict[str, Any]) -> None:
    """注册 with the SMS code (read from the tenant's inbox), 个人业务, 本人, then 第三方支付 建行."""
    api, phone, password = "/taxapp/api", person["phone"], f"Nb{person['id_number'][-6:]}tax"
    visit.call("POST", f"{api}/sms/code", {"phone": phone, "purpose": "register"})
    inbox = visit.call("GET", f"/__sim/tenants/{visit.tenant}/sms?phone={phone}")["messages"]
    code = next((m["code"] for m in reversed(inbox) if m["code"]), "")
    visit.headers["X-App-Token"] = visit.call(
        "POST",
        f"{api}/accounts",
        {
            "phone": phone,
            "sms_code": code,
            "password": password,
            "password_confirm": password,
            **_named(person),
        },
    )["token"]
    visit.call("POST", f"{api}/business", {"business": "个人业务"})
    visit.look_up(api, _named(person))
    visit.pay(api, _named(person), "ccb")


FLOWS: dict[str, Callable[[Visit, dict[str, Any]], None]] = {"wechat": wechat, "alipay": alipay, "taxapp": taxapp}


# runs ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Job:
    tenant: str
    channel: str
    person: dict[str, Any]


@dataclass
class Run:
    label: str
    clients: int
    wall: float = 0.0
    flows: list[float] = field(default_factory=list)
    lookups: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    not_started: int = 0

    def absorb(self, other: Run) -> None:
        """Another run's flows, as if this run had made them."""
        self.wall += other.wall
        self.flows += other.flows
        self.lookups += other.lookups
        self.errors += other.errors
        self.not_started += other.not_started


def measure(base: str, label: str, jobs: list[Job], clients: int, budget: float) -> Run:
    """The jobs on ``clients`` threads; none starts after ``budget`` seconds (those are counted, not run)."""
    run, lock, local = Run(label, clients), threading.Lock(), threading.local()
    opened: list[httpx.Client] = []
    started = time.perf_counter()

    def one(job: Job) -> None:
        if time.perf_counter() - started > budget:
            with lock:
                run.not_started += 1
            return
        if not hasattr(local, "http"):
            local.http = httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT, trust_env=False)  # no proxy: loopback
            with lock:
                opened.append(local.http)
        local.http.cookies.clear()
        visit = Visit(local.http, job.tenant)
        began = time.perf_counter()
        try:
            FLOWS[job.channel](visit, job.person)
        except (FlowError, httpx.HTTPError, KeyError, ValueError) as error:
            with lock:
                run.errors.append(f"{job.channel}: {type(error).__name__}: {error}"[:300])
            return
        with lock:
            run.flows.append(time.perf_counter() - began)
            run.lookups.append(visit.lookup)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, jobs))
    run.wall = time.perf_counter() - started
    for http in opened:
        http.close()
    return run


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered) + 0.5)) - 1))] if ordered else 0.0


COLUMNS = (
    ("测量", 18),
    ("客户端", 7),
    ("流程", 6),
    ("流程/秒", 9),
    ("流程P50", 9),
    ("P95", 8),
    ("P99", 8),
    ("查询P50", 9),
    ("P95", 8),
    ("P99", 8),
    ("错误", 6),
    ("未开始", 8),
)


def width(text: str) -> int:
    """Columns a terminal gives the text: two for each Chinese character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def line(cells: list[str]) -> str:
    first, *rest = zip(cells, (w for _, w in COLUMNS), strict=True)
    return first[0] + " " * (first[1] - width(first[0])) + "".join(" " * (w - width(c)) + c for c, w in rest)


HEADER = line([name for name, _ in COLUMNS])


def row(run: Run) -> str:
    f, q = run.flows, run.lookups
    rate = len(f) / run.wall if run.wall else 0.0
    return line(
        [
            run.label,
            str(run.clients),
            str(len(f)),
            f"{rate:.2f}",
            *(f"{percentile(f, p):.3f}" for p in (0.5, 0.95, 0.99)),
            *(f"{percentile(q, p):.3f}" for p in (0.5, 0.95, 0.99)),
            str(len(run.errors)),
            str(run.not_started),
        ]
    )


def show(run: Run) -> None:
    print(row(run), flush=True)
    for message in run.errors[:ERRORS_SHOWN]:
        print(f"    错误: {message}", flush=True)


def ledger(base: str, tenant: str) -> str:
    """The tenant's ledger verdict; without a ``verdict`` field, the benchmark's own count of the money."""
    response = httpx.get(f"{base}/__sim/tenants/{tenant}/ledger", timeout=300, trust_env=False)
    if response.is_error:
        return f"台账读取失败:HTTP {response.status_code} {response.text[:200]}"
    data = response.json()
    if "verdict" in data:
        verdict = data["verdict"]
        return verdict if isinstance(verdict, str) else json.dumps(verdict, ensure_ascii=False)
    charged = sum(1 for c in data.get("charges", []) if c.get("paid"))
    paid = [o for o in data.get("orders", []) if o.get("status") == "PAID"]
    lines = sum(len(o.get("lines", [])) for o in paid)
    records = len(data.get("records", []))
    same = charged == len(paid) and records == lines
    return (
        f"台账无 verdict 字段;自查{'一致' if same else '不一致'}:已扣款交易{charged}笔、已缴费订单{len(paid)}笔"
        f"(共{lines}个年度)、缴费记录{records}条"
    )


# the benchmark ------------------------------------------------------------------------------------------------
def spread(people: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """``count`` different payers from across the whole list, not only its start."""
    step = max(1, len(people) // max(1, count))
    return people[::step][:count]


def numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description="完整缴费流程的负载测试")
    parser.add_argument("--flows", type=int, default=40, help="每次测量的缴费流程数")
    parser.add_argument("--clients", default="1,2,4,8,16", help="同一租户上的并发客户端数(逗号分隔)")
    parser.add_argument("--sizes", default="1000,10000,100000", help="单租户的缴费人数(逗号分隔)")
    parser.add_argument("--size-clients", type=int, default=1, help="按租户规模测量时的并发客户端数")
    parser.add_argument("--spread-tenants", type=int, default=4, help="分散测量的租户数")
    parser.add_argument("--spread-clients", type=int, default=0, help="分散测量的并发客户端数(0:--clients 的最大值)")
    parser.add_argument("--rounds", type=int, default=3, help="按规模测量时各规模轮流的轮数")
    parser.add_argument("--budget", type=float, default=120.0, help="每次测量最多开始新流程的秒数")
    parser.add_argument("--quick", action="store_true", help="小规模(供测试运行):3个流程、1和2个客户端、100和300人")
    args = parser.parse_args(argv)
    if args.quick:
        args.flows, args.clients, args.sizes, args.spread_tenants, args.budget = 3, "1,2", "100,300", 2, 60.0
    clients, sizes = numbers(args.clients), numbers(args.sizes)
    spread_clients = args.spread_clients or max(clients)
    one_tenant = {"load-one": max(1000, args.flows * len(clients))}
    spread_tenants = {f"load-spread-{i}": max(1000, args.flows) for i in range(args.spread_tenants)}
    sized = {f"load-size-{n}": n for n in sizes}
    everyone = {**one_tenant, **spread_tenants, **sized}

    print(
        f"开始:{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC;每次测量{args.flows}个流程,最多{args.budget:.0f}秒开始新流程",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="nbsim-load-") as folder:
        db_url = f"sqlite:///{Path(folder) / 'load.db'}"
        began = time.perf_counter()
        build(db_url, everyone)
        print(
            f"建租户:{len(everyone)}个,共{sum(everyone.values())}名缴费人,{time.perf_counter() - began:.1f}秒",
            flush=True,
        )
        people = {tenant: [payer(i) for i in range(count)] for tenant, count in everyone.items()}
        with simulator(db_url, Path(folder)) as base:
            print(f"模拟器:{base}\n{HEADER}", flush=True)
            unused = iter(spread(people["load-one"], args.flows * len(clients)))
            for c in clients:
                jobs = [Job("load-one", "wechat", next(unused)) for _ in range(args.flows)]
                show(measure(base, "单租户 wechat", jobs, c, args.budget))
            combos = [(t, ch) for t in spread_tenants for ch in CHANNELS]
            chosen = {t: iter(spread(people[t], args.flows)) for t in spread_tenants}
            jobs = [
                Job(t, ch, next(chosen[t]))
                for t, ch in (combos[i % len(combos)] for i in range(max(args.flows, len(combos))))
            ]
            show(measure(base, f"{len(spread_tenants)}租户×{len(CHANNELS)}渠道", jobs, spread_clients, args.budget))
            # Sizes take turns, a few flows at a time and each round in another order, so that a machine busy with
            # other work (or the tail of the previous measurement) slows each size alike.
            queued = {t: [Job(t, "wechat", p) for p in spread(people[t], args.flows)] for t in sized}
            runs = {t: Run(f"{n}人 wechat", args.size_clients) for t, n in sized.items()}
            rounds, order = max(1, min(args.rounds, args.flows)), list(sized)
            for turn in range(rounds):
                for tenant in order[turn % len(order) :] + order[: turn % len(order)]:
                    part = measure(base, "", queued[tenant][turn::rounds], args.size_clients, args.budget / rounds)
                    runs[tenant].absorb(part)
            for run in runs.values():
                show(run)
            print("台账:", flush=True)
            for tenant in everyone:
                print(f"  {tenant}: {ledger(base, tenant)}", flush=True)
    print(f"结束:{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC", flush=True)


if __name__ == "__main__":
    main()
