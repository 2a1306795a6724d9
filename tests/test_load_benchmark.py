"""``python -m benchmarks.load --quick`` runs end to end: it starts its own simulator, pays every planned flow without
an error and prints its table and each tenant's ledger verdict. Its timings are printed, never judged here. And the
load it found a deadlock under: many requests at once that each call the simulator's own providers."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
READS = 80
TENANTS = ("load-one", "load-spread-0", "load-spread-1", "load-size-100", "load-size-300")


def test_the_quick_load_benchmark_prints_its_table_and_every_ledger_verdict() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.load", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.splitlines()
    header = next(i for i, text in enumerate(lines) if text.startswith("测量"))
    assert lines[header].split()[1:5] == ["客户端", "流程", "流程/秒", "流程P50"]
    rows = {}
    for text in lines[header + 1 :]:
        if text.startswith("台账"):
            break
        if text.startswith(" "):  # an error's message under its row
            continue
        label, clients, flows, *_figures, errors, not_started = text.rsplit(maxsplit=11)
        rows[(label, int(clients))] = (int(flows), int(errors), int(not_started))
    # --quick: 3 flows per measurement; the spread one pays 2 tenants × 3 channels, one flow each.
    assert rows == {
        ("单租户 wechat", 1): (3, 0, 0),
        ("单租户 wechat", 2): (3, 0, 0),
        ("2租户×3渠道", 2): (6, 0, 0),
        ("100人 wechat", 1): (3, 0, 0),
        ("300人 wechat", 1): (3, 0, 0),
    }, done.stdout
    verdicts = dict(text.strip().split(": ", 1) for text in lines if text.startswith("  load-"))
    assert sorted(verdicts) == sorted(TENANTS), done.stdout
    assert all(v and not v.startswith("台账读取失败") for v in verdicts.values()), verdicts


def test_many_order_reads_at_once_each_asking_the_provider_all_answer(wechat, enrol) -> None:
    """80 reads of a 支付中 order at once: each request's thread asks WeChat Pay over loopback, whose handler needs a
    thread of the same pool. With anyio's default 40 threads the first 40 wait on handlers that never run, until
    the provider timeout answers 502; the pool the app sets at start-up has room for them."""
    payer = enrol()
    order_no = wechat.order(payer).json()["order_no"]
    assert wechat.pay(order_no).status_code == 200

    def read(_: int) -> int:
        with httpx.Client(base_url=wechat.sim.url, timeout=60, trust_env=False) as http:
            return http.get(
                f"/wechat/api/orders/{order_no}",
                headers={"X-Sim-Tenant": wechat.tenant, "X-Wechat-Openid": wechat.openid},
            ).status_code

    with ThreadPoolExecutor(max_workers=READS) as pool:
        codes = list(pool.map(read, range(READS)))
    assert codes == [200] * READS, sorted(set(codes))
