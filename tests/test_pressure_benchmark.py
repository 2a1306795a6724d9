"""``benchmarks.pressure``: its slice names scenarios that exist (a renamed walk-through would leave a channel out
unnoticed), covers every channel on both drivers with receipts, and its counts are read from pytest's JUnit XML."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

from pypdf import PdfWriter

import channels
from benchmarks.pressure import ROOT, SLICE, WALKS, counts, evidence_problems


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


def test_the_evidence_check_names_what_is_missing_or_identifying(tmp_path: Path) -> None:
    results, videos = tmp_path / "results", tmp_path / "videos"
    results.mkdir()
    videos.mkdir()
    for name in ("a-result.json", "b-attachment.txt", "c-attachment.webp"):
        (results / name).write_text("{}")
    receipt = PdfWriter()
    receipt.add_blank_page(width=10, height=10)
    receipt.write(results / "d-attachment.pdf")
    (videos / "v.webm").write_bytes(b"\x1a\x45\xdf\xa3" + b"\0" * 16)
    assert evidence_problems(results, videos) == []

    (results / "e-attachment.txt").write_text("手机13812345678")
    with zipfile.ZipFile(results / "f-attachment.zip", "w") as trace:
        trace.writestr("trace.trace", "{}")
    (videos / "w.webm").write_bytes(b"nope")
    (results / "d-attachment.pdf").unlink()
    problems = evidence_problems(results, videos)
    assert [p.split(":")[0] for p in problems] == [
        "报告中有可识别个人的号码",
        "报告缺少这些证据(结果、重跑命令、截图、回执单)",
        "通过的场景不应记录 Playwright 跟踪(zip)",
        "UI 场景的录像缺失或不是 WebM",
    ], problems
