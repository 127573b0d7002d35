"""Modules small, functions short (issue 25): no module of the project's packages (setup.cfg's
import-linter root_packages) over MAX_LINES lines, no function over MAX_FUNCTION_LINES unless
it is allowed below with its reason and says that reason in its docstring. A new long module or
function fails here; split it, or allow it with a reason."""

from __future__ import annotations

import ast
import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 400
MAX_FUNCTION_LINES = 80

#: "path" -> why this module may be longer (none today)
LONG_MODULES: dict[str, str] = {}
#: "path:qualified.name" -> why this function may be longer (its docstring says so too)
LONG_FUNCTIONS: dict[str, str] = {}


def packages() -> list[str]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    return cfg["importlinter"]["root_packages"].split()


def modules() -> list[Path]:
    return sorted(p for pkg in packages() for p in (ROOT / pkg).rglob("*.py"))


def functions(tree: ast.AST, prefix: str = ""):
    """(qualified name, node) of every function, nested ones and methods included."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = f"{prefix}{node.name}"
            if not isinstance(node, ast.ClassDef):
                yield name, node
            yield from functions(node, name + ".")
        else:
            yield from functions(node, prefix)


def long_functions() -> dict[str, ast.AST]:
    out = {}
    for path in modules():
        rel = path.relative_to(ROOT).as_posix()
        for name, node in functions(ast.parse(path.read_text(encoding="utf-8"))):
            if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                out[f"{rel}:{name}"] = node
    return out


def test_the_packages_are_read():
    assert {"wire", "hub", "kiosk"} <= set(packages()) and len(modules()) > 100


def test_no_module_is_over_the_limit():
    sizes = {p.relative_to(ROOT).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
             for p in modules()}
    over = {p: n for p, n in sizes.items() if n > MAX_LINES and p not in LONG_MODULES}
    assert not over, f"modules over {MAX_LINES} lines (split them): {over}"
    stale = [p for p in LONG_MODULES if sizes.get(p, 0) <= MAX_LINES]
    assert not stale, f"allowed long modules that are no longer long: {stale}"


def test_no_function_is_over_the_limit_without_its_reason():
    found = long_functions()
    over = sorted(set(found) - set(LONG_FUNCTIONS))
    assert not over, f"functions over {MAX_FUNCTION_LINES} lines (split them, or allow them): {over}"
    unexplained = [k for k in LONG_FUNCTIONS if k in found and not ast.get_docstring(found[k])]
    assert not unexplained, f"allowed long functions whose docstring gives no reason: {unexplained}"
    stale = sorted(set(LONG_FUNCTIONS) - set(found))
    assert not stale, f"allowed long functions that are no longer long: {stale}"


def test_a_long_function_is_found():
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES + 1))
    tree = ast.parse(f"class A:\n  def f():\n{body}\n")
    (name, node), = functions(tree)
    assert name == "A.f" and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
