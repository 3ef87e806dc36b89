"""Every Azure cmdlet is registered, documented with an example, and has its views."""

from __future__ import annotations

import pytest

from azshell.cmdlets import all_cmdlets, register_all
from azshell.lang.cmdlet import CommandRegistry
from azshell.services.registry import default_registry

ALL_CMDLETS = all_cmdlets(default_registry())


def _declared_views() -> list[tuple[str, str, tuple[str, ...]]]:
    """Every ViewSpec the core and service cmdlet modules declare (``VIEWS``)."""
    import importlib

    from azshell.cmdlets import CORE_MODULES
    from azshell.cmdlets.views import ViewSpec

    mods = [importlib.import_module(m) for m in CORE_MODULES] + default_registry().cmdlet_modules()
    return [(v.type_name, v.kind, v.properties) for m in mods for v in getattr(m, "VIEWS", ())
            if isinstance(v, ViewSpec)]


VIEWS = _declared_views()

AZURERM_ALIASES = {
    "Login-AzureRmAccount": "Connect-AzAccount",
    "Connect-AzureRmAccount": "Connect-AzAccount",
    "Login-AzAccount": "Connect-AzAccount",
    "Get-AzureRmVM": "Get-AzVM",
    "Update-AzureRmVM": "Update-AzVM",
    "New-AzureRmRoleAssignment": "New-AzRoleAssignment",
    "New-AzureRmResourceGroup": "New-AzResourceGroup",
    "iwr": "Invoke-WebRequest",
    "irm": "Invoke-RestMethod",
}


@pytest.mark.parametrize("cls", ALL_CMDLETS, ids=lambda c: c.name)
def test_cmdlet_is_documented(cls: type, registry: CommandRegistry) -> None:
    assert registry.resolve(cls.name) is cls
    assert cls.synopsis
    assert cls.examples and all(e.code for e in cls.examples)
    names = [p.name.casefold() for p in cls.params]
    assert len(names) == len(set(names)), "duplicate parameter names"


@pytest.mark.parametrize(("alias", "target"), sorted(AZURERM_ALIASES.items()))
def test_azurerm_aliases(alias: str, target: str, registry: CommandRegistry) -> None:
    cls = registry.resolve(alias)
    assert cls is not None and cls.name == target


#: State-changing cmdlets that do not take -WhatIf yet (they write at once; noted in issue 10's closing note).
WITHOUT_WHATIF_YET = {"New-AzRoleDefinition", "New-AzVirtualNetwork", "New-AzPublicIpAddress",
                      "New-AzNetworkSecurityGroup", "New-AzNetworkInterface"}
#: New-* cmdlets that compute a value on the client and change nothing (Az's take no -WhatIf either).
CLIENT_SIDE_ONLY = {"New-AzStorageContext", "New-AzStorageContainerSASToken", "New-AzStorageBlobSASToken",
                    "New-AzStorageAccountSASToken"}
#: The AzureAD module's cmdlets implement no ShouldProcess (the real New-AzureADGroup has no -WhatIf).
AZUREAD_MODULE = {"New-AzureADGroup"}


def test_state_changing_cmdlets_support_whatif() -> None:
    # New-Az*Config cmdlets build objects in memory (as Az's do) and change nothing.
    changing = {c.name for c in ALL_CMDLETS if c.name.split("-")[0] in ("New", "Remove", "Update", "Enable",
                                                                       "Disable")
                and not c.name.endswith("Config") and c.name not in WITHOUT_WHATIF_YET | CLIENT_SIDE_ONLY | AZUREAD_MODULE}
    for cls in ALL_CMDLETS:
        if cls.name in changing:
            assert cls.supports_should_process, cls.name


def test_views_registered(registry: CommandRegistry) -> None:
    from azshell.lang.values import PSObject

    assert len(VIEWS) >= 14
    for type_name, kind, props in VIEWS:
        view = registry.views.view_for(PSObject([], type_names=(type_name,)))
        assert view is not None and view.kind == kind
        assert [c.label for c in view.columns] == list(props)


def test_registries_do_not_share_views(registry: CommandRegistry) -> None:
    """Views belong to a registry: registering in one (as a session's loader does) leaves another unchanged."""
    from azshell.lang.values import PSObject

    type_name = VIEWS[0][0]
    obj = PSObject([], type_names=(type_name,))
    fresh = CommandRegistry()
    assert registry.views.view_for(obj) is not None
    assert fresh.views.view_for(obj) is None and len(fresh.views) == 0
    fresh.views.register("Test.OnlyHere", "list", ["Name"])
    assert fresh.views.view_for(PSObject([], type_names=("Test.OnlyHere",))) is not None
    assert registry.views.view_for(PSObject([], type_names=("Test.OnlyHere",))) is None
    other = CommandRegistry()
    register_all(other, default_registry())
    assert other.views is not registry.views and len(other.views) == len(registry.views)
    other.views.unregister(type_name)
    assert other.views.view_for(obj) is None and registry.views.view_for(obj) is not None


def test_completer_keys_are_known() -> None:
    from azshell.cmdlets.tutorials import COMPLETERS as TUTORIAL_COMPLETERS

    known = set(default_registry().completers()) | set(TUTORIAL_COMPLETERS)
    for cls in ALL_CMDLETS:
        for p in cls.params:
            if isinstance(p.completer, str):
                assert p.completer in known, (cls.name, p.name, p.completer)


#: As in Az, these have no default set: a bare call fails with "Parameter set cannot be resolved".
NO_DEFAULT_SET = {"New-AzRoleDefinition", "Set-AzRoleDefinition"}


@pytest.mark.parametrize("cls", ALL_CMDLETS, ids=lambda c: c.name)
def test_parameter_sets_have_a_default(cls: type) -> None:
    sets = {s for p in cls.params for s in p.parameter_sets}
    if len(sets) > 1 and cls.name not in NO_DEFAULT_SET:
        # Az's "EmptyParameterSet" is the set of the call with no arguments (Get-AzADUser lists every user).
        assert cls.default_parameter_set in sets | {"EmptyParameterSet"}, cls.name
