"""Allure report set-up: environment and categories beside the results, and a verdict per channel."""

from __future__ import annotations

__all__ = ["environment", "summary"]
