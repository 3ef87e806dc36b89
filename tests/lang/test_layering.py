"""The layering of ``azshell.lang``: no import cycle between its modules, counting every import (inside
functions and under ``if TYPE_CHECKING:`` too), and the evaluator's old names still importable."""

from __future__ import annotations

import ast
from pathlib import Path

import azshell.lang

LANG = Path(azshell.lang.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = ["azshell", "lang", *path.relative_to(LANG).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The lang modules ``path`` imports, wherever the import statement is (``__import__("...")`` too)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = package.split(".")
                pkg = pkg[:len(pkg) - (node.level - 1)]
                base = ".".join([*pkg, *([node.module] if node.module else [])])
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "__import__" \
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            targets = [node.args[0].value]
        found.update(t for t in targets if t in modules and t != name)
    return found


def test_no_import_cycle_in_lang() -> None:
    paths = sorted(LANG.rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    graph = {_module_name(p): _imports(p, modules) for p in paths}
    # depth-first search for a back edge; report the cycle it closes
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for dep in sorted(graph[m]):
            if state.get(dep) == 1:
                return [*stack[stack.index(dep):], dep]
            if dep not in state:
                cycle = visit(dep)
                if cycle:
                    return cycle
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            cycle = visit(m)
            assert cycle is None, " -> ".join(cycle)


def test_evaluator_keeps_its_names() -> None:
    from azshell.lang import evaluator, pipeline, runtime, state

    for name in evaluator.__all__:
        assert hasattr(evaluator, name), name
    assert evaluator.ScriptBlock is runtime.ScriptBlock
    assert evaluator.Scope is runtime.Scope
    assert evaluator.InvocationContext is pipeline.InvocationContext
    assert issubclass(evaluator.Evaluator, state.EvaluatorState)
