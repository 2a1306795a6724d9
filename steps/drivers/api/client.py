"""The one way an httpx client of the simulator is made: as a browser on its pages would talk to it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from fixtures import patience
from fixtures.transport import PatientTransport


def origin(base_url: str) -> str:
    """scheme://host[:port] of the simulator, as a browser sends it in ``Origin``."""
    split = urlsplit(base_url)
    return f"{split.scheme}://{split.netloc}"


def connect(base_url: str, tenant: str | None = None, **options: Any) -> httpx.Client:
    """A client of the simulator at ``base_url``: every request carries the simulator's own ``Origin`` (its
    same-origin rule for state-changing requests without a JSON body) and, when given, the tenant. A call that
    fails in transport is resent where that is safe, else it is an EnvironmentProblem (``fixtures.transport``)."""
    headers = {"Origin": origin(base_url), **({"X-Sim-Tenant": tenant} if tenant else {})}
    settings = {
        "timeout": patience.seconds(patience.CALL),
        "trust_env": False,
        "transport": PatientTransport(),
        **options,
    }
    return httpx.Client(base_url=base_url, headers=headers, **settings)


__all__ = ["connect", "origin"]
