"""Typed settings, read in one place: the command line and ``SIM_*`` environment variables."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulators.core.refdata import DEFAULT_PATH


def _default_db() -> str:
    return f"sqlite:///{Path(tempfile.mkdtemp(prefix='nbsim-')) / 'simulator.db'}"


@dataclass(frozen=True)
class Settings:
    db_url: str = field(default_factory=_default_db)
    control_token: str | None = None
    reference_path: Path = DEFAULT_PATH
    demo_seed: int = 2024
    # An idle connection is kept longer than any client keeps one in its pool (httpx: 5 s, browsers: up to 60 s), so
    # a client never sends a request on a connection the server is closing at that moment (no response at all).
    keep_alive_seconds: int = 75
    demo_payers: int = 12
    notify_poll_seconds: float = 1.0
    self_url: str | None = None  # the app's own address (its providers are reached there); None: learnt later
    font: str | None = None  # the receipts' CJK font file (``path`` or ``path#index``); None: ask fontconfig
    test_mode: bool = False  # the test-mode drawer on every page (``make serve`` only; never the embedded simulator)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, Any] = {}  # field name → value, each of its field's type
        if env.get("SIM_DB"):
            values["db_url"] = env["SIM_DB"]
        if env.get("SIM_TOKEN"):
            values["control_token"] = env["SIM_TOKEN"]
        if env.get("SIM_REFERENCE"):
            values["reference_path"] = Path(env["SIM_REFERENCE"])
        if env.get("SIM_FONT"):
            values["font"] = env["SIM_FONT"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
