"""The verdict on a busy machine: a slice of the features that covers every channel on both drivers, receipts
included, run while ``--hogs`` processes keep every core busy. It must pass as it does on a quiet machine: a wait
that is too short, a start-up limit or a transport hiccup would show here as a failure no channel caused.

    .venv/bin/python -m benchmarks.pressure [--hogs 4] [--workers 2] [--quiet] [-- more pytest arguments]

The slice (``SLICE``): each channel's first guide walk-through in Chromium (the 宁波税务APP, 电子税务局 and 浙里办 ones
download and read the receipt PDF), and two rule outlines whose rows cover the five channels on the API driver with
one of their rows in Chromium too (the receipt's masked ID number; the year's tier paid): 23 scenarios. The hogs
are plain busy loops (``while True: pass``), started before pytest and stopped after it, at pytest's own priority.

The same run is the evidence check of a report (``--evidence``, as ``make pressure`` runs it): Allure results with a
video of every UI scenario, which must hold results, rerun commands, screenshots and a receipt, no trace of a passed
scenario, playable WebM videos, and nothing that identifies a person (``reports.privacy``).

Printed: the slice's counts (from pytest's JUnit XML), its wall time, the load average at the end, the evidence's
findings. The exit status is non-zero when pytest failed or the evidence does not hold: ``make test`` runs it, so
the suite is red when the verdict does not hold under pressure. Nothing here judges a time.
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

from reports import privacy

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


def evidence_problems(results: Path, videos: Path) -> list[str]:
    """What is wrong with the evidence of the slice's report, in Chinese (nothing: it holds)."""
    problems = [f"报告中有可识别个人的号码:{finding}" for finding in privacy.scan(results)]
    kinds = {path.suffix for path in results.iterdir()} if results.exists() else set()
    missing = {".json", ".txt", ".webp", ".pdf"} - kinds  # screenshots are WebP (fixtures.evidence)
    if missing:
        problems.append(f"报告缺少这些证据(结果、重跑命令、截图、回执单):{'、'.join(sorted(missing))}")
    if ".zip" in kinds:
        problems.append("通过的场景不应记录 Playwright 跟踪(zip)")
    webm = list(videos.rglob("*.webm"))
    if not webm or any(video.read_bytes()[:4] != b"\x1a\x45\xdf\xa3" for video in webm):
        problems.append(f"UI 场景的录像缺失或不是 WebM:{len(webm)}个")
    return problems


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
    parser.add_argument("--evidence", action="store_true", help="同时检查报告证据(录像、截图、回执单、无个人号码)")
    parser.add_argument("pytest_args", nargs="*", help="追加给 pytest 的参数(放在 -- 之后)")
    args = parser.parse_args(argv)
    hogs = 0 if args.quiet else args.hogs
    with tempfile.TemporaryDirectory(prefix="pressure-") as folder:
        junit, results, videos = Path(folder) / "junit.xml", Path(folder) / "results", Path(folder) / "videos"
        extra = list(args.pytest_args)
        if args.evidence:
            extra += ["--alluredir", str(results), "--video", "on", "--output", str(videos)]
        status, seconds = run(hogs, args.workers, extra, junit)
        seen = counts(junit)
        problems = evidence_problems(results, videos) if args.evidence else []
    load = os.getloadavg()[0]
    passed = seen["tests"] - seen["failures"] - seen["errors"] - seen["skipped"]
    print(
        f"CPU压力切片({hogs}个忙循环进程,{args.workers}个pytest进程,{os.cpu_count()}核):"
        f"{seen['tests']}个场景,通过{passed},失败{seen['failures']},出错{seen['errors']},跳过{seen['skipped']};"
        f"用时{seconds:.0f}秒,结束时1分钟负载{load:.1f}"
    )
    if args.evidence:
        print("报告证据:" + ("齐全,没有可识别个人的号码" if not problems else ";".join(problems)))
    return status or (1 if problems else 0)


if __name__ == "__main__":
    sys.exit(main())
