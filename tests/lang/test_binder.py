"""Parameter binding for cmdlets: named, prefixes, aliases, switches, positional, splatting, pipeline, sets."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from azshell.lang.cmdlet import Cmdlet, CommandRegistry, Param
from tests.lang.conftest_lang import make_engine, make_registry, run_text


class GetThing(Cmdlet):
    name = "Get-Thing"
    params = (
        Param("Name", "string", position=0, value_from_pipeline_by_property_name=True),
        Param("ResourceGroupName", "string", aliases=("RG",)),
        Param("ResourceId", "string"),
        Param("Count", "int"),
        Param("Force", "switch"),
        Param("Tags", "string[]"),
    )

    def process(self) -> None:
        self.write({k: self.params[k] for k in sorted(self.params)})


class SetIdentity(Cmdlet):
    name = "Set-Identity"
    params = (
        Param("IdentityType", "string", mandatory=True, validate_set=("SystemAssigned", "UserAssigned")),
        Param("Size", "int", validate_range=(1, 10)),
    )

    def process(self) -> None:
        self.write(self.params["IdentityType"])


class NewThing(Cmdlet):
    name = "New-Thing"
    supports_should_process = True
    params = (Param("Name", "string", mandatory=True),)

    def process(self) -> None:
        if self.should_process(self.params["Name"], "New-Thing"):
            self.write("created " + self.params["Name"])


class PipeThing(Cmdlet):
    name = "Use-Thing"
    params = (Param("InputObject", "object", value_from_pipeline=True, mandatory=True),)
    seen: ClassVar[list[Any]] = []

    def begin(self) -> None:
        self.write("begin")

    def process(self) -> None:
        self.write(f"item {self.params['InputObject']}")

    def end(self) -> None:
        self.write("end")


class SetsThing(Cmdlet):
    name = "Get-Sets"
    default_parameter_set = "ByName"
    params = (
        Param("Name", "string", parameter_sets=("ByName",), position=0),
        Param("Id", "string", parameter_sets=("ById",), mandatory=True),
        Param("VM", "object", parameter_sets=("ByObject",), mandatory=True, value_from_pipeline=True),
    )

    def process(self) -> None:
        self.write(self.parameter_set)


class Failing(Cmdlet):
    name = "Get-Failing"
    params = (Param("N", "int"),)

    def process(self) -> None:
        self.write_error("soft failure", category="ObjectNotFound", error_id="ThingNotFound", target="x")
        self.write("after")


@pytest.fixture()
def engine() -> Any:
    reg: CommandRegistry = make_registry()
    for cls in (GetThing, SetIdentity, NewThing, PipeThing, SetsThing, Failing):
        reg.register(cls)
    return make_engine(reg)


OK = [
    ("Get-Thing -Name a", {"Name": "a"}),
    ("Get-Thing -Name:a", {"Name": "a"}),
    ("Get-Thing a", {"Name": "a"}),
    ("Get-Thing -name A", {"Name": "A"}),
    ("Get-Thing -ResourceG rg", {"ResourceGroupName": "rg"}),
    ("Get-Thing -RG rg", {"ResourceGroupName": "rg"}),
    ("Get-Thing -Force", {"Force": True}),
    ("Get-Thing -Force:$false", {"Force": False}),
    ("Get-Thing -Count '5'", {"Count": 5}),
    ("Get-Thing -Tags a,b", {"Tags": ["a", "b"]}),
    ("Get-Thing -Tags one", {"Tags": ["one"]}),
    ("$p = @{ Name = 'n'; Force = $true }; Get-Thing @p", {"Name": "n", "Force": True}),
    ("$p = @('pos'); Get-Thing @p", {"Name": "pos"}),
    ("[pscustomobject]@{ Name = 'fromprop' } | Get-Thing", {"Name": "fromprop"}),
    ("Get-Thing -Name a -ErrorAction SilentlyContinue", {"Name": "a"}),
]


@pytest.mark.parametrize(("code", "bound"), OK, ids=[c for c, _ in OK])
def test_binding(engine: Any, code: str, bound: dict[str, Any]) -> None:
    out, err, _ = run_text(engine, code)
    assert not err, [e.render() for e in err]
    assert out == [bound]


ERRS = [
    ("Get-Thing -Nme x", "A parameter cannot be found that matches parameter name 'Nme'.", "NamedParameterNotFound,Get-Thing"),
    ("Get-Thing -R x", "Parameter cannot be processed because the parameter name 'R' is ambiguous. Possible matches "
     "include: -ResourceGroupName -ResourceId.", "AmbiguousParameter,Get-Thing"),
    ("Get-Thing -Name", "Missing an argument for parameter 'Name'. Specify a parameter of type 'System.String' and "
     "try again.", "MissingArgument,Get-Thing"),
    ("Get-Thing a b", "A positional parameter cannot be found that accepts argument 'b'.",
     "PositionalParameterNotFound,Get-Thing"),
    ("Get-Thing -Count abc", 'Cannot bind parameter \'Count\'. Cannot convert value "abc" to type "System.Int32".',
     "CannotConvertArgumentNoMessage,Get-Thing"),
    ("Set-Identity", "Cannot process command because of one or more missing mandatory parameters: IdentityType.",
     "MissingMandatoryParameter,Set-Identity"),
    ("Set-Identity -IdentityType Foo", "Cannot validate argument on parameter 'IdentityType'. The argument \"Foo\" "
     "does not belong to the set \"SystemAssigned,UserAssigned\" specified by the ValidateSet attribute. Supply an "
     "argument that is in the set and then try the command again.", "ParameterArgumentValidationError,Set-Identity"),
    ("Set-Identity -IdentityType SystemAssigned -Size 11", "Cannot validate argument on parameter 'Size'. The 11 "
     "argument is greater than the maximum allowed range of 10. Supply an argument that is less than or equal to 10 "
     "and then try the command again.", "ParameterArgumentValidationError,Set-Identity"),
    ("Get-Thing -Name a -Name b", "Cannot bind parameter because parameter 'Name' is specified more than once.",
     "ParameterAlreadyBound,Get-Thing"),
    ("Get-Sets -Id 1 -Name x", "Parameter set cannot be resolved using the specified named parameters.",
     "AmbiguousParameterSet,Get-Sets"),
    ("Get-Thing -ErrorAction Bogus", "Cannot bind parameter 'ErrorAction'.", "CannotConvertArgumentNoMessage,Get-Thing"),
]


@pytest.mark.parametrize(("code", "message", "fqid"), ERRS, ids=[c for c, _, _ in ERRS])
def test_binding_errors(engine: Any, code: str, message: str, fqid: str) -> None:
    out, err, _ = run_text(engine, code)
    assert out == []
    assert len(err) == 1
    assert err[0].message.startswith(message), err[0].message
    assert err[0].fully_qualified_error_id == fqid


def test_render_shape(engine: Any) -> None:
    _, err, _ = run_text(engine, "Get-Thing -Nme x")
    assert err[0].render().splitlines() == [
        "Get-Thing : A parameter cannot be found that matches parameter name 'Nme'.",
        "At line:1 char:11",
        "+ Get-Thing -Nme x",
        "+           ~~~~",
        "    + CategoryInfo          : InvalidArgument: (:) [Get-Thing], ParameterBindingException",
        "    + FullyQualifiedErrorId : NamedParameterNotFound,Get-Thing",
        "    Suggestion: Did you mean -Name?",
    ]


def test_parameter_sets(engine: Any) -> None:
    out, err, _ = run_text(engine, "Get-Sets; Get-Sets -Id 1; Get-Sets x; 'vm' | Get-Sets")
    assert not err, [e.render() for e in err]
    assert out == ["ByName", "ById", "ByName", "ByObject"]


def test_pipeline_streams_per_item(engine: Any) -> None:
    out, err, _ = run_text(engine, "1, 2 | Use-Thing")
    assert not err
    assert out == ["begin", "item 1", "item 2", "end"]


def test_whatif(engine: Any) -> None:
    out, err, other = run_text(engine, "New-Thing -Name a -WhatIf; New-Thing -Name b")
    assert out == ["created b"]
    assert other[0].stream == "host"
    assert other[0].value == 'What if: Performing the operation "New-Thing" on target "a".'


def test_non_terminating_error_and_actions(engine: Any) -> None:
    out, err, _ = run_text(engine, "Get-Failing")
    assert out == ["after"]
    assert err[0].fully_qualified_error_id == "ThingNotFound,Get-Failing"
    assert err[0].category_info() == "ObjectNotFound: (x:String) [Get-Failing], WriteErrorException"
    out, err, _ = run_text(engine, "Get-Failing -ErrorAction SilentlyContinue; $Error[0].FullyQualifiedErrorId")
    assert err == [] and out == ["after", "ThingNotFound,Get-Failing"]
    out, err, _ = run_text(engine, "try { Get-Failing -ErrorAction Stop } catch { 'caught ' + $_.Exception.Message }")
    assert out == ["caught soft failure"] and err == []
    out, err, _ = run_text(engine, "Get-Failing -ErrorVariable +ev -ErrorAction SilentlyContinue; "
                                   "Get-Failing -ErrorVariable +ev -ErrorAction SilentlyContinue; $ev.Count")
    assert out[-1] == 2
    out, err, _ = run_text(engine, "Get-Failing -OutVariable ov 2>$null | Out-Null; $ov")
    assert out == ["after"]


def test_binder_unit() -> None:
    from azshell.lang.binder import ArgItem, Binder, BindingError

    b = Binder("Get-X", (Param("Name", "string", position=0), Param("Force", "switch")))
    res = b.bind([ArgItem("param", name="F"), ArgItem("value", "n")])
    assert res.bound == {"Force": True, "Name": "n"}
    b2 = Binder("Get-X", (Param("Name", "string"),))
    with pytest.raises(BindingError) as info:
        b2.bind([ArgItem("param", name="Nam2")])
    assert info.value.error_id == "NamedParameterNotFound"
