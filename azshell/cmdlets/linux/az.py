"""``az``: the az CLI inside the shell, over the same ARM, token and data-plane calls as the Az cmdlets.

Output is az's (JSON with sorted keys, ``-o tsv|table|json|jsonc|none``, ``--query`` JMESPath), one string per
line so ``$x = az vm show ... | ConvertFrom-Json`` works; errors are az's ``ERROR: ...`` lines with its exit codes
in ``$LASTEXITCODE`` (1 error, 2 usage, 3 not found). The account is the session's: off-host the admin user (as
in Cloud Shell); on a host nobody until ``az login --identity``, which asks the host's IMDS endpoint, as
``Connect-AzAccount -Identity`` does.

This module is the command itself: dispatch, help, output, errors and the helpers every group shares. The
command groups belong to the services (``azshell/services/<name>/az.py``, each an ``AZ_COMMANDS`` table of
``(path words) → (options, handler)``); ``Az`` reads the session's registry (``world.registry.az_commands()``),
so the groups load on the first ``az`` call and a new service adds its group without touching this file::

    AZ_COMMANDS: AzCommandTable = {
        ("thing", "show"): ((O_RG, O_NAME), cmd_thing_show),      # def cmd_thing_show(az: Az, a: ParsedArgs)
    }

A handler returns what az prints (before ``--query`` and ``-o``) or raises :class:`AzCliError`; a
``CmdletError`` from the ARM helpers becomes az's error text. Service-specific helpers (role lookups, VM reads)
come from the service's own cmdlet bases through :meth:`Az.helper`, which binds one to this call's context.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from azshell.cmdlets._azure import API_RESOURCE_GROUPS, USER_ASSIGNED_IDENTITY_TYPE
from azshell.cmdlets._base import AzCmdlet, AzureRestError, access_hints
from azshell.cmdlets.context import NotSignedInError, TokenAcquisitionError
from azshell.cmdlets.linux._native import NativeCommand
from azshell.cmdlets.linux.azcli import (
    EXIT_NOT_FOUND,
    EXIT_USAGE,
    AzCliError,
    OptSpec,
    ParsedArgs,
    format_output,
    parse_options,
    run_query,
)
from azshell.lang.cmdlet import CmdletError, Example

__all__ = [
    "AZ_VERSION",
    "CORE_COMMANDS",
    "O_LOCATION",
    "O_NAME",
    "O_RG",
    "O_TAGS",
    "PLEASE_LOGIN",
    "SYSTEM_IDENTITY",
    "Az",
    "AzCommand",
    "AzCommandTable",
    "Handler",
    "flatten",
    "parse_tags",
]

AZ_VERSION = "2.67.0"
PLEASE_LOGIN = "Please run 'az login' to setup account."
#: ``--assign-identity [system]`` / ``--identities [system]``: the system-assigned identity in az's syntax
SYSTEM_IDENTITY = "[system]"

#: options several groups share
O_RG = OptSpec(("--resource-group", "-g"), "rg", required=True)
O_NAME = OptSpec(("--name", "-n"), "name", required=True)
O_LOCATION = OptSpec(("--location", "-l"), "location")
O_TAGS = OptSpec(("--tags",), "tags", "*")


def _rg_of(resource_id: str) -> str | None:
    parts = resource_id.strip("/").split("/")
    if len(parts) > 3 and parts[2].casefold() == "resourcegroups":
        return parts[3]
    return None


def flatten(data: Any) -> dict[str, Any]:
    """az's view of an ARM resource: ``properties`` lifted to the top, plus ``resourceGroup``."""
    if not isinstance(data, dict):
        return {}
    out = {k: v for k, v in data.items() if k != "properties"}
    props = data.get("properties")
    if isinstance(props, dict):
        for k, v in props.items():
            out.setdefault(k, v)
    rg = _rg_of(str(data.get("id", "")))
    if rg is not None:
        out["resourceGroup"] = rg
    out.setdefault("tags", None)
    return out


def parse_tags(values: list[str] | None) -> dict[str, str] | None:
    """``--tags a=1 b=2`` → ``{"a": "1", "b": "2"}`` (None when the option was not given)."""
    if values is None:
        return None
    out: dict[str, str] = {}
    for v in values:
        k, _, val = v.partition("=")
        out[k] = val
    return out


Handler = Callable[["Az", ParsedArgs], Any]
#: one command: its options and its handler
AzCommand = tuple[tuple[OptSpec, ...], Handler]
#: a command group table: ``("vm", "identity", "assign") → (options, handler)``
AzCommandTable = dict[tuple[str, ...], AzCommand]
_C = TypeVar("_C", bound=AzCmdlet)


class Az(NativeCommand, AzCmdlet):
    name = "az"
    synopsis = "The Azure CLI (the commands of the managed-identity tutorials), answered by the emulated Azure."
    description = (
        "az login [--identity [--username ID]], account show/get-access-token, group create/show/list/delete, "
        "vm create/show/list/update/identity assign|remove|show/assign-identity/extension delete, identity "
        "create/show/list/delete, role assignment create/list/delete, appservice plan create, webapp create/"
        "identity assign|show, keyvault create/show/secret set|show. Global options: --output/-o "
        "json|jsonc|table|tsv|none, --query (JMESPath), --only-show-errors, --debug. Output is az's JSON text "
        "(pipe it to ConvertFrom-Json); errors set $LASTEXITCODE (1 error, 2 usage, 3 not found)."
    )
    outputs = ("System.String",)
    _helpers: dict[type[AzCmdlet], AzCmdlet] | None = None
    examples = (
        Example("az group create --name myResourceGroup --location westus", "Creates a resource group."),
        Example("az vm create --resource-group myResourceGroup --name myVM --image win2016datacenter "
                "--generate-ssh-keys --assign-identity --admin-username azureuser --admin-password myPassword12",
                "A VM with a system-assigned identity."),
        Example("$token = az account get-access-token --query accessToken -o tsv", "An ARM token as text."),
    )

    def process(self) -> None:
        args = self.arguments()
        try:
            code = self._run(args)
        except AzCliError as e:
            text = e.message if e.raw else f"ERROR: {e.message}"
            self.stderr(text, error=True)
            code = e.code
        self.set_exit_code(code)

    # ------------------------------------------------------------------------------------------ dispatch
    def commands(self) -> AzCommandTable:
        """Every command: ``az version`` and each service's group (from the session's registry)."""
        table: AzCommandTable = dict(CORE_COMMANDS)
        table.update(self.services.world.registry.az_commands())
        return table

    def _run(self, args: list[str]) -> int:
        commands = self.commands()
        if not args or args[0] in ("-h", "--help"):
            self.stdout(_group_help(commands, ()))
            return 0
        if args[0] == "--version":
            self.stdout(VERSION_TEXT)
            return 0
        path: list[str] = []
        i = 0
        while i < len(args) and not args[i].startswith("-"):
            candidate = (*path, args[i])
            if candidate in commands or any(k[:len(candidate)] == candidate for k in commands):
                path.append(args[i])
                i += 1
                continue
            group = " ".join(["az", *path])
            raise AzCliError(f"{group}: '{args[i]}' is not in the '{group}' command group. See '{group} --help'.",
                             EXIT_USAGE, raw=True)
        key = tuple(path)
        if key not in commands:
            self.stdout(_group_help(commands, key))
            return 0 if any(a in ("-h", "--help") for a in args[i:]) or not args[i:] else EXIT_USAGE
        specs, handler = commands[key]
        parsed = parse_options(args[i:], specs)
        if parsed.get("help"):
            self.stdout(_command_help(key, specs))
            return 0
        result = self._call(handler, parsed)
        query = parsed.get("query")
        if query:
            result = run_query(str(query), result)
        fmt = str(parsed.get("output") or "json")
        if fmt.startswith("yaml"):
            self.stderr("WARNING: azshell prints YAML output as JSON.")
            fmt = "json"
        if result is not None:
            self.stdout(format_output(result, fmt))
        return 0

    def _call(self, handler: Handler, parsed: ParsedArgs) -> Any:
        try:
            return handler(self, parsed)
        except CmdletError as e:
            raise self._az_error(e) from None
        except NotSignedInError:
            raise AzCliError(PLEASE_LOGIN) from None
        except TokenAcquisitionError as e:
            raise AzCliError(e.message + (f"\nHint: {e.hint}" if e.hint else "")) from None

    def _az_error(self, e: CmdletError) -> AzCliError:
        exc = e.exception
        if isinstance(exc, AzureRestError):
            if exc.code == "NotLoggedIn":
                return AzCliError(PLEASE_LOGIN)
            if exc.status_code == 0 or not exc.code:
                return AzCliError(e.message)
            text = f"({exc.code}) {exc.error_message}\nCode: {exc.code}\nMessage: {exc.error_message}"
            # a 401/403 ends with the lines of the decision the plane attached to its answer (never the text)
            if isinstance(exc.response, httpx.Response):
                hints = access_hints(exc.response, ctx=self.ctx)
                if hints:
                    text += "\n" + "\n".join(hints)
            code = EXIT_NOT_FOUND if exc.status_code == 404 else 1
            return AzCliError(text, code)
        if e.message.startswith("Run Connect-AzAccount"):
            return AzCliError(PLEASE_LOGIN)
        return AzCliError(e.message, EXIT_NOT_FOUND if e.category == "ObjectNotFound" else 1)

    # ---------------------------------------------------------------------------------------- helpers
    def helper(self, cls: type[_C]) -> _C:
        """A ``cls`` (a service's cmdlet base, such as its role or VM lookups) on this call's context: one per
        class per ``az`` call, so what it caches (role definitions) lasts the call, as it would on a cmdlet."""
        if self._helpers is None:
            self._helpers = {}
        found = self._helpers.get(cls)
        if not isinstance(found, cls):
            found = cls(self.ctx, {})
            self._helpers[cls] = found
        return found

    @property
    def sub(self) -> str:
        return self.subscription_id

    def rg_path(self, rg: str) -> str:
        return f"/subscriptions/{self.sub}/resourceGroups/{rg}"

    def require_group(self, rg: str) -> dict[str, Any]:
        group = self.arm_get(self.rg_path(rg), API_RESOURCE_GROUPS, allow_404=True)
        if not isinstance(group, dict):
            raise AzCliError(f"(ResourceGroupNotFound) Resource group '{rg}' could not be found.\n"
                             f"Code: ResourceGroupNotFound\nMessage: Resource group '{rg}' could not be found.",
                             EXIT_NOT_FOUND)
        return group

    def uai_id(self, rg: str, name_or_id: str) -> str:
        """A user-assigned identity's resource ID from a name in ``rg`` (or the ID itself)."""
        if name_or_id.startswith("/"):
            return name_or_id
        return f"{self.rg_path(rg)}/providers/{USER_ASSIGNED_IDENTITY_TYPE}/{name_or_id}"


def cmd_version(az: Az, a: ParsedArgs) -> Any:
    return {"azure-cli": AZ_VERSION, "azure-cli-core": AZ_VERSION, "azure-cli-telemetry": "1.1.0", "extensions": {}}


#: the commands of no service
CORE_COMMANDS: AzCommandTable = {
    ("version",): ((), cmd_version),
}

VERSION_TEXT = f"""azure-cli                         {AZ_VERSION}

core                              {AZ_VERSION}
telemetry                          1.1.0

Dependencies:
msal                              1.31.0
azure-mgmt-resource               23.1.1

Python location '/usr/bin/python3'
Extensions directory '/home/azureuser/.azure/cliextensions'

Python (Linux) 3.11.9

Legal docs and information: aka.ms/AzureCliLegal


Your CLI is up-to-date.
"""


def _group_help(commands: AzCommandTable, path: tuple[str, ...]) -> str:
    prefix = " ".join(["az", *path])
    children = sorted({k[len(path)] for k in commands if k[:len(path)] == path and len(k) > len(path)})
    lines = ["", "Group", f"    {prefix}", "", "Subgroups and commands:" if path else "Commands:"]
    lines += [f"    {c}" for c in children]
    lines += ["", "(azshell: the az commands of the managed-identity tutorials; global options --output/-o, "
              "--query, --only-show-errors, --debug)", ""]
    return "\n".join(lines)


def _command_help(path: tuple[str, ...], specs: tuple[OptSpec, ...]) -> str:
    lines = ["", "Command", f"    az {' '.join(path)}", "", "Arguments"]
    for s in specs:
        lines.append(f"    {s.label:<30}{' [Required]' if s.required else ''}")
    lines += ["", "Global Arguments", "    --output -o", "    --query", "    --only-show-errors", "    --debug", ""]
    return "\n".join(lines)
