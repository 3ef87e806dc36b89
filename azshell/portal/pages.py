"""The portal's pages and blades: routing, the plane calls behind each page, and the forms' actions."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import jinja2

from azshell.auth.decision import AccessDecision
from azshell.cmdlets._azure import (
    MSI_EXTENSION_LINUX,
    MSI_EXTENSION_PUBLISHER,
    MSI_EXTENSION_VERSION,
    MSI_EXTENSION_WINDOWS,
)
from azshell.hostnames import (
    DATA_LAKE_HOST_SUFFIX,
    KEY_VAULT_URI_TEMPLATE,
    LOOPBACK_HOSTS,
    MSI_EXTENSION_PORT,
    STORAGE_BLOB_HOST_SUFFIX,
)
from azshell.planes.base import Headers, Request, Response
from azshell.planes.router import Planes
from azshell.portal import catalog
from azshell.portal.client import (
    API_AUTHORIZATION,
    API_KEY_VAULT,
    API_MANAGED_IDENTITY,
    API_RESOURCE_GROUPS,
    API_STORAGE,
    API_SUBSCRIPTIONS,
    PortalClient,
    PortalError,
)

__all__ = ["Portal"]

log = logging.getLogger("azshell.portal")

HERE = Path(__file__).resolve().parent
CSS_PATH = HERE / "static" / "portal.css"
TEMPLATES = HERE / "templates"

SECURITY_HEADERS = (
    ("Cache-Control", "no-store"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),  # "no-referrer" would make Chromium send "Origin: null"
    ("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
)
CROSS_ORIGIN = ("This form was posted from another site ({origin}). The portal accepts forms only from its own "
                "pages.")
FOREIGN_HOST = ("The portal answers only at a loopback address (127.0.0.1, localhost or [::1]); this request "
                "names '{host}'.")
NOT_FOUND = "There is no portal page at {path}."
ROLE_ASSIGNMENT_PRINCIPAL_TYPES = ("User", "Group", "ServicePrincipal")


# ------------------------------------------------------------------------------------------------ helpers
@dataclass(frozen=True)
class Scope:
    """A page's ARM scope: subscription, resource group or resource (``kind``), with its parts."""

    id: str
    kind: str  # "subscription" | "resourceGroup" | "resource"
    subscription: str
    resource_group: str = ""
    type: str = ""  # resource type "Namespace/type[/child]"
    name: str = ""

    @property
    def read_action(self) -> str:
        if self.kind == "subscription":
            return "Microsoft.Resources/subscriptions/read"
        if self.kind == "resourceGroup":
            return "Microsoft.Resources/subscriptions/resourceGroups/read"
        return f"{self.type}/read"


def parse_scope(path: str) -> Scope | None:
    """The ARM scope a portal path names, or None."""
    parts = [p for p in path.split("/") if p]
    if len(parts) < 2 or parts[0].lower() != "subscriptions":
        return None
    sub = parts[1]
    if len(parts) == 2:
        return Scope(f"/subscriptions/{sub}", "subscription", sub)
    if parts[2].lower() != "resourcegroups" or len(parts) < 4:
        return None
    rg = parts[3]
    rg_id = f"/subscriptions/{sub}/resourceGroups/{rg}"
    if len(parts) == 4:
        return Scope(rg_id, "resourceGroup", sub, rg)
    rest = parts[4:]
    if len(rest) < 4 or rest[0].lower() != "providers" or len(rest) % 2:
        return None
    namespace = rest[1]
    pairs = rest[2:]
    rtype = "/".join([namespace, *pairs[0::2]])
    return Scope("/" + "/".join(parts), "resource", sub, rg, rtype, pairs[-1])


def _short_id(value: str) -> str:
    return value.rsplit("/", 1)[-1]


def _when(value: Any) -> str:
    """An ISO time or epoch milliseconds as ``2026-12-06 08:00 UTC``."""
    if isinstance(value, (int, float)) and value > 0:
        stamp = datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
        return stamp.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, str) and value:
        return value.replace("T", " ")[:16] + " UTC"
    return ""


@dataclass
class Page:
    """What one GET renders: the template, its context, and the chrome around it."""

    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict)
    crumbs: list[tuple[str, str]] = field(default_factory=list)
    blades: list[tuple[str, str]] = field(default_factory=list)
    blade: str = ""
    status: int = 200


class Redirect(Exception):
    """A POST that succeeded: 303 to ``location``."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def _url(target: str, /, **params: str | None) -> str:
    """A portal link: ``target`` (a path) with the non-empty ``params`` as its query."""
    kept = {k: v for k, v in params.items() if v}
    base = quote(target, safe="/")
    return f"{base}?{urlencode(kept, quote_via=quote)}" if kept else base


# ------------------------------------------------------------------------------------------------ portal
class Portal:
    """The portal's request handler: ``portal(request) -> Response`` (called in the server's worker threads).

    Arguments:
        planes: the planes the server dispatches to; the portal's HTTP calls go to the same ones.
    """

    def __init__(self, planes: Planes) -> None:
        self.client = PortalClient(planes)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=jinja2.select_autoescape(("html",), default=True),
            undefined=jinja2.ChainableUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["short"] = _short_id
        self.env.filters["when"] = _when
        self.env.filters["friendly"] = catalog.friendly_type
        self.env.globals["url"] = _url

    def close(self) -> None:
        self.client.close()

    # -------------------------------------------------------------------------------------- entry point
    def __call__(self, request: Request) -> Response:
        host = (request.headers.get("Host") or "").strip()
        hostname = (urlsplit(f"//{host}").hostname or "") if host else ""
        if hostname and not _is_loopback_or_ip(hostname):
            return self._plain(421, FOREIGN_HOST.format(host=hostname))
        path = request.path or "/"
        if request.method in ("GET", "HEAD"):
            if path == "/static/portal.css":
                return self._css()
            if path in ("/favicon.ico",):
                return Response(204, Headers(list(SECURITY_HEADERS)))
        if request.method == "POST":
            refusal = self._cross_origin(request, host)
            if refusal is not None:
                return refusal
        elif request.method not in ("GET", "HEAD"):
            return self._plain(405, f"The portal does not answer {request.method}.")
        try:
            return self._page(request, path)
        except Exception as exc:  # noqa: BLE001 - a page must never show a traceback
            log.error("portal %s %s failed: %s: %s", request.method, path, type(exc).__name__, exc)
            log.debug("traceback", exc_info=True)
            page = Page("error.html", "Something went wrong",
                        {"detail": f"The portal could not show this page ({type(exc).__name__}: {exc})."},
                        status=500)
            return self._render(page, request, error=None)

    def _cross_origin(self, request: Request, host: str) -> Response | None:
        origin = request.headers.get("Origin")
        if origin is not None and origin != "null":
            parts = urlsplit(origin)
            if parts.scheme != "http" or parts.netloc.lower() != host.lower():
                return self._plain(403, CROSS_ORIGIN.format(origin=origin))
        elif origin == "null" or (request.headers.get("Sec-Fetch-Site") or "").lower() == "cross-site":
            return self._plain(403, CROSS_ORIGIN.format(origin=origin or "another site"))
        return None

    def _page(self, request: Request, path: str) -> Response:
        query = {k: v for k, v in request.query}
        scope = parse_scope(path) if path != "/" else None
        if path != "/" and scope is None:
            return self._render(Page("error.html", "Not found", {"detail": NOT_FOUND.format(path=path)},
                                     status=404), request, error=None)
        view = _View(self, request, query, scope)
        error: PortalError | None = None
        if request.method == "POST":
            try:
                view.post({k: v for k, v in request.form()}, request.form())
            except Redirect as done:
                headers = Headers([("Location", done.location), *SECURITY_HEADERS])
                return Response(303, headers, b"")
            except PortalError as exc:
                error = exc
        try:
            page = view.get()
        except PortalError as exc:
            page = Page("error.html", exc.code or "Error", {"detail": ""},
                        crumbs=view.crumbs(), blades=view.blades(), blade=view.blade)
            error = error or exc
        return self._render(page, request, error=error, message=query.get("msg"))

    # -------------------------------------------------------------------------------------- responses
    def _render(self, page: Page, request: Request, *, error: PortalError | None,
                message: str | None = None) -> Response:
        try:
            user = self.client.user()
            signed_in = str(getattr(user, "user_principal_name", None) or getattr(user, "display_name", ""))
        except Exception:  # noqa: BLE001 - a tenant without users still renders the page
            signed_in = ""
        template = self.env.get_template(page.template)
        text = template.render(
            page=page, title=page.title, crumbs=page.crumbs, blades=page.blades, blade=page.blade,
            error=error, message=message, signed_in=signed_in, path=request.path, **page.context)
        headers = Headers([("Content-Type", "text/html; charset=utf-8"), *SECURITY_HEADERS])
        body = b"" if request.method == "HEAD" else text.encode("utf-8")
        return Response(page.status, headers, body)

    @staticmethod
    def _plain(status: int, text: str) -> Response:
        headers = Headers([("Content-Type", "text/plain; charset=utf-8"), *SECURITY_HEADERS])
        return Response(status, headers, text.encode("utf-8"))

    @staticmethod
    def _css() -> Response:
        headers = Headers([("Content-Type", "text/css; charset=utf-8"), ("Cache-Control", "no-cache"),
                           ("X-Content-Type-Options", "nosniff")])
        return Response(200, headers, CSS_PATH.read_bytes())


def _is_loopback_or_ip(hostname: str) -> bool:
    import ipaddress

    if hostname.lower() in LOOPBACK_HOSTS:
        return True
    try:
        ipaddress.ip_address(hostname.strip("[]"))
    except ValueError:
        return False
    return True


# ------------------------------------------------------------------------------------------------ one request
class _View:
    """One request's page: reads through the planes, builds the template context, runs a form's action."""

    def __init__(self, portal: Portal, request: Request, query: dict[str, str], scope: Scope | None) -> None:
        self.portal = portal
        self.client = portal.client
        self.request = request
        self.query = query
        self.scope = scope
        self.blade = query.get("blade", "overview") or "overview"
        self._resource: dict[str, Any] | None = None
        self._api: str | None = None
        self._ext_api: str | None = None

    # ------------------------------------------------------------------------------ shared reads
    def resource(self) -> dict[str, Any]:
        assert self.scope is not None
        if self._resource is None:
            self._resource = self.client.arm_json("GET", self.scope.id, self.api())
        return self._resource

    def api(self) -> str:
        assert self.scope is not None and self.scope.kind == "resource"
        if self._api is None:
            self._api = self.client.api_version_for(self.scope.type, self.scope.subscription)
        return self._api

    def crumbs(self) -> list[tuple[str, str]]:
        out = [("Home", "/")]
        s = self.scope
        if s is None:
            return out
        out.append((self._subscription_name(s.subscription), f"/subscriptions/{s.subscription}"))
        if s.resource_group:
            out.append((s.resource_group, f"/subscriptions/{s.subscription}/resourceGroups/{s.resource_group}"))
        if s.kind == "resource":
            out.append((s.name, s.id))
        return out

    def _subscription_name(self, sub: str) -> str:
        try:
            data = self.client.arm_json("GET", f"/subscriptions/{sub}", API_SUBSCRIPTIONS)
        except PortalError:
            return sub
        return str(data.get("displayName") or sub)

    def blades(self) -> list[tuple[str, str]]:
        s = self.scope
        if s is None:
            return []
        out = [("overview", "Overview"), ("iam", "Access control (IAM)")]
        low = s.type.lower()
        if low in catalog.IDENTITY_TYPES:
            out.append(("identity", "Identity"))
        if low in catalog.CONFIGURATION_TYPES:
            out += [("extensions", "Extensions"), ("configuration", "Configuration")]
        if low == catalog.VAULT:
            out += [("accesspolicies", "Access policies"), ("secrets", "Secrets")]
        if low == catalog.DATA_LAKE:
            out.append(("explorer", "Data explorer"))
        if low == catalog.STORAGE:
            out.append(("containers", "Containers"))
        return out

    def page(self, template: str, title: str, /, **context: Any) -> Page:
        return Page(template, title, context, crumbs=self.crumbs(), blades=self.blades(), blade=self.blade)

    # ------------------------------------------------------------------------------ GET
    def get(self) -> Page:
        s = self.scope
        if s is None:
            return self.home()
        if self.blade == "iam":
            return self.iam()
        if s.kind == "subscription":
            return self.subscription()
        if s.kind == "resourceGroup":
            return self.group()
        blades: dict[str, Callable[[], Page]] = {
            "overview": self.overview, "identity": self.identity, "accesspolicies": self.access_policies,
            "secrets": self.secrets, "explorer": self.explorer, "access": self.acl, "containers": self.containers,
            "configuration": self.configuration, "extensions": self.extensions,
        }
        allowed = {key for key, _ in self.blades()} | ({"access"} if "explorer" in dict(self.blades()) else set())
        handler = blades.get(self.blade)
        if handler is None or self.blade not in allowed:
            self.blade = "overview"
            return self.overview()
        return handler()

    def home(self) -> Page:
        subs = self.client.arm_list("/subscriptions", API_SUBSCRIPTIONS)
        resources: list[dict[str, Any]] = []
        for sub in subs:
            resources += self.client.arm_list(f"/subscriptions/{sub.get('subscriptionId')}/resources",
                                              API_RESOURCE_GROUPS)
        resources.sort(key=lambda r: (str(r.get("type", "")).lower(), str(r.get("name", "")).lower()))
        return self.page("home.html", "Azure services", subscriptions=subs, resources=resources)

    def subscription(self) -> Page:
        assert self.scope is not None
        sub = self.client.arm_json("GET", self.scope.id, API_SUBSCRIPTIONS)
        groups = self.client.arm_list(f"{self.scope.id}/resourcegroups", API_RESOURCE_GROUPS)
        groups.sort(key=lambda g: str(g.get("name", "")).lower())
        return self.page("subscription.html", str(sub.get("displayName") or self.scope.subscription),
                         subscription=sub, groups=groups)

    def group(self) -> Page:
        assert self.scope is not None
        group = self.client.arm_json("GET", self.scope.id, API_RESOURCE_GROUPS)
        resources = self.client.arm_list(f"{self.scope.id}/resources", API_RESOURCE_GROUPS)
        resources.sort(key=lambda r: str(r.get("name", "")).lower())
        return self.page("group.html", self.scope.resource_group, group=group, resources=resources)

    def overview(self) -> Page:
        assert self.scope is not None
        res = self.resource()
        pretty = json.dumps(res, indent=2, sort_keys=False)
        return self.page("overview.html", self.scope.name, resource=res, api_version=self.api(), json_view=pretty)

    # ------------------------------------------------------------------------------ Identity
    def identity(self) -> Page:
        assert self.scope is not None
        res = self.resource()
        ident = res.get("identity") or {}
        types = [t.strip().lower() for t in str(ident.get("type") or "None").split(",")]
        assigned = ident.get("userAssignedIdentities") or {}
        tab = "user" if self.query.get("tab") == "user" else "system"
        user_ids = {k.lower() for k in assigned}
        available: list[dict[str, Any]] = []
        can_user = self.scope.type.lower() in catalog.USER_ASSIGNED_TYPES
        if tab == "user" and can_user:
            for uai in self.client.arm_list(
                    f"/subscriptions/{self.scope.subscription}/providers/Microsoft.ManagedIdentity/"
                    "userAssignedIdentities", API_MANAGED_IDENTITY):
                if str(uai.get("id", "")).lower() not in user_ids:
                    available.append(uai)
        users = [{"id": k, "name": _short_id(k), "group": _group_of(k), **(v or {})} for k, v in assigned.items()]
        return self.page("identity.html", f"{self.scope.name} | Identity", resource=res, tab=tab,
                         system_on="systemassigned" in types, principal_id=ident.get("principalId"),
                         tenant_id=ident.get("tenantId"), user_assigned=users, available=available,
                         can_user=can_user)

    def _identity_body(self, system: bool, keep: list[str], removed: list[str]) -> dict[str, Any]:
        kinds = (["SystemAssigned"] if system else []) + (["UserAssigned"] if keep else [])
        body: dict[str, Any] = {"type": ", ".join(kinds) or "None"}
        if keep or removed:
            mapping: dict[str, Any] = {k: {} for k in keep}
            if keep:
                mapping.update({r: None for r in removed})
                body["userAssignedIdentities"] = mapping
        return {"identity": body}

    def post_identity(self, form: dict[str, str]) -> str:
        assert self.scope is not None
        res = self.resource()
        ident = res.get("identity") or {}
        system = "systemassigned" in str(ident.get("type") or "").lower().replace(" ", "")
        current = list((ident.get("userAssignedIdentities") or {}).keys())
        action = form.get("action", "")
        if action == "system":
            status = form.get("status", "")
            if status not in ("On", "Off"):
                raise PortalError(400, "InvalidStatus", "Choose On or Off for the system assigned identity.")
            body = self._identity_body(status == "On", current, [])
            self.client.arm("PATCH", self.scope.id, self.api(), body=body)
            self._resource = None
            after = self.resource().get("identity") or {}
            if status == "On":
                return f"System assigned identity is on. Object (principal) ID: {after.get('principalId')}"
            return "System assigned identity is off."
        if action == "add_user":
            wanted = form.get("identity", "")
            if not wanted:
                raise PortalError(400, "InvalidIdentity", "Select a user assigned managed identity to add.")
            keep = [*current, *([] if wanted.lower() in {c.lower() for c in current} else [wanted])]
            self.client.arm("PATCH", self.scope.id, self.api(), body=self._identity_body(system, keep, []))
            return f"Added user assigned identity {_short_id(wanted)}."
        if action == "remove_user":
            gone = form.get("identity", "")
            keep = [c for c in current if c.lower() != gone.lower()]
            self.client.arm("PATCH", self.scope.id, self.api(),
                            body=self._identity_body(system, keep, [c for c in current if c not in keep]))
            return f"Removed user assigned identity {_short_id(gone)}."
        raise PortalError(400, "InvalidAction", f"Unknown action '{action}'.")

    # ------------------------------------------------------------------------------ Configuration, Extensions (2017)
    def extension_api(self) -> str:
        assert self.scope is not None
        if self._ext_api is None:
            self._ext_api = self.client.api_version_for(f"{self.scope.type}/extensions", self.scope.subscription)
        return self._ext_api

    def vm_extensions(self) -> list[dict[str, Any]]:
        """The VM's extensions (ARM ``GET .../virtualMachines/{vm}/extensions``), by name."""
        assert self.scope is not None
        found = self.client.arm_list(f"{self.scope.id}/extensions", self.extension_api())
        return sorted(found, key=lambda e: str(e.get("name", "")).lower())

    def configuration(self) -> Page:
        assert self.scope is not None
        res = self.resource()
        ident = res.get("identity") or {}
        system_on = "systemassigned" in str(ident.get("type") or "").lower().replace(" ", "")
        msi = [{"name": e.get("name"), "port": _extension_port(e),
                "state": (e.get("properties") or {}).get("provisioningState")}
               for e in self.vm_extensions() if _is_msi_extension(e)]
        return self.page("configuration.html", f"{self.scope.name} | Configuration", resource=res,
                         system_on=system_on, principal_id=ident.get("principalId"), msi_extensions=msi,
                         extension_type=_msi_extension_type(res), save_note=catalog.MSI_EXTENSION_SAVE_NOTE,
                         default_port=MSI_EXTENSION_PORT)

    def post_configuration(self, form: dict[str, str]) -> str:
        """The 2017 "Managed service identity" Yes/No: Yes turns on the system-assigned identity and installs the
        MSI VM extension (as Enable-Msi); No removes the extension and the identity (as Disable-Msi)."""
        assert self.scope is not None
        if form.get("action") != "msi":
            raise PortalError(400, "InvalidAction", f"Unknown action '{form.get('action')}'.")
        choice = form.get("msi", "")
        if choice not in ("Yes", "No"):
            raise PortalError(400, "InvalidStatus", "Choose Yes or No under Managed service identity.")
        res = self.resource()
        ident = res.get("identity") or {}
        system = "systemassigned" in str(ident.get("type") or "").lower().replace(" ", "")
        user_assigned = list((ident.get("userAssignedIdentities") or {}).keys())
        installed = [e for e in self.vm_extensions() if _is_msi_extension(e)]
        if choice == "Yes":
            if not system:
                self.client.arm("PATCH", self.scope.id, self.api(),
                                body=self._identity_body(True, user_assigned, []))
            if installed:
                name = str(installed[0].get("name"))
            else:
                name = _msi_extension_type(res)
                self.client.arm("PUT", f"{self.scope.id}/extensions/{name}", self.extension_api(), body={
                    "location": res.get("location"),
                    "properties": {"publisher": MSI_EXTENSION_PUBLISHER, "type": name,
                                   "typeHandlerVersion": MSI_EXTENSION_VERSION, "autoUpgradeMinorVersion": True,
                                   "settings": {"port": MSI_EXTENSION_PORT}}})
            self._resource = None
            after = self.resource().get("identity") or {}
            # INFERRED: the 2017 portal's notification text (no capture found); this one says what changed.
            return (f"Managed service identity is enabled: system assigned identity {after.get('principalId')}, "
                    f"extension {name}.")
        for ext in installed:
            self.client.arm("DELETE", f"{self.scope.id}/extensions/{ext.get('name')}", self.extension_api())
        if system:
            self.client.arm("PATCH", self.scope.id, self.api(), body=self._identity_body(False, user_assigned, []))
        self._resource = None
        gone = ([f"extension {', '.join(str(e.get('name')) for e in installed)}"] if installed else []) \
            + (["the system assigned identity"] if system else [])
        return ("Managed service identity is disabled" + (f": removed {' and '.join(gone)}." if gone
                                                          else " (it was not enabled)."))

    def extensions(self) -> Page:
        assert self.scope is not None
        listed = self.vm_extensions()
        statuses: dict[str, str] = {}
        try:
            view = self.client.arm_json("GET", f"{self.scope.id}/instanceView", self.api())
            for item in view.get("extensions") or []:
                shown = [str(st.get("displayStatus")) for st in item.get("statuses") or [] if st.get("displayStatus")]
                if shown:
                    statuses[str(item.get("name", "")).lower()] = shown[0]
        except PortalError:  # the list still shows, with the extensions' provisioning states
            pass
        rows = []
        for e in listed:
            props = e.get("properties") or {}
            name = str(e.get("name", ""))
            state = str(props.get("provisioningState") or "")
            rows.append({
                "name": name, "publisher": props.get("publisher") or "", "kind": props.get("type") or "",
                "version": props.get("typeHandlerVersion") or "",
                "status": statuses.get(name.lower()) or (f"Provisioning {state.lower()}" if state else ""),
                "settings": json.dumps(props.get("settings") or {}, sort_keys=True),
                "msi": _is_msi_extension(e)})
        return self.page("extensions.html", f"{self.scope.name} | Extensions", extensions=rows)

    def post_extensions(self, form: dict[str, str]) -> str:
        assert self.scope is not None
        if form.get("action") != "uninstall":
            raise PortalError(400, "InvalidAction", f"Unknown action '{form.get('action')}'.")
        name = form.get("name", "")
        if not name or "/" in name:
            raise PortalError(400, "InvalidExtension", "Select an extension to uninstall.")
        resp = self.client.arm("DELETE", f"{self.scope.id}/extensions/{name}", self.extension_api())
        if resp.status_code == 204:  # ARM's answer when there was nothing to delete
            return f"The extension {name} is not installed."
        return f"Uninstalled extension {name}."

    # ------------------------------------------------------------------------------ principals
    def principals(self, *, managed: bool = True, users: bool = True) -> list[tuple[str, list[tuple[str, str]]]]:
        """Option groups for a principal picker: (group label, [(value "Type:objectId", label)])."""
        groups: list[tuple[str, list[tuple[str, str]]]] = []
        if users:
            people = self.client.graph_list("/users")
            groups.append(("Users", sorted(
                (f"User:{u['id']}", f"{u.get('displayName') or ''} ({u.get('userPrincipalName') or u['id']})")
                for u in people if u.get("id"))))
            found = self.client.graph_list("/groups")
            if found:
                groups.append(("Groups", sorted((f"Group:{g['id']}", str(g.get("displayName") or g["id"]))
                                                for g in found if g.get("id"))))
            apps = [sp for sp in self.client.graph_list("/servicePrincipals")
                    if sp.get("id") and sp.get("servicePrincipalType") != "ManagedIdentity"]
            if apps and not managed:  # "User, group, or service principal"
                groups.append(("Service principals", sorted(
                    (f"ServicePrincipal:{sp['id']}", str(sp.get("displayName") or sp["id"])) for sp in apps)))
        if managed:
            assert self.scope is not None
            by_kind: dict[str, list[tuple[str, str]]] = {}
            sub = self.scope.subscription
            for res in self.client.arm_list(f"/subscriptions/{sub}/resources", API_RESOURCE_GROUPS):
                ident = res.get("identity") or {}
                pid = ident.get("principalId")
                if pid and "systemassigned" in str(ident.get("type", "")).lower().replace(" ", ""):
                    kind = catalog.friendly_type(str(res.get("type", "")), str(res.get("kind") or ""))
                    by_kind.setdefault(kind, []).append(
                        (f"ServicePrincipal:{pid}", f"{res.get('name')} (resource group {_group_of(res['id'])})"))
            for uai in self.client.arm_list(f"/subscriptions/{sub}/providers/Microsoft.ManagedIdentity/"
                                            "userAssignedIdentities", API_MANAGED_IDENTITY):
                pid = (uai.get("properties") or {}).get("principalId")
                if pid:
                    by_kind.setdefault("User-assigned managed identity", []).append(
                        (f"ServicePrincipal:{pid}", f"{uai.get('name')} (resource group {_group_of(uai['id'])})"))
            groups += [(kind, sorted(items, key=lambda i: i[1].lower())) for kind, items in sorted(by_kind.items())]
        return groups

    def names(self, ids: list[str]) -> dict[str, dict[str, str]]:
        """object id (lower) → {"name", "type"} from Graph (unknown ids: "Identity not found")."""
        found = self.client.directory_objects(ids)
        out: dict[str, dict[str, str]] = {}
        for i in ids:
            obj = found.get(i.lower())
            if obj is None:
                out[i.lower()] = {"name": "Identity not found", "type": "Unknown"}
                continue
            odata = str(obj.get("@odata.type") or "")
            kind = {"#microsoft.graph.user": "User", "#microsoft.graph.group": "Group"}.get(odata, "")
            if not kind:
                sp_type = str(obj.get("servicePrincipalType") or "")
                kind = "Managed identity" if sp_type == "ManagedIdentity" else "Service principal"
            out[i.lower()] = {"name": str(obj.get("userPrincipalName") or obj.get("displayName") or i),
                              "type": kind}
        return out

    # ------------------------------------------------------------------------------ IAM
    def roles(self) -> list[dict[str, Any]]:
        assert self.scope is not None
        return self.client.arm_list(f"{self.scope.id}/providers/Microsoft.Authorization/roleDefinitions",
                                    API_AUTHORIZATION)

    def iam(self) -> Page:
        assert self.scope is not None
        view = self.query.get("view", "assignments")
        title = f"{self.scope.name or self.scope.resource_group or 'Subscription'} | Access control (IAM)"
        if view == "add":
            return self.iam_add(title)
        if view == "check":
            return self.check_access(title)
        roles = {str(r.get("id", "")).lower(): r for r in self.roles()}
        listed = self.client.arm_list(f"{self.scope.id}/providers/Microsoft.Authorization/roleAssignments",
                                      API_AUTHORIZATION, params={"$filter": "atScope()"})
        names = self.names([str((a.get("properties") or {}).get("principalId") or "") for a in listed])
        rows = []
        for a in listed:
            p = a.get("properties") or {}
            role = roles.get(str(p.get("roleDefinitionId", "")).lower()) or {}
            who = names.get(str(p.get("principalId", "")).lower(), {"name": p.get("principalId"), "type": ""})
            at = str(p.get("scope") or "")
            rows.append({"id": a.get("id"), "role": (role.get("properties") or {}).get("roleName")
                         or _short_id(str(p.get("roleDefinitionId", ""))),
                         "principal": who["name"], "principal_id": p.get("principalId"),
                         "type": who["type"] or p.get("principalType"), "scope": at,
                         "inherited": at.rstrip("/").lower() != self.scope.id.lower(),
                         "scope_label": _scope_label(at)})
        rows.sort(key=lambda r: (str(r["role"]).lower(), str(r["principal"]).lower()))
        return self.page("iam.html", title, view="assignments", assignments=rows)

    def iam_add(self, title: str) -> Page:
        roles = sorted(self.roles(), key=lambda r: str((r.get("properties") or {}).get("roleName", "")).lower())
        privileged = [r for r in roles if (r.get("properties") or {}).get("roleName") in catalog.PRIVILEGED_ROLES]
        job = [r for r in roles if r not in privileged]
        step = self.query.get("step", "role")
        role_id = self.query.get("role", "")
        assign_to = self.query.get("assign_to", "mi")
        members: list[tuple[str, list[tuple[str, str]]]] = []
        role_name = ""
        if step == "members":
            chosen = [r for r in roles if str(r.get("id", "")).lower() == role_id.lower()]
            if not chosen:
                step = "role"
            else:
                role_name = str((chosen[0].get("properties") or {}).get("roleName", ""))
                members = self.principals(managed=assign_to == "mi", users=assign_to != "mi")
        return self.page("iam_add.html", title, view="add", step=step, privileged=privileged, job=job,
                         role_id=role_id, role_name=role_name, assign_to=assign_to, members=members)

    def check_access(self, title: str) -> Page:
        assert self.scope is not None
        principal = self.query.get("principal", "")
        action = self.query.get("action", "") or self.scope.read_action
        result: dict[str, Any] | None = None
        if principal:
            oid = principal.partition(":")[2] or principal
            listed = self.client.arm_list(f"{self.scope.id}/providers/Microsoft.Authorization/roleAssignments",
                                          API_AUTHORIZATION,
                                          params={"$filter": f"atScope() and assignedTo('{oid}')"})
            roles = {str(r.get("id", "")).lower(): r for r in self.roles()}
            current = []
            for a in listed:
                p = a.get("properties") or {}
                role = roles.get(str(p.get("roleDefinitionId", "")).lower()) or {}
                current.append({"role": (role.get("properties") or {}).get("roleName"),
                                "scope": p.get("scope"), "scope_label": _scope_label(str(p.get("scope") or "")),
                                "via_group": str(p.get("principalId", "")).lower() != oid.lower()})
            answer = self.client.arm_json(
                "POST", f"{self.scope.id}/providers/Microsoft.Authorization/checkAccess", API_AUTHORIZATION,
                body={"subject": {"principalId": oid}, "actions": [{"id": action}]})
            first = (answer.get("value") or [{}])[0]
            decision = AccessDecision.from_dict(first.get("decision") or {})
            who = self.names([oid]).get(oid.lower(), {"name": oid, "type": ""})
            result = {"who": who, "oid": oid, "assignments": current, "decision": explain(decision)}
        return self.page("check_access.html", title, view="check", principal=principal, action=action,
                         principals=self.principals(), result=result)

    def post_iam(self, form: dict[str, str]) -> str:
        assert self.scope is not None
        action = form.get("action", "")
        if action == "assign":
            role_id, member = form.get("role", ""), form.get("member", "")
            ptype, _, oid = member.partition(":")
            if not role_id:
                raise PortalError(400, "InvalidRole", "Select a role.")
            if not oid or ptype not in ROLE_ASSIGNMENT_PRINCIPAL_TYPES:
                raise PortalError(400, "InvalidMember", "Select a member to assign the role to.")
            name = self.client.world.ids.guid()  # --seed repeats it
            self.client.arm("PUT", f"{self.scope.id}/providers/Microsoft.Authorization/roleAssignments/{name}",
                            API_AUTHORIZATION, body={"properties": {"roleDefinitionId": role_id,
                                                                     "principalId": oid, "principalType": ptype}})
            return "Added role assignment."
        if action == "remove":
            assignment = form.get("assignment", "")
            if "/providers/microsoft.authorization/roleassignments/" not in assignment.lower():
                raise PortalError(400, "InvalidRoleAssignmentId", "Select a role assignment to remove.")
            self.client.arm("DELETE", assignment, API_AUTHORIZATION)
            return "Removed role assignment."
        raise PortalError(400, "InvalidAction", f"Unknown action '{action}'.")

    # ------------------------------------------------------------------------------ Key Vault
    def vault(self) -> dict[str, Any]:
        return self.resource()

    def access_policies(self) -> Page:
        assert self.scope is not None
        vault = self.vault()
        props = vault.get("properties") or {}
        policies = props.get("accessPolicies") or []
        names = self.names([str(p.get("objectId") or "") for p in policies])
        rows = [{"object_id": p.get("objectId"), "application_id": p.get("applicationId"),
                 **names.get(str(p.get("objectId") or "").lower(), {"name": p.get("objectId"), "type": ""}),
                 "key_perms": (p.get("permissions") or {}).get("keys") or [],
                 "secret_perms": (p.get("permissions") or {}).get("secrets") or [],
                 "cert_perms": (p.get("permissions") or {}).get("certificates") or []} for p in policies]
        view = self.query.get("view", "")
        context: dict[str, Any] = {"vault": vault, "rbac": bool(props.get("enableRbacAuthorization")),
                                   "policies": rows, "view": view}
        if view == "add":
            context.update(templates=list(catalog.ACCESS_POLICY_TEMPLATES), principals=self.principals(),
                           key_permissions=catalog.KEY_PERMISSIONS, secret_permissions=catalog.SECRET_PERMISSIONS,
                           certificate_permissions=catalog.CERTIFICATE_PERMISSIONS,
                           template=self.query.get("template", ""))
        return self.page("access_policies.html", f"{self.scope.name} | Access policies", **context)

    def post_access_policies(self, form: dict[str, str], items: list[tuple[str, str]]) -> str:
        assert self.scope is not None
        action = form.get("action", "")
        vault = self.vault()
        props = vault.get("properties") or {}
        tenant = str(props.get("tenantId") or "")
        if action == "model":
            model = form.get("model", "")
            if model not in ("rbac", "policy"):
                raise PortalError(400, "InvalidPermissionModel", "Choose a permission model.")
            self.client.arm("PATCH", self.scope.id, API_KEY_VAULT,
                            body={"properties": {"enableRbacAuthorization": model == "rbac"}})
            return ("Permission model: Azure role-based access control." if model == "rbac"
                    else "Permission model: Vault access policy.")
        if action == "add_policy":
            ptype, _, oid = form.get("principal", "").partition(":")
            if not oid:
                raise PortalError(400, "InvalidPrincipal", "Select a principal.")
            permissions: dict[str, list[str]] = {"keys": [], "secrets": [], "certificates": []}
            template = catalog.ACCESS_POLICY_TEMPLATES.get(form.get("template", ""))
            if template is not None:
                for kind, names in template.items():
                    permissions[kind] += list(names)
            for key, value in items:
                if key in ("keys", "secrets", "certificates") and value not in permissions[key]:
                    permissions[key].append(value)
            if not any(permissions.values()):
                raise PortalError(400, "InvalidPermissions",
                                  "Select a template or at least one key, secret or certificate permission.")
            entry = {"tenantId": tenant, "objectId": oid, "permissions": permissions}
            self.client.arm("PUT", f"{self.scope.id}/accessPolicies/add", API_KEY_VAULT,
                            body={"properties": {"accessPolicies": [entry]}})
            return "Access policy added."
        if action == "remove_policy":
            oid = form.get("object_id", "")
            found = [p for p in props.get("accessPolicies") or []
                     if str(p.get("objectId", "")).lower() == oid.lower()]
            if not found:
                raise PortalError(404, "AccessPolicyNotFound", f"No access policy names the object id '{oid}'.")
            self.client.arm("PUT", f"{self.scope.id}/accessPolicies/remove", API_KEY_VAULT,
                            body={"properties": {"accessPolicies": found}})
            return "Access policy removed."
        raise PortalError(400, "InvalidAction", f"Unknown action '{action}'.")

    def vault_uri(self) -> str:
        assert self.scope is not None
        uri = str((self.vault().get("properties") or {}).get("vaultUri") or "")
        return uri or KEY_VAULT_URI_TEMPLATE.format(name=self.scope.name)

    def secrets(self) -> Page:
        assert self.scope is not None
        uri = self.vault_uri()
        error: PortalError | None = None
        listed: list[dict[str, Any]] = []
        try:
            listed = [s for s in self.client.vault("GET", uri, "/secrets").get("value") or []
                      if isinstance(s, dict)]
        except PortalError as exc:  # show the blade with the refusal (e.g. ForbiddenByRbac)
            error = exc
        rows = [{"name": _short_id(str(s.get("id", ""))), "enabled": (s.get("attributes") or {}).get("enabled"),
                 "updated": (s.get("attributes") or {}).get("updated"), "type": s.get("contentType")}
                for s in listed]
        rows.sort(key=lambda r: str(r["name"]).lower())
        shown: dict[str, Any] | None = None
        wanted = self.query.get("secret", "")
        if wanted and error is None:
            try:
                got = self.client.vault("GET", uri, f"/secrets/{quote(wanted, safe='')}")
                shown = {"name": wanted, "value": got.get("value"), "id": got.get("id")}
            except PortalError as exc:
                error = exc
        return self.page("secrets.html", f"{self.scope.name} | Secrets", vault_uri=uri, secrets=rows,
                         shown=shown, blade_error=error, view=self.query.get("view", ""))

    def post_secrets(self, form: dict[str, str]) -> str:
        name, value = form.get("name", "").strip(), form.get("value", "")
        if form.get("action") != "add_secret":
            raise PortalError(400, "InvalidAction", f"Unknown action '{form.get('action')}'.")
        if not re.fullmatch(r"[0-9a-zA-Z-]{1,127}", name):
            raise PortalError(400, "BadParameter",
                              "The secret name must be 1-127 characters: letters, digits and dashes.")
        body: dict[str, Any] = {"value": value}
        if form.get("content_type"):
            body["contentType"] = form["content_type"]
        self.client.vault("PUT", self.vault_uri(), f"/secrets/{name}", body=body)
        return f"The secret '{name}' has been created."

    # ------------------------------------------------------------------------------ Data Lake
    def store_endpoint(self) -> str:
        assert self.scope is not None
        endpoint = str((self.resource().get("properties") or {}).get("endpoint") or "")
        return endpoint or f"{self.scope.name}{DATA_LAKE_HOST_SUFFIX}"

    def dl_path(self) -> str:
        raw = self.query.get("path", "/") or "/"
        parts = [p for p in raw.split("/") if p and p not in (".", "..")]
        return "/" + "/".join(parts)

    def explorer(self) -> Page:
        assert self.scope is not None
        path = self.dl_path()
        listing = self.client.webhdfs("GET", self.store_endpoint(), path, "LISTSTATUS").json()
        entries = (listing.get("FileStatuses") or {}).get("FileStatus") or []
        rows = [{"name": e.get("pathSuffix"), "folder": e.get("type") == "DIRECTORY", "length": e.get("length"),
                 "modified": e.get("modificationTime"), "permission": e.get("permission"),
                 "path": f"{path.rstrip('/')}/{e.get('pathSuffix')}"} for e in entries]
        rows.sort(key=lambda r: (not r["folder"], str(r["name"]).lower()))
        return self.page("explorer.html", f"{self.scope.name} | Data explorer", dl_path=path, entries=rows,
                         path_crumbs=_path_crumbs(path))

    def acl(self) -> Page:
        assert self.scope is not None
        path = self.dl_path()
        status = (self.client.webhdfs("GET", self.store_endpoint(), path, "GETACLSTATUS").json()
                  .get("AclStatus") or {})
        info = (self.client.webhdfs("GET", self.store_endpoint(), path, "GETFILESTATUS").json()
                .get("FileStatus") or {})
        entries = [str(e) for e in status.get("entries") or []]
        named: list[dict[str, Any]] = []
        ids: list[str] = []
        for e in entries:
            default, kind, who, perm = _acl_parts(e)
            if who and kind in ("user", "group"):
                named.append({"default": default, "kind": kind, "id": who, "perm": perm, "spec": e})
                ids.append(who)
        names = self.names(ids)
        for n in named:
            n.update(names.get(n["id"].lower(), {"name": n["id"], "type": ""}))
        owner, group = str(status.get("owner") or ""), str(status.get("group") or "")
        owners = self.names([o for o in (owner, group) if re.fullmatch(r"[0-9a-fA-F-]{36}", o)])
        mode = str(status.get("permission") or info.get("permission") or "")
        folder = info.get("type") == "DIRECTORY"
        view = self.query.get("view", "")
        return self.page("access.html", f"{self.scope.name} | Access", dl_path=path, entries=named, folder=folder,
                         owner=owners.get(owner.lower(), {"name": owner})["name"],
                         group=owners.get(group.lower(), {"name": group})["name"], mode=mode,
                         mode_text=_mode_text(mode), view=view, path_crumbs=_path_crumbs(path),
                         principals=self.principals() if view == "add" else [])

    def post_datalake(self, form: dict[str, str]) -> str:
        action = form.get("action", "")
        endpoint = self.store_endpoint()
        path = self.dl_path()
        if action == "mkdir":
            name = form.get("name", "").strip().strip("/")
            if not name or "/" in name or name in (".", ".."):
                raise PortalError(400, "IllegalArgumentException", "Give the new folder a name without '/'.")
            self.client.webhdfs("PUT", endpoint, f"{path.rstrip('/')}/{name}", "MKDIRS")
            return f"Created folder {name}."
        if action == "add_acl":
            ptype, _, oid = form.get("principal", "").partition(":")
            if not oid:
                raise PortalError(400, "IllegalArgumentException", "Select a user or group.")
            perm = "".join(c if form.get(n) else "-" for c, n in (("r", "read"), ("w", "write"), ("x", "execute")))
            kind = "group" if ptype == "Group" else "user"
            add_as = form.get("add_as", "access")
            recursive = form.get("add_to") == "children"
            specs_folder = []
            if add_as in ("access", "both"):
                specs_folder.append(f"{kind}:{oid}:{perm}")
            if add_as in ("default", "both"):
                specs_folder.append(f"default:{kind}:{oid}:{perm}")
            specs_file = [s for s in specs_folder if not s.startswith("default:")]
            count = 0
            for target, is_folder in self._walk(endpoint, path, recursive):
                specs = specs_folder if is_folder else specs_file
                if specs:
                    self.client.webhdfs("PUT", endpoint, target, "MODIFYACLENTRIES", aclspec=",".join(specs))
                    count += 1
            who = self.names([oid]).get(oid.lower(), {"name": oid})["name"]
            below = count - 1
            where = (f"{path} and the {below} item{'s' if below != 1 else ''} below it" if recursive and below
                     else path)
            return f"Added {perm} for {who} to {where}."
        if action == "remove_acl":
            spec = form.get("spec", "")
            default, kind, who, _ = _acl_parts(spec)
            if not who:
                raise PortalError(400, "IllegalArgumentException", "Select an entry to remove.")
            self.client.webhdfs("PUT", endpoint, path, "REMOVEACLENTRIES",
                                aclspec=f"{'default:' if default else ''}{kind}:{who}")
            return "Removed the entry."
        raise PortalError(400, "InvalidAction", f"Unknown action '{action}'.")

    def _walk(self, endpoint: str, path: str, recursive: bool) -> list[tuple[str, bool]]:
        """``path`` (and, recursively, everything below it) as (path, is folder), parents first."""
        info = self.client.webhdfs("GET", endpoint, path, "GETFILESTATUS").json().get("FileStatus") or {}
        out = [(path, info.get("type") == "DIRECTORY")]
        if not recursive or not out[0][1]:
            return out
        pending = [path]
        while pending and len(out) < 10_000:
            folder = pending.pop(0)
            listing = self.client.webhdfs("GET", endpoint, folder, "LISTSTATUS").json()
            for e in (listing.get("FileStatuses") or {}).get("FileStatus") or []:
                child = f"{folder.rstrip('/')}/{e.get('pathSuffix')}"
                is_folder = e.get("type") == "DIRECTORY"
                out.append((child, is_folder))
                if is_folder:
                    pending.append(child)
        return out

    # ------------------------------------------------------------------------------ Storage
    def blob_endpoint(self) -> str:
        assert self.scope is not None
        endpoint = str(((self.resource().get("properties") or {}).get("primaryEndpoints") or {}).get("blob") or "")
        return (endpoint or f"https://{self.scope.name}{STORAGE_BLOB_HOST_SUFFIX}/").rstrip("/")

    def blob(self, method: str, url: str, auth: str) -> Any:
        """A Blob service call with the chosen authentication method: the account key (ARM ``listKeys``, as the
        portal's default "Access key") or the admin's Microsoft Entra token."""
        assert self.scope is not None
        if auth == "entra":
            return self.client.storage(method, url)
        keys = self.client.arm_json("POST", f"{self.scope.id}/listKeys", API_STORAGE).get("keys") or []
        if not keys:
            raise PortalError(403, "KeyBasedAuthenticationNotPermitted",
                              "The storage account has no access keys to sign with.")
        return self.client.storage_with_key(method, url, self.scope.name, str(keys[0].get("value") or ""))

    def containers(self) -> Page:
        assert self.scope is not None
        auth = "entra" if self.query.get("auth") == "entra" else "key"
        endpoint = self.blob_endpoint()
        error: PortalError | None = None
        rows: list[dict[str, str]] = []
        try:
            resp = self.blob("GET", f"{endpoint}/?comp=list", auth)
            rows = [{"name": m.group(1)} for m in re.finditer(r"<Container>\s*<Name>(.*?)</Name>", resp.text, re.S)]
        except PortalError as exc:  # e.g. AuthorizationPermissionMismatch with Entra and no data role
            error = exc
        return self.page("containers.html", f"{self.scope.name} | Containers", endpoint=endpoint + "/",
                         containers=rows, blade_error=error, auth=auth)

    def post_containers(self, form: dict[str, str]) -> str:
        assert self.scope is not None
        name = form.get("name", "").strip()
        if form.get("action") != "add_container":
            raise PortalError(400, "InvalidAction", f"Unknown action '{form.get('action')}'.")
        if not re.fullmatch(r"[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}", name):
            raise PortalError(400, "InvalidResourceName",
                              "Container names are 3-63 lower-case letters, digits and single dashes.")
        auth = "entra" if form.get("auth") == "entra" else "key"
        self.blob("PUT", f"{self.blob_endpoint()}/{name}?restype=container", auth)
        return f"Created container {name}."

    # ------------------------------------------------------------------------------ POST
    def post(self, form: dict[str, str], items: list[tuple[str, str]]) -> None:
        """Run the form's action; raises ``Redirect`` on success, ``PortalError`` on a refusal."""
        if self.scope is None:
            raise PortalError(405, "MethodNotAllowed", "Nothing to post on the home page.")
        blade = form.get("blade") or self.blade
        self.blade = blade
        back: dict[str, str | None]
        if blade == "iam":
            message = self.post_iam(form)
            back = {"blade": "iam"}
        elif self.scope.kind != "resource":
            raise PortalError(400, "InvalidAction", "Unknown form.")
        elif blade == "identity":
            message = self.post_identity(form)
            back = {"blade": "identity", "tab": "user" if form.get("action", "").endswith("_user") else None}
        elif blade == "configuration" and "configuration" in dict(self.blades()):
            message = self.post_configuration(form)
            back = {"blade": "configuration"}
        elif blade == "extensions" and "extensions" in dict(self.blades()):
            message = self.post_extensions(form)
            back = {"blade": "extensions"}
        elif blade == "accesspolicies":
            message = self.post_access_policies(form, items)
            back = {"blade": "accesspolicies"}
        elif blade == "secrets":
            message = self.post_secrets(form)
            back = {"blade": "secrets"}
        elif blade in ("explorer", "access"):
            message = self.post_datalake(form)
            back = {"blade": blade, "path": self.dl_path()}
        elif blade == "containers":
            message = self.post_containers(form)
            back = {"blade": "containers", "auth": "entra" if form.get("auth") == "entra" else None}
        else:
            raise PortalError(400, "InvalidAction", "Unknown form.")
        raise Redirect(_url(self.scope.id, msg=message, **back))


# ------------------------------------------------------------------------------------------------ small pieces
def _group_of(resource_id: str) -> str:
    parts = resource_id.split("/")
    low = [p.lower() for p in parts]
    return parts[low.index("resourcegroups") + 1] if "resourcegroups" in low else ""


def _scope_label(scope: str) -> str:
    s = parse_scope(scope)
    if s is None:
        return "Root" if scope.strip() == "/" else scope
    if s.kind == "subscription":
        return "Subscription"
    if s.kind == "resourceGroup":
        return f"Resource group {s.resource_group}"
    return f"{catalog.friendly_type(s.type)} {s.name}"


def _is_msi_extension(ext: dict[str, Any]) -> bool:
    """The 2017 MSI VM extension (publisher Microsoft.ManagedIdentity, type ManagedIdentityExtensionFor…)?"""
    props = ext.get("properties") or {}
    return (str(props.get("publisher") or "").lower() == MSI_EXTENSION_PUBLISHER.lower()
            and str(props.get("type") or "").lower() in (MSI_EXTENSION_WINDOWS.lower(), MSI_EXTENSION_LINUX.lower()))


def _extension_port(ext: dict[str, Any]) -> Any:
    settings = (ext.get("properties") or {}).get("settings")
    return settings.get("port", MSI_EXTENSION_PORT) if isinstance(settings, dict) else MSI_EXTENSION_PORT


def _msi_extension_type(vm: dict[str, Any]) -> str:
    """The MSI extension for the VM's OS: ManagedIdentityExtensionForWindows or ForLinux (the extension is
    named after its type, as the 2017 portal, CLI and tutorials named it)."""
    props = vm.get("properties") or {}
    os_type = str(((props.get("storageProfile") or {}).get("osDisk") or {}).get("osType") or "")
    if not os_type:
        os_type = "Linux" if "linuxConfiguration" in (props.get("osProfile") or {}) else "Windows"
    return MSI_EXTENSION_LINUX if os_type.lower() == "linux" else MSI_EXTENSION_WINDOWS


def _path_crumbs(path: str) -> list[tuple[str, str]]:
    out = [("/", "/")]
    parts = [p for p in path.split("/") if p]
    for i, p in enumerate(parts):
        out.append((p, "/" + "/".join(parts[: i + 1])))
    return out


def _acl_parts(spec: str) -> tuple[bool, str, str, str]:
    """``[default:]kind:who:perm`` → (default, kind, who, perm)."""
    default = spec.startswith("default:")
    rest = spec[len("default:"):] if default else spec
    bits = rest.split(":")
    kind = bits[0] if bits else ""
    who = bits[1] if len(bits) > 1 else ""
    perm = bits[2] if len(bits) > 2 else ""
    return default, kind, who, perm


def _mode_text(mode: str) -> dict[str, str]:
    """Octal ``770`` → {"owner": "rwx", "group": "rwx", "other": "---"}."""
    digits = mode[-3:] if re.fullmatch(r"[0-7]{3,4}", mode or "") else ""
    if not digits:
        return {}

    def rwx(d: str) -> str:
        n = int(d)
        return ("r" if n & 4 else "-") + ("w" if n & 2 else "-") + ("x" if n & 1 else "-")

    return {"owner": rwx(digits[0]), "group": rwx(digits[1]), "other": rwx(digits[2])}


def explain(d: AccessDecision) -> dict[str, Any]:
    """The Test-AzAccess explanation of a decision, as data for the template: verdict, reason, evidence, fix."""
    applies = [e for e in d.considered if e.applies]
    others = [e for e in d.considered if not e.applies]
    return {
        "allowed": d.allowed, "verdict": "ALLOWED" if d.allowed else "DENIED", "action": d.action,
        "data_action": d.data_action, "scope": d.scope, "reason": d.reason,
        "principal": d.principal, "principal_name": d.principal_name,
        "considered": [{"text": e.text, "grants": e.grants, "why": e.why} for e in applies],
        "not_in_scope": [{"text": e.text, "why": e.why} for e in others],
        "missing": d.action if not d.allowed else "", "fix": d.fix,
        "notes": [n for n in d.notes if n not in d.reason],
    }
