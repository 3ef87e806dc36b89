"""Azure hostnames live in one place: ``azshell/hostnames.py`` spells every Azure host, and every endpoint and
token audience built from one; every other module imports them.

The check parses each ``azshell`` module with ``ast`` and fails on a string constant that contains one of the
hosts below, outside ``azshell/hostnames.py``. Prose may keep literal URLs, as a user reads them: docstrings, and
the help a cmdlet shows (its ``synopsis``/``description``/``examples`` class attributes, ``Example(...)``
arguments and ``help=`` texts). Everything else — what the program routes on, compares, or builds URLs,
audiences, headers and messages from — goes through the constants.
"""

from __future__ import annotations

import ast
from pathlib import Path

import azshell
from azshell import hostnames

ROOT = Path(azshell.__file__).resolve().parent
HOSTNAMES_MODULE = "azshell/hostnames.py"

#: The hosts only ``azshell/hostnames.py`` may spell in code (suffix hosts match their subdomains too).
HOSTS: tuple[str, ...] = (
    "management.azure.com",
    "management.core.windows.net",
    "login.microsoftonline.com",
    "login.windows.net",
    "sts.windows.net",
    "graph.microsoft.com",
    "graph.windows.net",
    "169.254.169.254",
    "vault.azure.net",
    "azuredatalakestore.net",
    "datalake.azure.net",
    "storage.azure.com",
)

#: module (relative to the repository) → why a message template there spells a host literally. Keep it short:
#: an entry exempts the whole module. Empty: every message reads as well with the constants.
ALLOWED: dict[str, str] = {}

#: Class attributes whose strings are a cmdlet's help text (``azshell.lang.cmdlet.Cmdlet``).
HELP_ATTRIBUTES = frozenset({"synopsis", "description", "examples"})
#: Calls whose arguments are help text (``Example(code, description)``).
HELP_CALLS = frozenset({"Example"})


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring constants of the module, its classes and functions."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                found.add(id(first.value))
    return found


def _help_texts(tree: ast.AST) -> set[int]:
    """ids of every node inside a cmdlet's help: help class attributes, ``Example(...)``, ``help=...``."""
    roots: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in HELP_CALLS:
                roots.append(node)
        elif isinstance(node, ast.keyword) and node.arg == "help":
            roots.append(node.value)
        elif isinstance(node, ast.ClassDef):
            for stmt in node.body:
                targets = (stmt.targets if isinstance(stmt, ast.Assign)
                           else [stmt.target] if isinstance(stmt, ast.AnnAssign) else [])
                value = getattr(stmt, "value", None)
                if value is not None and any(isinstance(t, ast.Name) and t.id in HELP_ATTRIBUTES for t in targets):
                    roots.append(value)
    return {id(n) for root in roots for n in ast.walk(root)}


def hostname_literals(source: str, hosts: tuple[str, ...] = HOSTS) -> list[tuple[int, str, str]]:
    """(line, host, text) for each string constant in ``source`` that spells a host outside prose."""
    tree = ast.parse(source)
    prose = _docstrings(tree) | _help_texts(tree)
    found: list[tuple[int, str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            text = node.value.casefold()
            found.extend((node.lineno, host, node.value) for host in hosts if host in text)
    return sorted(found)


def _modules() -> dict[str, Path]:
    return {p.relative_to(ROOT.parent).as_posix(): p for p in sorted(ROOT.rglob("*.py"))}


def test_no_module_but_hostnames_spells_an_azure_host() -> None:
    offenders: list[str] = []
    for rel, path in _modules().items():
        if rel == HOSTNAMES_MODULE or rel in ALLOWED:
            continue
        for line, host, text in hostname_literals(path.read_text(encoding="utf-8")):
            offenders.append(f"{rel}:{line}: {host!r} in {text[:80]!r} (import it from azshell.hostnames)")
    assert offenders == [], "\n".join(offenders)


def test_every_allow_list_entry_is_still_needed() -> None:
    modules = _modules()
    for rel, reason in ALLOWED.items():
        assert reason.strip(), rel
        assert rel in modules, f"{rel} no longer exists"
        assert hostname_literals(modules[rel].read_text(encoding="utf-8")), f"{rel} needs no exemption any more"


def test_the_check_tells_code_from_prose() -> None:
    source = '''
"""Module docstring: https://management.azure.com/."""
URL = "https://management.azure.com"
SUFFIX = ".vault.azure.net"
def f(vault):
    """A docstring naming https://vault.azure.net."""
    return f"https://{vault}.VAULT.azure.net/secrets"
class C:
    synopsis = "Talks to management.azure.com."
    description = ("Long help naming " "169.254.169.254.")
    examples = (Example("curl http://169.254.169.254/metadata", "IMDS"),)
    params = (Param("Resource", help="e.g. https://storage.azure.com/"),)
    message = "169.254.169.254 only answers on a VM"
'''
    assert [(line, host) for line, host, _ in hostname_literals(source)] == [
        (3, "management.azure.com"), (4, "vault.azure.net"), (7, "vault.azure.net"), (13, "169.254.169.254")]


def test_hostnames_is_a_tiny_constants_only_module() -> None:
    """Start-up imports it everywhere: no imports (but ``__future__``), no functions, only constants."""
    tree = ast.parse((ROOT / "hostnames.py").read_text(encoding="utf-8"))
    for stmt in tree.body[1:]:
        if isinstance(stmt, ast.ImportFrom):
            assert stmt.module == "__future__", ast.dump(stmt)
            continue
        assert isinstance(stmt, (ast.Assign, ast.AnnAssign)), f"line {stmt.lineno}: only constants belong here"
    public = {n for n in vars(hostnames) if n.isupper() and not n.startswith("_")}
    assert set(hostnames.__all__) == public
    assert list(hostnames.__all__) == sorted(hostnames.__all__)


def test_endpoints_and_audiences_are_built_from_the_hosts() -> None:
    h = hostnames
    assert h.ARM_ENDPOINT == h.ARM_RESOURCE_NO_SLASH == f"https://{h.ARM_HOST}"
    assert h.ARM_RESOURCE == f"https://{h.ARM_HOST}/"
    assert h.ARM_CLASSIC_RESOURCE == h.ARM_CLASSIC_RESOURCE_NO_SLASH + "/"
    assert h.LOGIN_AUTHORITY == f"https://{h.LOGIN_HOST}"
    assert h.LOGIN_JWKS_URL_TEMPLATE == h.LOGIN_AUTHORITY + "/{tenant}/discovery/keys"
    assert h.LOGIN_V2_ISSUER_TEMPLATE == h.LOGIN_AUTHORITY + "/{tenant}/v2.0"
    assert h.STS_ISSUER_TEMPLATE == f"https://{h.STS_HOST}/{{tenant}}/"
    assert h.GRAPH_ENDPOINT == f"https://{h.GRAPH_HOST}"
    assert h.GRAPH_RESOURCE == h.GRAPH_ENDPOINT + "/"
    assert h.GRAPH_V1_ENDPOINT == h.GRAPH_ENDPOINT + "/v1.0"
    assert h.GRAPH_USERINFO_URL == h.GRAPH_ENDPOINT + "/oidc/userinfo"
    assert h.AAD_GRAPH_RESOURCE == f"https://{h.AAD_GRAPH_HOST}/"
    assert h.IMDS_TOKEN_URL == f"http://{h.IMDS_HOST}/metadata/identity/oauth2/token"
    assert h.MSI_EXTENSION_TOKEN_URL == f"http://localhost:{h.MSI_EXTENSION_PORT}/oauth2/token"
    assert h.APP_SERVICE_IDENTITY_ENDPOINT == f"http://{h.APP_SERVICE_HOST}:{h.APP_SERVICE_PORT}/MSI/token"
    assert h.KEY_VAULT_URI_TEMPLATE == "https://{name}" + h.KEY_VAULT_HOST_SUFFIX + "/"
    assert h.KEY_VAULT_RESOURCE == "https://" + h.KEY_VAULT_HOST_SUFFIX.lstrip(".")
    # audiences keep Azure's exact strings: these two differ by the trailing slash
    assert not h.KEY_VAULT_RESOURCE.endswith("/") and h.DATA_LAKE_RESOURCE.endswith("/")
    # every host the check looks for is one of the constants (or the suffix/audience of one)
    spelled = " ".join(str(v) for k, v in vars(h).items() if k.isupper())
    assert [host for host in HOSTS if host not in spelled] == []
