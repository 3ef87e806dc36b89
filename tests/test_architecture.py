"""The package's shape, as DESIGN.md draws it: no import cycle anywhere in ``azshell`` (counting imports inside
functions, under ``if TYPE_CHECKING:`` and ``importlib.import_module("…")``/``__import__("…")`` with a literal
name), nothing outside ``azshell/services/`` naming a particular service except the registry, and a language
core that knows nothing of Azure."""

from __future__ import annotations

import ast
from pathlib import Path

import azshell
from azshell.services.registry import SERVICES

ROOT = Path(azshell.__file__).resolve().parent
SERVICE_NAMES = {s.name for s in SERVICES}


def _module_name(path: Path) -> str:
    parts = ["azshell", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _imported_names(path: Path) -> set[str]:
    """Every module name ``path`` imports (resolved against the package), wherever the statement is."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = package.split(".")
                pkg = pkg[:len(pkg) - (node.level - 1)]
                base = ".".join([*pkg, *([node.module] if node.module else [])])
            for a in node.names:
                found.add(f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if fname in ("import_module", "__import__"):
                found.add(node.args[0].value)
    return found


def _graph() -> dict[str, set[str]]:
    return {m: {d for d in _imported_names(p) if d in MODULES and d != m} for m, p in MODULES.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for dep in sorted(graph[m]):
            if state.get(dep) == 1:
                return [*stack[stack.index(dep):], dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_no_import_cycle_anywhere() -> None:
    cycle = _cycle(_graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def _names_a_service(text: str) -> set[str]:
    return {s for s in SERVICE_NAMES if f"azshell.services.{s}" in text}


def test_only_the_registry_names_particular_services() -> None:
    offenders = []
    for mod, path in MODULES.items():
        if mod.startswith("azshell.services.") and mod != "azshell.services.base":
            continue  # the services themselves (and their registry)
        imported = {d for d in _imported_names(path) if d.startswith("azshell.services.")}
        named = {d for d in imported if d.split(".")[2] in SERVICE_NAMES}
        # module paths in strings (lazy loads) count too
        strings = " ".join(n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                           if isinstance(n, ast.Constant) and isinstance(n.value, str))
        named |= _names_a_service(strings)
        if named:
            offenders.append((mod, sorted(named)))
    assert offenders == []


def test_the_registry_lists_every_service_package() -> None:
    packages = {p.parent.name for p in (ROOT / "services").glob("*/__init__.py")}
    assert packages == SERVICE_NAMES


def test_language_core_knows_nothing_of_azure() -> None:
    for mod, path in MODULES.items():
        if not mod.startswith("azshell.lang"):
            continue
        outside = {d for d in _imported_names(path) if d.startswith("azshell.") and not d.startswith("azshell.lang")}
        assert outside <= {"azshell.errors"}, (mod, outside)


def test_service_packages_use_the_same_file_roles() -> None:
    roles = ("catalog", "model", "arm", "plane", "cmdlets", "az", "checks", "graph")
    for service in SERVICE_NAMES:
        folder = ROOT / "services" / service
        for f in folder.glob("*.py"):
            if f.name == "__init__.py" or f.name.startswith("_"):
                continue
            stem = f.stem
            assert stem in roles or any(stem.startswith(f"{r}_") for r in roles), f"{service}/{f.name}"


#: module-level containers a module fills while it is being imported and never again
FILLED_AT_IMPORT_ONLY = {("azshell.lang.ast", "_PENDING")}  # node classes waiting for their compiled __init__


def test_no_module_level_mutable_state() -> None:
    """A module-level dict/list/set that code mutates (item assignment, update/append/…, ``global``) is state
    shared by every session of the process: it belongs to a session, a World or a registry instead."""
    mutators = {"update", "append", "add", "setdefault", "pop", "clear", "extend", "insert", "remove", "popitem",
                "discard", "__setitem__"}
    found = []
    for mod, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        containers = set()
        for node in tree.body:
            target = value = None
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                target, value = node.targets[0].id, node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
                target, value = node.target.id, node.value
            if target and isinstance(value, (ast.Dict, ast.List, ast.Set, ast.Call, ast.DictComp, ast.ListComp,
                                             ast.SetComp)):
                containers.add(target)
        for node in ast.walk(tree):
            name = None
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)) \
                    and isinstance(node.value, ast.Name):
                name = node.value.id
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name) and node.func.attr in mutators:
                name = node.func.value.id
            elif isinstance(node, ast.Global):
                found.extend((mod, n) for n in node.names)
            if name in containers and (mod, name) not in FILLED_AT_IMPORT_ONLY:
                found.append((mod, name))
    assert not found, sorted(set(found))
