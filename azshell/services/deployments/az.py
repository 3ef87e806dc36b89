"""``az deployment group create|show|list|delete|validate|what-if`` and ``az deployment operation group list``.

``--template-file`` is read from the current host's disk (comments and trailing commas as ARM accepts them);
``--parameters`` takes ``@file.json`` (a parameter file), a file path, inline JSON, or ``name=value`` pairs, as
often as needed. Output is the deployment JSON az prints; a refused deployment is az's ``ERROR: {"code": …}``
line and a failed one ``ERROR: {"status":"Failed","error":{…}}``.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any

import httpx

from azshell.cmdlets.linux.az import O_RG, Az, AzCommandTable
from azshell.cmdlets.linux.azcli import EXIT_NOT_FOUND, AzCliError, OptSpec, ParsedArgs
from azshell.services.deployments.cmdlets import (
    API_DEPLOYMENTS,
    TemplateInputError,
    coerce_parameters,
    load_template_text,
    parameter_values,
)

__all__ = ["AZ_COMMANDS"]

O_DEPLOYMENT = OptSpec(("--name", "-n"), "name")
O_TEMPLATE = OptSpec(("--template-file", "-f"), "template_file")
O_TEMPLATE_URI = OptSpec(("--template-uri", "-u"), "template_uri")
O_PARAMETERS = OptSpec(("--parameters", "-p"), "parameters", "+")
O_MODE = OptSpec(("--mode",), "mode")
_PROPERTY_DEFAULTS = ("correlationId", "debugSetting", "dependencies", "duration", "error", "mode",
                      "onErrorDeployment", "outputResources", "outputs", "parameters", "parametersLink", "providers",
                      "provisioningState", "templateHash", "templateLink", "timestamp", "validatedResources")


def _path(az: Az, rg: str) -> str:
    return f"{az.rg_path(rg)}/providers/Microsoft.Resources/deployments"


def _shown(doc: dict[str, Any], rg: str) -> dict[str, Any]:
    """A deployment as az prints it: every property the SDK model has (null when unset), and ``resourceGroup``."""
    props = dict(doc.get("properties") or {})
    for key in _PROPERTY_DEFAULTS:
        props.setdefault(key, None)
    return {"id": doc.get("id"), "location": None, "name": doc.get("name"), "properties": props,
            "resourceGroup": rg, "tags": None, "type": doc.get("type", "Microsoft.Resources/deployments")}


def _read(az: Az, path: str) -> str:
    try:
        return str(az.ctx.fs.read_text(path))
    except (OSError, KeyError):
        raise AzCliError(f"[Errno 2] No such file or directory: '{path}'") from None


def _error_json(err: dict[str, Any]) -> str:
    return json.dumps(err)


def _body(az: Az, a: ParsedArgs) -> tuple[dict[str, Any], str]:
    path = a.get("template_file") or a.get("template_uri")
    if not path:
        raise AzCliError("the following arguments are required: --template-file/-f | --template-uri/-u | "
                         "--template-spec/-s", 2)
    try:
        template = load_template_text(_read(az, str(path)))
        values: dict[str, Any] = {}
        for item in a.get("parameters") or []:
            text = str(item)
            if text.startswith("@"):
                values.update(parameter_values(load_template_text(_read(az, text[1:]), what="parameters")))
            elif text.lstrip().startswith("{"):
                values.update(parameter_values(load_template_text(text, what="parameters")))
            elif "=" in text:
                key, _, value = text.partition("=")
                values[key] = value
            else:
                values.update(parameter_values(load_template_text(_read(az, text), what="parameters")))
    except TemplateInputError as e:
        raise AzCliError(_error_json({"code": e.code, "message": e.message})) from None
    params = coerce_parameters(template, values)
    mode = str(a.get("mode") or "Incremental")
    if mode.lower() not in ("incremental", "complete"):
        raise AzCliError(f"argument --mode: invalid choice: '{mode}' (choose from 'Complete', 'Incremental')", 2)
    stem = posixpath.splitext(str(path).replace("\\", "/").rsplit("/", 1)[-1])[0]
    return {"properties": {"mode": mode.capitalize(), "template": template,
                           "parameters": {k: {"value": v} for k, v in params.items()}}}, stem


def _refused(resp: httpx.Response) -> AzCliError:
    try:
        err = resp.json().get("error")
    except ValueError:
        err = None
    if not isinstance(err, dict):
        err = {"code": str(resp.status_code), "message": resp.text}
    code = EXIT_NOT_FOUND if resp.status_code == 404 else 1
    if resp.status_code in (401, 403, 404):
        message = str(err.get("message", ""))
        return AzCliError(f"({err.get('code')}) {message}\nCode: {err.get('code')}\nMessage: {message}", code)
    return AzCliError(_error_json(err), code)


def cmd_create(az: Az, a: ParsedArgs) -> Any:
    rg = str(a.get("rg"))
    body, stem = _body(az, a)
    name = str(a.get("name") or stem)
    az.require_group(rg)
    if a.get("what_if"):
        return cmd_what_if(az, a)
    resp = az.arm_request("PUT", f"{_path(az, rg)}/{name}", API_DEPLOYMENTS, body=body)
    if resp.status_code >= 400:
        raise _refused(resp)
    doc = resp.json()
    props = doc.get("properties") or {}
    if props.get("provisioningState") == "Failed":
        err = dict(props.get("error") or {})
        err.setdefault("target", doc.get("id"))
        ordered = {"code": err.get("code"), "target": err.get("target"), "message": err.get("message"),
                   "details": err.get("details") or []}
        raise AzCliError(json.dumps({"status": "Failed", "error": ordered}, separators=(",", ":")))
    if a.get("no_wait"):
        return None
    return _shown(doc, rg)


def cmd_validate(az: Az, a: ParsedArgs) -> Any:
    rg = str(a.get("rg"))
    body, stem = _body(az, a)
    name = str(a.get("name") or stem)
    az.require_group(rg)
    resp = az.arm_request("POST", f"{_path(az, rg)}/{name}/validate", API_DEPLOYMENTS, body=body)
    if resp.status_code >= 400:
        raise _refused(resp)
    return _shown(resp.json(), rg)


def cmd_what_if(az: Az, a: ParsedArgs) -> Any:
    from azshell.services.deployments.cmdlets import what_if_text

    rg = str(a.get("rg"))
    body, stem = _body(az, a)
    name = str(a.get("name") or stem)
    resp = az.arm_request("POST", f"{_path(az, rg)}/{name}/whatIf", API_DEPLOYMENTS, body=body)
    if resp.status_code >= 400:
        raise _refused(resp)
    for line in what_if_text(resp.json(), az.rg_path(rg)):
        az.stdout(line)
    return None


def cmd_show(az: Az, a: ParsedArgs) -> Any:
    rg = str(a.get("rg"))
    resp = az.arm_request("GET", f"{_path(az, rg)}/{a.get('name')}", API_DEPLOYMENTS)
    if resp.status_code >= 400:
        raise _refused(resp)
    return _shown(resp.json(), rg)


def cmd_list(az: Az, a: ParsedArgs) -> Any:
    rg = str(a.get("rg"))
    resp = az.arm_request("GET", _path(az, rg), API_DEPLOYMENTS)
    if resp.status_code >= 400:
        raise _refused(resp)
    return [_shown(d, rg) for d in resp.json().get("value", [])]


def cmd_delete(az: Az, a: ParsedArgs) -> Any:
    rg = str(a.get("rg"))
    resp = az.arm_request("DELETE", f"{_path(az, rg)}/{a.get('name')}", API_DEPLOYMENTS)
    if resp.status_code >= 400:
        raise _refused(resp)
    return None


def cmd_operations(az: Az, a: ParsedArgs) -> Any:
    rg = str(a.get("rg"))
    resp = az.arm_request("GET", f"{_path(az, rg)}/{a.get('name')}/operations", API_DEPLOYMENTS)
    if resp.status_code >= 400:
        raise _refused(resp)
    return [{**op, "resourceGroup": rg} for op in resp.json().get("value", [])]


_NAME_REQUIRED = OptSpec(("--name", "-n"), "name", required=True)
_CREATE = (O_RG, O_DEPLOYMENT, O_TEMPLATE, O_TEMPLATE_URI, O_PARAMETERS, O_MODE,
           OptSpec(("--what-if", "-w"), "what_if", "0"), OptSpec(("--no-wait",), "no_wait", "0"),
           OptSpec(("--no-prompt",), "no_prompt", "0"), OptSpec(("--confirm-with-what-if", "-c"), "confirm", "0"),
           OptSpec(("--rollback-on-error",), "rollback", "*"), OptSpec(("--what-if-result-format", "-r"), "wi_fmt"))

AZ_COMMANDS: AzCommandTable = {
    ("deployment", "group", "create"): (_CREATE, cmd_create),
    ("deployment", "group", "validate"): ((O_RG, O_DEPLOYMENT, O_TEMPLATE, O_TEMPLATE_URI, O_PARAMETERS, O_MODE,
                                           OptSpec(("--no-prompt",), "no_prompt", "0")), cmd_validate),
    ("deployment", "group", "what-if"): ((O_RG, O_DEPLOYMENT, O_TEMPLATE, O_TEMPLATE_URI, O_PARAMETERS, O_MODE,
                                          OptSpec(("--no-prompt",), "no_prompt", "0"),
                                          OptSpec(("--result-format", "-r"), "wi_fmt")), cmd_what_if),
    ("deployment", "group", "show"): ((O_RG, _NAME_REQUIRED), cmd_show),
    ("deployment", "group", "list"): ((O_RG, OptSpec(("--filter",), "filter")), cmd_list),
    ("deployment", "group", "delete"): ((O_RG, _NAME_REQUIRED, OptSpec(("--no-wait",), "no_wait", "0")), cmd_delete),
    ("deployment", "operation", "group", "list"): ((O_RG, _NAME_REQUIRED), cmd_operations),
}
