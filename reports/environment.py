"""Files beside the test results that Allure turns into the report's environment block and categories.

Allure 3 (as Allure 2) reads `environment.properties` from the results directory and shows it as the
report's 元数据 block; it reads no environment.json. Its awesome report takes categories only from
`allurerc.mjs`, which loads `categories.json`; the copy written here serves Allure 2 and the classic plugin.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

__all__ = ["CATEGORIES_FILE", "write_categories", "write_environment"]

CATEGORIES_FILE = Path(__file__).with_name("categories.json")

_KEY_SPECIALS = str.maketrans({" ": "\\ ", "=": "\\=", ":": "\\:", "#": "\\#", "!": "\\!"})


def _escape(text: str, *, key: bool) -> str:
    """Java .properties escaping; non-ASCII as \\uXXXX, as both Allure 2 and Allure 3 decode it."""
    out: list[str] = []
    for index, char in enumerate(text):
        if char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif key and char in " =:#!":
            out.append(char.translate(_KEY_SPECIALS))
        elif not key and index == 0 and char in " #!":
            out.append("\\" + char)
        elif ord(char) > 0x7E or ord(char) < 0x20:
            out.append("".join(f"\\u{unit:04x}" for unit in _utf16_units(char)))
        else:
            out.append(char)
    return "".join(out)


def _utf16_units(char: str) -> list[int]:
    data = char.encode("utf-16-be")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


def write_environment(results_dir: Path, entries: Mapping[str, str]) -> None:
    """Write `environment.properties` into `results_dir` (created if missing), in the order given."""
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    lines = []
    for name, value in entries.items():
        if not str(name):
            raise ValueError("环境信息的名称不能为空")
        lines.append(f"{_escape(str(name), key=True)}={_escape(str(value), key=False)}\n")
    (results_dir / "environment.properties").write_text("".join(lines), encoding="ascii")


def write_categories(results_dir: Path) -> None:
    """Copy `reports/categories.json` into `results_dir` (created if missing)."""
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CATEGORIES_FILE, results_dir / "categories.json")
