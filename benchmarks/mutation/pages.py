"""Mutants of the channels' pages: the scripts (``simulators/static/*.js``), the templates (``*.html``) and the
channels' page routes (``simulators/<channel>/routes.py``, ``app_pages.py``), each judged on the UI driver by the
scenarios of the channels that show that page.

A page mutant is one token or one line of the file changed, by these operators (``operator``):

- ``cmp``    JS ``===``↔``!==``, `` < ``↔`` <= ``, `` > ``↔`` >= ``
- ``bool``   JS ``&&``↔``||``; ``if (!x`` → ``if (x``
- ``const``  JS ``true``↔``false``; a string literal with Chinese in it (a label, a message, a state's name) → ``""``
- ``stmt``   JS a call statement on its own line (``sim.show("step-result");``) → removed
- ``text``   HTML the Chinese text of an element (``>缴费记录<``) → removed
- ``attr``   HTML the value of an ``id``, ``for``, ``name``, ``value``, ``role`` or ``aria-label`` → changed
- ``elem``   HTML a form control or button written on one line (``<button …>…</button>``) → removed

The routes are Python: ``benchmarks.mutation.mutator``'s operators. Comments (``//``, ``{# … #}``, ``<!-- -->``)
and CSS are left alone. Which channels show a file: those whose own folder (``simulators/<code>/``), or a payment
provider it offers (``simulators/gateways/<provider>/``), names it — directly or through a shared template or script
that names it (``{% extends "app_base.html" %}``, ``<script src="/static/mp.js">``, ``from simulators.app_pages``);
a shared file no channel names (``sim.js``, the landing page) is every channel's.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import channels
from benchmarks.mutation.mutator import Mutant, mutants_of

SIMULATORS = "simulators"
JS_SWAPS = (
    ("cmp", re.compile(r"===|!=="), {"===": "!==", "!==": "==="}),
    ("cmp", re.compile(r"(?<=\s)(<=|>=|<|>)(?=\s)"), {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}),
    ("bool", re.compile(r"&&|\|\|"), {"&&": "||", "||": "&&"}),
    ("bool", re.compile(r"if \(!"), {"if (!": "if ("}),
    ("const", re.compile(r"\btrue\b|\bfalse\b"), {"true": "false", "false": "true"}),
)
CJK = re.compile(r"[\u4e00-\u9fff]")
JS_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|`(?:[^`\\\n]|\\.)*`')
JS_CALL_LINE = re.compile(r"^\s*[\w$.]+(?:\([^;]*\))+;\s*$")
HTML_TEXT = re.compile(r">([^<>{}]*[\u4e00-\u9fff][^<>{}]*)<")
HTML_ATTR = re.compile(r'\b(?:id|for|name|value|role|aria-label)="([^"{}]+)"')
HTML_ELEM = re.compile(r"^\s*<(button|input|select|textarea|a)\b.*(?:/>|</\1>|>)\s*$")


def page_files(root: Path) -> list[str]:
    """The page modules: every script and template, and the channels' page routes. Not the test-mode drawer's
    (``testmode.*``, ``make serve`` only): no run of the harness shows it, so its mutants could only survive."""
    sim = root / SIMULATORS
    found = [*sim.glob("static/*.js"), *sim.rglob("*.html"), sim / "app_pages.py"]
    found = [p for p in found if p.stem != "testmode"]
    found += [sim / c.code / "routes.py" for c in channels.CHANNELS]
    return sorted(str(p.relative_to(root)) for p in found if p.exists())


def _mentioned(name: str, text: str) -> bool:
    stem = name.rsplit(".", 1)[0]
    if name.endswith(".py"):
        return f"simulators.{stem}" in text or f"import {stem}" in text
    return re.search(rf"(?<![\w-]){re.escape(name)}\b", text) is not None or (
        name.endswith(".js") and "{{ channel }}.js" in text and stem in {c.code for c in channels.CHANNELS}
    )


def channels_of(root: Path) -> dict[str, tuple[str, ...]]:
    """Page module → the channel codes that show it (see the module's docstring)."""
    sim = root / SIMULATORS
    everything = [p for p in sim.rglob("*") if p.suffix in (".py", ".html", ".js") and "__pycache__" not in p.parts]
    texts = {str(p.relative_to(root)): p.read_text("utf-8") for p in everything}
    owners: dict[str, set[str]] = {path: set() for path in texts}
    for c in channels.CHANNELS:
        folders = [f"{SIMULATORS}/{c.code}/"] + [
            f"{SIMULATORS}/gateways/{g.split('_')[0]}/" for g in c.gateways
        ]  # alipay_qr is the alipay gateway's page
        for path in texts:
            if path.startswith(tuple(folders)) or Path(path).name == f"{c.code}.js":
                owners[path].add(c.code)
    changed = True
    while changed:  # a file named by a file a channel shows is shown by that channel too
        changed = False
        for path, text in texts.items():
            if not owners[path]:
                continue
            for other in texts:
                if other != path and not owners[path] <= owners[other] and _mentioned(Path(other).name, text):
                    owners[other] |= owners[path]
                    changed = True
    every = tuple(c.code for c in channels.CHANNELS)
    return {path: tuple(sorted(owners[path])) or every for path in page_files(root)}


def _id(module: str, operator: str, old: str, new: str, seen: dict[str, int]) -> str:
    digest = hashlib.sha1(f"{old.strip()}\n{new.strip()}".encode()).hexdigest()[:8]
    key = f"{module}:<page>:{operator}:{digest}"
    seen[key] = seen.get(key, 0) + 1
    return key if seen[key] == 1 else f"{key}~{seen[key]}"


def _span(line_no: int, line: str, start: int, end: int) -> tuple[int, int, int, int]:
    """A 1-based line's character span as UTF-8 byte columns (what ``mutator.splice`` takes)."""
    return (line_no, len(line[:start].encode()), line_no, len(line[:end].encode()))


def _comment(line: str, in_block: bool) -> tuple[bool, bool]:
    """(this line is a comment, a block comment is still open after it)."""
    stripped = line.strip()
    opens = stripped.startswith(("{#", "<!--", "/*"))
    closes = stripped.endswith(("#}", "-->", "*/"))
    if in_block:
        return True, not closes
    if opens:
        return True, not closes
    return stripped.startswith("//"), False


def text_mutants(module: str, source: str) -> list[Mutant]:
    """Every mutant of one script or template, in source order."""
    result: list[Mutant] = []
    seen: dict[str, int] = {}
    js = module.endswith(".js")
    in_block = False

    def add(line_no: int, line: str, operator: str, start: int, end: int, text: str) -> None:
        new = line[:start] + text + line[end:]
        mutant_id = _id(module, operator, line, new, seen)
        result.append(Mutant(mutant_id, module, "<page>", operator, line_no, line_no,
                             _span(line_no, line, start, end), text, "page"))  # fmt: skip

    for line_no, line in enumerate(source.splitlines(), 1):
        skip, in_block = _comment(line, in_block)
        if skip or not line.strip():
            continue
        if js:
            strings = [m.span() for m in JS_STRING.finditer(line)]

            def in_string(at: int, spans: list[tuple[int, int]] = strings) -> bool:
                return any(a <= at < b for a, b in spans)

            for operator, pattern, swap in JS_SWAPS:
                for m in pattern.finditer(line):
                    if not in_string(m.start()) and "//" not in line[: m.start()]:
                        add(line_no, line, operator, m.start(), m.end(), swap[m.group()])
            for m in JS_STRING.finditer(line):
                if CJK.search(m.group()):
                    add(line_no, line, "const", m.start(), m.end(), '""')
            if JS_CALL_LINE.match(line):
                start = len(line) - len(line.lstrip())
                add(line_no, line, "stmt", start, len(line), ";")
        else:
            for m in HTML_TEXT.finditer(line):
                add(line_no, line, "text", m.start(1), m.end(1), "")
            for m in HTML_ATTR.finditer(line):
                add(line_no, line, "attr", m.start(1), m.end(1), m.group(1) + "-x")
            if HTML_ELEM.match(line):
                start = len(line) - len(line.lstrip())
                add(line_no, line, "elem", start, len(line), "")
    return result


def page_mutants(root: Path, modules: list[str] | None = None) -> list[Mutant]:
    """Every mutant of the page modules (or of ``modules`` among them)."""
    found: list[Mutant] = []
    for module in modules or page_files(root):
        source = (root / module).read_text("utf-8")
        if module.endswith(".py"):
            found += [
                Mutant(m.id, m.module, m.qualname, m.operator, m.line, m.end_line, m.span, m.replacement, "page")
                for m in mutants_of(module, source, "page")
            ]
        else:
            found += text_mutants(module, source)
    return found
