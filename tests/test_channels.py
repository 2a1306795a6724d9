"""The channel registry (``channels.py``) is the one list of channels: the app, the drivers, the domain language, the
report and the guide coverage all show what it says, and a channel added to it shows in each of them."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import channels
from fixtures.simulator import EmbeddedSimulator
from reports import guide_coverage, summary
from steps import language
from steps.drivers.api import API_DRIVERS
from steps.drivers.ui import UI_DRIVERS

ROOT = Path(__file__).resolve().parents[1]


def test_every_channel_has_its_package_its_drivers_and_its_walk_through() -> None:
    for channel in channels.CHANNELS:
        assert (ROOT / "simulators" / channel.code / "routes.py").is_file(), channel.code
        assert (ROOT / "features" / f"{channel.code}.feature").is_file(), channel.code
        assert (ROOT / "steps" / f"test_guide_{channel.code}.py").is_file(), channel.code
    assert set(UI_DRIVERS) == set(API_DRIVERS) == set(channels.BY_CODE)


def test_the_simulator_names_and_offers_what_the_registry_says() -> None:
    from simulators.alipay import models as alipay
    from simulators.etax import models as etax
    from simulators.taxapp import models as taxapp
    from simulators.wechat import models as wechat
    from simulators.zheliban import models as zheliban

    for models in (wechat, alipay, taxapp, etax, zheliban):
        entry = channels.BY_CODE[models.CHANNEL]
        assert (models.NAME, models.GATEWAYS) == (entry.title, entry.gateways)
    for models in (taxapp, etax):  # the page's list of payment ways is the registry's, in its order
        assert (*(code for code, _ in models.THIRD_PARTY), models.AGREEMENT[0]) == models.GATEWAYS
    assert (zheliban.THIRD_PARTY[0], zheliban.AGREEMENT[0]) == zheliban.GATEWAYS


def test_the_landing_page_links_every_channel_at_its_entry(sim: EmbeddedSimulator) -> None:
    page = httpx.get(f"{sim.url}/", timeout=30).text
    for channel in channels.CHANNELS:
        assert f'<a href="{channel.entry}">{channel.title}</a>' in page


def test_the_harness_reads_the_registry() -> None:
    assert summary.CHANNEL_NAMES == {c.code: c.title for c in channels.CHANNELS}
    assert guide_coverage.GUIDE_STEPS == {c.code: c.guide_steps for c in channels.CHANNELS}
    assert {name: language.channel_code(name) for name in channels.BY_NAME} == {
        c.name: c.code for c in channels.CHANNELS
    }
    assert language.channel_code("wechat") == "wechat"


def test_a_name_that_is_no_channel_is_refused_in_chinese() -> None:
    names = "微信公众号、支付宝小程序、宁波税务APP、电子税务局、浙里办APP"
    with pytest.raises(KeyError, match=f"没有渠道“微信”:渠道应为{names}之一"):
        channels.channel("微信")


def test_a_registry_entry_is_checked_when_it_is_made() -> None:
    with pytest.raises(ValueError, match="超出指南步数的阶段"):
        dataclasses.replace(channels.WECHAT, stages={"pay": 9})
    with pytest.raises(ValueError, match="未知的阶段"):
        dataclasses.replace(channels.WECHAT, stages={"checkout": 1})
    with pytest.raises(ValueError, match="应在 /wechat/ 之下"):
        dataclasses.replace(channels.WECHAT, entry="/alipay/")


SIXTH = """
GOV = Channel("gov", "政务服务网", "浙江政务服务网", "/gov/", DESKTOP, ("alipay_qr",), "6、浙江政务服务网", 3,
              {"pay": 2})
CHANNELS: tuple[Channel, ...] = (WECHAT, ALIPAY, TAXAPP, ETAX, ZHELIBAN, GOV)
"""
READ_BACK = """
import json, sys
from pathlib import Path
from reports import guide_coverage, summary
from steps import language
folder = Path(sys.argv[1])
(folder / "a-result.json").write_text(json.dumps({"name": "x", "status": "passed", "historyId": "h", "stop": 1,
    "labels": [{"name": "channel", "value": "浙江政务服务网"}]}), encoding="utf-8")
print(json.dumps({"steps": guide_coverage.GUIDE_STEPS, "pay": guide_coverage.GUIDE_STAGES["pay"],
                  "sections": guide_coverage.GUIDE_SECTIONS, "code": language.channel_code("政务服务网"),
                  "verdicts": [t.channel for t in summary.summarize(folder).channels]}, ensure_ascii=False))
"""


def test_a_sixth_channel_is_one_entry_for_the_report_and_the_coverage(tmp_path: Path) -> None:
    """What the recipe in the README promises: the domain language, the report's verdicts and the guide coverage
    grow by the registry entry alone (its package, page objects and feature are the rest of the recipe)."""
    registry = (ROOT / "channels.py").read_text(encoding="utf-8")
    line = "CHANNELS: tuple[Channel, ...] = (WECHAT, ALIPAY, TAXAPP, ETAX, ZHELIBAN)\n"
    assert line in registry
    (tmp_path / "channels.py").write_text(registry.replace(line, SIXTH.lstrip()), encoding="utf-8")
    (tmp_path / "results").mkdir()
    done = subprocess.run(
        [sys.executable, "-c", READ_BACK, str(tmp_path / "results")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"},
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["steps"]["gov"] == 3 and seen["pay"]["gov"] == 2 and seen["code"] == "gov"
    assert seen["sections"]["gov"] == "6、浙江政务服务网"
    assert seen["verdicts"] == ["gov"]
