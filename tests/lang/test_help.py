from typing import ClassVar

from azshell.lang.cmdlet import Cmdlet, Example, Param
from azshell.lang.help import render_help, syntax_items, syntax_lines, wrap_syntax


class GetThing(Cmdlet):
    name = "Get-Thing"
    synopsis = "Gets things."
    description = "Gets the things you have."
    params: ClassVar[tuple[Param, ...]] = (
        Param("Name", "string", position=0, value_from_pipeline_by_property_name=True, help="The name.",
              aliases=("N",)),
        Param("Kind", "string", mandatory=True, parameter_sets=("ByKind",), validate_set=("A", "B")),
        Param("Force", "switch"),
    )
    examples = (Example("Get-Thing -Name a", "Gets the thing named a."),)


def test_syntax_lines_per_set():
    assert syntax_lines(GetThing) == ["Get-Thing [[-Name] <String>] -Kind {A | B} [-Force] [<CommonParameters>]"]


def test_render_help_sections():
    text = render_help(GetThing)
    for part in ("NAME\n    Get-Thing", "SYNOPSIS\n    Gets things.", "SYNTAX\n    Get-Thing [[-Name] <String>]",
                 "DESCRIPTION\n    Gets the things you have.", "RELATED LINKS", "REMARKS",
                 'Get-Help Get-Thing -Examples'):
        assert part in text


def test_examples_and_full_and_parameter():
    ex = render_help(GetThing, examples=True)
    assert "-------------------------- EXAMPLE 1 --------------------------" in ex
    assert "PS C:\\> Get-Thing -Name a" in ex and "Gets the thing named a." in ex
    full = render_help(GetThing, full=True)
    assert "PARAMETERS" in full and "Required?                    false" in full
    assert "Accept pipeline input?       true (ByPropertyName)" in full and "<CommonParameters>" in full
    p = render_help(GetThing, parameter="Name")
    assert "-Name <String>" in p and "Aliases                      N" in p
    assert render_help(GetThing, parameter="Nope") == ""


class NewLongThing(Cmdlet):
    name = "New-LongThing"
    synopsis = "Makes a thing with many options."
    params: ClassVar[tuple[Param, ...]] = tuple(
        [Param("Name", "string", position=0, mandatory=True),
         Param("IdentityType", "string", validate_set=("SystemAssigned", "UserAssigned", "None"))]
        + [Param(f"Option{i}Name", "string") for i in range(12)] + [Param("AsJob", "switch")])
    supports_should_process = True


def test_syntax_wraps_between_parameters():
    items = syntax_items(NewLongThing)[0]
    for width in (60, 80, 100, 120):
        lines = wrap_syntax(items, 4, width=width)
        assert len(lines) > 1
        # a line is over the width only when it holds one item too long for any line
        assert all(len(line) <= width or line.strip() in items for line in lines), width
        # every line is whole items: joining them gives back the one-line syntax, item for item
        words = " ".join(line.strip() for line in lines)
        assert words == " ".join(items)
        for line in lines[1:]:
            assert line.startswith(" " * (4 + len("New-LongThing") + 1)) and line.lstrip().startswith("[")
    text = render_help(NewLongThing, width=80)
    syntax = text.split("SYNTAX\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert syntax == wrap_syntax(items, 4, width=80)
    assert "[[-IdentityType] " not in text and "[-IdentityType {SystemAssigned | UserAssigned | None}]" in text
