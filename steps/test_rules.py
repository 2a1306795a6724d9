"""The rule features: written once, run for every channel row and on both drivers."""

from __future__ import annotations

from pytest_bdd import scenarios

scenarios("rules")
