"""The generic cmdlets (Write-*, Select-Object, Where-Object, ConvertTo-Json, Get-Help, files, ...).

``register_builtins(registry)`` adds every one of them, with PowerShell's standard aliases (each class's
``aliases``). Engine hooks the cmdlets use when the context has them (all optional, found with ``getattr``):
``registry`` (Get-Command/Get-Help/Get-Alias), ``list_variables()``/``has_variable(name)``/
``remove_variable(name)``, ``execute_text(text)`` (Invoke-Expression), ``check_interrupt()`` (Start-Sleep),
``clear_screen()``, ``read_host(prompt, secure)``, ``prompt_credential(user, message)``, ``now()`` (Get-Date),
``console_width``, ``write_information(obj)``, ``write_debug(text)``, ``invoke_method(obj, name, args)``.
"""

from __future__ import annotations

from azshell.lang.cmdlet import Cmdlet, CommandRegistry


def builtin_commands() -> list[type[Cmdlet]]:
    from azshell.lang.builtins import data, files, info, objects, output, progress

    return [*output.COMMANDS, *progress.COMMANDS, *objects.COMMANDS, *data.COMMANDS, *files.COMMANDS,
            *info.COMMANDS]


def register_builtins(registry: CommandRegistry) -> None:
    """Register every generic cmdlet and its aliases, and their output types' views (``registry.views``)."""
    from azshell.lang.builtins import data, files, info, objects

    for cls in builtin_commands():
        registry.register(cls)
    for mod in (objects, data, files, info):
        mod.register_views(registry.views)


__all__ = ["builtin_commands", "register_builtins"]
