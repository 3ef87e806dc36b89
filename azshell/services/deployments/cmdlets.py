"""Az.Resources template deployments: New-/Get-/Test-/Remove-AzResourceGroupDeployment (and their AzureRM names),
Get-AzResourceGroupDeploymentOperation.

The template comes from the current host's disk (``-TemplateFile``; ``-TemplateUri`` takes a path too: azshell
has no network), or ``-TemplateObject``; its parameters from ``-TemplateParameterFile``/``-TemplateParameterObject``
and from the template's own names typed as parameters (``-vmName myVM``: dynamic parameters, checked against
the template here). The cmdlets call ARM's deployments API with the current account's token; ARM deploys each
resource with that same token.

Output is Az's ``PSResourceGroupDeployment`` (``DeploymentName``, ``ResourceGroupName``, ``ProvisioningState``,
``Timestamp``, ``Mode``, ``TemplateLink``, a ``Parameters`` and an ``Outputs`` table); errors are Az's
(``<time> - Error: Code=InvalidTemplate; Message=…`` then ``The deployment validation failed``; a failed
deployment is ``The deployment 'x' failed with error(s). Showing 1 out of 1 error(s).``).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from azshell.cmdlets._base import AzCmdlet, AzureRestError, arm_error_parts
from azshell.cmdlets.views import ViewSpec, register_table
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.values import PSHashtable, PSObject, SecureString
from azshell.planes.jsonnet import JsonParseError, read_json

if TYPE_CHECKING:
    from azshell.lang.formatting import ViewTable

__all__ = ["COMMANDS", "TemplateInputError", "coerce_parameters", "load_template_text", "parameter_values"]

API_DEPLOYMENTS = "2025-04-01"
PS_DEPLOYMENT = "Microsoft.Azure.Commands.ResourceManager.Cmdlets.SdkModels.PSResourceGroupDeployment"
PS_OPERATION = "Microsoft.Azure.Commands.ResourceManager.Cmdlets.SdkModels.PSDeploymentOperation"
PS_ERROR = "Microsoft.Azure.Commands.ResourceManager.Cmdlets.SdkModels.PSResourceManagerError"
#: Az's text when the template file named does not exist (it reads the file to build the dynamic parameters)
NO_TEMPLATE_FILE = "Cannot retrieve the dynamic parameters for the cmdlet. Cannot find path '{path}' because it " \
                   "does not exist."
PARSE_FAILED = "Deployment template parse failed: '{detail}'."
VALIDATION_FAILED_LINE = "The deployment validation failed"
PARAMETER_NOT_FOUND = "A parameter cannot be found that matches parameter name '{name}'."
_SECURE = ("securestring", "secureobject")


class TemplateInputError(Exception):
    """A template or parameter file the client cannot use: ``code`` (``InvalidTemplate``) and Azure's message."""

    def __init__(self, message: str, code: str = "InvalidTemplate") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# ------------------------------------------------------------------------------------------- template input
def load_template_text(text: str, *, what: str = "template") -> dict[str, Any]:
    """A template (or parameter file) as ARM reads it: comments and trailing commas allowed; anything else fails
    with Json.NET's message and position, as ARM's ``InvalidTemplate`` (INFERRED: real clients parse the file
    before sending it, so Azure never sees it; the text is ARM's for the same document)."""
    try:
        doc = read_json(text)
    except JsonParseError as exc:
        prefix = PARSE_FAILED if what == "template" else "Deployment parameters parse failed: '{detail}'."
        raise TemplateInputError(prefix.format(detail=exc.message)) from None
    value: dict[str, Any] = doc.value
    return value


def parameter_values(data: Any) -> dict[str, Any]:
    """``{"name": value}`` from a parameter file (``{"parameters": {"n": {"value": v}}}``), a bare
    ``{"n": {"value": v}}`` object, or a ``-TemplateParameterObject`` hashtable of plain values."""
    if isinstance(data, dict) and isinstance(data.get("parameters"), dict) and (
            "$schema" in data or "contentVersion" in data or len(data) == 1):
        data = data["parameters"]
    out: dict[str, Any] = {}
    for k, v in (data or {}).items():
        if isinstance(v, dict) and "value" in v:
            out[str(k)] = v["value"]
        elif isinstance(v, dict) and "reference" in v:
            raise TemplateInputError(f"The parameter '{k}' references a Key Vault secret: azshell's deployments "
                                     "take parameter values only.", code="InvalidTemplate")
        else:
            out[str(k)] = v
    return out


def declared_parameters(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    params = template.get("parameters")
    return {str(k): (v if isinstance(v, dict) else {}) for k, v in params.items()} if isinstance(params, dict) else {}


def coerce_parameters(template: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Values as the client sends them: typed text converted to the template's type (``-count 3``, ``count=3``),
    secure strings revealed, names spelled as the template spells them."""
    declared = declared_parameters(template)
    out: dict[str, Any] = {}
    for name, value in values.items():
        key = next((d for d in declared if d.lower() == name.lower()), name)
        ptype = str(declared.get(key, {}).get("type", "string")).lower()
        out[key] = _coerce(ptype, value)
    return out


def jsonable(value: Any) -> Any:
    """A PowerShell value as JSON can carry it: hashtables and objects as objects, secure strings revealed (a
    template parameter's value travels to ARM), anything else JSON has no type for as its text."""
    from azshell.cmdlets._objects import plain
    from azshell.lang.conversions import to_string

    value = plain(value)
    if isinstance(value, SecureString):
        return value.reveal()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return to_string(value)


def _coerce(ptype: str, value: Any) -> Any:
    value = jsonable(value)
    if ptype == "int" and isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    if ptype == "bool" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if ptype in ("object", "array", "secureobject") and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if ptype in ("string", "securestring") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


# ------------------------------------------------------------------------------------------------- objects
def _when(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    m = re.match(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z?", text)
    if not m:
        return None
    return datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)


def _cell(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2)
    if value is None:
        return "null"
    return json.dumps(value)


def variables_table(entries: dict[str, Any] | None) -> str:
    """Az's ``ParametersString`` / ``OutputsString``: a Name / Type / Value table (values as JSON)."""
    if not entries:
        return ""
    width = max(15, *(len(k) + 2 for k in entries))
    row = "{0:<" + str(width) + "}  {1:<25}  {2}"
    lines = ["", row.format("Name", "Type", "Value"), row.format("=" * width, "=" * 25, "=" * 10)]
    for name, entry in entries.items():
        entry = entry if isinstance(entry, dict) else {"value": entry}
        lines.append(row.format(name, str(entry.get("type", "")), _cell(entry.get("value")) if "value" in entry
                                else "").rstrip())
    return "\n".join(lines) + "\n"


def _tables(entries: dict[str, Any] | None) -> PSHashtable | None:
    if not entries:
        return None
    return PSHashtable({k: PSObject([("Type", (v or {}).get("type")), ("Value", (v or {}).get("value"))])
                        for k, v in entries.items()})


def deployment_object(doc: dict[str, Any], rg: str) -> PSObject:
    props = doc.get("properties") or {}
    link = props.get("templateLink")
    return PSObject([
        ("DeploymentName", doc.get("name", "")),
        ("ResourceGroupName", rg),
        ("ProvisioningState", props.get("provisioningState", "")),
        ("Timestamp", _when(props.get("timestamp"))),
        ("Mode", props.get("mode", "Incremental")),
        ("TemplateLink", link.get("uri") if isinstance(link, dict) else None),
        ("TemplateLinkString", link.get("uri") if isinstance(link, dict) else None),
        ("DeploymentDebugLogLevel", None),
        ("Parameters", _tables(props.get("parameters"))),
        ("ParametersString", variables_table(props.get("parameters"))),
        ("Outputs", _tables(props.get("outputs"))),
        ("OutputsString", variables_table(props.get("outputs"))),
        ("CorrelationId", props.get("correlationId")),
        ("Id", doc.get("id", "")),
    ], type_names=(PS_DEPLOYMENT, "System.Object"))


def operation_object(op: dict[str, Any]) -> PSObject:
    props = op.get("properties") or {}
    target = props.get("targetResource") or {}
    message = props.get("statusMessage")
    return PSObject([
        ("Id", op.get("id", "")),
        ("OperationId", op.get("operationId", "")),
        ("ProvisioningState", props.get("provisioningState", "")),
        ("ProvisioningOperation", props.get("provisioningOperation", "")),
        ("Timestamp", _when(props.get("timestamp"))),
        ("Duration", props.get("duration", "")),
        ("ServiceRequestId", props.get("serviceRequestId", "")),
        ("StatusCode", props.get("statusCode", "")),
        ("StatusMessage", json.dumps(message) if message is not None else None),
        ("TargetResource", target.get("id", "")),
    ], type_names=(PS_OPERATION, "System.Object"))


def error_object(err: dict[str, Any]) -> PSObject:
    details = [error_object(d) for d in (err.get("details") or []) if isinstance(d, dict)]
    return PSObject([("Code", err.get("code", "")), ("Message", err.get("message", "")),
                     ("Target", err.get("target")), ("Details", details or None)],
                    type_names=(PS_ERROR, "System.Object"))


# ------------------------------------------------------------------------------------------------- cmdlets
_RG = Param("ResourceGroupName", "string", mandatory=True, completer="resource_group",
            validate_not_null_or_empty=True)
_TEMPLATE_PARAMS = (
    Param("Mode", "string", validate_set=("Incremental", "Complete")),
    Param("TemplateFile", "string"),
    Param("TemplateUri", "string"),
    Param("TemplateObject", "hashtable"),
    Param("TemplateSpecId", "string"),
    Param("TemplateParameterFile", "string"),
    Param("TemplateParameterUri", "string"),
    Param("TemplateParameterObject", "hashtable"),
    Param("SkipTemplateParameterPrompt", "switch"),
    Param("ApiVersion", "string"),
    Param("Pre", "switch"),
)


class _DeploymentCmdlet(AzCmdlet):
    dynamic_parameters = True

    def deployments_path(self, rg: str) -> str:
        return f"/subscriptions/{self.subscription_id}/resourcegroups/{rg}/providers/Microsoft.Resources/deployments"

    def stamp(self) -> str:
        """``3:25:52 PM``: the time prefix Az puts on deployment messages (tenant clock)."""
        now = datetime.fromtimestamp(self.services.world.clock.now(), tz=UTC)
        return f"{now.hour % 12 or 12}:{now.minute:02d}:{now.second:02d} {'AM' if now.hour < 12 else 'PM'}"

    def input_error(self, e: TemplateInputError) -> CmdletError:
        exc = AzureRestError(e.message, status=400, code=e.code, error_message=e.message)
        return CmdletError(f"{self.stamp()} - Error: Code={e.code}; Message={e.message}", category="InvalidArgument",
                           error_id=e.code, exception=exc)

    def read_file(self, path: str) -> str:
        if re.match(r"^https?://", path, re.I):
            # INFERRED: azshell has no network; Az would download the template (ARM, for a -TemplateUri)
            raise CmdletError(f"Unable to download '{path}': azshell has no network. Save the template on this "
                              "machine and give its path (-TemplateFile).", category="ConnectionError",
                              error_id="InvalidContentLink")
        fs = self.ctx.fs
        try:
            return str(fs.read_text(path))
        except (OSError, KeyError):
            shown = fs.resolve(path) if hasattr(fs, "resolve") else path
            raise CmdletError(NO_TEMPLATE_FILE.format(path=shown), category="ObjectNotFound",
                              error_id="ItemNotFoundException") from None

    def template(self) -> tuple[dict[str, Any], str | None]:
        """(the template, its file's base name for the default deployment name)."""
        p = self.bound
        path = p.get("TemplateFile") or p.get("TemplateUri")
        if path:
            text = self.read_file(str(path))
            try:
                return load_template_text(text), posixpath.splitext(str(path).replace("\\", "/").rsplit("/", 1)[-1])[0]
            except TemplateInputError as e:
                raise self.input_error(e) from None
        obj = p.get("TemplateObject")
        if obj is not None:
            value = jsonable(obj)
            if isinstance(value, dict):
                return value, None
        if p.get("TemplateSpecId"):
            self.fail("Template specs are not emulated by azshell: use -TemplateFile or -TemplateObject.",
                      error_id="TemplateSpecNotSupported")
        self.fail("Cannot process command because of one or more missing mandatory parameters: TemplateFile.",
                  category="InvalidArgument", error_id="MissingMandatoryParameter")

    def parameters(self, template: dict[str, Any]) -> dict[str, Any]:
        p = self.bound
        values: dict[str, Any] = {}
        path = p.get("TemplateParameterFile") or p.get("TemplateParameterUri")
        try:
            if path:
                values.update(parameter_values(load_template_text(self.read_file(str(path)), what="parameters")))
            obj = p.get("TemplateParameterObject")
            if obj is not None:
                values.update(parameter_values(jsonable(obj)))
        except TemplateInputError as e:
            raise self.input_error(e) from None
        declared = declared_parameters(template)
        for name, value in self.dynamic_params.items():
            key = next((d for d in declared if d.lower() == name.lower()), None)
            if key is None:
                raise CmdletError(PARAMETER_NOT_FOUND.format(name=name), category="InvalidArgument",
                                  error_id="NamedParameterNotFound")
            values[key] = value
        missing = [d for d, spec in declared.items() if "defaultValue" not in spec
                   and not any(k.lower() == d.lower() for k in values)]
        if missing:
            raise CmdletError("Cannot process command because of one or more missing mandatory parameters: "
                              f"{' '.join(missing)}.", category="InvalidArgument",
                              error_id="MissingMandatoryParameter")
        return coerce_parameters(template, values)

    def body(self) -> tuple[dict[str, Any], str | None]:
        template, stem = self.template()
        params = self.parameters(template)
        mode = str(self.bound.get("Mode") or "Incremental")
        return {"properties": {"mode": mode, "template": template,
                               "parameters": {k: {"value": v} for k, v in params.items()}}}, stem

    def validation_errors(self, resp: Any) -> list[str]:
        """Az's lines for a refused deployment: the error, then each inner error."""
        code, message = arm_error_parts(resp)
        lines = [f"{self.stamp()} - Error: Code={code}; Message={message}"]
        try:
            details = resp.json().get("error", {}).get("details") or []
        except (ValueError, AttributeError):
            details = []
        for d in details:
            if isinstance(d, dict):
                lines.append(f"{self.stamp()} - Error: Code={d.get('code', '')}; Message={d.get('message', '')}")
        return lines

    def put(self, rg: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        api = str(self.bound.get("ApiVersion") or API_DEPLOYMENTS)
        resp = self._put_indented(rg, name, body, api)
        if resp.status_code == 400:
            self.refused(resp)
        if resp.status_code >= 400:
            self.raise_arm_error(resp)
        data: dict[str, Any] = resp.json()
        return data

    def refused(self, resp: Any) -> None:
        """Az's answer to a refused deployment: each error as a record, then ``The deployment validation
        failed`` (terminating)."""
        for line in self.validation_errors(resp):
            self.write_error(CmdletError(line, category="CloseError", error_id="InvalidTemplate"))
        code, message = arm_error_parts(resp)
        raise CmdletError(VALIDATION_FAILED_LINE, category="CloseError", error_id=code,
                          exception=AzureRestError(message, status=400, code=code, error_message=message,
                                                   response=resp))

    def _url(self, path: str) -> str:
        from azshell.cmdlets._azure import ARM_ENDPOINT
        from azshell.cmdlets._base import encode_path

        return f"{ARM_ENDPOINT}{encode_path(path)}"

    def _put_indented(self, rg: str, name: str, body: dict[str, Any], api: str) -> Any:
        import httpx

        from azshell.cmdlets._azure import ARM_RESOURCE
        from azshell.cmdlets._base import connection_error

        token = self.token(ARM_RESOURCE)
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json",
                   "Content-Type": "application/json; charset=utf-8"}
        try:
            return self.services.http.request("PUT", self._url(f"{self.deployments_path(rg)}/{name}"),
                                              params={"api-version": api}, headers=headers,
                                              content=json.dumps(body, indent=2).encode("utf-8"))
        except httpx.HTTPError as e:
            raise connection_error(e) from None


class NewAzResourceGroupDeployment(_DeploymentCmdlet):
    name = "New-AzResourceGroupDeployment"
    aliases = ("New-AzureRmResourceGroupDeployment",)
    synopsis = "Adds an Azure deployment to a resource group."
    description = (
        "Deploys an ARM template (a file on the current host's disk, or -TemplateObject) into a resource group with "
        "the current account's rights: ARM checks Microsoft.Resources/deployments/write, then deploys each resource "
        "as that account. Template parameters come from -TemplateParameterFile, -TemplateParameterObject and "
        "-<parameterName> <value>. -WhatIf shows what would change (ARM's what-if)."
    )
    supports_should_process = True
    params = (
        Param("Name", "string", aliases=("DeploymentName",)),
        _RG,
        *_TEMPLATE_PARAMS,
        Param("DeploymentDebugLogLevel", "string", validate_set=("RequestContent", "ResponseContent", "All", "None")),
        Param("Tag", "hashtable"),
        Param("Force", "switch"),
        Param("AsJob", "switch"),
        Param("RollbackToLastDeployment", "switch"),
        Param("RollBackDeploymentName", "string"),
        Param("WhatIfResultFormat", "string"),
        Param("WhatIfExcludeChangeType", "string[]"),
    )
    outputs = (PS_DEPLOYMENT,)
    examples = (
        Example("New-AzResourceGroupDeployment -ResourceGroupName myResourceGroup -TemplateFile .\\azuredeploy.json "
                "-vmName myVM", "Deploys a template, giving its vmName parameter."),
        Example("New-AzResourceGroupDeployment -ResourceGroupName myRG -TemplateFile t.json "
                "-TemplateParameterFile t.parameters.json -Mode Complete", "A Complete-mode deployment."),
        Example("New-AzResourceGroupDeployment -ResourceGroupName myRG -TemplateFile t.json -WhatIf",
                "Shows what the deployment would change."),
    )

    def process(self) -> None:
        rg = str(self.bound["ResourceGroupName"])
        body, stem = self.body()
        name = str(self.bound.get("Name") or stem or "deployment")
        if self.what_if:
            self.show_what_if(rg, name, body)
            return
        with self.progress(f"Deploying '{name}' to resource group {rg}") as bar:  # Write-Progress, as Az shows
            bar.update("Submitting the deployment", 0)
            doc = self.put(rg, name, body)
            props = doc.get("properties") or {}
            ops = self._operations(rg, name)
            for index, op in enumerate(ops):
                target = (op.get("properties") or {}).get("targetResource") or {}
                state = str((op.get("properties") or {}).get("provisioningState", "")).lower()
                bar.step(index + 1, len(ops), f"{target.get('resourceType', '')} '{target.get('resourceName', '')}'"
                         f": {state}")
                self.write_verbose(f"{self.stamp()} - Resource {target.get('resourceType', '')} "
                                   f"'{target.get('resourceName', '')}' provisioning status is {state}")
        if props.get("provisioningState") == "Failed":
            err = props.get("error") or {}
            details = [d for d in err.get("details") or [] if isinstance(d, dict)] or [err]
            lines = [f"{self.stamp()} - The deployment '{name}' failed with error(s). Showing {len(details)} out of "
                     f"{len(details)} error(s)."]
            for d in details:
                lines.append(f"Status Message: {d.get('message', '')} (Code:{d.get('code', '')})")
            lines.append(f"CorrelationId: {props.get('correlationId', '')}")
            code = str(err.get("code", "DeploymentFailed"))
            self.write_error(CmdletError("\n".join(lines), category="NotSpecified", error_id=code,
                                         exception=AzureRestError(str(err.get("message", "")), status=200, code=code,
                                                                  error_message=str(err.get("message", "")))))
        self.write(deployment_object(doc, rg))

    def _operations(self, rg: str, name: str) -> list[dict[str, Any]]:
        data = self.arm_get(f"{self.deployments_path(rg)}/{name}/operations", API_DEPLOYMENTS, allow_404=True)
        return [o for o in (data or {}).get("value", []) if isinstance(o, dict)]

    def show_what_if(self, rg: str, name: str, body: dict[str, Any]) -> None:
        resp = self.arm_request("POST", f"{self.deployments_path(rg)}/{name}/whatIf", API_DEPLOYMENTS, body=body)
        if resp.status_code >= 400:
            if resp.status_code == 400:
                self.refused(resp)
            self.raise_arm_error(resp)
        for line in what_if_text(resp.json(), f"/subscriptions/{self.subscription_id}/resourceGroups/{rg}"):
            self.ctx.write_host(line)


_SYMBOLS = {"Create": "+", "Delete": "-", "Modify": "~", "NoChange": "=", "Ignore": "*", "Deploy": "!"}


def what_if_text(result: dict[str, Any], scope: str) -> list[str]:
    """Az's rendering of a what-if result (the symbols legend, each change, the summary line)."""
    changes = ((result.get("properties") or {}).get("changes") or []) if isinstance(result, dict) else []
    kinds = [c.get("changeType", "") for c in changes]
    lines = ["Note: The result may contain false positive predictions (noise).",
             "You can help us improve the accuracy of the result by opening an issue here: "
             "https://aka.ms/WhatIfIssues", "", "Resource and property changes are indicated with these symbols:"]
    for kind in ("Create", "Delete", "Modify", "NoChange", "Ignore"):
        if kind in kinds:
            lines.append(f"  {_SYMBOLS[kind]} {kind}")
    lines += ["", "The deployment will update the following scope:", "", f"Scope: {scope}", ""]
    for c in changes:
        rid = str(c.get("resourceId", ""))
        tail = rid.split("/providers/", 1)[-1] if "/providers/" in rid else rid
        after = c.get("after") or c.get("before") or {}
        api = after.get("apiVersion") if isinstance(after, dict) else None
        lines.append(f"  {_SYMBOLS.get(str(c.get('changeType')), '?')} {tail}" + (f" [{api}]" if api else ""))
        delta = [d for d in c.get("delta") or [] if isinstance(d, dict)]
        for d in delta:
            kind = str(d.get("propertyChangeType", ""))
            if kind == "Modify":
                lines.append(f"    ~ {d.get('path')}: {json.dumps(d.get('before'))} => {json.dumps(d.get('after'))}")
            elif kind == "Create":
                lines.append(f"    + {d.get('path')}: {json.dumps(d.get('after'))}")
        if delta:
            lines.append("")
    lines.append("")
    counts = []
    for kind, word in (("Create", "to create"), ("Delete", "to delete"), ("Modify", "to modify"),
                       ("NoChange", "no change"), ("Ignore", "to ignore")):
        n = kinds.count(kind)
        if n:
            counts.append(f"{n} {word}")
    lines.append(f"Resource changes: {', '.join(counts) or 'no change'}.")
    return lines


class GetAzResourceGroupDeployment(_DeploymentCmdlet):
    name = "Get-AzResourceGroupDeployment"
    aliases = ("Get-AzureRmResourceGroupDeployment",)
    dynamic_parameters = False
    synopsis = "Gets the deployments in a resource group."
    description = "Gets one deployment of a resource group by name, or all of them."
    params = (
        Param("ResourceGroupName", "string", mandatory=True, parameter_sets=("GetByResourceGroupDeploymentName",),
              completer="resource_group", value_from_pipeline_by_property_name=True),
        Param("Name", "string", aliases=("DeploymentName",), parameter_sets=("GetByResourceGroupDeploymentName",),
              value_from_pipeline_by_property_name=True),
        Param("Id", "string", aliases=("DeploymentId", "ResourceId"), mandatory=True,
              parameter_sets=("GetByResourceGroupDeploymentId",)),
        Param("Pre", "switch"),
    )
    default_parameter_set = "GetByResourceGroupDeploymentName"
    outputs = (PS_DEPLOYMENT,)
    examples = (Example("Get-AzResourceGroupDeployment -ResourceGroupName myRG -Name myDeployment",
                        "Gets one deployment."),)

    def process(self) -> None:
        rid = self.bound.get("Id")
        if rid:
            parts = str(rid).strip("/").split("/")
            rg, name = (parts[3], parts[-1]) if len(parts) >= 8 else ("", "")
        else:
            rg, name = str(self.bound.get("ResourceGroupName")), str(self.bound.get("Name") or "")
        if name:
            resp = self.arm_request("GET", f"{self.deployments_path(rg)}/{name}", API_DEPLOYMENTS)
            if resp.status_code >= 400:
                self.raise_arm_error(resp)
            self.write(deployment_object(resp.json(), rg))
            return
        for doc in self.arm_list(self.deployments_path(rg), API_DEPLOYMENTS):
            self.write(deployment_object(doc, rg))


class TestAzResourceGroupDeployment(_DeploymentCmdlet):
    name = "Test-AzResourceGroupDeployment"
    aliases = ("Test-AzureRmResourceGroupDeployment",)
    synopsis = "Validates a resource group deployment."
    description = ("Asks ARM to validate a template and its parameters for a resource group without deploying "
                   "anything: nothing is written on success; each error (with its inner errors) on failure.")
    params = (_RG, *_TEMPLATE_PARAMS)
    outputs = (PS_ERROR,)
    examples = (Example("Test-AzResourceGroupDeployment -ResourceGroupName myRG -TemplateFile azuredeploy.json",
                        "Validates a template."),)

    def process(self) -> None:
        rg = str(self.bound["ResourceGroupName"])
        try:
            body, stem = self.body()
        except CmdletError as e:
            exc = e.exception
            if isinstance(exc, AzureRestError):
                self.write(error_object({"code": exc.code, "message": exc.error_message}))
                return
            raise
        name = f"{stem or 'deployment'}"
        resp = self.arm_request("POST", f"{self.deployments_path(rg)}/{name}/validate", API_DEPLOYMENTS, body=body)
        if resp.status_code == 400:
            err = resp.json().get("error") or {}
            self.write(error_object(err))
            return
        if resp.status_code >= 400:
            self.raise_arm_error(resp)


class RemoveAzResourceGroupDeployment(_DeploymentCmdlet):
    name = "Remove-AzResourceGroupDeployment"
    aliases = ("Remove-AzureRmResourceGroupDeployment",)
    dynamic_parameters = False
    synopsis = "Removes a resource group deployment."
    description = "Deletes a deployment's record (the resources it deployed stay)."
    supports_should_process = True
    params = (
        Param("ResourceGroupName", "string", mandatory=True, parameter_sets=("RemoveByResourceGroupDeploymentName",),
              completer="resource_group"),
        Param("Name", "string", mandatory=True, aliases=("DeploymentName",),
              parameter_sets=("RemoveByResourceGroupDeploymentName",)),
        Param("Id", "string", aliases=("DeploymentId", "ResourceId"), mandatory=True,
              parameter_sets=("RemoveByResourceGroupDeploymentId",)),
        Param("PassThru", "switch"),
        Param("Pre", "switch"),
    )
    default_parameter_set = "RemoveByResourceGroupDeploymentName"
    outputs = ("System.Boolean",)
    examples = (Example("Remove-AzResourceGroupDeployment -ResourceGroupName myRG -Name myDeployment",
                        "Deletes the deployment's record; its resources stay."),)

    def process(self) -> None:
        rid = self.bound.get("Id")
        if rid:
            parts = str(rid).strip("/").split("/")
            rg, name = (parts[3], parts[-1]) if len(parts) >= 8 else ("", "")
        else:
            rg, name = str(self.bound["ResourceGroupName"]), str(self.bound["Name"])
        if not self.should_process(name, "Deleting deployment"):
            return
        resp = self.arm_request("GET", f"{self.deployments_path(rg)}/{name}", API_DEPLOYMENTS)
        if resp.status_code >= 400:
            self.raise_arm_error(resp)
        resp = self.arm_request("DELETE", f"{self.deployments_path(rg)}/{name}", API_DEPLOYMENTS)
        if resp.status_code >= 400:
            self.raise_arm_error(resp)
        self.write(True)


class GetAzResourceGroupDeploymentOperation(_DeploymentCmdlet):
    name = "Get-AzResourceGroupDeploymentOperation"
    aliases = ("Get-AzureRmResourceGroupDeploymentOperation",)
    dynamic_parameters = False
    synopsis = "Gets the operations of a resource group deployment."
    description = "One operation per resource the deployment created, updated or (Complete mode) deleted."
    params = (
        Param("DeploymentName", "string", mandatory=True, aliases=("Name",)),
        Param("ResourceGroupName", "string", mandatory=True, completer="resource_group"),
        Param("OperationId", "string"),
        Param("Pre", "switch"),
    )
    outputs = (PS_OPERATION,)
    examples = (Example("Get-AzResourceGroupDeploymentOperation -ResourceGroupName myRG -DeploymentName d1",
                        "Lists a deployment's operations."),)

    def process(self) -> None:
        rg, name = str(self.bound["ResourceGroupName"]), str(self.bound["DeploymentName"])
        op_id = self.bound.get("OperationId")
        path = f"{self.deployments_path(rg)}/{name}/operations" + (f"/{op_id}" if op_id else "")
        resp = self.arm_request("GET", path, API_DEPLOYMENTS)
        if resp.status_code >= 400:
            self.raise_arm_error(resp)
        data = resp.json()
        for op in ([data] if op_id else data.get("value", [])):
            self.write(operation_object(op))


COMMANDS = (NewAzResourceGroupDeployment, GetAzResourceGroupDeployment, TestAzResourceGroupDeployment,
            RemoveAzResourceGroupDeployment, GetAzResourceGroupDeploymentOperation)

VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec(PS_DEPLOYMENT, "list",
             ("DeploymentName", "ResourceGroupName", "ProvisioningState", "Timestamp", "Mode", "TemplateLink",
              "Parameters", "Outputs", "DeploymentDebugLogLevel"),
             {"Parameters": lambda o: o.get("ParametersString") or None,
              "Outputs": lambda o: o.get("OutputsString") or None}),
    ViewSpec(PS_OPERATION, "list",
             ("Id", "OperationId", "ProvisioningState", "ProvisioningOperation", "Timestamp", "Duration",
              "ServiceRequestId", "StatusCode", "StatusMessage", "TargetResource")),
    ViewSpec(PS_ERROR, "list", ("Code", "Message", "Details")),
)


def register_views(views: ViewTable) -> None:
    register_table(views, VIEWS)


COMPLETERS: dict[str, Callable[[Any], list[str]]] = {}
