"""A simulator restarted mid-flow (the ``模拟器重启`` step, the explorer's ``restarted`` rule): the same address, a
new app on the same database; what the tenant had (its clock, planned provider outcomes, payers) is all there, and a
client's pooled connection to the old server does not break the next call."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.simulator import SimControl, embedded
from steps.expect import RuleBroken
from steps.restart_steps import _ as restart_step


def test_a_restart_keeps_the_address_and_everything_the_tenant_had(tmp_path: Path) -> None:
    with embedded(tmp_path / "sim.db") as sim:
        url = sim.url
        control = SimControl(url)
        control.create_tenant("kept", 5)
        control.set_clock("kept", "2024-12-20T10:00:00+08:00", frozen=True)
        control.plan_faults("kept", [{"kind": "decline"}])
        before, old_app = control.clock("kept"), sim.app
        assert before["now"].startswith("2024-12-20") and before["frozen"], before
        sim.restart()
        assert sim.url == url and sim.app is not old_app and sim.restarts == 1
        assert control.clock("kept") == before
        assert [f["kind"] for f in control.faults("kept")] == ["decline"]
        sim.restart()
        assert control.clock("kept") == before
        control.close()


def test_the_restart_step_says_why_it_cannot_restart_a_simulator_it_does_not_run() -> None:
    with pytest.raises(RuleBroken, match="--sim-url"):
        restart_step(None)
