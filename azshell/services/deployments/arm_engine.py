"""The deployment engine: a template and its parameters in, ARM calls out, in ``dependsOn`` order.

Two phases, as ARM runs them:

``validate()`` (answered synchronously: a 400 ``InvalidTemplate`` fails the PUT itself)
    parameters bound (types, ``allowedValues``, ``minValue``/``maxValue``, defaults that are expressions),
    every resource expanded (``copy`` loops with ``copyIndex()``, nested child resources, ``condition``), its
    type, name, api-version and resource ID resolved, ``dependsOn`` matched to template resources and ordered
    (a cycle is ``Circular dependency detected on resource: '…'``).

``execute()``
    each resource's body evaluated (``reference()`` now reads the live resource) and PUT at its ID through the
    in-process client **with the caller's own token**, so the resource's plane authorizes it exactly as a direct
    call (``Microsoft.Compute/virtualMachines/write``, ``Microsoft.Authorization/roleAssignments/write``...).
    Nothing here writes the model. A failed operation fails the deployment (``DeploymentFailed`` with the
    operations' errors as ``details``) and its dependents never start. Complete mode then deletes the group's
    resources the template does not name. Outputs are evaluated last.

Error texts are ARM's (``Deployment template validation failed: '…'``) with the line and column of the template
value, from the request body as ARM received it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from azshell.hostnames import ARM_ENDPOINT
from azshell.ids import new_guid
from azshell.planes.jsonnet import JsonDocument, child_path
from azshell.services.deployments.arm_expr import (
    EXPRESSIONS_HELP,
    FUNCTIONS,
    TemplateError,
    evaluate_value,
    function_names,
    is_expression,
    parse,
    provider_path,
    type_name,
)

__all__ = ["DEPLOYMENT_FAILED", "Engine", "Operation", "TemplateResource", "TemplateError", "validation_failed"]

DEPLOYMENT_FAILED = "DeploymentFailed"
DEPLOYMENT_FAILED_MESSAGE = (
    "At least one resource deployment operation failed. Please list deployment operations for details. Please see "
    "https://aka.ms/arm-deployment-operations for usage details."
)
VALIDATION_FAILED = "Deployment template validation failed: '{inner}'."
EXPRESSION_FAILED = "Deployment template language expression evaluation failed: '{inner}'. " + EXPRESSIONS_HELP
RESOURCE_INVALID = ("The template resource '{name}' at line '{line}' and column '{column}' is not valid: {inner}. "
                    + EXPRESSIONS_HELP)
RESOURCE_EXPRESSIONS_FAILED = ("Unable to process template language expressions for resource '{id}' at line "
                               "'{line}' and column '{column}'. '{inner}'")
SEGMENT_LENGTHS = (
    "The template resource '{name}' for type '{type}' at line '{line}' and column '{column}' has incorrect segment "
    "lengths. A nested resource type must have identical number of segments as its resource name. A root resource "
    "type must have segment length one greater than its resource name. Please see https://aka.ms/arm-syntax-resources "
    "for usage details."
)
CIRCULAR = "Circular dependency detected on resource: '{id}'. Please see https://aka.ms/arm-syntax-resources for " \
           "usage details."
NOT_DEFINED = "The resource '{name}' is not defined in the template. Please see https://aka.ms/arm-syntax for " \
              "usage details."
PARAMETER_NOT_PROVIDED = (
    "The value for the template parameter '{name}' at line '{line}' and column '{column}' is not provided. Please see "
    "https://aka.ms/arm-create-parameter-file for usage details."
)
PARAMETER_NOT_ALLOWED = (
    "The provided value '{value}' for the template parameter '{name}' at line '{line}' and column '{column}' is not "
    "valid. The parameter value is not part of the allowed value(s): '{allowed}'. Please see "
    "https://aka.ms/arm-syntax-parameters for usage details."
)
#: INFERRED: the wording of the minValue/maxValue failures (same envelope as allowedValues).
PARAMETER_OUT_OF_RANGE = (
    "The provided value '{value}' for the template parameter '{name}' at line '{line}' and column '{column}' is not "
    "valid. The parameter value is {which} the {bound} value of '{limit}'. Please see "
    "https://aka.ms/arm-syntax-parameters for usage details."
)
PARAMETER_TYPE = (
    "Template parameter JToken type is not valid. Expected '{expected}'. Actual '{actual}'. Please see "
    "https://aka.ms/arm-create-parameter-file for usage details."
)
PARAMETERS_UNKNOWN = (
    "The template parameters '{names}' in the parameters file are not valid; they are not present in the original "
    "template and can therefore not be provided at deployment time. The only supported parameters for this template "
    "are '{supported}'. Please see https://aka.ms/arm-pass-parameter-values for usage details."
)
PARAMETER_NOT_FOUND = "The template parameter '{name}' is not found. Please see https://aka.ms/arm-syntax-parameters " \
                      "for usage details."
VARIABLE_NOT_FOUND = "The template variable '{name}' is not found. Please see https://aka.ms/arm-syntax-variables " \
                     "for usage details."
COPY_INDEX_NOT_EXPECTED = "The template function 'copyIndex' is not expected at this location. Please see " \
                          "https://aka.ms/arm-copy for usage details."
OUTPUTS_FAILED = "DeploymentOutputEvaluationFailed"
OUTPUTS_FAILED_MESSAGE = ("Unable to evaluate template outputs: '{names}'. Please see error details and deployment "
                          "operations. Please see https://aka.ms/arm-common-errors for usage details.")

#: Keys of a template resource that are the template's, not the resource provider's (never sent in the PUT).
TEMPLATE_ONLY_KEYS = frozenset({"type", "name", "apiversion", "dependson", "copy", "condition", "resources",
                                "comments", "scope", "metadata", "resourcegroup", "subscriptionid"})
#: a nested deployment: its own template and parameters go to ARM as a deployment of their own
NESTED_DEPLOYMENT = "microsoft.resources/deployments"
#: parameter types as templates spell them → (ARM's display of the type, Json.NET's expected type names)
PARAMETER_TYPES: dict[str, tuple[str, str]] = {
    "string": ("String", "String, Uri"), "securestring": ("SecureString", "String, Uri"),
    "int": ("Int", "Integer"), "bool": ("Bool", "Boolean"), "object": ("Object", "Object"),
    "secureobject": ("SecureObject", "Object"), "array": ("Array", "Array"),
}


def validation_failed(inner: str) -> TemplateError:
    return TemplateError(VALIDATION_FAILED.format(inner=inner))


def _json_token(value: Any) -> str:
    name = type_name(value)
    return {"Integer": "Integer", "Boolean": "Boolean", "String": "String", "Array": "Array", "Object": "Object",
            "Null": "Null", "Float": "Float"}[name]


def _type_matches(ptype: str, value: Any) -> bool:
    if ptype in ("string", "securestring"):
        return isinstance(value, str)
    if ptype == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if ptype == "bool":
        return isinstance(value, bool)
    if ptype in ("object", "secureobject"):
        return isinstance(value, dict)
    if ptype == "array":
        return isinstance(value, list)
    return True


def _ci_get(obj: dict[str, Any], key: str, default: Any = None) -> Any:
    for k, v in obj.items():
        if k.lower() == key.lower():
            return v
    return default


@dataclass
class TemplateResource:
    """One resource of the expanded template (a copy loop gives one per iteration)."""

    path: str
    raw: dict[str, Any]
    loop: tuple[str, int] | None
    full_type: str
    name: str
    api_version: str
    id: str
    condition: bool
    depends: list[str] = field(default_factory=list)
    parent: TemplateResource | None = None
    copy_name: str | None = None
    #: resolved after expansion: the template resources this one waits for
    after: list[TemplateResource] = field(default_factory=list)

    @property
    def short_type(self) -> str:
        return self.full_type

    def target(self) -> dict[str, str]:
        """``targetResource`` / ``dependencies`` entry."""
        return {"id": self.id, "resourceType": self.full_type, "resourceName": self.name}


@dataclass
class Operation:
    """One deployment operation (a resource PUT or a Complete-mode DELETE)."""

    operation_id: str
    provisioning_operation: str
    state: str
    status_code: str
    target: dict[str, str]
    timestamp: float
    duration: float
    status_message: Any = None

    def to_json(self, deployment_id: str, format_iso: Callable[[float], str],
                guid: Callable[[], str] = new_guid) -> dict[str, Any]:
        props: dict[str, Any] = {
            "provisioningOperation": self.provisioning_operation, "provisioningState": self.state,
            "timestamp": format_iso(self.timestamp), "duration": f"PT{self.duration:.7f}".rstrip("0").rstrip(".")
            + "S", "trackingId": guid(), "serviceRequestId": guid(), "statusCode": self.status_code,
            "targetResource": self.target,
        }
        if self.status_message is not None:
            props["statusMessage"] = self.status_message
        return {"id": f"{deployment_id}/operations/{self.operation_id}", "operationId": self.operation_id,
                "properties": props}


@dataclass
class EngineResult:
    state: str
    outputs: dict[str, Any]
    operations: list[Operation]
    error: dict[str, Any] | None
    output_resources: list[str]


class Engine:
    """One deployment of a template into a resource group.

    Arguments:
        template: the parsed template (``JsonDocument``: value and positions of the request body).
        base_path: where the template sits in that body (``properties.template``).
        parameters: the ``{"name": {"value": v}}`` the request gave.
        context: ``subscription``/``resourceGroup`` objects as the functions return them, the deployment name.
        http: the in-process client and the caller's ``Authorization`` header (None: validation only).
        api_versions: the newest api-version ARM knows for a type (for ``reference()`` without one and deletes).
        now: the tenant clock.
        new_guid: where the deployment's GUIDs come from (ARM passes the world's ids, which ``--seed`` repeats).
    """

    def __init__(self, template: JsonDocument, base_path: str, parameters: dict[str, Any], *,
                 subscription: dict[str, Any], resource_group: dict[str, Any], deployment_name: str, mode: str,
                 http: httpx.Client | None = None, authorization: str | None = None,
                 api_versions: Callable[[str], str | None] = lambda t: None,
                 now: Callable[[], float] = time.time, new_guid: Callable[[], str] = new_guid) -> None:
        self.doc = template
        self.base = base_path
        root = template.value
        for p in base_path.split(".") if base_path else ():
            root = root.get(p, {}) if isinstance(root, dict) else {}
        self.template: dict[str, Any] = root if isinstance(root, dict) else {}
        self.given = parameters
        self.sub = subscription
        self.rg = resource_group
        self.name = deployment_name
        self.mode = mode
        self.http = http
        self.authorization = authorization
        self.api_versions = api_versions
        self.now = now
        self.new_guid = new_guid
        self.values: dict[str, Any] = {}
        self.parameter_types: dict[str, str] = {}
        self._variables: dict[str, Any] = {}
        self._resolving: set[str] = set()
        self._loops: list[tuple[str, int]] = []
        self.resources: list[TemplateResource] = []

    def op_id(self) -> str:
        """A deployment operation's id: 16 upper-case hex digits."""
        return self.new_guid().replace("-", "")[:16].upper()

    # ------------------------------------------------------------------------------------------------ paths
    def path(self, *keys: str | int) -> str:
        p = self.base
        for k in keys:
            p = child_path(p, k)
        return p

    def where(self, path: str) -> tuple[int, int]:
        return self.doc.where(path)

    # ------------------------------------------------------------------------------------------ scope (functions)
    def parameter(self, name: str) -> Any:
        for k, v in self.values.items():
            if k.lower() == name.lower():
                return v
        raise TemplateError(PARAMETER_NOT_FOUND.format(name=name))

    def variable(self, name: str) -> Any:
        declared = self.template.get("variables") or {}
        key = next((k for k in declared if k.lower() == name.lower()), None)
        if key is None:
            raise TemplateError(VARIABLE_NOT_FOUND.format(name=name))
        if key in self._variables:
            return self._variables[key]
        if key in self._resolving:
            raise TemplateError(f"The template variable '{key}' is not valid: it references itself. Please see "
                                "https://aka.ms/arm-syntax-variables for usage details.")
        self._resolving.add(key)
        try:
            value = self.evaluate_tree(declared[key])
        finally:
            self._resolving.discard(key)
        self._variables[key] = value
        return value

    def resource_group(self) -> dict[str, Any]:
        return self.rg

    def subscription(self) -> dict[str, Any]:
        return self.sub

    def deployment(self) -> dict[str, Any]:
        return {"name": self.name, "properties": {
            "template": {"contentVersion": self.template.get("contentVersion", "1.0.0.0")},
            "templateLink": None, "mode": self.mode, "provisioningState": "Accepted"}}

    def copy_index(self, loop: str | None) -> int:
        if not self._loops:
            raise TemplateError(COPY_INDEX_NOT_EXPECTED)
        if loop is None:
            return self._loops[-1][1]
        for name, index in reversed(self._loops):
            if name.lower() == loop.lower():
                return index
        raise TemplateError(f"The template copy name '{loop}' is not found. Please see https://aka.ms/arm-copy for "
                            "usage details.")

    def reference(self, target: str, api_version: str | None, full: bool) -> Any:
        rid, api = self._reference_target(target, api_version)
        resp = self._arm("GET", rid, api)
        body = _json(resp)
        if resp.status_code >= 400:
            err = body.get("error") if isinstance(body, dict) else None
            err = err if isinstance(err, dict) else {"code": str(resp.status_code), "message": resp.text}
            raise TemplateError(str(err.get("message", "")), code=str(err.get("code", "")), status=resp.status_code,
                                details=[err])
        if full:
            return body
        return body.get("properties", {}) if isinstance(body, dict) else {}

    def list_keys(self, resource_id: str, api_version: str) -> Any:
        resp = self._arm("POST", f"{resource_id.rstrip('/')}/listKeys", api_version)
        body = _json(resp)
        if resp.status_code >= 400:
            err = body.get("error") if isinstance(body, dict) else None
            err = err if isinstance(err, dict) else {"code": str(resp.status_code), "message": resp.text}
            raise TemplateError(str(err.get("message", "")), code=str(err.get("code", "")), status=resp.status_code,
                                details=[err])
        return body

    def _reference_target(self, target: str, api_version: str | None) -> tuple[str, str]:
        found: TemplateResource | None = None
        if target.startswith("/"):
            rid = target
            found = next((r for r in self.resources if r.id.lower() == rid.lower()), None)
        else:
            found = next((r for r in self.resources if r.name.lower() == target.lower()), None)
            if found is None and "/" in target and "." in target.split("/", 1)[0]:
                segs = target.strip("/").split("/")
                types, names = [segs[0], *segs[1::2]], segs[2::2]
                rid = f"{self.rg['id']}/{provider_path(types, names)}"
                found = next((r for r in self.resources if r.id.lower() == rid.lower()), None)
            elif found is None:
                raise TemplateError(f"The template resource '{target}' is not found. Please see "
                                    "https://aka.ms/arm-template-expressions/#reference for usage details.")
            if found is not None:
                rid = found.id
        api = api_version or (found.api_version if found is not None else None) or self.api_versions(_type_of(rid))
        if not api:
            raise TemplateError(f"The api-version for the resource '{rid}' could not be determined: give it as the "
                                "second parameter of 'reference'.")
        return rid, api

    # ------------------------------------------------------------------------------------------ evaluation
    def evaluate_tree(self, value: Any) -> Any:
        if isinstance(value, str):
            return evaluate_value(value, self)
        if isinstance(value, list):
            return [self.evaluate_tree(v) for v in value]
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for k, v in value.items():
                key = self.evaluate_tree(k) if is_expression(k) else k
                out[str(key) if not isinstance(key, str) else key] = self.evaluate_tree(v)
            return out
        return value

    @contextmanager
    def in_loop(self, loop: tuple[str, int] | None) -> Iterator[None]:
        if loop is not None:
            self._loops.append(loop)
        try:
            yield
        finally:
            if loop is not None:
                self._loops.pop()

    # ------------------------------------------------------------------------------------------ validation
    def validate(self) -> list[TemplateResource]:
        """Bind the parameters and expand and order the resources; TemplateError (ARM's text) otherwise."""
        if not isinstance(self.template.get("resources", []), list):
            raise validation_failed("The template 'resources' property must be an array. Please see "
                                    "https://aka.ms/arm-syntax-resources for usage details.")
        self._static_check()
        self._bind_parameters()
        try:
            self._expand(self.template.get("resources") or [], self.path("resources"), None)
        except TemplateError as exc:
            if exc.message.startswith(("Deployment template", "The template resource")):
                raise
            raise TemplateError(EXPRESSION_FAILED.format(inner=exc.message)) from None
        self._resolve_dependencies()
        return self.ordered()

    def _static_check(self) -> None:
        """Every expression of the template parses and names functions that exist, before anything runs (ARM
        refuses such a template at once, naming the resource, output or section with its line and column)."""
        def walk(value: Any) -> Iterator[str]:
            if isinstance(value, str):
                if is_expression(value):
                    yield value[1:-1]
            elif isinstance(value, list):
                for v in value:
                    yield from walk(v)
            elif isinstance(value, dict):
                for k, v in value.items():
                    yield from walk(k)
                    yield from walk(v)

        def check(value: Any, fail: Callable[[str], TemplateError]) -> None:
            for text in walk(value):
                try:
                    for name in function_names(parse(text)):
                        if name.lower() not in FUNCTIONS and name.lower() != "if":
                            raise TemplateError(f"The template function '{name}' is not valid. {EXPRESSIONS_HELP}")
                except TemplateError as exc:
                    raise fail(exc.message) from None

        def resources(items: Any, base: str) -> None:
            for i, raw in enumerate(items if isinstance(items, list) else []):
                path = child_path(base, i)
                if not isinstance(raw, dict):
                    continue
                body = {k: v for k, v in raw.items() if k.lower() != "resources"}
                shown = str(raw.get("name", ""))

                def resource_failed(inner: str, p: str = path, n: str = shown) -> TemplateError:
                    return self._resource_error(p, n, inner)

                check(body, resource_failed)
                resources(_ci_get(raw, "resources"), child_path(path, "resources"))

        resources(self.template.get("resources"), self.path("resources"))
        for section in ("parameters", "variables"):
            check(self.template.get(section), lambda inner: TemplateError(EXPRESSION_FAILED.format(inner=inner)))
        outputs = self.template.get("outputs")
        for oname, spec in (outputs.items() if isinstance(outputs, dict) else ()):
            line, column = self.where(self.path("outputs", oname))

            def output_failed(inner: str, n: str = oname, ln: int = line, c: int = column) -> TemplateError:
                return validation_failed(f"The template output '{n}' at line '{ln}' and column '{c}' is not valid: "
                                         f"{inner}. {EXPRESSIONS_HELP}")

            check(spec, output_failed)

    def _bind_parameters(self) -> None:
        declared = self.template.get("parameters") or {}
        if not isinstance(declared, dict):
            raise validation_failed("The template 'parameters' property must be an object.")
        given = {k: v for k, v in (self.given or {}).items()}
        unknown = [k for k in given if not any(k.lower() == d.lower() for d in declared)]
        if unknown:
            raise validation_failed(PARAMETERS_UNKNOWN.format(names=", ".join(unknown),
                                                              supported=", ".join(declared)))
        for pname, spec in declared.items():
            spec = spec if isinstance(spec, dict) else {}
            ptype = str(spec.get("type", "string")).lower()
            self.parameter_types[pname] = ptype
            line, column = self.where(self.path("parameters", pname))
            entry = next((v for k, v in given.items() if k.lower() == pname.lower()), None)
            if entry is not None:
                if isinstance(entry, dict) and "reference" in entry and "value" not in entry:
                    raise validation_failed(f"The template parameter '{pname}' references a Key Vault secret; "
                                            "azshell's deployments take values only.")
                value = entry.get("value") if isinstance(entry, dict) else entry
            elif "defaultValue" in spec:
                try:
                    value = self.evaluate_tree(spec["defaultValue"])
                except TemplateError as exc:
                    raise TemplateError(EXPRESSION_FAILED.format(inner=exc.message)) from None
            else:
                raise validation_failed(PARAMETER_NOT_PROVIDED.format(name=pname, line=line, column=column))
            if ptype not in PARAMETER_TYPES:
                raise validation_failed(f"The template parameter '{pname}' at line '{line}' and column '{column}' has "
                                        f"a type '{spec.get('type')}' that is not valid. Please see "
                                        "https://aka.ms/arm-syntax-parameters for usage details.")
            if not _type_matches(ptype, value):
                raise validation_failed(PARAMETER_TYPE.format(expected=PARAMETER_TYPES[ptype][1],
                                                              actual=_json_token(value)))
            allowed = spec.get("allowedValues")
            if isinstance(allowed, list) and value not in allowed and not (
                    isinstance(value, str) and any(isinstance(a, str) and a.lower() == value.lower()
                                                   for a in allowed)):
                raise validation_failed(PARAMETER_NOT_ALLOWED.format(
                    value=_shown(value), name=pname, line=line, column=column,
                    allowed=",".join(_shown(a) for a in allowed)))
            for key, which, bound in (("minValue", "less than", "minimum"), ("maxValue", "greater than", "maximum")):
                limit = spec.get(key)
                if isinstance(limit, int) and isinstance(value, int) and (
                        value < limit if key == "minValue" else value > limit):
                    raise validation_failed(PARAMETER_OUT_OF_RANGE.format(
                        value=value, name=pname, line=line, column=column, which=which, bound=bound, limit=limit))
            for key in ("minLength", "maxLength"):
                limit = spec.get(key)
                if isinstance(limit, int) and isinstance(value, (str, list)) and (
                        len(value) < limit if key == "minLength" else len(value) > limit):
                    raise validation_failed(
                        f"The provided value for the template parameter '{pname}' at line '{line}' and column "
                        f"'{column}' is not valid. Length of the value should be {'greater' if key == 'minLength' else 'less'} "
                        f"than or equal to '{limit}'. Please see https://aka.ms/arm-syntax-parameters for usage details.")
            self.values[pname] = value

    def _resource_error(self, path: str, name: str, inner: str) -> TemplateError:
        line, column = self.where(path)
        return validation_failed(RESOURCE_INVALID.format(name=name, line=line, column=column, inner=inner))

    def _expand(self, items: list[Any], base: str, parent: TemplateResource | None) -> None:
        for i, raw in enumerate(items):
            path = child_path(base, i)
            if not isinstance(raw, dict):
                raise validation_failed(f"The template resource at line '{self.where(path)[0]}' and column "
                                        f"'{self.where(path)[1]}' is not valid: a resource must be an object.")
            copy = _ci_get(raw, "copy")
            if isinstance(copy, dict):
                try:
                    loop_name = str(self.evaluate_tree(copy.get("name", "")))
                    count = self.evaluate_tree(copy.get("count", 0))
                except TemplateError as exc:
                    raise self._resource_error(path, str(raw.get("name", "")), exc.message) from None
                if isinstance(count, bool) or not isinstance(count, int) or count < 0 or count > 800:
                    raise self._resource_error(path, str(raw.get("name", "")),
                                               f"The copy count must be a non-negative integer no larger than 800; "
                                               f"the value provided is '{count}'")
                for k in range(count):
                    self._instantiate(raw, path, parent, (loop_name, k))
            else:
                self._instantiate(raw, path, parent, None)

    def _instantiate(self, raw: dict[str, Any], path: str, parent: TemplateResource | None,
                     loop: tuple[str, int] | None) -> None:
        shown = str(raw.get("name", ""))
        with self.in_loop(loop):
            try:
                condition = self.evaluate_tree(_ci_get(raw, "condition", True))
                rtype = self.evaluate_tree(_ci_get(raw, "type", ""))
                name = self.evaluate_tree(_ci_get(raw, "name", ""))
                api = self.evaluate_tree(_ci_get(raw, "apiVersion", ""))
                scope = self.evaluate_tree(_ci_get(raw, "scope")) if _ci_get(raw, "scope") is not None else None
                target_rg = self.evaluate_tree(_ci_get(raw, "resourceGroup", self.rg["name"]))
                target_sub = self.evaluate_tree(_ci_get(raw, "subscriptionId", self.sub["subscriptionId"]))
                depends = [self.evaluate_tree(d) for d in (_ci_get(raw, "dependsOn") or [])]
            except TemplateError as exc:
                raise self._resource_error(path, shown, exc.message) from None
        for label, value in (("type", rtype), ("name", name), ("apiVersion", api)):
            if not isinstance(value, str) or not value:
                raise self._resource_error(path, shown, f"The template resource property '{label}' must be a "
                                           "non-empty string")
        if not isinstance(condition, bool):
            raise self._resource_error(path, name, "The template resource 'condition' must be a boolean")
        if parent is not None:
            if "." not in rtype.split("/", 1)[0]:
                rtype = f"{parent.full_type}/{rtype}"
            if name.count("/") < rtype.count("/") - 1:
                name = f"{parent.name}/{name}"
            depends.append(parent.id)
        type_segs = rtype.strip("/").split("/")
        name_segs = name.strip("/").split("/")
        line, column = self.where(path)
        if len(type_segs) < 2 or len(name_segs) != len(type_segs) - 1:
            raise validation_failed(SEGMENT_LENGTHS.format(name=name, type=rtype, line=line, column=column))
        tail = provider_path(type_segs, name_segs)
        if isinstance(scope, str) and scope:
            rid = f"{scope.rstrip('/')}/{tail}"
        elif rtype.lower() == NESTED_DEPLOYMENT and (target_rg, target_sub) != (self.rg["name"],
                                                                              self.sub["subscriptionId"]):
            rid = f"/subscriptions/{target_sub}/resourceGroups/{target_rg}/{tail}"
        else:
            rid = f"{self.rg['id']}/{tail}"
        res = TemplateResource(path=path, raw=raw, loop=loop, full_type="/".join(type_segs), name=name,
                               api_version=api, id=rid, condition=condition,
                               depends=[str(d) for d in depends if d], parent=parent,
                               copy_name=loop[0] if loop else None)
        self.resources.append(res)
        children = _ci_get(raw, "resources")
        if isinstance(children, list) and children:
            with self.in_loop(loop):
                self._expand(children, child_path(path, "resources"), res)

    def _find(self, ref: str, me: TemplateResource) -> list[TemplateResource]:
        low = ref.lower().strip("/")
        loops = [r for r in self.resources if r.copy_name is not None and r.copy_name.lower() == low]
        if loops:
            return loops
        out = []
        for r in self.resources:
            rid = r.id.lower().strip("/")
            prov = rid.split("/providers/", 1)[-1] if "/providers/" in rid else rid
            typed = f"{r.full_type}/{r.name}".lower()
            if low in (rid, prov, typed) or (rid.endswith("/" + low) and "/providers/" in low) or low == r.name.lower():
                out.append(r)
        return [r for r in out if r is not me]

    def _resolve_dependencies(self) -> None:
        for r in self.resources:
            for dep in r.depends:
                found = self._find(dep, r)
                if not found:
                    raise validation_failed(NOT_DEFINED.format(name=dep))
                for f in found:
                    if f not in r.after:
                        r.after.append(f)

    def ordered(self) -> list[TemplateResource]:
        """The resources in an order that respects ``dependsOn`` (template order otherwise)."""
        done: list[TemplateResource] = []
        state: dict[int, int] = {}

        def visit(r: TemplateResource) -> None:
            key = id(r)
            if state.get(key) == 2:
                return
            if state.get(key) == 1:
                raise validation_failed(CIRCULAR.format(id=r.id))
            state[key] = 1
            for dep in r.after:
                visit(dep)
            state[key] = 2
            done.append(r)

        for r in self.resources:
            visit(r)
        return done

    # ------------------------------------------------------------------------------------------ execution
    def _arm(self, method: str, rid: str, api: str, body: Any = None) -> httpx.Response:
        if self.http is None:
            raise TemplateError("The template function 'reference' is not expected at this location. Please see "
                                "https://aka.ms/arm-template-expressions/#reference for usage details.")
        headers = {"Accept": "application/json"}
        if self.authorization:
            headers["Authorization"] = self.authorization
        content = None
        if body is not None:
            content = json.dumps(body).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        return self.http.request(method, f"{ARM_ENDPOINT}{rid}", params={"api-version": api}, headers=headers,
                                 content=content)

    def identity_of(self, r: TemplateResource) -> Any:
        """The resource's ``identity`` block evaluated for preflight, or None when it needs the deployment to run
        first (``reference()`` to a resource not deployed yet)."""
        block = _ci_get(r.raw, "identity")
        if block is None:
            return None
        with self.in_loop(r.loop):
            try:
                return self.evaluate_tree(block)
            except TemplateError:
                return None

    def resource_body(self, r: TemplateResource) -> dict[str, Any]:
        with self.in_loop(r.loop):
            body = {k: v for k, v in r.raw.items() if k.lower() not in TEMPLATE_ONLY_KEYS}
            inner: Any = None
            props = body.get("properties")
            if r.full_type.lower() == NESTED_DEPLOYMENT and isinstance(props, dict):
                options = props.get("expressionEvaluationOptions")
                if isinstance(options, dict) and str(options.get("scope", "")).lower() == "inner":
                    # the nested template's expressions are its own: they run in the nested deployment
                    inner = props.get("template")
                    body = {**body, "properties": {k: v for k, v in props.items() if k != "template"}}
            try:
                value = self.evaluate_tree(body)
                if inner is not None and isinstance(value, dict):
                    value["properties"]["template"] = inner
            except TemplateError as exc:
                line, column = self.where(r.path)
                if exc.details and exc.code != "InvalidTemplate":
                    raise
                raise TemplateError(RESOURCE_EXPRESSIONS_FAILED.format(id=r.id, line=line, column=column,
                                                                       inner=exc.message)) from None
        return value if isinstance(value, dict) else {}

    def execute(self, order: list[TemplateResource]) -> EngineResult:
        operations: list[Operation] = []
        failed: set[int] = set()
        details: list[dict[str, Any]] = []
        deployed: list[str] = []
        for r in order:
            if not r.condition:
                continue
            if any(id(d) in failed for d in r.after):
                failed.add(id(r))
                continue
            started = self.now()
            try:
                body = self.resource_body(r)
                resp = self._arm("PUT", r.id, r.api_version, body)
            except TemplateError as exc:
                failed.add(id(r))
                err = exc.details[0] if exc.details else {"code": exc.code, "message": exc.message}
                details.append(err)
                operations.append(Operation(self.op_id(), "Create", "Failed", "BadRequest", r.target(), started,
                                            self.now() - started, {"error": err}))
                continue
            status = _status_name(resp.status_code)
            if resp.status_code >= 400:
                failed.add(id(r))
                body_json = _json(resp)
                found = body_json.get("error") if isinstance(body_json, dict) else None
                refused: dict[str, Any] = found if isinstance(found, dict) else {"code": status,
                                                                                "message": resp.text}
                details.append(refused)
                operations.append(Operation(self.op_id(), "Create", "Failed", status, r.target(), started,
                                            self.now() - started, {"error": refused}))
                continue
            operations.append(Operation(self.op_id(), "Create", "Succeeded", status, r.target(), started,
                                        self.now() - started))
            deployed.append(r.id)
        if not failed and self.mode.lower() == "complete":
            self._complete(order, operations, details, failed)
        outputs: dict[str, Any] = {}
        error: dict[str, Any] | None = None
        if failed or details:
            error = {"code": DEPLOYMENT_FAILED, "message": DEPLOYMENT_FAILED_MESSAGE, "details": details}
        else:
            outputs, error = self.outputs()
        return EngineResult("Failed" if error else "Succeeded", outputs, operations, error, deployed)

    def _complete(self, order: list[TemplateResource], operations: list[Operation],
                  details: list[dict[str, Any]], failed: set[int]) -> None:
        """Complete mode: delete the group's top-level resources the template does not name."""
        keep = {r.id.lower() for r in order}
        resp = self._arm("GET", f"{self.rg['id']}/resources", "2021-04-01")
        items = _json(resp).get("value", []) if resp.status_code == 200 else []
        for item in items:
            rid = str(item.get("id", ""))
            if not rid or rid.lower() in keep:
                continue
            api = self.api_versions(str(item.get("type", "")))
            if not api:
                continue
            started = self.now()
            target = {"id": rid, "resourceType": str(item.get("type", "")), "resourceName": str(item.get("name", ""))}
            del_resp = self._arm("DELETE", rid, api)
            if del_resp.status_code >= 400:
                body = _json(del_resp)
                found = body.get("error") if isinstance(body, dict) else None
                err: dict[str, Any] = found if isinstance(found, dict) else {
                    "code": _status_name(del_resp.status_code), "message": ""}
                details.append(err)
                failed.add(-1)
                operations.append(Operation(self.op_id(), "Delete", "Failed", _status_name(del_resp.status_code), target,
                                            started, self.now() - started, {"error": err}))
            else:
                operations.append(Operation(self.op_id(), "Delete", "Succeeded", _status_name(del_resp.status_code),
                                            target, started, self.now() - started))

    def outputs(self) -> tuple[dict[str, Any], dict[str, Any] | None]:
        declared = self.template.get("outputs") or {}
        out: dict[str, Any] = {}
        bad: list[dict[str, Any]] = []
        for oname, spec in (declared.items() if isinstance(declared, dict) else ()):
            spec = spec if isinstance(spec, dict) else {}
            otype = str(spec.get("type", "string")).lower()
            try:
                if not self.evaluate_tree(spec.get("condition", True)):
                    continue
                value = self.evaluate_tree(spec.get("value"))
                if otype in PARAMETER_TYPES and not _type_matches(otype, value):
                    raise TemplateError(f"Template output JToken type is not valid. Expected "
                                        f"'{PARAMETER_TYPES[otype][1]}'. Actual '{_json_token(value)}'. Please see "
                                        "https://aka.ms/arm-syntax-outputs for usage details.")
            except TemplateError as exc:
                bad.append({"code": OUTPUTS_FAILED, "target": oname,
                            "message": f"The template output '{oname}' is not valid: {exc.message}."})
                continue
            out[oname] = {"type": PARAMETER_TYPES.get(otype, ("String", ""))[0], "value": value}
        if bad:
            names = ", ".join(str(b["target"]) for b in bad)
            return out, {"code": OUTPUTS_FAILED, "message": OUTPUTS_FAILED_MESSAGE.format(names=names),
                         "details": bad}
        return out, None

    def parameters_json(self) -> dict[str, Any]:
        """The deployment's ``properties.parameters``: types as ARM shows them, secure values left out."""
        out: dict[str, Any] = {}
        for pname, value in self.values.items():
            ptype = self.parameter_types.get(pname, "string")
            shown = PARAMETER_TYPES.get(ptype, ("String", ""))[0]
            out[pname] = {"type": shown} if ptype.startswith("secure") else {"type": shown, "value": value}
        return out


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _type_of(rid: str) -> str:
    parts = rid.strip("/").split("/")
    idx = max(i for i, p in enumerate(parts) if p.lower() == "providers") if any(
        p.lower() == "providers" for p in parts) else -1
    if idx < 0 or idx + 2 >= len(parts):
        return ""
    rest = parts[idx + 1:]
    return "/".join([rest[0], *rest[1::2]])


def _json(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return {}


def _status_name(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase.replace(" ", "")
    except ValueError:
        return str(status)
