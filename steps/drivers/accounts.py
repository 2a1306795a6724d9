"""How a driver acts as the user of an app with its own accounts (宁波税务APP, 电子税务局, 浙里办)."""

from __future__ import annotations

from steps.drivers.protocol import PayerRef


def password_of(person: PayerRef) -> str:
    """The password a driver registers a person with, and logs in with again: letters and digits, 8–20."""
    return f"Nb{person.id_number[-6:]}tax"
