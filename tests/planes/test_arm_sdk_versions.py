"""The catalogue against the api-versions the installed management SDKs send by default (issue 15).

Each SDK's request builders (``build_<group>_<operation>_request``) carry an operation's default api-version and
URL template; for every operation whose URL lands on a type azshell serves, the version must be one ARM accepts
here (``azshell.planes._shared.api_version_accepted``: listed, or dated after the newest listed and no later
than a year from today). CI installs the newest SDK releases (pyproject's ``test`` extras), so a release whose
default azshell would refuse fails here, naming the operation. A multi-api SDK (msi, authorization) is read in
its default version's folder.
"""

from __future__ import annotations

import importlib
import re
import time
from pathlib import Path
from types import ModuleType

import pytest

from azshell.planes._shared import api_version_accepted
from azshell.planes.catalog import ApiVersionSpec, Catalog
from azshell.services.authorization.catalog import ROLE_ASSIGNMENTS_VERSIONS, ROLE_DEFINITIONS_VERSIONS
from azshell.services.registry import default_registry
from azshell.services.resources.catalog import (
    PROVIDERS_VERSIONS,
    RESOURCE_GROUPS_VERSIONS,
    RESOURCES_LIST_VERSIONS,
    SUBSCRIPTIONS_VERSIONS,
)
from tests.conftest import require_module

_BUILDER = re.compile(r"^def (build_\w+_request)\(", re.MULTILINE)
_VERSION = re.compile(r'"api-version",\s*"(\d{4}-\d{2}-\d{2}(?:-preview)?)"', re.IGNORECASE)
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_MULTI_API_FOLDER = re.compile(r"^v\d{4}_\d{2}_\d{2}(_preview)?$")

#: (module, client class with DEFAULT_API_VERSION for a multi-api SDK, or None)
SDKS = (
    ("azure.mgmt.compute", None),
    ("azure.mgmt.keyvault", None),
    ("azure.mgmt.resource.resources", None),
    ("azure.mgmt.msi", "ManagedServiceIdentityClient"),
    ("azure.mgmt.authorization", "AuthorizationManagementClient"),
)
#: Operations each SDK must have been seen to send (so the scan cannot pass by finding nothing).
MUST_SEE = {
    "azure.mgmt.compute": ("build_virtual_machines_get_request", "build_virtual_machines_instance_view_request"),
    "azure.mgmt.keyvault": ("build_vaults_get_request", "build_vaults_check_name_availability_request"),
    "azure.mgmt.resource.resources": ("build_resource_groups_get_request", "build_providers_get_request",
                                      "build_resources_list_request"),
    "azure.mgmt.msi": ("build_get_by_scope_request", "build_get_request"),
    "azure.mgmt.authorization": ("build_list_for_scope_request",),
}


def _sources(module: ModuleType, client: str | None) -> list[Path]:
    root = Path(module.__file__ or "").parent
    default_folder = None
    if client is not None:
        version = str(getattr(module, client).DEFAULT_API_VERSION)
        default_folder = "v" + version.replace("-", "_").lower()
    out = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).parts
        if "aio" in rel:
            continue
        folders = [p for p in rel[:-1] if _MULTI_API_FOLDER.match(p)]
        if folders and folders[0] != default_folder:
            continue
        out.append(path)
    return out


def _builders(text: str) -> list[tuple[str, str, str]]:
    """(builder name, URL template, default api-version) of every request builder in ``text``."""
    found = []
    starts = [(m.start(), m.group(1)) for m in _BUILDER.finditer(text)]
    for i, (start, name) in enumerate(starts):
        block = text[start:starts[i + 1][0] if i + 1 < len(starts) else len(text)]
        version = _VERSION.search(block)
        url_at = block.find("_url")
        if version is None or url_at < 0:
            continue
        url_end = block.find("path_format_arguments", url_at)
        literals = [s for s in _STRING.findall(block[url_at:url_end if url_end > 0 else None])
                    if s != "template_url"]
        template = "".join(literals)
        if template.startswith("/"):
            found.append((name, template, version.group(1)))
    return found


def _spec_for(catalog: Catalog, template: str) -> ApiVersionSpec | None:
    """The api-version spec azshell applies to a URL template; None for what azshell does not serve."""
    segs = [s for s in template.split("?")[0].split("/") if s]
    literal = [s.lower() for s in segs]
    provider_at = [i for i, s in enumerate(literal) if s == "providers" and i + 1 < len(segs)
                   and not segs[i + 1].startswith("{")]
    if not provider_at:
        if literal[-1:] == ["providers"] or (len(literal) >= 2 and literal[-2] == "providers"):
            return PROVIDERS_VERSIONS
        if "resources" in literal:
            return RESOURCES_LIST_VERSIONS
        if "resourcegroups" in literal:
            return RESOURCE_GROUPS_VERSIONS
        if literal[:1] == ["subscriptions"] and len(literal) <= 2:
            return SUBSCRIPTIONS_VERSIONS
        return None
    i = provider_at[-1]
    namespace, rest = segs[i + 1], segs[i + 2:]
    types = []
    for j in range(0, len(rest), 2):
        if rest[j].startswith("{"):
            break
        types.append(rest[j])
    if not types:
        return PROVIDERS_VERSIONS if literal[:1] == ["subscriptions"] and i == 2 else None
    if namespace.lower() == "microsoft.authorization":
        if types[0].lower() == "roleassignments":
            return ROLE_ASSIGNMENTS_VERSIONS
        if types[0].lower() == "roledefinitions":
            return ROLE_DEFINITIONS_VERSIONS
        return None
    if len(types) == 1 and len(rest) == 1 and i == 2:  # /subscriptions/{s}/providers/{ns}/{action}
        if types[0].lower() in ("register", "unregister"):
            return PROVIDERS_VERSIONS
        if types[0].lower() == "checknameavailability":  # answered with the namespace's first type's versions
            first = next((t for t in catalog.types if t.namespace.lower() == namespace.lower()), None)
            return first.api if first is not None else None
    while types:
        rtype = catalog.find_type(f"{namespace}/{'/'.join(types)}")
        if rtype is not None:
            return rtype.api
        types = types[:-1]  # a resource action or view (instanceView) is versioned like its resource
    return None


@pytest.mark.parametrize(("module_name", "client"), SDKS)
def test_installed_sdk_defaults_are_accepted(module_name: str, client: str | None) -> None:
    module = require_module(module_name)
    catalog = default_registry().catalog()
    now = time.time()
    seen: set[str] = set()
    refused = []
    for path in _sources(module, client):
        for name, template, version in _builders(path.read_text(encoding="utf-8")):
            spec = _spec_for(catalog, template)
            if spec is None:
                continue
            seen.add(name)
            if not api_version_accepted(spec, version, now=now):
                refused.append(f"{name}: {template} api-version={version} (azshell lists {spec.versions[-3:]})")
    assert refused == [], "\n".join(refused)
    missing = [n for n in MUST_SEE[module_name] if n not in seen]
    assert missing == [], f"{module_name}: no request builder {missing} found (SDK layout changed?)"


def test_the_catalogue_lists_the_defaults_it_was_written_for() -> None:
    """The versions of the SDK releases this catalogue was updated for are listed, not merely accepted."""
    catalog = default_registry().catalog()
    expect = {
        "Microsoft.Compute/virtualMachines": "2026-04-01",  # azure-mgmt-compute 39
        "Microsoft.Compute/virtualMachines/extensions": "2026-04-01",
        "Microsoft.Compute/disks": "2026-03-02",
        "Microsoft.KeyVault/vaults": "2026-05-15",  # azure-mgmt-keyvault 14.1
        "Microsoft.ManagedIdentity/userAssignedIdentities": "2024-11-30",  # azure-mgmt-msi 7.1
        "Microsoft.ManagedIdentity/identities": "2024-11-30",
    }
    for full_type, version in expect.items():
        rtype = catalog.find_type(full_type)
        assert rtype is not None and rtype.api.accepts(version), full_type
    assert RESOURCE_GROUPS_VERSIONS.accepts("2025-04-01") and PROVIDERS_VERSIONS.accepts("2025-04-01")
    assert RESOURCES_LIST_VERSIONS.accepts("2015-11-01")  # Key Vault's vaults.list()
    assert ROLE_ASSIGNMENTS_VERSIONS.accepts("2022-04-01") and ROLE_DEFINITIONS_VERSIONS.accepts("2022-04-01")


def test_the_scan_reads_the_builders() -> None:
    """The parser on a builder of the shape the generators write (multi-line URL, template_url)."""
    text = '''
def build_things_get_request(name: str, **kwargs: Any) -> HttpRequest:
    api_version: str = kwargs.pop("api_version", _params.pop("api-version", "2030-01-01"))
    _url = (
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute"
        "/virtualMachines/{vmName}/instanceView"
    )
    path_format_arguments = {}


def build_other_request(**kwargs: Any) -> HttpRequest:
    api_version: str = kwargs.pop("api_version", _params.pop("api-version", "2024-11-30"))
    _url = kwargs.pop("template_url", "/{scope}/providers/Microsoft.ManagedIdentity/identities/default")
    path_format_arguments = {}
'''
    found = _builders(text)
    assert found == [
        ("build_things_get_request", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/"
         "Microsoft.Compute/virtualMachines/{vmName}/instanceView", "2030-01-01"),
        ("build_other_request", "/{scope}/providers/Microsoft.ManagedIdentity/identities/default", "2024-11-30"),
    ]
    catalog = default_registry().catalog()
    vm = catalog.find_type("Microsoft.Compute/virtualMachines")
    assert vm is not None and _spec_for(catalog, found[0][1]) is vm.api
    assert _spec_for(catalog, "/subscriptions/{s}/providers/Microsoft.Batch/batchAccounts") is None


def test_module_import_helper() -> None:
    assert importlib.import_module("azshell.planes._shared").api_version_accepted is api_version_accepted
