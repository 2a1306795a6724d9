"""The simulator as a process, in the features' words: redeployed mid-flow on the same database."""

from __future__ import annotations

from collections.abc import Callable

from pytest_bdd import given, when

from steps.expect import fail


@given("模拟器重启")
@when("模拟器重启")
def _(restart_simulator: Callable[[], None] | None) -> None:
    """Stop the simulator and start it again on its database and address; what was done must all still hold."""
    if restart_simulator is None:
        fail("模拟器重启:只有本进程内嵌的模拟器能在场景中途重启,用 --sim-url 指向的模拟器不能由测试重启")
    restart_simulator()
