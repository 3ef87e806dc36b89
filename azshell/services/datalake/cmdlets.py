"""Az.DataLakeStore: accounts through ARM, items and ACL entries through the WebHDFS data plane.

Every call carries the current account's token (``https://management.azure.com/`` for ARM,
``https://datalake.azure.net/`` for the store), so a denied call fails exactly as the REST call does. The
portal's Data Explorer → Access → "Add" (the tutorials' step that lets a VM's identity read and write a folder)
is ``Set-AzDataLakeStoreItemAclEntry -AceType User -Id $spID -Permissions All [-Default]``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from azshell.cmdlets._base import (
    AzCmdlet,
    AzureRestError,
    access_hints,
    category_for_status,
    connection_error,
    reason_code,
)
from azshell.cmdlets._objects import plain, rg_of, tags_table
from azshell.hostnames import DATA_LAKE_HOST_SUFFIX, DATA_LAKE_RESOURCE
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.formatting import ViewTable
from azshell.lang.values import PSObject

__all__ = ["COMMANDS", "COMPLETERS", "register_views"]

# --------------------------------------------------------------------------------------------- Azure strings
DATA_LAKE_STORE_TYPE = "Microsoft.DataLakeStore/accounts"
WEBHDFS_PREFIX = "/webhdfs/v1"
API_DATA_LAKE_STORE = "2016-11-01"
PS_DATA_LAKE_STORE_ACCOUNT = "Microsoft.Azure.Commands.DataLakeStore.Models.PSDataLakeStoreAccount"
PS_DATA_LAKE_STORE_ITEM = "Microsoft.Azure.Commands.DataLakeStore.Models.DataLakeStoreItem"
PS_DATA_LAKE_STORE_ACE = "Microsoft.Azure.Commands.DataLakeStore.Models.DataLakeStoreItemAce"
PS_DATA_LAKE_STORE_IDENTITY = "Microsoft.Azure.Management.DataLake.Store.Models.EncryptionIdentity"
ENCRYPTION_SERVICE_MANAGED = "ServiceManaged"
ENCRYPTION_USER_MANAGED = "UserManaged"
TIER_CONSUMPTION = "Consumption"
TIERS = ("Consumption", "Commitment_1TB", "Commitment_10TB", "Commitment_100TB", "Commitment_500TB",
         "Commitment_1PB", "Commitment_5PB")
ACE_TYPES = ("User", "Group", "Mask", "Other")
#: Az's ``DataLakeStoreEnums.Permission`` names → the rwx form WebHDFS takes
PERMISSIONS: dict[str, str] = {
    "None": "---", "Execute": "--x", "Write": "-w-", "WriteExecute": "-wx", "Read": "r--", "ReadExecute": "r-x",
    "ReadWrite": "rw-", "All": "rwx",
}
#: Az's error line for a failed WebHDFS call, two spaces before ``RemoteException:`` as Az prints it (SEEN: issue
#: 14's capture; the rest follows the ADLS .NET SDK's AdlsException text)
OPERATION_FAILED_TEMPLATE = (
    "Operation: {op} failed with HttpStatus:{status}  RemoteException: {exception} {message} "
    "JavaClassName: {java_class}."
)
ACCOUNT_NOT_FOUND_TEMPLATE = "The Resource '{type}/{name}' was not found in the current subscription."
NO_SUCH_STORE_HINT = "no Data Lake store is named '{name}': create it with New-AzDataLakeStoreAccount"
PATH_EXISTS_TEMPLATE = "The file or folder '{path}' already exists. Use -Force to overwrite it."
ACE_ID_REQUIRED = "The -Id parameter is required for the User and Group ACE types."


# ------------------------------------------------------------------------------------------------ objects
def _ms_to_datetime(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def account_object(data: dict[str, Any]) -> PSObject:
    """ARM JSON of a store → ``PSDataLakeStoreAccount``."""
    props = data.get("properties") or {}
    rid = str(data.get("id", ""))
    rg = rg_of(rid)
    identity = data.get("identity")
    ident_obj = None
    if isinstance(identity, dict):
        ident_obj = PSObject([("Type", identity.get("type")), ("PrincipalId", identity.get("principalId")),
                              ("TenantId", identity.get("tenantId"))],
                             type_names=(PS_DATA_LAKE_STORE_IDENTITY, "System.Object"))
    encryption = props.get("encryptionConfig")
    return PSObject([
        ("Name", data.get("name", "")),
        ("ResourceGroupName", rg),
        ("Location", data.get("location", "")),
        ("Id", rid),
        ("Type", data.get("type", DATA_LAKE_STORE_TYPE)),
        ("Endpoint", props.get("endpoint")),
        ("AccountId", props.get("accountId")),
        ("ProvisioningState", props.get("provisioningState")),
        ("State", props.get("state")),
        ("CreationTime", props.get("creationTime")),
        ("LastModifiedTime", props.get("lastModifiedTime")),
        ("Identity", ident_obj),
        ("DefaultGroup", props.get("defaultGroup")),
        ("EncryptionConfig", encryption.get("type") if isinstance(encryption, dict) else None),
        ("EncryptionState", props.get("encryptionState")),
        ("EncryptionProvisioningState", props.get("encryptionProvisioningState")),
        ("FirewallRules", list(props.get("firewallRules") or [])),
        ("VirtualNetworkRules", list(props.get("virtualNetworkRules") or [])),
        ("FirewallState", props.get("firewallState")),
        ("FirewallAllowAzureIps", props.get("firewallAllowAzureIps")),
        ("TrustedIdProviders", list(props.get("trustedIdProviders") or [])),
        ("TrustedIdProviderState", props.get("trustedIdProviderState")),
        ("NewTier", props.get("newTier")),
        ("CurrentTier", props.get("currentTier")),
        ("Tags", tags_table(data.get("tags"))),
    ], type_names=(PS_DATA_LAKE_STORE_ACCOUNT, "System.Object"))


def item_object(status: dict[str, Any], path: str) -> PSObject:
    """A WebHDFS ``FileStatus`` → ``DataLakeStoreItem``."""
    return PSObject([
        ("Name", path.rsplit("/", 1)[-1] or "/"),
        ("Path", path),
        ("Type", status.get("type")),
        ("Length", status.get("length", 0)),
        ("Permission", status.get("permission")),
        ("Owner", status.get("owner")),
        ("Group", status.get("group")),
        ("LastWriteTime", _ms_to_datetime(status.get("modificationTime"))),
        ("LastAccessTime", _ms_to_datetime(status.get("accessTime"))),
        ("ModificationTime", status.get("modificationTime")),
        ("AccessTime", status.get("accessTime")),
        ("BlockSize", status.get("blockSize", 0)),
        ("Replication", status.get("replication", 0)),
        ("AclBit", bool(status.get("aclBit", False))),
    ], type_names=(PS_DATA_LAKE_STORE_ITEM, "System.Object"))


def ace_object(spec: str) -> PSObject:
    """``default:user:{oid}:rwx`` → ``DataLakeStoreItemAce`` (Scope, Type, Id, Permission)."""
    parts = spec.split(":")
    scope = "Access"
    if parts and parts[0].lower() == "default":
        scope = "Default"
        parts = parts[1:]
    while len(parts) < 3:
        parts.append("")
    type_ = {"user": "User", "group": "Group", "mask": "Mask", "other": "Other"}.get(parts[0].lower(), parts[0])
    obj = PSObject([("Scope", scope), ("Type", type_), ("Id", parts[1]), ("Permission", parts[2])],
                   type_names=(PS_DATA_LAKE_STORE_ACE, "System.Object"))
    obj.methods["tostring"] = lambda: spec
    return obj


def ace_spec(scope_default: bool, ace_type: str, ace_id: str, perm: str | None) -> str:
    """One WebHDFS ACL spec entry: ``default:user:{oid}:rwx`` (no permission part when ``perm`` is None)."""
    text = ("default:" if scope_default else "") + f"{ace_type.lower()}:{ace_id}"
    return text if perm is None else f"{text}:{perm}"


def _ace_from_value(value: Any, *, with_perm: bool) -> str:
    """An ``-Acl`` element (DataLakeStoreItemAce or a spec string) → a spec entry."""
    if isinstance(value, PSObject):
        scope = str(value.get("Scope") or "Access")
        perm = str(value.get("Permission") or "---")
        return ace_spec(scope.lower() == "default", str(value.get("Type") or ""), str(value.get("Id") or ""),
                        _perm_text(perm) if with_perm else None)
    text = str(value).strip()
    if not with_perm and text.count(":") >= (3 if text.lower().startswith("default:") else 2):
        text = text.rsplit(":", 1)[0]
    return text


def _perm_text(value: str) -> str:
    for name, rwx in PERMISSIONS.items():
        if value.casefold() == name.casefold():
            return rwx
    return value


# ------------------------------------------------------------------------------------------------- base
def _host_of(account: str) -> str:
    name = account.strip().lower()
    if "://" in name:
        name = urlsplit(name).hostname or name
    return name if name.endswith(DATA_LAKE_HOST_SUFFIX) else name + DATA_LAKE_HOST_SUFFIX


def _clean_path(account: str, path: str) -> str:
    """``/a/b``, ``a/b`` or ``adl://store.azuredatalakestore.net/a/b`` → ``/a/b``."""
    text = path.strip()
    if "://" in text:
        text = urlsplit(text).path or "/"
    text = "/" + "/".join(p for p in text.replace("\\", "/").split("/") if p)
    return text


class _DataLakeCmdlet(AzCmdlet):
    """Shared WebHDFS helpers: the store's URL, the data-plane token, ADLS-shaped errors."""

    def account_name(self) -> str:
        return str(self.bound.get("Account") or "")

    def path_arg(self) -> str:
        return _clean_path(self.account_name(), str(self.bound.get("Path") or "/"))

    def webhdfs(self, method: str, path: str, op: str, *, params: dict[str, str] | None = None,
                body: bytes | None = None, url: str | None = None) -> httpx.Response:
        token = self.token(DATA_LAKE_RESOURCE)
        host = _host_of(self.account_name())
        if url is None:
            query = "&".join([f"op={op}", *(f"{k}={quote(v, safe='')}" for k, v in (params or {}).items())])
            url = f"https://{host}{WEBHDFS_PREFIX}{quote(path, safe='/')}?{query}"
        try:
            return self.services.http.request(method, url, headers={"Authorization": f"Bearer {token}"},
                                              content=body)
        except httpx.HTTPError as e:
            raise connection_error(e, fallback_hint=NO_SUCH_STORE_HINT.format(name=host.split(".", 1)[0])) from None

    def webhdfs_ok(self, method: str, path: str, op: str, *, params: dict[str, str] | None = None,
                   body: bytes | None = None, url: str | None = None) -> httpx.Response:
        resp = self.webhdfs(method, path, op, params=params, body=body, url=url)
        if resp.status_code >= 400:
            raise self.adls_error(resp, op)
        return resp

    def webhdfs_json(self, method: str, path: str, op: str, *, params: dict[str, str] | None = None) -> Any:
        resp = self.webhdfs_ok(method, path, op, params=params)
        try:
            return resp.json()
        except ValueError:
            return {}

    def adls_error(self, resp: httpx.Response, op: str) -> CmdletError:
        exception, message, java_class = "", resp.text.strip(), ""
        try:
            data = resp.json()
        except ValueError:
            data = None
        remote = data.get("RemoteException") if isinstance(data, dict) else None
        if isinstance(remote, dict):
            exception = str(remote.get("exception", ""))
            message = str(remote.get("message", ""))
            java_class = str(remote.get("javaClassName", ""))
        text = OPERATION_FAILED_TEMPLATE.format(op=op, status=reason_code(resp.status_code), exception=exception,
                                                message=message, java_class=java_class)
        hints = access_hints(resp, ctx=self.ctx)
        if hints:
            text += "\n" + "\n".join(hints)
        exc = AzureRestError(text, status=resp.status_code, code=exception or reason_code(resp.status_code),
                             error_message=message, response=resp,
                             request_id=resp.headers.get("x-ms-request-id"))
        return CmdletError(text, category=category_for_status(resp.status_code),
                           error_id=exception or "AdlsException", exception=exc)

    def account_path(self, rg: str, name: str) -> str:
        return (f"/subscriptions/{self.subscription_id}/resourceGroups/{rg}/providers/"
                f"{DATA_LAKE_STORE_TYPE}/{name}")

    def item(self, path: str) -> PSObject:
        data = self.webhdfs_json("GET", path, "GETFILESTATUS")
        return item_object(dict(data.get("FileStatus") or {}), path)

    def acl_entries(self, path: str) -> list[PSObject]:
        data = self.webhdfs_json("GET", path, "GETACLSTATUS")
        status = data.get("AclStatus") or {}
        return [ace_object(str(e)) for e in status.get("entries") or []]

    def walk(self, path: str) -> list[tuple[str, bool]]:
        """``path`` and everything below it (for -Recurse): (path, is_folder), parents first."""
        out: list[tuple[str, bool]] = []
        pending = [path]
        while pending:
            current = pending.pop(0)
            data = self.webhdfs_json("GET", current, "LISTSTATUS")
            statuses = (data.get("FileStatuses") or {}).get("FileStatus") or []
            is_dir = not (len(statuses) == 1 and statuses[0].get("pathSuffix") == ""
                          and statuses[0].get("type") == "FILE")
            out.append((current, is_dir))
            if not is_dir:
                continue
            for st in statuses:
                child = current.rstrip("/") + "/" + str(st.get("pathSuffix"))
                if st.get("type") == "DIRECTORY":
                    pending.append(child)
                else:
                    out.append((child, False))
        return out


_ACCOUNT_PARAM = Param("Account", "string", mandatory=True, position=0, aliases=("AccountName",),
                       completer="datalake_account", validate_not_null_or_empty=True,
                       value_from_pipeline_by_property_name=True)
_PATH_PARAM = Param("Path", "string", mandatory=True, position=1, validate_not_null_or_empty=True,
                    value_from_pipeline_by_property_name=True)


# --------------------------------------------------------------------------------------------- accounts
class NewAzDataLakeStoreAccount(_DataLakeCmdlet):
    name = "New-AzDataLakeStoreAccount"
    aliases = ("New-AzureRmDataLakeStoreAccount", "New-AdlStore")
    synopsis = "Creates a new Data Lake Store account."
    description = ("Creates a Data Lake Store Gen1 account through ARM. Its root folder / belongs to you (owner "
                   "and owning group are your object ID, permission 770); members of the Owner role on the "
                   "account are its super-users.")
    supports_should_process = True
    params = (
        Param("ResourceGroupName", "string", mandatory=True, position=0, completer="resource_group",
              validate_not_null_or_empty=True),
        Param("Name", "string", mandatory=True, position=1, aliases=("AccountName",),
              validate_not_null_or_empty=True),
        Param("Location", "string", mandatory=True, position=2, completer="location",
              validate_not_null_or_empty=True),
        Param("Tag", "hashtable", aliases=("Tags",)),
        Param("Encryption", "string", validate_set=(ENCRYPTION_SERVICE_MANAGED, ENCRYPTION_USER_MANAGED)),
        Param("DisableEncryption", "switch"),
        Param("Tier", "string", validate_set=TIERS),
        Param("Force", "switch"),
    )
    outputs = (PS_DATA_LAKE_STORE_ACCOUNT,)
    examples = (
        Example("New-AzDataLakeStoreAccount -ResourceGroupName myResourceGroup -Name mytestadls -Location eastus2",
                "Creates a Data Lake Store account."),
    )

    def process(self) -> None:
        rg = str(self.bound["ResourceGroupName"])
        name = str(self.bound["Name"])
        location = str(self.bound["Location"]).replace(" ", "").lower()
        if not self.should_process(name, "Create Data Lake Store account"):
            return
        disabled = bool(self.bound.get("DisableEncryption"))
        props: dict[str, Any] = {"newTier": str(self.bound.get("Tier") or TIER_CONSUMPTION),
                                 "encryptionState": "Disabled" if disabled else "Enabled"}
        body: dict[str, Any] = {"location": location, "properties": props}
        if not disabled:
            props["encryptionConfig"] = {"type": str(self.bound.get("Encryption") or ENCRYPTION_SERVICE_MANAGED)}
            body["identity"] = {"type": "SystemAssigned"}
        tag = self.bound.get("Tag")
        if tag is not None:
            body["tags"] = {str(k): "" if v is None else str(v) for k, v in plain(tag).items()}
        data = self.arm_put(self.account_path(rg, name), API_DATA_LAKE_STORE, body)
        self.write(account_object(data or {}))


class GetAzDataLakeStoreAccount(_DataLakeCmdlet):
    name = "Get-AzDataLakeStoreAccount"
    aliases = ("Get-AzureRmDataLakeStoreAccount", "Get-AdlStore")
    synopsis = "Gets details of Data Lake Store accounts."
    description = ("Gets one Data Lake Store account by name (in a resource group, or anywhere in the "
                   "subscription), or lists the accounts of a resource group or of the subscription.")
    params = (
        Param("Name", "string", position=0, aliases=("AccountName",), completer="datalake_account",
              value_from_pipeline_by_property_name=True),
        Param("ResourceGroupName", "string", position=1, completer="resource_group",
              value_from_pipeline_by_property_name=True),
    )
    outputs = (PS_DATA_LAKE_STORE_ACCOUNT,)
    examples = (
        Example("Get-AzDataLakeStoreAccount -Name mytestadls", "Gets the account named mytestadls."),
        Example("Get-AzDataLakeStoreAccount -ResourceGroupName myResourceGroup", "Lists a group's accounts."),
    )

    def process(self) -> None:
        name = self.bound.get("Name")
        rg = self.bound.get("ResourceGroupName")
        if name and rg:
            self.write(account_object(self.arm_get(self.account_path(str(rg), str(name)), API_DATA_LAKE_STORE)))
            return
        base = f"/subscriptions/{self.subscription_id}"
        if rg:
            base += f"/resourceGroups/{rg}"
        items = self.arm_list(f"{base}/providers/{DATA_LAKE_STORE_TYPE}", API_DATA_LAKE_STORE)
        if name:
            items = [i for i in items if str(i.get("name", "")).casefold() == str(name).casefold()]
            if not items:
                self.fail(ACCOUNT_NOT_FOUND_TEMPLATE.format(type=DATA_LAKE_STORE_TYPE, name=name),
                          category="ObjectNotFound", error_id="ResourceNotFound")
        for data in items:
            self.write(account_object(data))


# ------------------------------------------------------------------------------------------------ items
class NewAzDataLakeStoreItem(_DataLakeCmdlet):
    name = "New-AzDataLakeStoreItem"
    aliases = ("New-AzureRmDataLakeStoreItem", "New-AdlStoreItem")
    synopsis = "Creates a new file or folder in Data Lake Store."
    description = ("Creates a folder (-Folder, WebHDFS MKDIRS) or a file (CREATE: the request is redirected "
                   "with 307 to ...&write=true, then the content is written, 201), with your identity's rights.")
    supports_should_process = True
    params = (
        _ACCOUNT_PARAM,
        _PATH_PARAM,
        Param("Value", "object", position=2),
        Param("Folder", "switch"),
        Param("Force", "switch"),
        Param("Encoding", "string", validate_set=("UTF8", "ASCII", "Unicode", "UTF32", "Default")),
    )
    outputs = ("System.String",)
    examples = (
        Example("New-AzDataLakeStoreItem -Account mytestadls -Path /TestFolder -Folder", "Creates a folder."),
        Example("New-AzDataLakeStoreItem -Account mytestadls -Path /TestFolder/hello.txt -Value 'Hello'",
                "Creates a file with some text."),
    )

    def process(self) -> None:
        path = self.path_arg()
        if not self.should_process(path, "Create Data Lake Store item"):
            return
        if self.bound.get("Folder"):
            self.webhdfs_ok("PUT", path, "MKDIRS")
            self.write(path)
            return
        value = self.bound.get("Value")
        if isinstance(value, (bytes, bytearray)):
            body = bytes(value)
        elif isinstance(value, list) and all(isinstance(b, int) for b in value):
            body = bytes(value)
        else:
            from azshell.lang.conversions import to_string

            body = b"" if value is None else to_string(value).encode(
                "utf-16-le" if str(self.bound.get("Encoding") or "").casefold() == "unicode" else "utf-8")
        overwrite = "true" if self.bound.get("Force") else "false"
        redirect = self.webhdfs("PUT", path, "CREATE", params={"overwrite": overwrite})
        if redirect.status_code >= 400:
            raise self.adls_error(redirect, "CREATE")
        location = redirect.headers.get("location")
        if redirect.status_code == 307 and location:
            self.webhdfs_ok("PUT", path, "CREATE", body=body, url=location)
        self.write(path)


class GetAzDataLakeStoreItem(_DataLakeCmdlet):
    name = "Get-AzDataLakeStoreItem"
    aliases = ("Get-AzureRmDataLakeStoreItem", "Get-AdlStoreItem")
    synopsis = "Gets details of a file or folder in Data Lake Store."
    description = "Gets a file's or folder's status (WebHDFS GETFILESTATUS): type, length, owner, permission."
    params = (_ACCOUNT_PARAM, _PATH_PARAM)
    outputs = (PS_DATA_LAKE_STORE_ITEM,)
    examples = (Example("Get-AzDataLakeStoreItem -Account mytestadls -Path /TestFolder", "Gets a folder."),)

    def process(self) -> None:
        self.write(self.item(self.path_arg()))


class GetAzDataLakeStoreChildItem(_DataLakeCmdlet):
    name = "Get-AzDataLakeStoreChildItem"
    aliases = ("Get-AzureRmDataLakeStoreChildItem", "Get-AdlStoreChildItem")
    synopsis = "Gets the contents of a folder in Data Lake Store."
    description = "Lists a folder (WebHDFS LISTSTATUS): needs read and execute on it, execute on its ancestors."
    params = (_ACCOUNT_PARAM, _PATH_PARAM)
    outputs = (PS_DATA_LAKE_STORE_ITEM,)
    examples = (Example("Get-AzDataLakeStoreChildItem -Account mytestadls -Path /", "Lists the root folder."),)

    def process(self) -> None:
        path = self.path_arg()
        data = self.webhdfs_json("GET", path, "LISTSTATUS")
        for st in (data.get("FileStatuses") or {}).get("FileStatus") or []:
            suffix = str(st.get("pathSuffix") or "")
            child = path if not suffix else (path.rstrip("/") + "/" + suffix)
            self.write(item_object(dict(st), child))


# ---------------------------------------------------------------------------------------------- ACL entries
class GetAzDataLakeStoreItemAclEntry(_DataLakeCmdlet):
    name = "Get-AzDataLakeStoreItemAclEntry"
    aliases = ("Get-AzureRmDataLakeStoreItemAclEntry", "Get-AdlStoreItemAclEntry")
    synopsis = "Gets an entry in the ACL of a file or folder in Data Lake Store."
    description = "Lists the access and default ACL entries of a file or folder (WebHDFS GETACLSTATUS)."
    params = (_ACCOUNT_PARAM, _PATH_PARAM)
    outputs = (PS_DATA_LAKE_STORE_ACE,)
    examples = (Example("Get-AzDataLakeStoreItemAclEntry -Account mytestadls -Path /TestFolder",
                        "Shows who may do what on /TestFolder."),)

    def process(self) -> None:
        for ace in self.acl_entries(self.path_arg()):
            self.write(ace)


def _ace_params(verb: str) -> tuple[Param, ...]:
    """The parameters of Set-/Remove-AzDataLakeStoreItemAclEntry (sets ``{verb}ByACLObject``/``{verb}SpecificACE``)."""
    by_object, specific = f"{verb}ByACLObject", f"{verb}SpecificACE"
    return (
        _ACCOUNT_PARAM,
        _PATH_PARAM,
        Param("Acl", "object[]", mandatory=True, position=2, parameter_sets=(by_object,)),
        Param("AceType", "string", mandatory=True, position=2, validate_set=ACE_TYPES, parameter_sets=(specific,)),
        Param("Id", "string", position=3, aliases=("ObjectId",), parameter_sets=(specific,)),
        Param("Default", "switch", parameter_sets=(specific,)),
        Param("Recurse", "switch"),
        Param("Concurrency", "int"),
        Param("ShowProgress", "switch"),
        Param("PassThru", "switch"),
        Param("Force", "switch"),
    )


class _AceCmdlet(_DataLakeCmdlet):
    op = "MODIFYACLENTRIES"
    with_perm = True

    def spec(self) -> list[tuple[bool, str]]:
        """(is default entry, spec entry) pairs from -Acl or -AceType/-Id/-Permissions/-Default."""
        acl = self.bound.get("Acl")
        if acl is not None:
            values = acl if isinstance(acl, list) else [acl]
            out = []
            for v in values:
                text = _ace_from_value(v, with_perm=self.with_perm)
                out.append((text.lower().startswith("default:"), text))
            return out
        ace_type = str(self.bound["AceType"])
        ace_id = str(self.bound.get("Id") or "")
        if ace_type.casefold() in ("user", "group") and not ace_id:
            self.fail(ACE_ID_REQUIRED, error_id="AceIdRequired")
        if ace_type.casefold() in ("mask", "other"):
            ace_id = ""
        perm = _perm_text(str(self.bound.get("Permissions") or "None")) if self.with_perm else None
        default = bool(self.bound.get("Default"))
        return [(default, ace_spec(default, ace_type, ace_id, perm))]

    def process(self) -> None:
        path = self.path_arg()
        entries = self.spec()
        if not self.should_process(path, f"{self.name.split('-')[0]} ACL entries"):
            return
        targets = self.walk(path) if self.bound.get("Recurse") else [(path, True)]
        for target, is_dir in targets:
            wanted = [text for default, text in entries if is_dir or not default]
            if not wanted:
                continue
            self.webhdfs_ok("PUT", target, self.op, params={"aclspec": ",".join(wanted)})
        if self.bound.get("PassThru"):
            for ace in self.acl_entries(path):
                self.write(ace)


class SetAzDataLakeStoreItemAclEntry(_AceCmdlet):
    name = "Set-AzDataLakeStoreItemAclEntry"
    aliases = ("Set-AzureRmDataLakeStoreItemAclEntry", "Set-AdlStoreItemAclEntry")
    synopsis = "Modifies an entry in the ACL of a file or folder in Data Lake Store."
    description = ("Adds or changes ACL entries (WebHDFS MODIFYACLENTRIES): what the portal's Data Explorer → "
                   "Access → Add does. -Default sets the default entry that new children inherit; -Recurse "
                   "applies it to everything below (default entries to folders only).")
    supports_should_process = True
    params = (*_ace_params("Set"),
              Param("Permissions", "string", mandatory=True, position=4, validate_set=tuple(PERMISSIONS),
                    parameter_sets=("SetSpecificACE",)))
    default_parameter_set = "SetSpecificACE"
    outputs = (PS_DATA_LAKE_STORE_ACE,)
    examples = (
        Example("$spID = (Get-AzVM -ResourceGroupName myRG -Name myVM).Identity.PrincipalId\n"
                "Set-AzDataLakeStoreItemAclEntry -Account mytestadls -Path / -AceType User -Id $spID "
                "-Permissions ReadExecute",
                "Lets a VM's identity list the root folder (an access entry only)."),
        Example("Set-AzDataLakeStoreItemAclEntry -Account mytestadls -Path /TestFolder -AceType User -Id $spID "
                "-Permissions All -Default",
                "Adds a default entry: files created in /TestFolder give the identity rwx."),
    )


class RemoveAzDataLakeStoreItemAclEntry(_AceCmdlet):
    name = "Remove-AzDataLakeStoreItemAclEntry"
    aliases = ("Remove-AzureRmDataLakeStoreItemAclEntry", "Remove-AdlStoreItemAclEntry")
    synopsis = "Removes an entry from the ACL of a file or folder in Data Lake Store."
    description = "Removes ACL entries (WebHDFS REMOVEACLENTRIES) for a user or group, access or -Default."
    supports_should_process = True
    op = "REMOVEACLENTRIES"
    with_perm = False
    params = _ace_params("Remove")
    default_parameter_set = "RemoveSpecificACE"
    outputs = (PS_DATA_LAKE_STORE_ACE,)
    examples = (Example("Remove-AzDataLakeStoreItemAclEntry -Account mytestadls -Path /TestFolder -AceType User "
                        "-Id $spID -Default", "Removes the identity's default entry."),)


COMMANDS: tuple[type[AzCmdlet], ...] = (
    NewAzDataLakeStoreAccount, GetAzDataLakeStoreAccount,
    NewAzDataLakeStoreItem, GetAzDataLakeStoreItem, GetAzDataLakeStoreChildItem,
    GetAzDataLakeStoreItemAclEntry, SetAzDataLakeStoreItemAclEntry, RemoveAzDataLakeStoreItemAclEntry,
)


# ------------------------------------------------------------------------------------------ views, completion
VIEWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (PS_DATA_LAKE_STORE_ACCOUNT, "list",
     ("Name", "ResourceGroupName", "Location", "Id", "Endpoint", "AccountId", "ProvisioningState", "State",
      "EncryptionState", "FirewallState", "NewTier", "CreationTime", "LastModifiedTime", "Tags")),
    (PS_DATA_LAKE_STORE_ITEM, "table", ("Name", "Type", "Length", "Permission", "Owner", "LastWriteTime")),
    (PS_DATA_LAKE_STORE_ACE, "table", ("Scope", "Type", "Id", "Permission")),
)


def register_views(views: ViewTable) -> None:
    """Register the Data Lake output views in ``views``."""
    for type_name, kind, props in VIEWS:
        views.register(type_name, kind, props)


def _accounts(services: Any) -> list[str]:
    return sorted(r.name for r in services.store.list_resources(type=DATA_LAKE_STORE_TYPE))


COMPLETERS: dict[str, Callable[[Any], list[str]]] = {"datalake_account": _accounts}
