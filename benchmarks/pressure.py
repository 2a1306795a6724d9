"""The verdict on a busy machine: a slice of the features that covers every channel on both drivers, receipts
included, run while ``--hogs`` processes keep every core busy. It must pass as it does on a quiet machine: a wait
that is too short, a start-up limit or a transport hiccup would show here as a failure no channel caused.

    .venv/bin/python -m benchmarks.pressure [--hogs 4] [--workers 2] [--quiet] [-- more pytest arguments]

The slice (``SLICE``): each channel's first guide walk-through in Chromium (the 宁波税务APP, 电子税务局 and 浙里办 ones
download and read the receipt PDF), and two rule outlines whose rows cover the five channels on the API driver with
one of their rows in Chromium too (the receipt's masked ID number; the year's tier paid): 23 scenarios. The hogs
are plain busy loops (``while True: pass``), started before pytest and stopped after it, at pytest's own priority.

Printed: the slice's counts (from pytest's JUnit XML), its wall time, the load average at the end and the harness's
wait factor. The exit status is pytest's: ``make test`` runs it, so the suite is red when the verdict does not hold
under pressure. Nothing here judges a time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WALKS = {  # each channel's guide walk-through that pays, and reads the receipt where the channel prints one
    "wechat": "选档缴纳当年度养老保险费",
    "alipay": "在首页搜索进入小程序为自己选档缴纳当年度养老保险费",
    "taxapp": "注册后为本人选档缴纳当年度养老保险费用建行支付并打印缴费回执单",
    "etax": "用户注册后短信验证登录为本人选档缴纳当年度养老保险费用建设银行支付并查看社保费电子缴款回执单",
    "zheliban": "注册后以奉化区为例为本人缴纳当年度养老保险费第三方支付保存图片后扫码打印缴费回执单",
}
OUTLINES = ("回执单上的证件号码隐去中间八位", "选择一个档次缴纳当年度养老保险费")
SLICE = [
    *(f"steps/test_guide_{code}.py::test_{name}" for code, name in WALKS.items()),
    "steps/test_rules.py",
    "-k",
    " or ".join(("test_guide", *OUTLINES)),
]
HOG = "while True: pass"


def counts(junit: Path) -> dict[str, int]:
    """tests, failures, errors and skipped of pytest's JUnit XML."""
    if not junit.exists():
        return {"tests": 0, "failures": 0, "errors": 1, "skipped": 0}
    suite = ET.parse(junit).getroot()
    suite = suite if suite.tag == "testsuite" else suite[0]
    return {key: int(suite.get(key, "0")) for key in ("tests", "failures", "errors", "skipped")}


def run(hogs: int, workers: int, extra: list[str], junit: Path) -> tuple[int, float]:
    """pytest on the slice while ``hogs`` busy loops run; its exit status and wall seconds."""
    busy = [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(hogs)]
    try:
        command = [sys.executable, "-m", "pytest", *SLICE, "--driver", "ui,api", "--ui-rows", "one"]
        command += ["-n", str(workers), "-p", "no:cacheprovider", "-q", "--junitxml", str(junit), *extra]
        started = time.monotonic()
        status = subprocess.run(command, cwd=ROOT, check=False).returncode
        return status, time.monotonic() - started
    finally:
        for hog in busy:
            hog.kill()
        for hog in busy:
            hog.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pressure", description=__doc__.split("\n\n")[0])
    parser.add_argument("--hogs", type=int, default=4, help="占满CPU的忙循环进程数(默认4)")
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist 进程数(默认2)")
    parser.add_argument("--quiet", action="store_true", help="不加忙循环,作对照")
    parser.add_argument("pytest_args", nargs="*", help="追加给 pytest 的参数(放在 -- 之后)")
    args = parser.parse_args(argv)
    hogs = 0 if args.quiet else args.hogs
    with tempfile.TemporaryDirectory(prefix="pressure-") as folder:
        junit = Path(folder) / "junit.xml"
        status, seconds = run(hogs, args.workers, args.pytest_args, junit)
        seen = counts(junit)
    load = os.getloadavg()[0]
    passed = seen["tests"] - seen["failures"] - seen["errors"] - seen["skipped"]
    print(
        f"CPU压力切片({hogs}个忙循环进程,{args.workers}个pytest进程,{os.cpu_count()}核):"
        f"{seen['tests']}个场景,通过{passed},失败{seen['failures']},出错{seen['errors']},跳过{seen['skipped']};"
        f"用时{seconds:.0f}秒,结束时1分钟负载{load:.1f}"
    )
    return status


if __name__ == "__main__":
    sys.exit(main())
