"""What the harness costs: the WeChat guide walk-through 选档缴纳当年度养老保险费 through pytest as a user runs it,
against the same clicks as a bare Playwright script, in paired rounds on the same machine and browser.

    .venv/bin/python -m benchmarks.walkthrough [--rounds 10] [--seed N] [--no-allure]

- 线束 (harness): one pytest process runs the scenario as a user does (``pytest <nodeid> --driver ui -p no:randomly
  -q``, default options, ``--alluredir`` of a temporary folder unless ``--no-allure``), with the plugin
  ``benchmarks.walkthrough_rounds`` repeating it: a warm-up round, then one round each time the benchmark says go.
  A round's time is the sum of its test's setup, call and teardown as pytest measures them (the figures of
  ``--durations`` and the JUnit report): fixtures (tenant, payer, browser context), steps, the evidence the
  harness keeps (screenshots with ``--alluredir``), the ledger check. Interpreter start, collection, the
  simulator's start and the browser's launch fall in the warm-up round or outside any round; so does the session's
  teardown (the plugin's last, empty item).
- 裸脚本 (bare): Playwright's sync API in this process, no pytest and no evidence: the same Chromium with the same
  launch arguments, the WeChat profile's context, an embedded simulator started once, and per round a fresh tenant
  and payer, then the UI driver's calls for each step of the scenario in order, with its selectors, checking what
  the scenario checks (items, 缴费信息, 缴费成功, the record, the tenant's ledger). Timed: tenant and payer, context,
  the walk, the ledger, closing the context. It has a warm-up round too.

Rounds alternate which of the two goes first. Printed: both durations per round, the medians, the P90s and the
ratio harness ÷ bare (median of the paired ratios, and ratio of the medians). It asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import select
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from faker import Faker
from playwright.sync_api import Browser, Locator, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

import channels
from benchmarks.load import width
from fixtures.browser import CHROMIUM_ARGS, BrowserChoice, resolve_chromium
from fixtures.payers import NingboPayerProvider, Payer
from fixtures.simulator import EmbeddedSimulator, SimControl, embedded

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "steps/test_guide_wechat.py::test_选档缴纳当年度养老保险费"
PENSION = "城乡居民基本养老保险费"
YEAR, TIER = 2024, 300
DUE = [(YEAR, "正常应缴", "300.00")]  # 系统带出缴费信息 and 记录中有: 2024年度“正常应缴”300.00元
ROUND_TIMEOUT = 300.0


class WalkthroughFailed(RuntimeError):
    """A round did not end as the scenario says it must: its time means nothing."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise WalkthroughFailed(message)


# the bare script ------------------------------------------------------------------------------------------------
def shown(page: Page, section: str) -> None:
    """ChannelPage.wait_for: the section shows, or the page's message says why not."""
    page.locator(f"section[aria-label='{section}']:visible").or_(page.locator("#message:visible")).first.wait_for()
    if not page.get_by_role("region", name=section).first.is_visible():
        message = page.locator("#message")
        said = message.inner_text().strip() if message.is_visible() else ""
        raise WalkthroughFailed(f"页面没有显示“{section}”:{said}")


def rows(table: Locator) -> list[list[str]]:
    return [r.locator("td").all_inner_texts() for r in table.locator("tbody tr").all()]


def walk(page: Page, base_url: str, payer: Payer) -> None:
    """The scenario's steps, each as WechatPage/WechatPayCashier do it (steps/test_guide_wechat.py)."""
    # 打开微信,在搜索框内输入“宁波税务”并点击,在首页选择【办税服务】中的【社保缴费】
    page.goto(f"{base_url}/wechat/search")
    page.get_by_role("searchbox", name="搜索").fill("宁波税务")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("region", name="搜索结果").get_by_role("link", name="宁波税务", exact=True).click()
    page.get_by_role("button", name="办税服务").click()
    page.get_by_role("link", name="社保缴费").click()
    # 同意授权并点击【开始使用】
    page.get_by_role("button", name="同意授权").click()
    page.get_by_role("button", name="开始使用").click()
    # 输入缴费人姓名,选择证件类型“居民身份证”,输入证件号码
    page.get_by_label("姓名", exact=True).fill(payer.name)
    page.get_by_label("证件类型", exact=True).select_option(payer.id_type)
    page.get_by_label("证件号码", exact=True).fill(payer.id_number)
    # 系统自动带出缴费人有效参保信息,其中有【城乡居民基本养老保险费】
    items = page.get_by_role("radiogroup", name="参保险种")
    items.get_by_role("radio").first.wait_for()
    names = [label.inner_text().split("\n")[0].strip() for label in items.locator("label").all()]
    check(PENSION in names, f"参保信息中没有【{PENSION}】:{names}")
    # 选择【城乡居民基本养老保险费】,点击【下一步】
    page.get_by_role("radio", name=PENSION).check()
    page.get_by_role("button", name="下一步").click()
    # 【缴费类型】选档缴费,【缴费年度】2024年,【缴费档次】300元,【确认】
    page.get_by_label("缴费类型", exact=True).select_option("选档缴费")
    page.get_by_label("缴费年度", exact=True).select_option(label=f"{YEAR}年")
    page.get_by_label("缴费档次", exact=True).select_option(label=f"{TIER}元")
    page.get_by_role("button", name="确认", exact=True).click()
    # 系统带出缴费信息:2024年度“正常应缴”300.00元
    shown(page, "缴费信息")
    due = [(int(c[0]), c[1], c[2]) for c in rows(page.get_by_role("table", name="应缴明细"))]
    check(due == DUE, f"应缴明细应为{DUE},页面上是{due}")
    # 确认无误后,点击【下一步】
    page.get_by_role("button", name="下一步").click()
    # 再次核对缴费人相关缴费信息,确认无误后点击【确认提交】
    shown(page, "核对缴费信息")
    page.get_by_role("button", name="确认提交").click()
    # 选择缴费渠道“微信支付”,点击【确认支付】,在微信支付页面完成支付
    shown(page, "选择缴费渠道")
    page.get_by_role("radio", name="微信支付").check()
    page.get_by_role("button", name="确认支付").click()
    sheet = page.get_by_role("main", name="微信支付")
    page.get_by_role("button", name="立即支付").click()
    kept = sheet.filter(has=page.locator("#pay:enabled")).locator("#message:visible")
    page.locator("body").filter(has_not=sheet).or_(kept).first.wait_for()
    check(not kept.is_visible(), f"微信支付收银台拒绝支付:{kept.inner_text().strip() if kept.is_visible() else ''}")
    page.wait_for_url(lambda url: "/cashier/" not in url)
    # 页面显示“缴费成功”
    title = page.get_by_role("status")
    title.filter(has_text="缴费").first.wait_for()
    check(title.inner_text().strip() == "缴费成功", f"结果页应显示“缴费成功”,显示的是“{title.inner_text().strip()}”")
    # 通过【查记录】查询已缴费信息;记录中有2024年度“正常应缴”300.00元
    page.get_by_role("button", name="查记录").click()
    page.get_by_role("region", name="缴费记录").wait_for()
    records = sorted((int(c[0]), c[1], c[2]) for c in rows(page.get_by_role("table", name="已缴费信息")))
    check(records == DUE, f"缴费记录应为{DUE},页面上是{records}")


class Bare:
    """The bare script's machine: an embedded simulator and one Chromium, both started once; ``round`` walks once."""

    def __init__(self, folder: Path, chromium: BrowserChoice) -> None:
        self.folder, self.chromium = folder, chromium
        self.faker = Faker("zh_CN")
        self.faker.add_provider(NingboPayerProvider)
        self.stack = ExitStack()
        self.sim: EmbeddedSimulator
        self.control: SimControl
        self.browser: Browser

    def __enter__(self) -> Bare:
        try:
            self.sim = self.stack.enter_context(embedded(self.folder / "bare.db"))
            self.control = SimControl(self.sim.url)
            self.stack.callback(self.control.close)
            playwright = self.stack.enter_context(sync_playwright())
            launch: dict[str, Any] = {"args": list(CHROMIUM_ARGS)}
            if self.chromium.executable_path:
                launch["executable_path"] = self.chromium.executable_path
            self.browser = playwright.chromium.launch(**launch)
            self.stack.callback(self.browser.close)
        except BaseException:
            self.stack.close()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.stack.close()

    def round(self, tenant: str, seed: int) -> float:
        """One walk-through on a fresh tenant and payer; its seconds. Raises WalkthroughFailed when it did not pay."""
        started = time.perf_counter()
        self.walk(tenant, self.enrol(tenant, seed))
        return time.perf_counter() - started

    def enrol(self, tenant: str, seed: int) -> Payer:
        """A fresh tenant with one ordinary payer of the season (已参保的缴费人没有待补缴的费款)."""
        self.control.create_tenant(tenant, seed)
        self.faker.seed_instance(seed)
        payer: Payer = self.faker.ningbo_payer(contribution_year=YEAR)
        self.control.add_payers(tenant, [payer.to_json()])
        return payer

    def walk(self, tenant: str, payer: Payer) -> None:
        """The walk-through in a new context of the WeChat profile, then the tenant's ledger, as the harness checks
        it after every scenario."""
        context = self.browser.new_context(**channels.WECHAT.device.context_args())
        try:
            context.add_cookies([{"name": "sim_tenant", "value": tenant, "url": self.sim.url}])
            context.set_default_timeout(15_000)
            walk(context.new_page(), self.sim.url, payer)
            ledger = self.control.ledger(tenant)
            check(bool(ledger.get("ok")), f"租户{tenant}的账目不一致:{ledger.get('verdict')}")
        finally:
            context.close()


# the harness ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HarnessRound:
    nodeid: str
    outcome: str
    setup: float
    call: float
    teardown: float

    @property
    def total(self) -> float:
        return self.setup + self.call + self.teardown


def harness_args(seed: int, alluredir: Path | None) -> list[str]:
    """What a user types after ``python -m pytest`` to run the scenario, with the harness's defaults."""
    return [
        SCENARIO,
        "--driver",
        "ui",
        "-p",
        "no:randomly",
        "-q",
        "--seed",
        str(seed),
        *(["--alluredir", str(alluredir)] if alluredir else []),
    ]


class Harness:
    """One pytest process running ``args`` with the rounds plugin: ``round()`` lets one round run and returns it."""

    def __init__(self, args: Sequence[str], rounds: int, log: Path) -> None:
        self.log_path = log
        go_read, go_write = os.pipe()
        done_read, done_write = os.pipe()
        command = [
            sys.executable,
            "-m",
            "pytest",
            *args,
            "-p",
            "benchmarks.walkthrough_rounds",
            "--walkthrough-rounds",
            str(rounds),
            "--walkthrough-fds",
            f"{go_read},{done_write}",
        ]
        self.log: IO[str] = log.open("w")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            pass_fds=(go_read, done_write),
        )
        os.close(go_read)
        os.close(done_write)
        self.go = os.fdopen(go_write, "wb", buffering=0)
        self.done = os.fdopen(done_read, "r")

    def round(self) -> HarnessRound:
        self.go.write(b"g")
        ready, _, _ = select.select([self.done], [], [], ROUND_TIMEOUT)
        line = self.done.readline() if ready else ""
        if not line:
            raise WalkthroughFailed(f"pytest 没有报告这一轮(超时{ROUND_TIMEOUT:.0f}秒或已退出):\n{self.tail()}")
        data = json.loads(line)
        result = HarnessRound(
            data["nodeid"], data["outcome"], data.get("setup", 0.0), data.get("call", 0.0), data.get("teardown", 0.0)
        )
        if result.outcome != "passed":
            self.close()
            raise WalkthroughFailed(f"场景 {result.nodeid} 未通过:\n{self.tail()}")
        return result

    def tail(self, chars: int = 4000) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")[-chars:]

    def close(self) -> int:
        """No more rounds: pytest tears the session down and ends; its exit code."""
        if not self.go.closed:
            self.go.close()
        try:
            code = self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.done.close()
        self.log.close()
        return code


# figures --------------------------------------------------------------------------------------------------------
def p90(values: Sequence[float]) -> float:
    """The 90th percentile, interpolated between the nearest ranks (statistics.quantiles, inclusive)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def line(cells: Sequence[str], widths: Sequence[int]) -> str:
    """The first cell left-aligned, the others right-aligned, in terminal columns (a Chinese character is two)."""
    first, *rest = zip(cells, widths, strict=True)
    return first[0] + " " * (first[1] - width(first[0])) + "".join(" " * (w - width(c)) + c for c, w in rest)


ROUND_WIDTHS = (12, 14, 8, 8, 8, 13, 12)
ROUND_HEADER = line(["轮次 round", "线束 harness", "准备", "执行", "收尾", "裸脚本 bare", "比值 ratio"], ROUND_WIDTHS)


def round_line(label: str, harness: HarnessRound, bare: float) -> str:
    return line(
        [
            label,
            f"{harness.total:.3f}",
            f"{harness.setup:.3f}",
            f"{harness.call:.3f}",
            f"{harness.teardown:.3f}",
            f"{bare:.3f}",
            f"{harness.total / bare:.2f}",
        ],
        ROUND_WIDTHS,
    )


def summary(harness: Sequence[float], bare: Sequence[float]) -> list[str]:
    """Medians, P90s and the ratio harness ÷ bare of paired rounds (seconds)."""
    if not harness or len(harness) != len(bare):
        raise ValueError(f"需要成对的轮次:线束{len(harness)}轮,裸脚本{len(bare)}轮")
    ratios = [h / b for h, b in zip(harness, bare, strict=True)]
    widths = (18, 14, 14)
    return [
        line(["", "线束 harness", "裸脚本 bare"], widths),
        line(["中位数 median", f"{statistics.median(harness):.3f}", f"{statistics.median(bare):.3f}"], widths),
        line(["P90", f"{p90(harness):.3f}", f"{p90(bare):.3f}"], widths),
        f"线束÷裸脚本 harness÷bare({len(ratios)}轮):配对比值的中位数 median of paired ratios "
        f"{statistics.median(ratios):.2f};中位数之比 ratio of medians "
        f"{statistics.median(harness) / statistics.median(bare):.2f}",
    ]


# the benchmark --------------------------------------------------------------------------------------------------
def bare_seed(seed: int, round_: int) -> int:
    return zlib.crc32(f"{seed}:bare:{round_}".encode())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.walkthrough", description="微信公众号指南场景:测试线束与裸 Playwright 脚本的耗时对比"
    )
    parser.add_argument("--rounds", type=int, default=10, help="测量的轮数(另有一轮热身)")
    parser.add_argument("--seed", type=int, default=None, help="随机种子(默认随机)")
    parser.add_argument(
        "--allure",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="线束写 Allure 结果(--alluredir 临时目录),如 make e2e",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds 至少为1")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 10**6)
    chromium = resolve_chromium()
    print(
        f"{chromium.describe()};Playwright {metadata.version('playwright')};种子 {seed};"
        f"测量{args.rounds}轮(另热身1轮);Allure 结果:{'写' if args.allure else '不写'}",
        flush=True,
    )
    print(f"场景:{SCENARIO}\n线束=该测试的 setup+call+teardown(pytest 计时);裸脚本=同样的点击与检查(秒)", flush=True)
    harness_times: list[float] = []
    bare_times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="nbsim-walkthrough-") as name, Bare(Path(name), chromium) as bare:
        folder = Path(name)
        run = secrets.token_hex(3)
        harness = Harness(
            harness_args(seed, folder / "allure-results" if args.allure else None), args.rounds, folder / "pytest.log"
        )
        try:
            print(ROUND_HEADER, flush=True)
            for round_ in range(args.rounds + 1):
                if round_ % 2 == 0:
                    measured = harness.round()
                    seconds = bare.round(f"bench-{run}-{round_:02d}", bare_seed(seed, round_))
                else:
                    seconds = bare.round(f"bench-{run}-{round_:02d}", bare_seed(seed, round_))
                    measured = harness.round()
                if round_:
                    harness_times.append(measured.total)
                    bare_times.append(seconds)
                print(round_line(f"{round_}" if round_ else "热身 warmup", measured, seconds), flush=True)
        except (WalkthroughFailed, PlaywrightError) as failure:
            sys.exit(f"基准中止:{failure}")
        finally:
            code = harness.close()
        if code != 0:
            sys.exit(f"pytest 退出码 {code}:\n{harness.tail()}")
    print("\n".join(summary(harness_times, bare_times)), flush=True)


if __name__ == "__main__":
    main()
