"""Cmdlet test helpers: a minimal CommandContext, a Services over the test world, and ``run(...)``.

Unit tests run one cmdlet class with already-bound parameters (no language engine); script tests (when the
engine exists) go through ``azshell.session.Session``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from azshell.cmdlets import register_all
from azshell.cmdlets.context import Services
from azshell.lang.cmdlet import Cmdlet, CommandRegistry
from azshell.services.registry import default_registry
from azshell.world import World


@dataclass
class ErrorRec:
    message: str
    category: str
    error_id: str
    exception: Any = None


class MemFS:
    """A dict-backed file system for -InFile/-OutFile."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def read_text(self, path: str) -> str:
        return self.read_bytes(path).decode("utf-8")

    def read_bytes(self, path: str) -> bytes:
        if path not in self.files:
            raise FileNotFoundError(path)
        return self.files[path]

    def write_text(self, path: str, text: str, *, append: bool = False) -> None:
        old = self.files.get(path, b"") if append else b""
        self.files[path] = old + text.encode("utf-8")

    def write_bytes(self, path: str, data: bytes) -> None:
        self.files[path] = data

    def exists(self, path: str) -> bool:
        return path in self.files

    def is_dir(self, path: str) -> bool:
        return False

    def list_dir(self, path: str) -> list[str]:
        return list(self.files)

    def remove(self, path: str) -> None:
        self.files.pop(path, None)

    def cwd(self) -> str:
        return "/"

    def set_cwd(self, path: str) -> None:
        pass


@dataclass
class FakeCtx:
    services: Any
    output: list[Any] = field(default_factory=list)
    errors: list[ErrorRec] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    host: list[str] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    _fs: MemFS = field(default_factory=MemFS)

    def write_output(self, obj: Any) -> None:
        self.output.append(obj)

    def write_error(self, message: str | BaseException, *, category: str = "NotSpecified", error_id: str = "",
                    target: Any = None, exception: Any = None) -> None:
        self.errors.append(ErrorRec(str(message), category, error_id, exception))

    def write_warning(self, message: str) -> None:
        self.warnings.append(message)

    def write_verbose(self, message: str) -> None:
        pass

    def write_host(self, text: str, *, newline: bool = True, color: str | None = None) -> None:
        self.host.append(text)

    def get_variable(self, name: str) -> Any:
        return self.variables.get(name.casefold())

    def set_variable(self, name: str, value: Any) -> None:
        self.variables[name.casefold()] = value

    def invoke_script_block(self, block: Any, args: Iterable[Any] = (), *, dollar_under: Any = None,
                            input: Iterable[Any] | None = None) -> list[Any]:
        raise NotImplementedError

    def format_objects(self, objects: list[Any], *, view: str = "auto", properties: list[Any] | None = None) -> str:
        return ""

    @property
    def fs(self) -> MemFS:
        return self._fs


class Runner:
    """``runner(Cls, Name=..., ...)`` runs one cmdlet and returns its output objects."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.ctx = FakeCtx(services)

    def __call__(self, cls: type[Cmdlet], *, input: Any = None, what_if: bool = False, **bound: Any) -> list[Any]:
        self.ctx.output = []
        cmd = cls(self.ctx, dict(bound))
        cmd.what_if = what_if
        cmd.begin()
        cmd.input = input
        cmd.process()
        cmd.end()
        return list(self.ctx.output)


@pytest.fixture
def services(world: World) -> Iterator[Services]:
    s = Services(world)
    yield s
    s.close()


@pytest.fixture
def run(services: Services) -> Runner:
    return Runner(services)


@pytest.fixture
def registry() -> CommandRegistry:
    """Every cmdlet, registered as the shell registers them."""
    r = CommandRegistry()
    register_all(r, default_registry())
    return r
