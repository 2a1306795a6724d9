"""Scans Allure results for numbers that identify a person: `python -m reports.privacy DIR`.

Every result, container and attachment that holds text (JSON, text, properties, HTML, the members of a zip such
as a Playwright trace, the text of a PDF receipt) is read; a valid 18-character resident ID (date of birth and
MOD 11-2 check character) or a mobile number found in it is a finding. Images cannot be read: screenshots are
masked when they are taken. Exits 1 on any finding.
"""

from __future__ import annotations

import io
import json
import re
import sys
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

__all__ = ["Finding", "findings_in_text", "is_resident_id", "main", "scan"]

_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
_IMAGES = {".png", ".jpg", ".jpeg", ".webp", ".webm", ".gif"}


@dataclass(frozen=True)
class Finding:
    file: str
    kind: str
    masked: str  # what was found, itself masked: the finding is printed

    def __str__(self) -> str:
        return f"{self.file}: {self.kind} {self.masked}"


def is_resident_id(number: str) -> bool:
    """18 characters with a real date of birth and the MOD 11-2 check character (GB 11643); any region."""
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    check = "10X98765432"[sum(int(c) * w for c, w in zip(number[:17], _WEIGHTS, strict=True)) % 11]
    return 1900 <= born.year <= 2100 and check == number[17].upper()


def findings_in_text(text: str, file: str = "") -> Iterator[Finding]:
    for match in _ID.finditer(text):
        if is_resident_id(match.group(0)):
            yield Finding(file, "身份证号码", match.group(0)[:6] + "********" + match.group(0)[-4:])
    for match in _PHONE.finditer(text):
        yield Finding(file, "手机号码", match.group(0)[:3] + "****" + match.group(0)[-4:])


def _texts(path: Path) -> Iterator[tuple[str, str]]:
    """(name, text) of every readable text in the file."""
    data = path.read_bytes()
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                text = _decoded(archive.read(info))
                if text is not None:
                    yield f"{path.name}!{info.filename}", text
    elif path.suffix.lower() == ".pdf":
        from pypdf import PdfReader

        yield path.name, "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    elif path.suffix.lower() not in _IMAGES:
        text = _decoded(data)
        if text is not None:
            yield path.name, _unescaped(text) if path.suffix.lower() == ".json" else text


def _unescaped(text: str) -> str:
    """JSON as a person reads it: Allure escapes every Chinese character, and an ID right after one would hide."""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return text


def _decoded(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def scan(results_dir: Path) -> list[Finding]:
    found: list[Finding] = []
    for path in sorted(Path(results_dir).iterdir()):
        if path.is_file():
            for name, text in _texts(path):
                found += findings_in_text(text, name)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or not Path(args[0]).is_dir():
        print("用法: python -m reports.privacy 结果目录(例如 reports/allure-results)", file=sys.stderr)
        return 2
    found = scan(Path(args[0]))
    if not found:
        print(f"隐私检查:{args[0]} 中没有未遮盖的身份证号码或手机号码。")
        return 0
    for finding in found[:50]:
        print(f"未遮盖:{finding}", file=sys.stderr)
    print(f"隐私检查不通过:{len(found)} 处未遮盖的身份证号码或手机号码。", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
