"""Dynamic parameters: a cmdlet with ``dynamic_parameters = True`` receives the ``-Name value`` pairs no declared
parameter matches in ``self.dynamic_params`` (New-AzResourceGroupDeployment's template parameters); any other
cmdlet still refuses them with PowerShell's error."""

from __future__ import annotations

from typing import Any

from azshell.lang.cmdlet import Cmdlet, Param
from tests.lang.conftest_lang import make_engine, make_registry, run_text


class NewDeployment(Cmdlet):
    name = "New-Deployment"
    dynamic_parameters = True
    params = (Param("Name", "string"), Param("Force", "switch"))

    def process(self) -> None:
        self.write({"bound": dict(self.params), "dynamic": dict(self.dynamic_params)})


class GetPlain(Cmdlet):
    name = "Get-Plain"
    params = (Param("Name", "string"),)

    def process(self) -> None:
        self.write(self.params.get("Name"))


def _engine() -> Any:
    reg = make_registry()
    reg.register(NewDeployment)
    reg.register(GetPlain)
    return make_engine(reg)


def test_unknown_names_are_dynamic_values() -> None:
    out, err, _ = run_text(_engine(), "New-Deployment -Name d -vmName myVM -count:3 -flag -Force "
                                      "-obj @{a=1} -Verbose")
    assert not err
    got = out[0]
    assert got["bound"] == {"Name": "d", "Force": True}
    assert got["dynamic"]["vmName"] == "myVM"
    assert got["dynamic"]["count"] == 3
    assert got["dynamic"]["flag"] is True
    assert "obj" in got["dynamic"]


def test_declared_prefixes_still_bind_and_other_cmdlets_refuse() -> None:
    out, err, _ = run_text(_engine(), "New-Deployment -Nam d")
    assert not err and out[0]["bound"] == {"Name": "d"} and out[0]["dynamic"] == {}
    out, err, _ = run_text(_engine(), "Get-Plain -vmName x")
    assert out == [] and "A parameter cannot be found that matches parameter name 'vmName'." in str(err[0])
