"""``benchmarks.pressure``: its slice names scenarios that exist (a renamed walk-through would leave a channel out
unnoticed), covers every channel on both drivers with receipts, and its counts are read from pytest's JUnit XML."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import channels
from benchmarks.pressure import ROOT, SLICE, WALKS, counts


def collected() -> list[str]:
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *SLICE]
    command += ["--driver", "ui,api", "--ui-rows", "one"]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return [line for line in run.stdout.splitlines() if "::" in line]


def test_the_slice_walks_every_channel_in_chromium_and_pays_on_every_channel_over_the_api() -> None:
    nodes = collected()
    walks = {
        node.split("::")[0].removeprefix("steps/test_guide_").removesuffix(".py") for node in nodes if "guide" in node
    }
    assert walks == set(WALKS) == set(channels.BY_CODE)
    api_channels = {c.name for c in channels.CHANNELS if any(f"[api-{c.name}-" in node for node in nodes)}
    assert api_channels == {c.name for c in channels.CHANNELS}
    assert any(re.search(r"回执单.*\[ui-", node) for node in nodes)  # a receipt in Chromium through a rule row too


def test_counts_are_read_from_junit_and_a_missing_report_is_an_error(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(
        '<?xml version="1.0"?><testsuites><testsuite tests="5" failures="1" errors="0" skipped="1"/></testsuites>'
    )
    assert counts(junit) == {"tests": 5, "failures": 1, "errors": 0, "skipped": 1}
    assert counts(tmp_path / "none.xml")["errors"] == 1
