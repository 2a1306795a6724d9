"""A schema-driven fuzz run of the whole simulator: every operation of its OpenAPI document, generated cases, every
schemathesis check.

    .venv/bin/python -m benchmarks.fuzz [--examples 25] [--seed 20240301] [-k EXPRESSION]

The simulator is the one the tests embed (``create_app`` on a temporary SQLite file, uvicorn on a free loopback
port, its providers reached over HTTP as in production), with a control token. The run acts in one real tenant
made for it (generated payers), whose id it sends in ``X-Sim-Tenant`` and in every control path's ``tenant_id``,
with the token in ``X-Sim-Token`` and this site's ``Origin``: the cases reach the routes' logic, not only the
checks in front of them. Generation is derandomized (a fixed seed): the same code gives the same cases.

The benchmark runs ``tests/test_api_fuzz.py`` in this process with a larger bound and prints its figures:
operations, cases, status codes, failures by check, and each failing operation with its first failure. It
asserts nothing; the test fails on any failure.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.core.failures import Failure, FailureGroup

from fixtures.simulator import EmbeddedSimulator, SimControl
from simulators.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "fuzz-token"
TENANT = "fuzz"
SEED = 20240301
TOKEN_SCHEME = "SimToken"  # the control API's security scheme (simulators/control/routes.py)
EXAMPLES_VARIABLE = "SIM_FUZZ_EXAMPLES"  # the bound the benchmark hands the test
COVERAGE_VARIABLE = "SIM_FUZZ_COVERAGE"  # set by the benchmark: the coverage phase too (make test runs without it)
POSITIVE_ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # schemathesis' default
# Operations whose well-formed input may still break a rule no JSON schema can state: for these a 422 answers
# schema-valid data rightly (every other check still holds, and a 400, 413 or 415 still fails).
RULES_BEYOND_SCHEMA = {
    "createTenant": "缴费人证件号码的校验位;同一租户编号只能创建一次;时钟在1970年至2099年之间;不存在的日期(2月30日)",
    "addPayers": "证件号码的校验位;同一证件号码只能登记一次;不存在的日期",
    "setClock": "时钟在1970年至2099年之间;不存在的日期(如2月30日)",
    "signAgreement": "证件号码的校验位;三方协议号不能重复",
    "scanEtaxLoginQr": "二维码须是该租户电子税务局登录页生成的",
    # a picture is a valid PNG or JPEG whatever it shows: whether it holds a QR code, and which, no schema can say
    "etaxScanLoginQr": "图片中须有电子税务局登录页生成的、仍有效的登录二维码",
    "alipayScan": "图片中须有支付宝付款码(当面付预下单生成的二维码)",
    **{
        f"{channel}Register": "确认密码须与密码一致;短信验证码须是发到该手机号码的最新验证码;"
        "姓名、证件类型和证件号码须与参保登记一致(实名核验,含证件号码的校验位)"
        for channel in ("taxapp", "etax", "zheliban")
    },
    "alipayRegister": "身份证号码的出生日期、行政区划和校验位;姓名须与该身份证号码登记的姓名一致(实名认证)",
}


@dataclass
class Target:
    """The simulator under fuzz, not started yet: its OpenAPI document is read first (to parametrize tests)."""

    simulator: EmbeddedSimulator = field(
        default_factory=lambda: EmbeddedSimulator(
            Settings(
                db_url=f"sqlite:///{Path(tempfile.mkdtemp(prefix='nbsim-fuzz-')) / 'fuzz.db'}",
                control_token=TOKEN,
                demo_payers=2,
            )
        )
    )

    def document(self) -> dict[str, Any]:
        return self.simulator.app.openapi()

    @contextmanager
    def running(self) -> Iterator[str]:
        """The started simulator with the fuzz tenant made; yields its URL."""
        self.simulator.start()
        control = SimControl(self.simulator.url, token=TOKEN)
        try:
            control.create_tenant(TENANT, SEED, generated_payers=5)
            yield self.simulator.url
        finally:
            control.close()
            self.simulator.stop()


def examples(default: int) -> int:
    """The bound of the run: the benchmark's, when it runs the test, else the test's own."""
    return int(os.environ.get(EXAMPLES_VARIABLE) or default)


def with_coverage() -> bool:
    """Whether the run has schemathesis' coverage phase: the benchmark's does; the test suite's leaves it out (its
    cases are built in every pytest-xdist worker while collecting, about 17 s each, for ~5,500 cases)."""
    return os.environ.get(COVERAGE_VARIABLE) == "1"


def config(max_examples: int, seed: int = SEED, *, coverage: bool = True) -> schemathesis.Config:
    """Every check, valid and invalid data, derandomized, no example database; the fuzz tenant and the token.
    ``coverage``: also schemathesis' coverage phase (every boundary and missing value of every parameter, built
    when the tests are made: thousands of cases, the benchmark's), besides the examples and generated cases."""
    return schemathesis.Config.from_dict(
        {
            "seed": seed,
            "phases": {"coverage": {"enabled": coverage}},
            "generation": {"mode": "all", "max-examples": max_examples, "deterministic": True, "database": "none"},
            "checks": {"enabled": True},
            "headers": {"X-Sim-Tenant": TENANT},
            "parameters": {"tenant_id": TENANT},
            "auth": {"openapi": {TOKEN_SCHEME: {"api_key": TOKEN}}},
            "operations": [
                {
                    "include-operation-id": sorted(RULES_BEYOND_SCHEMA),
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*POSITIVE_ACCEPTED, "422"]}},
                }
            ],
        }
    )


def schema(
    target: Target, max_examples: int, seed: int = SEED, *, coverage: bool = True
) -> schemathesis.schemas.BaseSchema:
    return schemathesis.openapi.from_dict(target.document(), config=config(max_examples, seed, coverage=coverage))


# what one case did, for the benchmark's figures ----------------------------------------------------------------
@dataclass
class Figures:
    cases: int = 0
    operations: set[str] = field(default_factory=set)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    failing: dict[str, str] = field(default_factory=dict)  # operation → its first failure

    def failed(self, operation: str, found: list[Failure]) -> None:
        self.failures.update(f"{f.code} {f.title}" for f in found)
        self.failing.setdefault(operation, "; ".join(f"{f.code} {f.title}" for f in found))


FIGURES = Figures()


def call(case: schemathesis.Case[Any], url: str) -> schemathesis.Response:
    """One generated case against the running simulator, every check applied (raises on a failure)."""
    FIGURES.cases += 1
    FIGURES.operations.add(case.operation.label)
    try:
        response = case.call_and_validate(base_url=url, headers={"Origin": url})
    except FailureGroup as group:
        FIGURES.failed(case.operation.label, list(group.exceptions))
        raise
    FIGURES.statuses[response.status_code] += 1
    return response


# the benchmark --------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=25, help="每个接口最多生成的用例数(默认25)")
    parser.add_argument(
        "--no-coverage", action="store_true", help="不跑覆盖阶段(边界值与缺失参数),只跑示例与随机生成的用例"
    )
    parser.add_argument("-k", default="", help="只跑名称匹配此 pytest -k 表达式的接口,如 '__sim'")
    args = parser.parse_args(argv)

    import pytest  # the run is the test's, in this process: its cases are counted here

    from benchmarks import fuzz  # as the test imports it (run as __main__, this module is another copy)

    os.environ[EXAMPLES_VARIABLE] = str(args.examples)
    os.environ[COVERAGE_VARIABLE] = "0" if args.no_coverage else "1"
    started = time.monotonic()
    selection = ["-k", args.k] if args.k else []
    code = pytest.main(
        [
            str(ROOT / "tests" / "test_api_fuzz.py"),
            "-q",
            "-p",
            "no:xdist",
            "-p",
            "no:randomly",
            "--no-header",
            "--tb=no",
            "-o",
            "addopts=",
            # this process imported the fixtures (and so faker, a pytest plugin) before pytest started
            "-W",
            "ignore::pytest.PytestAssertRewriteWarning",
            *selection,
        ]
    )
    print(report(fuzz.FIGURES, args.examples, time.monotonic() - started))
    return 0 if code in (0, 1) else int(code)


def report(figures: Figures, bound: int, seconds: float) -> str:
    lines = [
        f"模糊测试:{len(figures.operations)}个接口,{figures.cases}个用例(每个接口至多{bound}个生成用例),"
        f"用时{seconds:.0f}秒",
        "状态码:" + ",".join(f"{code}×{n}" for code, n in sorted(figures.statuses.items())) or "状态码:无",
    ]
    if not figures.failures:
        lines.append("失败:无")
        return "\n".join(lines)
    lines.append("失败(按检查):" + ",".join(f"{name}×{n}" for name, n in figures.failures.most_common()))
    lines.append(f"失败的接口({len(figures.failing)}个):")
    lines.extend(f"  {operation}: {found}" for operation, found in sorted(figures.failing.items()))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
