"""Discovery cmdlets: Get-Help, Get-Command, Get-Alias, modules, Clear-Host."""

from __future__ import annotations

from typing import Any

from azshell.lang.builtins._util import CORE, Builtin, as_list, wants
from azshell.lang.cmdlet import Cmdlet, CmdletError, CommandRegistry, Example, Param
from azshell.lang.conversions import has_wildcards, to_string, wildcard_to_regex
from azshell.lang.formatting import FormattedText, ViewTable
from azshell.lang.help import render_help, syntax_lines
from azshell.lang.values import PSObject

CMDLET_INFO = "System.Management.Automation.CmdletInfo"
ALIAS_INFO = "System.Management.Automation.AliasInfo"
MODULE_INFO = "System.Management.Automation.PSModuleInfo"
HELP_INFO = "HelpInfoShort"
VERSION = "7.4.0.0"

#: modules that "load" without doing anything: every command is built in
BUILTIN_MODULES = ("Az", "Az.*", "AzureRM*", "PowerShellGet", "PackageManagement", "Microsoft.PowerShell.*",
                   "PSReadLine", "ThreadJob")


def registry_of(ctx: Any) -> CommandRegistry:
    reg = wants(ctx, "registry")
    if isinstance(reg, CommandRegistry):
        return reg
    raise CmdletError("The command registry is not available in this context.", category="NotImplemented")


def module_of(cls: type[Cmdlet]) -> str:
    mod = getattr(cls, "module", None)
    if isinstance(mod, str) and mod:
        return mod
    if cls.__module__.startswith("azshell.cmdlets"):
        return "Az"
    return ""


def _command_object(cls: type[Cmdlet]) -> PSObject:
    o = PSObject(type_names=(CMDLET_INFO,))
    o.set("CommandType", "Cmdlet")
    o.set("Name", cls.name)
    o.set("Version", VERSION)
    o.set("Source", module_of(cls))
    verb, _, noun = cls.name.partition("-")
    o.set("Verb", verb)
    o.set("Noun", noun)
    o.set("Definition", "\n".join(syntax_lines(cls)))
    o.set("ParameterSets", syntax_lines(cls))
    return o


def _alias_object(alias: str, target: str, source: str = "") -> PSObject:
    o = PSObject(type_names=(ALIAS_INFO,))
    o.set("CommandType", "Alias")
    o.set("Name", alias)
    o.set("DisplayName", f"{alias} -> {target}")
    o.set("Definition", target)
    o.set("ReferencedCommand", target)
    o.set("Version", "")
    o.set("Source", source)
    return o


class GetHelp(Builtin):
    name = "Get-Help"
    aliases = ("help", "man")
    module = CORE
    synopsis = "Displays information about PowerShell commands and concepts."
    description = ("Shows the help of a command: synopsis, syntax generated from its parameters, description, "
                   "and with -Examples, -Detailed, -Full or -Parameter more detail.")
    params = (
        Param("Name", "string", position=0, help="The command to get help for (wildcards list matches)."),
        Param("Full", "switch", help="Displays the entire help article."),
        Param("Detailed", "switch", help="Adds parameter descriptions and examples."),
        Param("Examples", "switch", help="Displays only the name, synopsis, and examples."),
        Param("Parameter", "string", help="Displays only the detailed descriptions of the given parameter."),
        Param("Online", "switch"), Param("ShowWindow", "switch"), Param("Category", "string[]"),
    )
    examples = (Example("Get-Help Get-Command -Examples", "Shows the examples of Get-Command."),
                Example("Get-Help Select-Object -Parameter Property", "Describes one parameter."))

    def process(self) -> None:
        name = self.bound.get("Name")
        reg = registry_of(self.ctx)
        if name is None:
            self.write(FormattedText(_GENERAL_HELP))
            return
        name = to_string(name)
        cls = reg.resolve(name)
        if cls is None and has_wildcards(name):
            rx = wildcard_to_regex(name)
            rows = []
            for n in reg.names():
                c = reg.resolve(n)
                if c is not None and rx.match(n):
                    row = PSObject(type_names=(HELP_INFO,))
                    row.set("Name", c.name)
                    row.set("Category", "Cmdlet")
                    row.set("Module", module_of(c))
                    row.set("Synopsis", c.synopsis)
                    rows.append(row)
            if rows:
                for r in rows:
                    self.write(r)
                return
        if cls is None:
            raise CmdletError(
                f'Get-Help could not find {name} in a help file in this session. To download updated help topics '
                'type: "Update-Help". To get help online, search for the help topic in the TechNet library at '
                "https:/go.microsoft.com/fwlink/?LinkID=107116.", category="ResourceUnavailable",
                error_id="HelpNotFound,Microsoft.PowerShell.Commands.GetHelpCommand", target=name)
        param = self.bound.get("Parameter")
        if param is not None:
            text = render_help(cls, parameter=to_string(param))
            if not text:
                raise CmdletError(f"No parameter matches criteria {to_string(param)}.", category="InvalidArgument",
                                  error_id="NoParmsFound,Microsoft.PowerShell.Commands.GetHelpCommand",
                                  target=param)
        else:
            text = render_help(cls, full=bool(self.bound.get("Full")), examples=bool(self.bound.get("Examples")),
                               detailed=bool(self.bound.get("Detailed")))
        self.write(FormattedText(text))


_GENERAL_HELP = """
TOPIC
    azshell Help System

SHORT DESCRIPTION
    Displays help about the commands of azshell, a PowerShell-style shell over an emulated Azure tenant.

LONG DESCRIPTION
    Get-Help <command> shows what a command does and its syntax. Examples:

      Get-Help Get-Command            : Help about Get-Command.
      Get-Help Get-Command -Examples  : Its examples.
      Get-Help Get-Command -Full      : Everything, with each parameter.
      Get-Help *-AzVM                 : Commands whose names match.
      Get-Command -Noun AzVM          : Commands about VMs.

"""


class GetCommand(Builtin):
    name = "Get-Command"
    aliases = ("gcm",)
    module = CORE
    synopsis = "Gets all commands."
    description = "Lists cmdlets and aliases, filtered by name (wildcards), verb, noun or command type."
    params = (
        Param("Name", "string[]", position=0, value_from_pipeline=True, help="Command names (wildcards allowed)."),
        Param("Verb", "string[]", help="Commands with this verb."),
        Param("Noun", "string[]", help="Commands with this noun."),
        Param("CommandType", "string[]", aliases=("Type",), validate_set=(
            "Alias", "Function", "Filter", "Cmdlet", "ExternalScript", "Application", "Script", "Configuration",
            "All")),
        Param("Module", "string[]", aliases=("PSSnapin",)), Param("Syntax", "switch"),
        Param("ListImported", "switch"), Param("All", "switch"), Param("TotalCount", "int"),
    )
    examples = (Example("Get-Command -Verb Get -Noun *Az*", "Lists the Az Get commands."),
                Example("Get-Command Select-Object -Syntax", "Shows the syntax of Select-Object."))

    def process(self) -> None:
        reg = registry_of(self.ctx)
        names = [to_string(n) for n in as_list(self.bound.get("Name"))]
        verbs = [wildcard_to_regex(to_string(v)) for v in as_list(self.bound.get("Verb"))]
        nouns = [wildcard_to_regex(to_string(v)) for v in as_list(self.bound.get("Noun"))]
        mods = [wildcard_to_regex(to_string(v)) for v in as_list(self.bound.get("Module"))]
        types = {to_string(t).casefold() for t in as_list(self.bound.get("CommandType"))}
        want_cmdlets = not types or types & {"cmdlet", "all", "function"}
        want_alias = bool(types & {"alias", "all"}) or (bool(names) and not types)
        out: list[PSObject] = []
        classes = [c for c in (reg.resolve(n) for n in reg.names()) if c is not None]
        for n in names or ["*"]:
            rx = wildcard_to_regex(n)
            found = False
            if want_cmdlets:
                for c in classes:
                    verb, _, noun = c.name.partition("-")
                    if not rx.match(c.name):
                        continue
                    if verbs and not any(v.match(verb) for v in verbs):
                        continue
                    if nouns and not any(v.match(noun) for v in nouns):
                        continue
                    if mods and not any(m.match(module_of(c)) for m in mods):
                        continue
                    out.append(_command_object(c))
                    found = True
            if want_alias and not verbs and not nouns:
                for alias, target in sorted(reg.alias_map.items()):
                    if rx.match(alias) and (has_wildcards(n) or not found):
                        tc = reg.resolve(target)
                        shown = next((a for a in (tc.aliases if tc else ()) if a.casefold() == alias), alias)
                        out.append(_alias_object(shown, target, module_of(tc) if tc else ""))
                        found = True
            if not found and not has_wildcards(n):
                self.write_error(
                    f"The term '{n}' is not recognized as a name of a cmdlet, function, script file, or executable "
                    "program.\nCheck the spelling of the name, or if a path was included, verify that the path is "
                    "correct and try again.", category="ObjectNotFound",
                    error_id="CommandNotFoundException,Microsoft.PowerShell.Commands.GetCommandCommand", target=n)
        seen: set[tuple[str, str]] = set()
        total = self.bound.get("TotalCount")
        count = 0
        for o in out:
            key = (to_string(o.get("CommandType")), to_string(o.get("Name")).casefold())
            if key in seen:
                continue
            seen.add(key)
            if total is not None and count >= int(total):
                break
            count += 1
            if self.bound.get("Syntax"):
                if o.get("CommandType") == "Alias":
                    self.write(to_string(o.get("Name")) + " (alias) -> " + to_string(o.get("Definition")))
                else:
                    for line in as_list(o.get("ParameterSets")):
                        self.write(line)
            else:
                self.write(o)


class GetAlias(Builtin):
    name = "Get-Alias"
    aliases = ("gal",)
    module = CORE
    synopsis = "Gets the aliases for the current session."
    description = "Lists aliases by name (wildcards allowed) or by the command they stand for (-Definition)."
    params = (
        Param("Name", "string[]", position=0, value_from_pipeline=True, help="Alias names (wildcards allowed)."),
        Param("Definition", "string[]", help="Gets the aliases of these commands."),
        Param("Exclude", "string[]"), Param("Scope", "string"),
    )
    examples = (Example("Get-Alias -Definition Get-ChildItem", "Lists gci, ls and dir."),
                Example("Get-Alias g*", "Lists the aliases starting with g."))

    def process(self) -> None:
        reg = registry_of(self.ctx)
        names = [to_string(n) for n in as_list(self.bound.get("Name"))]
        defs = [wildcard_to_regex(to_string(d)) for d in as_list(self.bound.get("Definition"))]
        excl = [wildcard_to_regex(to_string(d)) for d in as_list(self.bound.get("Exclude"))]
        entries = []
        for alias, target in reg.alias_map.items():
            c = reg.resolve(target)
            shown = next((a for a in (c.aliases if c else ()) if a.casefold() == alias), alias)
            entries.append((shown, c.name if c else target, module_of(c) if c else ""))
        entries.sort(key=lambda e: e[0].casefold())
        if defs:
            for shown, target, src in entries:
                if any(d.match(target) for d in defs) and not any(x.match(shown) for x in excl):
                    self.write(_alias_object(shown, target, src))
            return
        for n in names or ["*"]:
            rx = wildcard_to_regex(n)
            hits = [e for e in entries if rx.match(e[0]) and not any(x.match(e[0]) for x in excl)]
            if not hits and not has_wildcards(n):
                self.write_error(f"This command cannot find a matching alias because an alias with the name '{n}' "
                                 "does not exist.", category="ObjectNotFound",
                                 error_id="ItemNotFoundException,Microsoft.PowerShell.Commands.GetAliasCommand",
                                 target=n)
            for shown, target, src in hits:
                self.write(_alias_object(shown, target, src))


class ClearHost(Builtin):
    name = "Clear-Host"
    aliases = ("cls", "clear")
    module = CORE
    synopsis = "Clears the display in the host program."
    description = "Clears the console screen (no effect where the host has no screen)."
    examples = (Example("Clear-Host", "Clears the screen."),)

    def process(self) -> None:
        clear = wants(self.ctx, "clear_screen")
        if callable(clear):
            clear()


def _builtin_module(name: str) -> bool:
    return any(wildcard_to_regex(p).match(name) for p in BUILTIN_MODULES)


def _module_object(name: str, version: str = "12.0.0") -> PSObject:
    o = PSObject(type_names=(MODULE_INFO,))
    o.set("ModuleType", "Script")
    o.set("Version", version)
    o.set("PreRelease", "")
    o.set("Name", name)
    o.set("ExportedCommands", [])
    return o


KNOWN_MODULES = ("Az.Accounts", "Az.Compute", "Az.KeyVault", "Az.ManagedServiceIdentity", "Az.Resources",
                 "Az.Websites", "Az.Functions", "Az.DataLakeStore", "Az.Storage", "Az.Network",
                 "Microsoft.PowerShell.Management", "Microsoft.PowerShell.Utility", "Microsoft.PowerShell.Security")


class ImportModule(Builtin):
    name = "Import-Module"
    aliases = ("ipmo",)
    module = CORE
    synopsis = "Adds modules to the current session."
    description = "Az modules and PowerShell's own modules are built in: importing them succeeds and does nothing."
    params = (
        Param("Name", "string[]", mandatory=True, position=0, value_from_pipeline=True,
              help="The names of the modules to import."),
        Param("Force", "switch"), Param("PassThru", "switch"), Param("RequiredVersion", "string"),
        Param("MinimumVersion", "string"), Param("Global", "switch"), Param("Scope", "string"),
        Param("DisableNameChecking", "switch"),
    )
    examples = (Example("Import-Module Az.Accounts", "Imports the Az.Accounts module (already built in)."),)

    def process(self) -> None:
        for raw in as_list(self.bound.get("Name")):
            n = to_string(raw)
            if not _builtin_module(n):
                self.write_error(f"The specified module '{n}' was not loaded because no valid module file was found "
                                 "in any module directory.", category="ResourceUnavailable",
                                 error_id="Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand",
                                 target=n)
            elif self.bound.get("PassThru"):
                self.write(_module_object(n))


class InstallModule(Builtin):
    name = "Install-Module"
    module = "PowerShellGet"
    synopsis = "Downloads one or more modules from a repository, and installs them on the local computer."
    description = "Az modules are built in: installing them succeeds and does nothing. Nothing is downloaded."
    params = (
        Param("Name", "string[]", mandatory=True, position=0, value_from_pipeline_by_property_name=True,
              help="The modules to install."),
        Param("Scope", "string", validate_set=("CurrentUser", "AllUsers")), Param("Force", "switch"),
        Param("AllowClobber", "switch"), Param("Repository", "string[]"), Param("RequiredVersion", "string"),
        Param("MinimumVersion", "string"), Param("AcceptLicense", "switch"), Param("SkipPublisherCheck", "switch"),
        Param("AllowPrerelease", "switch"), Param("PassThru", "switch"),
    )
    examples = (Example("Install-Module -Name Az -Scope CurrentUser -Repository PSGallery -Force",
                        "Installs Az (already built in)."),)

    def process(self) -> None:
        for raw in as_list(self.bound.get("Name")):
            n = to_string(raw)
            if not _builtin_module(n):
                self.write_error(f"No match was found for the specified search criteria and module name '{n}'. Try "
                                 "Get-PSRepository to see all available registered module repositories.",
                                 category="ObjectNotFound",
                                 error_id="NoMatchFoundForCriteria,Microsoft.PowerShell.PackageManagement.Cmdlets."
                                          "InstallPackage", target=n)


class GetModule(Builtin):
    name = "Get-Module"
    aliases = ("gmo",)
    module = CORE
    synopsis = "List the modules imported in the current session or that can be imported from the PSModulePath."
    description = "Lists the built-in modules (the Az modules and PowerShell's own)."
    params = (
        Param("Name", "string[]", position=0, value_from_pipeline=True, help="Module names (wildcards allowed)."),
        Param("ListAvailable", "switch"), Param("All", "switch"), Param("Refresh", "switch"),
    )
    examples = (Example("Get-Module -ListAvailable Az.*", "Lists the Az modules."),)

    def process(self) -> None:
        names = [wildcard_to_regex(to_string(n)) for n in as_list(self.bound.get("Name"))] or [wildcard_to_regex("*")]
        for m in KNOWN_MODULES:
            if any(r.match(m) for r in names):
                self.write(_module_object(m, VERSION[:5] if m.startswith("Microsoft") else "12.0.0"))


def register_views(views: ViewTable) -> None:
    """Add the default views of this module's output types to ``views`` (a registry's table)."""
    views.register(CMDLET_INFO, "table", ["CommandType", "Name", "Version", "Source"])
    views.register(ALIAS_INFO, "table",
                   ["CommandType", ("Name", lambda o: o.get("DisplayName")), "Version", "Source"])
    views.register(MODULE_INFO, "table", ["ModuleType", "Version", "PreRelease", "Name",
                                          ("ExportedCommands", lambda o: o.get("ExportedCommands"))])
    views.register(HELP_INFO, "table", ["Name", "Category", "Module", "Synopsis"])


COMMANDS: list[type[Builtin]] = [GetHelp, GetCommand, GetAlias, ClearHost, ImportModule, InstallModule, GetModule]
