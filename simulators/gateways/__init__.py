"""Payment-provider simulators and, for each, the merchant-side client the channels use."""

from __future__ import annotations

from simulators.gateways.result import GatewayResult, Outcome

__all__ = ["GatewayResult", "Outcome"]
