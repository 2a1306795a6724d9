"""A small AST mutator: every mutant of a module, each a one-node change spliced into the source text.

Each mutation replaces the source span of one AST node (``lineno``/``col_offset`` … ``end_col_offset``) with the
``ast.unparse`` of the changed node, so the rest of the file — comments, layout — stays byte for byte and the
diff shows one line. A mutant whose module does not compile, or whose AST equals the original's, is dropped.

Operators (the ``operator`` of a mutant):

- ``cmp``     ``<``↔``<=``, ``>``↔``>=``, ``==``↔``!=``, ``in``↔``not in``, ``is``↔``is not``
- ``bool``    ``and``↔``or``; ``not x`` → ``x``
- ``arith``   ``+``↔``-``, ``*``↔``//``, ``/``→``*``, ``%``→``//`` (also augmented ``+=``…); not on a string
- ``const``   int ``n``→``n+1`` (``1``→``0``), ``True``↔``False``, a string literal → ``""`` (not docstrings,
  not log messages, not keys of the defect catalogue)
- ``stmt``    a call statement → ``pass``; ``return x`` → ``return None``
- ``if``      an ``if``/``elif`` condition forced ``True`` or ``False``
- ``slice``   a slice bound or a computed index off by one (``x[:n]`` → ``x[:n + 1]``)

Skipped: docstrings, logging calls, type annotations, decorators, ``__all__``, ``if TYPE_CHECKING:`` blocks,
class bodies outside methods (ORM columns, pydantic fields), f-strings, and the arguments of the defect
catalogue's switches (``defects.on/at/…(…)``: they are the catalogue, scored by ``benchmarks.power``).
Module-level constants (``TIERS = (…)``) are mutated; their mutants are covered by every scenario.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

OPERATORS = ("cmp", "bool", "arith", "const", "stmt", "if", "slice")
CMP_SWAP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
ARITH_SWAP: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.FloorDiv,
    ast.FloorDiv: ast.Mult,
    ast.Div: ast.Mult,
    ast.Mod: ast.FloorDiv,
}
LOG_NAMES = {"log", "logger", "logging", "print", "warnings", "cast", "TypeVar", "NewType"}
SWITCHES = {"defects"}  # the defect catalogue's module: its hooks' arguments are not mutated


@dataclass(frozen=True)
class Mutant:
    """One mutant: where (module path, function), what (operator) and the source span it replaces."""

    id: str
    module: str  # path relative to the checkout, e.g. simulators/core/billing.py
    qualname: str  # the enclosing function ("<module>" at module level)
    operator: str
    line: int  # first line of the enclosing statement (what the coverage map is keyed by)
    end_line: int
    span: tuple[int, int, int, int] = field(repr=False)  # lineno, col, end_lineno, end_col of the node
    replacement: str = field(repr=False)
    surface: str = "rule"
    names: tuple[str, ...] = ()  # a module-level constant's names (which scenarios meet it: those reading them)

    def apply(self, source: str) -> str:
        return splice(source, self.span, self.replacement)

    def diff(self, source: str, context: int = 3) -> str:
        mutated = self.apply(source)
        return "".join(
            difflib.unified_diff(
                source.splitlines(keepends=True),
                mutated.splitlines(keepends=True),
                f"a/{self.module}",
                f"b/{self.module}",
                n=context,
            )
        )

    def one_line(self, source: str) -> str:
        """``- old`` → ``+ new`` of the first changed line, stripped."""
        old = source.splitlines()[self.span[0] - 1].strip()
        new = self.apply(source).splitlines()[self.span[0] - 1].strip()
        return f"- {old}  →  + {new}"


def splice(source: str, span: tuple[int, int, int, int], text: str) -> str:
    """``source`` with the span (1-based lines, UTF-8 byte columns as the AST gives them) replaced by ``text``."""
    lines = source.splitlines(keepends=True)
    start_line, start_col, end_line, end_col = span
    first = lines[start_line - 1].encode()
    last = lines[end_line - 1].encode()
    head = first[:start_col].decode()
    tail = last[end_col:].decode()
    return "".join(lines[: start_line - 1]) + head + text + tail + "".join(lines[end_line:])


def _docstring_nodes(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                if isinstance(body[0].value.value, str):
                    found.add(id(body[0]))
    return found


def _call_root(call: ast.Call) -> str:
    func: ast.expr = call.func
    while isinstance(func, ast.Attribute):
        func = func.value
    return func.id if isinstance(func, ast.Name) else ""


def _is_string(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


class _Walker:
    """Walks one module and yields (node to replace, replacement node, operator, statement, qualname)."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.docstrings = _docstring_nodes(tree)
        self.found: list[tuple[ast.AST, ast.AST, str, ast.stmt, str]] = []

    def run(self) -> list[tuple[ast.AST, ast.AST, str, ast.stmt, str]]:
        self._body(self.tree.body, "<module>", in_function=False)
        return self.found

    # statements -------------------------------------------------------------------------------------------
    def _body(self, body: list[ast.stmt], qualname: str, *, in_function: bool) -> None:
        for stmt in body:
            self._stmt(stmt, qualname, in_function=in_function)

    def _stmt(self, stmt: ast.stmt, qualname: str, *, in_function: bool) -> None:
        if id(stmt) in self.docstrings:
            return
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            inner = stmt.name if qualname == "<module>" else f"{qualname}.{stmt.name}"
            for default in [*stmt.args.defaults, *[d for d in stmt.args.kw_defaults if d is not None]]:
                self._expr(default, stmt, inner)
            self._body(stmt.body, inner, in_function=True)
            return
        if isinstance(stmt, ast.ClassDef):
            prefix = stmt.name if qualname == "<module>" else f"{qualname}.{stmt.name}"
            for child in stmt.body:
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    self._stmt(child, prefix, in_function=False)
            return
        if isinstance(stmt, ast.Import | ast.ImportFrom | ast.Global | ast.Nonlocal | ast.Pass):
            return
        if isinstance(stmt, ast.If) and _type_checking(stmt.test):
            return
        if not in_function:
            # module level: constants only (not __all__, not a call's result such as a router or a logger)
            if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                    return
                if any(isinstance(n, ast.Call | ast.Lambda | ast.Subscript) for n in ast.walk(stmt.value)):
                    return  # a router, a logger, a type alias (Literal[…]): not a rule's constant
                self._expr(stmt.value, stmt, qualname)
            return
        self._statement_mutants(stmt, qualname)
        for name, value in ast.iter_fields(stmt):
            if name in ("annotation", "returns", "type_comment", "decorator_list"):
                continue
            if isinstance(value, list):
                if value and isinstance(value[0], ast.stmt):
                    self._body(value, qualname, in_function=True)
                elif name == "handlers":
                    for handler in value:
                        if handler.type is not None:
                            pass  # the exception classes caught: not mutated
                        self._body(handler.body, qualname, in_function=True)
                else:
                    for item in value:
                        if isinstance(item, ast.expr):
                            self._expr(item, stmt, qualname)
                        elif isinstance(item, ast.withitem):
                            self._expr(item.context_expr, stmt, qualname)
                        elif isinstance(item, ast.match_case):
                            self._body(item.body, qualname, in_function=True)
            elif isinstance(value, ast.expr):
                if isinstance(stmt, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.For) and name == "target":
                    continue
                self._expr(value, stmt, qualname)

    def _statement_mutants(self, stmt: ast.stmt, qualname: str) -> None:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            if _call_root(stmt.value) in LOG_NAMES | SWITCHES:
                return
            self._add(stmt, ast.Pass(), "stmt", stmt, qualname)
        elif isinstance(stmt, ast.Return) and stmt.value is not None:
            if not (isinstance(stmt.value, ast.Constant) and stmt.value.value is None):
                self._add(stmt, ast.Return(value=ast.Constant(None)), "stmt", stmt, qualname)
        elif isinstance(stmt, ast.If):
            for forced in (True, False):
                if isinstance(stmt.test, ast.Constant) and stmt.test.value is forced:
                    continue
                self._add(stmt.test, ast.Constant(forced), "if", stmt, qualname)
        elif isinstance(stmt, ast.AugAssign) and type(stmt.op) in ARITH_SWAP and not _is_string(stmt.value):
            swapped = ast.AugAssign(target=stmt.target, op=ARITH_SWAP[type(stmt.op)](), value=stmt.value)
            self._add(stmt, swapped, "arith", stmt, qualname)

    # expressions ------------------------------------------------------------------------------------------
    def _expr(self, node: ast.expr, stmt: ast.stmt, qualname: str) -> None:
        if isinstance(node, ast.JoinedStr | ast.Lambda):
            return
        if isinstance(node, ast.Call):
            root = _call_root(node)
            if root in LOG_NAMES:
                return
            if root in SWITCHES:  # a hook of the defect catalogue: its name is the catalogue's, the value is ours
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    if not _is_string(arg):
                        self._expr(arg, stmt, qualname)
                return
        if isinstance(node, ast.Compare):
            for index, op in enumerate(node.ops):
                if type(op) in CMP_SWAP:
                    ops = list(node.ops)
                    ops[index] = CMP_SWAP[type(op)]()
                    self._add(
                        node, ast.Compare(left=node.left, ops=ops, comparators=node.comparators), "cmp", stmt, qualname
                    )
        elif isinstance(node, ast.BoolOp):
            other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            self._add(node, ast.BoolOp(op=other, values=node.values), "bool", stmt, qualname)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self._add(node, node.operand, "bool", stmt, qualname)
        elif isinstance(node, ast.BinOp) and type(node.op) in ARITH_SWAP:
            if not (_is_string(node.left) or _is_string(node.right)):
                swapped = ast.BinOp(left=node.left, op=ARITH_SWAP[type(node.op)](), right=node.right)
                self._add(node, swapped, "arith", stmt, qualname)
        elif isinstance(node, ast.Constant):
            self._constant(node, stmt, qualname)
        elif isinstance(node, ast.Subscript):
            self._subscript(node, stmt, qualname)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self._expr(child, stmt, qualname)
            elif isinstance(child, ast.comprehension):
                self._expr(child.iter, stmt, qualname)
                for condition in child.ifs:
                    self._expr(condition, stmt, qualname)
            elif isinstance(child, ast.keyword):
                self._expr(child.value, stmt, qualname)

    def _constant(self, node: ast.Constant, stmt: ast.stmt, qualname: str) -> None:
        value = node.value
        if isinstance(value, bool):
            self._add(node, ast.Constant(not value), "const", stmt, qualname)
        elif isinstance(value, int):
            self._add(node, ast.Constant(0 if value == 1 else value + 1), "const", stmt, qualname)
        elif isinstance(value, str) and value:
            self._add(node, ast.Constant(""), "const", stmt, qualname)

    def _subscript(self, node: ast.Subscript, stmt: ast.stmt, qualname: str) -> None:
        index = node.slice
        if isinstance(index, ast.Slice):
            for which in ("lower", "upper"):
                bound = getattr(index, which)
                if bound is None or isinstance(bound, ast.Constant) or _is_negative_constant(bound):
                    continue  # a constant bound is moved by the const operator
                moved = ast.BinOp(left=bound, op=ast.Add(), right=ast.Constant(1))
                self._add(bound, moved, "slice", stmt, qualname)
        elif isinstance(index, ast.BinOp | ast.Name) and isinstance(node.ctx, ast.Load):
            if isinstance(index, ast.Name) and not _looks_numeric(index.id):
                return
            moved = ast.BinOp(left=index, op=ast.Add(), right=ast.Constant(1))
            self._add(index, moved, "slice", stmt, qualname)

    def _add(self, node: ast.AST, replacement: ast.AST, operator: str, stmt: ast.stmt, qualname: str) -> None:
        self.found.append((node, replacement, operator, stmt, qualname))


def _is_negative_constant(node: ast.expr) -> bool:
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant)


def _looks_numeric(name: str) -> bool:
    return name in {"i", "j", "k", "n", "index", "position", "count", "start", "end", "step"}


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _text(node: ast.AST, replacement: ast.AST, parent_is_expr: bool) -> str:
    text = ast.unparse(ast.fix_missing_locations(replacement))
    if parent_is_expr and isinstance(replacement, ast.BoolOp | ast.BinOp | ast.Compare | ast.UnaryOp):
        text = f"({text})"
    if isinstance(replacement, ast.Constant) and isinstance(node, ast.expr) and parent_is_expr:
        text = f"({text})" if isinstance(replacement.value, int) and replacement.value < 0 else text
    return text


def _assigned(stmt: ast.stmt) -> tuple[str, ...]:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
    return tuple(sorted({n.id for t in targets if t is not None for n in ast.walk(t) if isinstance(n, ast.Name)}))


DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _enclosing(
    defs: list[tuple[int, int, int]],
    tops: list[tuple[int, int]],
    span: tuple[int, int, int, int],
    lines: list[str],
    dumps: dict[tuple[int, int], str],
) -> tuple[int, int, int]:
    """(first line, last line, indent) of the innermost function around ``span`` that compiles on its own once
    dedented (a ``nonlocal`` does not), else of the top-level statement; its AST dump is left in ``dumps``."""
    for first, last, indent in defs:
        if first <= span[0] and span[2] <= last and span[1] >= indent:
            if (first, last) not in dumps:
                text = "".join(_dedent(line, indent) for line in lines[first - 1 : last])
                try:
                    tree = ast.parse(text)
                    compile(tree, "<snippet>", "exec")
                    dumps[(first, last)] = ast.dump(tree)
                except (SyntaxError, ValueError):
                    dumps[(first, last)] = ""
            if dumps[(first, last)]:
                return first, last, indent
    first, last = next((a, b) for a, b in tops if a <= span[0] <= b)
    if (first, last) not in dumps:
        dumps[(first, last)] = ast.dump(ast.parse("".join(lines[first - 1 : last])))
    return first, last, 0


def _dedent(line: str, indent: int) -> str:
    if line[:indent].strip(" ") == "":
        return line[indent:] if len(line) > indent else line.lstrip(" ")
    return line


def _first_line(stmt: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno, *(d.lineno for d in decorators)])


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    return parents


def _statement_span(stmt: ast.stmt) -> tuple[int, int]:
    """The lines a coverage map must show ran for the statement's mutant to be reached: the header of a
    compound statement, the whole of a simple one."""
    if isinstance(stmt, ast.If | ast.While):
        return stmt.test.lineno, stmt.test.end_lineno or stmt.test.lineno
    if isinstance(stmt, ast.For | ast.AsyncFor):
        return stmt.lineno, stmt.iter.end_lineno or stmt.lineno
    if isinstance(stmt, ast.With | ast.AsyncWith):
        return stmt.lineno, stmt.items[-1].context_expr.end_lineno or stmt.lineno
    if isinstance(stmt, ast.Try):
        return stmt.lineno, stmt.lineno
    return stmt.lineno, stmt.end_lineno or stmt.lineno


def mutants_of(module: str, source: str, surface: str = "rule") -> list[Mutant]:
    """Every mutant of one module's source, in source order, each with a stable id."""
    tree = ast.parse(source)
    parents = _parents(tree)
    lines = source.splitlines()
    result: list[Mutant] = []
    seen: dict[str, int] = {}
    tops = [(_first_line(top), top.end_lineno or top.lineno) for top in tree.body]
    defs = sorted(
        ((_first_line(n), n.end_lineno or n.lineno, n.col_offset) for n in ast.walk(tree) if isinstance(n, DEFS)),
        key=lambda found: found[1] - found[0],
    )  # innermost first
    source_lines = source.splitlines(keepends=True)
    dumps: dict[tuple[int, int], str] = {}
    for node, replacement, operator, stmt, qualname in _Walker(tree).run():
        if not hasattr(node, "lineno") or getattr(node, "end_lineno", None) is None:
            continue
        span = (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        parent_is_expr = isinstance(parents.get(id(node)), ast.expr)
        if isinstance(node, ast.stmt):
            text = ast.unparse(ast.fix_missing_locations(replacement))
        else:
            text = _text(node, replacement, parent_is_expr)
        # compile the innermost function that holds the change, dedented, or the top-level statement (a whole
        # module each time would be slow)
        top, end, indent = _enclosing(defs, tops, span, source_lines, dumps)
        snippet = "".join(_dedent(line, indent) for line in source_lines[top - 1 : end])
        shifted = (span[0] - top + 1, span[1] - indent, span[2] - top + 1, span[3] - indent)
        changed = splice(snippet, shifted, text)
        try:
            changed_tree = ast.parse(changed)
            compile(changed_tree, module, "exec")
        except (SyntaxError, ValueError):
            continue
        if ast.dump(changed_tree) == dumps[(top, end)]:
            continue
        mutated_line = source_lines[span[0] - 1][:indent] + changed.splitlines()[shifted[0] - 1]
        first, last = _statement_span(stmt)
        old_line = lines[span[0] - 1].strip()
        new_line = mutated_line.strip()
        digest = hashlib.sha1(f"{old_line}\n{new_line}".encode()).hexdigest()[:8]
        key = f"{module}:{qualname}:{operator}:{digest}"
        seen[key] = seen.get(key, 0) + 1
        mutant_id = key if seen[key] == 1 else f"{key}~{seen[key]}"
        names = _assigned(stmt) if qualname == "<module>" else ()
        result.append(Mutant(mutant_id, module, qualname, operator, first, last, span, text, surface, names))
    return result


def mutants_of_file(root: Path, module: str, surface: str = "rule") -> list[Mutant]:
    return mutants_of(module, (root / module).read_text("utf-8"), surface)


def iter_all(root: Path, modules: list[str]) -> Iterator[Mutant]:
    for module in modules:
        yield from mutants_of_file(root, module)
