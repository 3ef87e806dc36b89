"""Get-Help text for a cmdlet class, in PowerShell's layout, with SYNTAX generated from its Param specs."""

from __future__ import annotations

import textwrap

from azshell.lang.cmdlet import ALL_PARAMETER_SETS, Cmdlet, Param

_TYPE_NAMES = {
    "string": "String", "int": "Int32", "long": "Int64", "double": "Double", "bool": "Boolean",
    "switch": "SwitchParameter", "object": "Object", "hashtable": "Hashtable", "scriptblock": "ScriptBlock",
    "securestring": "SecureString", "datetime": "DateTime", "pscredential": "PSCredential", "guid": "Guid",
    "uri": "Uri", "psobject": "PSObject", "char": "Char", "byte": "Byte", "timespan": "TimeSpan",
}

COMMON_PARAMETERS_TEXT = (
    "This cmdlet supports the common parameters: Verbose, Debug,\n"
    "ErrorAction, ErrorVariable, WarningAction, WarningVariable,\n"
    "OutBuffer, PipelineVariable, and OutVariable. For more information, see\n"
    "about_CommonParameters (https://go.microsoft.com/fwlink/?LinkID=113216)."
)


def type_display(type_name: str) -> str:
    """``string[]`` → ``String[]``, ``int`` → ``Int32``."""
    base = type_name[:-2] if type_name.endswith("[]") else type_name
    shown = _TYPE_NAMES.get(base.casefold(), base[:1].upper() + base[1:])
    return shown + ("[]" if type_name.endswith("[]") else "")


def parameter_sets(cls: type[Cmdlet]) -> list[str]:
    """The cmdlet's parameter set names, the default one first (``__AllParameterSets`` when there are none)."""
    names: list[str] = []
    for p in cls.params:
        for s in p.parameter_sets:
            if s != ALL_PARAMETER_SETS and s not in names:
                names.append(s)
    if not names:
        return [ALL_PARAMETER_SETS]
    default = cls.default_parameter_set
    if default in names:
        names.remove(default)
        names.insert(0, default)
    return names


def _in_set(p: Param, set_name: str) -> bool:
    return not p.parameter_sets or set_name in p.parameter_sets or ALL_PARAMETER_SETS in p.parameter_sets


def _value_text(p: Param) -> str:
    if p.validate_set:
        return "{" + " | ".join(p.validate_set) + "}"
    return f"<{type_display(p.type)}>"


def _syntax_item(p: Param) -> str:
    if p.is_switch:
        return f"-{p.name}" if p.mandatory else f"[-{p.name}]"
    name = f"[-{p.name}]" if p.position is not None else f"-{p.name}"
    item = f"{name} {_value_text(p)}"
    return item if p.mandatory else f"[{item}]"


def syntax_items(cls: type[Cmdlet]) -> list[list[str]]:
    """Per parameter set, the words of its SYNTAX line: the command name, then one item per parameter
    (``[[-Name] <String>]``), ``[-WhatIf]``/``[-Confirm]`` and ``[<CommonParameters>]``."""
    out = []
    for set_name in parameter_sets(cls):
        ps = [p for p in cls.params if _in_set(p, set_name)]
        positional = sorted((p for p in ps if p.position is not None), key=lambda p: p.position or 0)
        named = [p for p in ps if p.position is None]
        ordered = positional + [p for p in named if p.mandatory] + [p for p in named if not p.mandatory]
        parts = [cls.name] + [_syntax_item(p) for p in ordered]
        if cls.supports_should_process:
            parts += ["[-WhatIf]", "[-Confirm]"]
        parts.append("[<CommonParameters>]")
        out.append(parts)
    return out


def syntax_lines(cls: type[Cmdlet]) -> list[str]:
    """One ``Verb-Noun [-Param] <Type> ... [<CommonParameters>]`` line per parameter set."""
    return [" ".join(parts) for parts in syntax_items(cls)]


def wrap_syntax(parts: list[str], indent: int = 4, width: int = 120) -> list[str]:
    """One SYNTAX line wrapped between parameters (never inside ``[[-Name] <String>]``); continuation lines
    are indented under the first parameter."""
    pad = " " * indent
    cont = " " * (indent + len(parts[0]) + 1) if indent + len(parts[0]) + 1 <= width // 2 else " " * (indent + 4)
    lines: list[str] = []
    line = pad + parts[0]
    for item in parts[1:]:
        if len(line) + 1 + len(item) > width and line.strip() != parts[0]:
            lines.append(line)
            line = cont + item
        else:
            line += " " + item
    lines.append(line)
    return lines


def _wrap(text: str, indent: int, width: int = 100) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    for para in text.split("\n"):
        if not para.strip():
            out.append("")
            continue
        out.extend(textwrap.wrap(para, width=width - indent, initial_indent=pad, subsequent_indent=pad,
                                 break_long_words=False, break_on_hyphens=False) or [pad])
    return out


def _pipeline_text(p: Param) -> str:
    kinds = []
    if p.value_from_pipeline:
        kinds.append("ByValue")
    if p.value_from_pipeline_by_property_name:
        kinds.append("ByPropertyName")
    return f"true ({', '.join(kinds)})" if kinds else "false"


def parameter_block(p: Param) -> list[str]:
    """The PARAMETERS entry of one parameter (as -Full and -Parameter show it)."""
    head = f"    -{p.name}" if p.is_switch else f"    -{p.name} {_value_text(p)}"
    lines = [head]
    if p.help:
        lines.extend(_wrap(p.help, 8))
    lines.append("")
    default = "" if p.default is None else str(p.default)
    if p.is_switch and p.default is None:
        default = "False"
    rows = [
        ("Required?", "true" if p.mandatory else "false"),
        ("Position?", "named" if p.position is None else str(p.position)),
        ("Default value", default),
        ("Accept pipeline input?", _pipeline_text(p)),
        ("Aliases", ", ".join(p.aliases)),
        ("Accept wildcard characters?", "false"),
    ]
    for label, value in rows:
        lines.append(f"        {label:<28} {value}".rstrip())
    lines.append("")
    return lines


def _example_lines(cls: type[Cmdlet]) -> list[str]:
    lines: list[str] = []
    for i, ex in enumerate(cls.examples, 1):
        lines.append(f"    -------------------------- EXAMPLE {i} --------------------------")
        lines.append("")
        for k, code_line in enumerate(ex.code.split("\n")):
            lines.append(("    PS C:\\> " if k == 0 else "    ") + code_line)
        lines.append("")
        if ex.description:
            lines.extend(_wrap(ex.description, 4))
            lines.append("")
        lines.append("")
    return lines


def find_parameter(cls: type[Cmdlet], name: str) -> Param | None:
    key = name.lstrip("-").casefold()
    for p in cls.params:
        if p.name.casefold() == key or key in (a.casefold() for a in p.aliases):
            return p
    return None


def render_help(cls: type[Cmdlet], *, full: bool = False, examples: bool = False, parameter: str | None = None,
                detailed: bool = False, width: int = 120) -> str:
    """Get-Help text. ``parameter`` gives just that parameter's entry (``""`` when there is no such one).

    ``width``: SYNTAX lines wrap (between parameters) to fit it; a tooltip asks for a narrower one."""
    if parameter is not None:
        lines: list[str] = []
        import fnmatch

        for p in cls.params:
            if fnmatch.fnmatchcase(p.name.casefold(), parameter.lstrip("-").casefold()):
                lines.extend(parameter_block(p))
        return ("\n" + "\n".join(lines) + "\n") if lines else ""
    lines = ["", "NAME", f"    {cls.name}", "", "SYNOPSIS"]
    lines.extend(_wrap(cls.synopsis or cls.name, 4))
    lines.append("")
    if examples:
        lines.append("")
        lines.extend(_example_lines(cls))
        return "\n".join(lines).rstrip("\n") + "\n\n"
    lines += ["", "SYNTAX"]
    for parts in syntax_items(cls):
        lines.extend(wrap_syntax(parts, 4, width=width))
        lines.append("")
    lines += ["", "DESCRIPTION"]
    lines.extend(_wrap(cls.description or cls.synopsis or "", 4))
    lines.append("")
    if full or detailed:
        lines += ["", "PARAMETERS"]
        for p in cls.params:
            if full:
                lines.extend(parameter_block(p))
            else:
                lines.append(f"    -{p.name}" + ("" if p.is_switch else f" {_value_text(p)}"))
                if p.help:
                    lines.extend(_wrap(p.help, 8))
                lines.append("")
        lines.append("    <CommonParameters>")
        lines.extend(_wrap(COMMON_PARAMETERS_TEXT, 8))
        lines.append("")
        if full:
            lines += ["INPUTS"]
            piped = [p for p in cls.params if p.value_from_pipeline or p.value_from_pipeline_by_property_name]
            lines.extend(f"    {type_display(p.type)}" for p in piped[:3]) if piped else lines.append("    None")
            lines += ["", "", "OUTPUTS"]
            lines.extend(f"    {o}" for o in cls.outputs) if cls.outputs else lines.append("    System.Object")
            lines += ["", ""]
        lines.extend(_example_lines(cls))
    lines += ["", "RELATED LINKS"]
    if not (full or detailed):
        lines += ["", "REMARKS",
                  f'    To see the examples, type: "Get-Help {cls.name} -Examples".',
                  f'    For more information, type: "Get-Help {cls.name} -Detailed".',
                  f'    For technical information, type: "Get-Help {cls.name} -Full".']
    return "\n".join(lines) + "\n\n"


__all__ = ["find_parameter", "parameter_block", "parameter_sets", "render_help", "syntax_items", "syntax_lines",
           "type_display", "wrap_syntax"]
