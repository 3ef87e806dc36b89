"""``TenantBackend``: the tenant's domain operations over a ``Store`` (a moto-style backend).

The ARM plane (and the token endpoints) call these methods with typed keyword arguments and get model records
back; nothing here sees HTTP. Each public write runs in one transaction and appends an event to the store's
events log (kinds such as ``"resource.put"``, ``"identity.enabled"``, ``"role_assignment.created"``) so
tutorial checks can see what happened.

Managed identities follow Azure's rules:

* identity type ``SystemAssigned`` on a resource creates a service principal (``servicePrincipalType``
  ``ManagedIdentity``, ``objectId`` = the identity's ``principalId``, a new ``appId``, ``displayName`` = the
  resource name, ``alternativeNames`` ``["isExplicit=False", <resource id>]``); enabling it again keeps it;
* removing ``SystemAssigned`` (type ``None`` or ``UserAssigned`` only) or deleting the resource deletes that
  principal and leaves its role assignments in place, orphaned (readers show ``ObjectType`` ``Unknown``);
* a user-assigned identity is its own resource with its own principal (``isExplicit=True``); attaching it to a
  resource records its ``principalId``/``clientId`` in the resource's identity block; deleting it leaves
  dangling references, as Azure does.

Example::

    backend = TenantBackend(Store.open(":memory:"), FixedClock())
    backend.seed()
    sub = backend.default_subscription().subscription_id
    backend.create_or_update_resource_group(sub, "rg1", "westus")
    vm = backend.create_or_update_vm(sub, "rg1", "vm1", "westus", identity_type="SystemAssigned")
    assert vm.identity is not None and vm.identity.principal_id
"""

from __future__ import annotations

import copy
import datetime
import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from azshell.clock import Clock
from azshell.ids import (
    is_guid,
    normalize_scope,
    parse_resource_id,
    resource_group_id,
    resource_id,
    scope_contains,
    scope_kind,
    strip_dashes,
)
from azshell.model.builtin_roles import BUILTIN_ROLES_VERSION, OWNER, builtin_roles
from azshell.model.errors import (
    ConflictError,
    IdentityNotFoundError,
    NotFoundError,
    PrincipalNotFoundError,
    ValidationError,
)
from azshell.model.store import RESOURCE_GROUP_NOT_FOUND, RESOURCE_NOT_FOUND, Store
from azshell.model.types import (
    IDENTITY_NONE,
    IDENTITY_SYSTEM,
    IDENTITY_SYSTEM_USER,
    IDENTITY_USER,
    ROLE_TYPE_CUSTOM,
    SERVICE_PRINCIPAL_TYPE_MANAGED_IDENTITY,
    USER_ASSIGNED_IDENTITY_TYPE,
    VM_TYPE,
    DirectoryObject,
    HostIdentities,
    Identity,
    Permission,
    PrincipalType,
    Resource,
    ResourceGroup,
    RoleAssignment,
    RoleDefinition,
    Subscription,
    Tenant,
    UserAssignedRef,
)

__all__ = ["KEEP", "Keep", "TenantBackend", "normalize_identity_type"]

DEFAULT_SUBSCRIPTION_NAME = "Azure subscription 1"
DEFAULT_VM_SIZE = "Standard_DS1_v2"
DEFAULT_ADMIN_USERNAME = "azureuser"
DEFAULT_IMAGE_REFERENCE: Final[dict[str, str]] = {
    "publisher": "MicrosoftWindowsServer",
    "offer": "WindowsServer",
    "sku": "2016-Datacenter",
    "version": "latest",
}
PROVISIONING_SUCCEEDED = "Succeeded"
IS_EXPLICIT_FALSE = "isExplicit=False"
IS_EXPLICIT_TRUE = "isExplicit=True"
RESOURCE_NOT_FOUND_MESSAGE = (
    "The Resource '{type_and_name}' under resource group '{rg}' was not found. "
    "For more details please go to https://aka.ms/ARMResourceNotFoundFix"
)
RESOURCE_GROUP_NOT_FOUND_MESSAGE = "Resource group '{rg}' could not be found."
SUBSCRIPTION_NOT_FOUND_MESSAGE = "The subscription '{sub}' could not be found."
INVALID_ROLE_ASSIGNMENT_ID_MESSAGE = (
    "The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID."
)
ROLE_DEFINITION_NOT_FOUND_MESSAGE = "The specified role definition with ID '{id}' does not exist."
UNMATCHED_PRINCIPAL_TYPE_MESSAGE = (
    "The PrincipalId '{id}' has type '{actual}' , which is different from specified PrincipalType '{given}'."
)

SETTING_ADMIN_OBJECT_ID = "admin_object_id"
SETTING_DEFAULT_SUBSCRIPTION = "default_subscription_id"
#: the version of the built-in role catalogue the file's built-in definitions come from
SETTING_BUILTIN_ROLES_VERSION = "builtin_roles_version"

# event kinds
EVENT_SEEDED = "tenant.seeded"
EVENT_BUILTIN_ROLES_REFRESHED = "role_definitions.builtin_refreshed"
EVENT_RG_PUT = "resource_group.put"
EVENT_RG_DELETED = "resource_group.deleted"
EVENT_RESOURCE_PUT = "resource.put"
EVENT_RESOURCE_DELETED = "resource.deleted"
EVENT_IDENTITY_ENABLED = "identity.enabled"
EVENT_IDENTITY_DISABLED = "identity.disabled"
EVENT_IDENTITY_ATTACHED = "identity.attached"
EVENT_IDENTITY_DETACHED = "identity.detached"
EVENT_PRINCIPAL_CREATED = "principal.created"
EVENT_PRINCIPAL_DELETED = "principal.deleted"
EVENT_RA_CREATED = "role_assignment.created"
EVENT_RA_DELETED = "role_assignment.deleted"
EVENT_RD_PUT = "role_definition.put"
EVENT_RD_DELETED = "role_definition.deleted"
EVENT_USER_CREATED = "user.created"
EVENT_GROUP_CREATED = "group.created"
EVENT_GROUP_DELETED = "group.deleted"
EVENT_GROUP_MEMBER_ADDED = "group.member_added"
EVENT_GROUP_MEMBER_REMOVED = "group.member_removed"

_IDENTITY_SPELLINGS: Final[dict[str, str]] = {
    "": IDENTITY_NONE,
    "none": IDENTITY_NONE,
    "systemassigned": IDENTITY_SYSTEM,
    "userassigned": IDENTITY_USER,
    "systemassigned,userassigned": IDENTITY_SYSTEM_USER,
    "userassigned,systemassigned": IDENTITY_SYSTEM_USER,
    "systemassigneduserassigned": IDENTITY_SYSTEM_USER,
}


class Keep(enum.Enum):
    """Type of the ``KEEP`` sentinel."""

    KEEP = "keep"


#: pass as ``identity_type`` to leave a resource's identity as it is
KEEP: Final = Keep.KEEP


def normalize_identity_type(value: str | None) -> str:
    """ARM's ``identity.type`` for any accepted spelling (any case, Az's ``SystemAssignedUserAssigned``).

    None means ``"None"``. Raises ValidationError (code ``InvalidIdentityType``) for anything else.
    """
    if value is None:
        return IDENTITY_NONE
    key = value.replace(" ", "").casefold()
    try:
        return _IDENTITY_SPELLINGS[key]
    except KeyError:
        raise ValidationError(
            f"The identity type '{value}' is not valid. Valid types are 'SystemAssigned', 'UserAssigned', "
            "'SystemAssigned, UserAssigned' and 'None'.",
            code="InvalidIdentityType",
        ) from None


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Recursive dict merge: values from ``override`` win; nested dicts merge."""
    out = copy.deepcopy(base)
    for k, v in override.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _resource_type_and_name(rid: str) -> str:
    """``Microsoft.Compute/virtualMachines/vm1`` from a full ID (as ARM's ResourceNotFound names it)."""
    parts = rid.strip("/").split("/")
    for i, p in enumerate(parts):
        if p.casefold() == "providers":
            return "/".join(parts[i + 1 :])
    return rid


class TenantBackend:
    """Typed domain operations on one tenant.

    Arguments:
        store: the state file.
        clock: the time source (timestamps of role assignments, VMs and events).
    """

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    # ------------------------------------------------------------------------------------------------ tenant
    def is_seeded(self) -> bool:
        """True once ``seed`` has run on this state file and has nothing left to do: its built-in role definitions
        are this azshell's (a file seeded by an older one, with fewer built-in roles, is due for ``seed`` again)."""
        try:
            self.store.get_tenant()
        except NotFoundError:
            return False
        return self.builtin_roles_current()

    def builtin_roles_current(self) -> bool:
        """Do the file's built-in role definitions come from this azshell's catalogue (``BUILTIN_ROLES_VERSION``)?"""
        return self.store.get_setting(SETTING_BUILTIN_ROLES_VERSION) == BUILTIN_ROLES_VERSION

    def seed(
        self,
        *,
        tenant_name: str = "azshell",
        domain: str = "azshell.onmicrosoft.com",
        admin_upn: str = "admin@azshell.onmicrosoft.com",
    ) -> None:
        """Fill a fresh state: tenant, one subscription, the admin user (Owner on it), built-in roles.

        Idempotent: on a file already seeded it only brings the built-in role definitions up to this azshell's
        catalogue when they come from another one (``refresh_builtin_roles``), and else does nothing (safe with
        several processes).
        """
        store = self.store
        with store.transaction():
            try:
                store.get_tenant()
            except NotFoundError:
                pass
            else:
                self.refresh_builtin_roles()
                return
            tenant = Tenant(tenant_id=store.ids.guid(), display_name=tenant_name, default_domain=domain)
            store.put_tenant(tenant)
            sub = Subscription(
                subscription_id=store.ids.guid(), tenant_id=tenant.tenant_id, display_name=DEFAULT_SUBSCRIPTION_NAME
            )
            store.put_subscription(sub)
            admin = DirectoryObject(
                object_id=store.ids.guid(),
                tenant_id=tenant.tenant_id,
                object_type="User",
                display_name=admin_upn.split("@", 1)[0],
                user_principal_name=admin_upn,
            )
            store.put_directory_object(admin)
            store.put_role_definitions(builtin_roles())
            store.set_setting(SETTING_BUILTIN_ROLES_VERSION, BUILTIN_ROLES_VERSION)
            store.put_role_assignment(
                RoleAssignment(
                    name=store.ids.guid(),
                    scope=f"/subscriptions/{sub.subscription_id}",
                    role_definition_id=OWNER,
                    principal_id=admin.object_id,
                    principal_type="User",
                    created_on=self.clock.now(),
                )
            )
            store.set_setting(SETTING_ADMIN_OBJECT_ID, admin.object_id)
            store.set_setting(SETTING_DEFAULT_SUBSCRIPTION, sub.subscription_id)
            store.append_event(
                EVENT_SEEDED,
                {
                    "tenantId": tenant.tenant_id,
                    "subscriptionId": sub.subscription_id,
                    "adminObjectId": admin.object_id,
                    "adminUpn": admin_upn,
                },
            )

    def refresh_builtin_roles(self) -> int:
        """Bring the file's built-in role definitions up to this azshell's catalogue; the number written.

        Adds the built-in roles the file lacks and rewrites those that differ; custom roles (even one with a
        built-in's GUID), role assignments and built-in roles no longer shipped are left as they are. Does nothing
        when the file already records this catalogue's version, so it is cheap to call on every open.
        """
        store = self.store
        with store.transaction():
            if self.builtin_roles_current():
                return 0
            stored = {rd.id.lower(): rd for rd in store.list_role_definitions()}
            added = updated = 0
            for role in builtin_roles():
                old = stored.get(role.id.lower())
                if old == role or (old is not None and old.role_type == ROLE_TYPE_CUSTOM):
                    continue
                store.put_role_definition(role)
                if old is None:
                    added += 1
                else:
                    updated += 1
            previous = store.get_setting(SETTING_BUILTIN_ROLES_VERSION)
            store.set_setting(SETTING_BUILTIN_ROLES_VERSION, BUILTIN_ROLES_VERSION)
            store.append_event(EVENT_BUILTIN_ROLES_REFRESHED, {
                "version": BUILTIN_ROLES_VERSION, "previousVersion": previous, "added": added, "updated": updated})
            return added + updated

    def tenant(self) -> Tenant:
        """The tenant (NotFoundError before ``seed``)."""
        return self.store.get_tenant()

    @property
    def tenant_id(self) -> str:
        """The tenant's GUID."""
        return self.store.get_tenant().tenant_id

    def default_subscription(self) -> Subscription:
        """The subscription ``seed`` created (else the first one)."""
        sub_id = self.store.get_setting(SETTING_DEFAULT_SUBSCRIPTION)
        sub = self.store.get_subscription(sub_id) if sub_id else None
        if sub is None:
            subs = self.store.list_subscriptions()
            if not subs:
                raise NotFoundError("The tenant has no subscription.", code="SubscriptionNotFound")
            sub = subs[0]
        return sub

    def get_subscription(self, subscription_id: str) -> Subscription:
        """The subscription; NotFoundError ``SubscriptionNotFound``."""
        sub = self.store.get_subscription(subscription_id)
        if sub is None:
            raise NotFoundError(
                SUBSCRIPTION_NOT_FOUND_MESSAGE.format(sub=subscription_id), code="SubscriptionNotFound"
            )
        return sub

    def admin_user(self) -> DirectoryObject:
        """The admin user ``seed`` created."""
        oid = self.store.get_setting(SETTING_ADMIN_OBJECT_ID)
        obj = self.store.get_directory_object(oid) if oid else None
        if obj is None:
            raise NotFoundError("The tenant has no admin user (it has not been seeded).", code="UserNotFound")
        return obj

    # ---------------------------------------------------------------------------------------- users/groups
    def create_user(self, display_name: str, user_principal_name: str) -> DirectoryObject:
        """Create a user (ConflictError when the UPN is taken)."""
        with self.store.transaction():
            if self.store.find_directory_objects(user_principal_name=user_principal_name):
                raise ConflictError(
                    f"Another object with the same value for property userPrincipalName already exists: "
                    f"{user_principal_name}.",
                    code="ObjectConflict",
                )
            user = DirectoryObject(
                object_id=self.store.ids.guid(),
                tenant_id=self.tenant_id,
                object_type="User",
                display_name=display_name,
                user_principal_name=user_principal_name,
            )
            self.store.put_directory_object(user)
            self.store.append_event(
                EVENT_USER_CREATED, {"objectId": user.object_id, "upn": user_principal_name}
            )
            return user

    def delete_group(self, object_id: str) -> bool:
        """Delete a security group and its memberships (its role assignments stay, naming a principal that no
        longer exists, as in Azure). False when there is no such group."""
        with self.store.transaction():
            obj = self.store.get_directory_object(object_id)
            if obj is None or obj.object_type != "Group":
                return False
            self.store.delete_directory_object(object_id)
            self.store.append_event(EVENT_GROUP_DELETED, {"objectId": object_id, "displayName": obj.display_name})
            return True

    def create_group(self, display_name: str) -> DirectoryObject:
        """Create a security group."""
        with self.store.transaction():
            group = DirectoryObject(
                object_id=self.store.ids.guid(), tenant_id=self.tenant_id, object_type="Group",
                display_name=display_name
            )
            self.store.put_directory_object(group)
            self.store.append_event(
                EVENT_GROUP_CREATED, {"objectId": group.object_id, "displayName": display_name}
            )
            return group

    def add_group_member(self, group_id: str, member_id: str) -> None:
        """Add a user, service principal or group to a group."""
        with self.store.transaction():
            self.store.add_group_member(group_id, member_id)
            self.store.append_event(EVENT_GROUP_MEMBER_ADDED, {"groupId": group_id, "memberId": member_id})

    def remove_group_member(self, group_id: str, member_id: str) -> bool:
        """Remove a direct member. True if it was a member."""
        with self.store.transaction():
            removed = self.store.remove_group_member(group_id, member_id)
            if removed:
                self.store.append_event(
                    EVENT_GROUP_MEMBER_REMOVED, {"groupId": group_id, "memberId": member_id}
                )
            return removed

    def principal_type_of(self, principal_id: str) -> PrincipalType:
        """``User``/``ServicePrincipal``/``Group``, or ``Unknown`` when the object is gone (orphaned)."""
        obj = self.store.get_directory_object(principal_id)
        return obj.object_type if obj else "Unknown"

    # ------------------------------------------------------------------------------------- resource groups
    def create_or_update_resource_group(
        self, sub: str, name: str, location: str, tags: Mapping[str, str] | None = None
    ) -> ResourceGroup:
        """Create or update a resource group (an existing group keeps its name's case)."""
        with self.store.transaction():
            self.get_subscription(sub)
            rg = self.store.put_resource_group(
                ResourceGroup(
                    id=resource_group_id(sub, name),
                    subscription_id=sub,
                    name=name,
                    location=location,
                    tags=dict(tags or {}),
                )
            )
            self.store.append_event(EVENT_RG_PUT, {"id": rg.id, "location": location})
            return rg

    def get_resource_group(self, sub: str, name: str) -> ResourceGroup:
        """The resource group; NotFoundError ``ResourceGroupNotFound`` with ARM's message."""
        rg = self.store.get_resource_group(sub, name)
        if rg is None:
            raise NotFoundError(
                RESOURCE_GROUP_NOT_FOUND_MESSAGE.format(rg=name), code=RESOURCE_GROUP_NOT_FOUND
            )
        return rg

    def delete_resource_group(self, sub: str, name: str) -> None:
        """Delete the group, its resources and their managed-identity principals (assignments stay)."""
        with self.store.transaction():
            rg = self.get_resource_group(sub, name)
            for res in self.store.list_resources(sub_id=sub, resource_group=name):
                self._delete_principals_of(res.id)
                self._delete_host_of(res.id)
            self.store.delete_resource_group(sub, name)
            self.store.append_event(EVENT_RG_DELETED, {"id": rg.id})

    # ------------------------------------------------------------------------------------------- resources
    def get_resource(self, rid: str) -> Resource:
        """The resource; NotFoundError ``ResourceNotFound`` with ARM's message."""
        res = self.store.get_resource(rid)
        if res is None:
            raise self._resource_not_found(rid)
        return res

    def _resource_not_found(self, rid: str) -> NotFoundError:
        try:
            rg = parse_resource_id(rid)["resource_group"] or ""
        except ValueError:
            rg = ""
        return NotFoundError(
            RESOURCE_NOT_FOUND_MESSAGE.format(type_and_name=_resource_type_and_name(rid), rg=rg),
            code=RESOURCE_NOT_FOUND,
        )

    def create_or_update_resource(
        self,
        sub: str,
        rg: str,
        type: str,
        name: str,
        location: str,
        properties: Mapping[str, Any] | None = None,
        *,
        identity_type: str | None | Keep = KEEP,
        user_assigned_ids: Sequence[str] | None = None,
        tags: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Resource:
        """Create or update any ARM resource (web/function apps, vaults, Data Lake stores, extensions...).

        ``name`` has one segment per type level for child resources (``"vm1/ext1"`` with type
        ``Microsoft.Compute/virtualMachines/extensions``); the parent must exist. ``properties`` merge over the
        existing ones (``provisioningState`` is set to ``Succeeded``). ``identity_type`` (any accepted spelling,
        None = no identity, ``KEEP`` = unchanged) and ``user_assigned_ids`` (UAI resource IDs; None = unchanged)
        follow the rules in the module docstring. ``tags``/``extra`` (None = unchanged) replace.
        """
        with self.store.transaction():
            self.get_resource_group(sub, rg)
            rid = self._build_id(sub, rg, type, name)
            parsed = parse_resource_id(rid)
            if parsed["parent"] is not None and self.store.get_resource(parsed["parent"]) is None:
                raise self._resource_not_found(parsed["parent"])
            existing = self.store.get_resource(rid)
            props = _merge(existing.properties if existing else {}, properties or {})
            props["provisioningState"] = PROVISIONING_SUCCEEDED
            return self._save(
                existing,
                rid=rid,
                sub=sub,
                rg=self.get_resource_group(sub, rg).name,
                type=type,
                name=parsed["name"],
                location=location,
                properties=props,
                identity_type=identity_type,
                user_assigned_ids=user_assigned_ids,
                tags=tags,
                extra=extra,
            )

    def create_or_update_vm(
        self,
        sub: str,
        rg: str,
        name: str,
        location: str,
        *,
        identity_type: str | None | Keep = KEEP,
        user_assigned_ids: Sequence[str] | None = None,
        properties: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Resource:
        """Create or update a VM with ARM's ``properties`` (vmId, hardwareProfile, storageProfile, osProfile,
        networkProfile, provisioningState); given ``properties`` merge over the defaults/existing ones."""
        with self.store.transaction():
            rg_name = self.get_resource_group(sub, rg).name
            rid = resource_id(sub, rg_name, VM_TYPE, name)
            existing = self.store.get_resource(rid)
            base = existing.properties if existing else self._default_vm_properties(sub, rg_name, name)
            props = _merge(base, properties or {})
            props["provisioningState"] = PROVISIONING_SUCCEEDED
            if existing is not None:
                props["vmId"] = existing.properties.get("vmId", props.get("vmId"))
            return self._save(
                existing,
                rid=rid,
                sub=sub,
                rg=rg_name,
                type=VM_TYPE,
                name=name,
                location=location,
                properties=props,
                identity_type=identity_type,
                user_assigned_ids=user_assigned_ids,
                tags=tags,
                extra=None,
            )

    def _default_vm_properties(self, sub: str, rg: str, name: str) -> dict[str, Any]:
        created = datetime.datetime.fromtimestamp(self.clock.now(), tz=datetime.UTC)
        disk_name = f"{name}_OsDisk_1_{strip_dashes(self.store.ids.guid())}"
        return {
            "vmId": self.store.ids.guid(),
            "hardwareProfile": {"vmSize": DEFAULT_VM_SIZE},
            "storageProfile": {
                "imageReference": dict(DEFAULT_IMAGE_REFERENCE),
                "osDisk": {
                    "osType": "Windows",
                    "name": disk_name,
                    "createOption": "FromImage",
                    "caching": "ReadWrite",
                    "managedDisk": {
                        "storageAccountType": "Premium_LRS",
                        "id": resource_id(sub, rg, "Microsoft.Compute/disks", disk_name),
                    },
                    "diskSizeGB": 127,
                },
                "dataDisks": [],
            },
            "osProfile": {
                "computerName": name[:15],
                "adminUsername": DEFAULT_ADMIN_USERNAME,
                "windowsConfiguration": {"provisionVMAgent": True, "enableAutomaticUpdates": True},
                "secrets": [],
                "allowExtensionOperations": True,
            },
            "networkProfile": {
                "networkInterfaces": [
                    {"id": resource_id(sub, rg, "Microsoft.Network/networkInterfaces", name)}
                ]
            },
            "provisioningState": PROVISIONING_SUCCEEDED,
            "timeCreated": created.isoformat().replace("+00:00", "Z"),
        }

    def create_or_update_user_assigned_identity(
        self, sub: str, rg: str, name: str, location: str, tags: Mapping[str, str] | None = None
    ) -> Resource:
        """Create (with its service principal) or update a user-assigned identity.

        ``properties`` are ``tenantId``, ``principalId``, ``clientId``; they never change on update.
        """
        with self.store.transaction():
            rg_name = self.get_resource_group(sub, rg).name
            rid = resource_id(sub, rg_name, USER_ASSIGNED_IDENTITY_TYPE, name)
            existing = self.store.get_resource(rid)
            if existing is not None:
                props = dict(existing.properties)
            else:
                sp = self._create_managed_identity_principal(rid, name, explicit=True)
                props = {"tenantId": self.tenant_id, "principalId": sp.object_id, "clientId": sp.app_id}
            return self._save(
                existing,
                rid=rid,
                sub=sub,
                rg=rg_name,
                type=USER_ASSIGNED_IDENTITY_TYPE,
                name=name,
                location=location,
                properties=props,
                identity_type=KEEP,
                user_assigned_ids=None,
                tags=tags,
                extra=None,
            )

    def set_identity(
        self, rid: str, *, identity_type: str | None, user_assigned_ids: Sequence[str] | None = None
    ) -> Resource:
        """Change only a resource's identity (``Update-AzVM -IdentityType``, ``Enable-Msi``)."""
        with self.store.transaction():
            res = self.get_resource(rid)
            return self._save(
                res,
                rid=res.id,
                sub=res.subscription_id,
                rg=res.resource_group,
                type=res.type,
                name=res.name,
                location=res.location,
                properties=res.properties,
                identity_type=identity_type,
                user_assigned_ids=user_assigned_ids,
                tags=None,
                extra=None,
            )

    def delete_resource(self, rid: str) -> None:
        """Delete a resource and its children, with their managed-identity principals (assignments stay)."""
        with self.store.transaction():
            res = self.get_resource(rid)
            for sub_res in self._subtree(res.id):
                self._delete_principals_of(sub_res)
                self._delete_host_of(sub_res)
            self.store.delete_resource(res.id)
            self.store.append_event(EVENT_RESOURCE_DELETED, {"id": res.id, "type": res.type})

    def _subtree(self, rid: str) -> list[str]:
        out = [rid]
        for child in self.store.list_child_resources(rid):
            out.extend(self._subtree(child.id))
        return out

    def _build_id(self, sub: str, rg: str, type: str, name: str) -> str:
        try:
            return resource_id(sub, self.get_resource_group(sub, rg).name, type, name)
        except ValueError as exc:
            raise ValidationError(str(exc), code="InvalidResourceId") from None

    def _save(
        self,
        existing: Resource | None,
        *,
        rid: str,
        sub: str,
        rg: str,
        type: str,
        name: str,
        location: str,
        properties: dict[str, Any],
        identity_type: str | None | Keep,
        user_assigned_ids: Sequence[str] | None,
        tags: Mapping[str, str] | None,
        extra: Mapping[str, Any] | None,
    ) -> Resource:
        if existing is not None:
            rid = existing.id
        old_identity = existing.identity if existing else None
        identity = self._apply_identity(rid, name, old_identity, identity_type, user_assigned_ids)
        res = Resource(
            id=rid,
            subscription_id=sub,
            resource_group=rg,
            type=existing.type if existing else type,
            name=name,
            location=location,
            tags=dict(tags) if tags is not None else (dict(existing.tags) if existing else {}),
            properties=properties,
            identity=identity,
            extra=dict(extra) if extra is not None else (dict(existing.extra) if existing else {}),
        )
        stored = self.store.put_resource(res)
        self.store.append_event(
            EVENT_RESOURCE_PUT,
            {
                "id": stored.id,
                "type": stored.type,
                "created": existing is None,
                "identityType": stored.identity.type if stored.identity else IDENTITY_NONE,
            },
        )
        return stored

    # ------------------------------------------------------------------------------------------ identities
    def _apply_identity(
        self,
        rid: str,
        name: str,
        old: Identity | None,
        identity_type: str | None | Keep,
        user_assigned_ids: Sequence[str] | None,
    ) -> Identity | None:
        if isinstance(identity_type, Keep):
            if user_assigned_ids is None or old is None:
                return old
            identity_type = old.type
        arm_type = normalize_identity_type(identity_type)
        want_system = arm_type in (IDENTITY_SYSTEM, IDENTITY_SYSTEM_USER)
        want_user = arm_type in (IDENTITY_USER, IDENTITY_SYSTEM_USER)

        # system-assigned
        principal_id: str | None = None
        old_system = old.principal_id if old is not None and old.has_system else None
        if want_system:
            if old_system and self.store.get_directory_object(old_system) is not None:
                principal_id = old_system
            else:
                sp = self._create_managed_identity_principal(rid, name, explicit=False)
                principal_id = sp.object_id
                self.store.append_event(
                    EVENT_IDENTITY_ENABLED, {"resourceId": rid, "principalId": principal_id}
                )
        elif old_system:
            self._delete_principal(old_system)
            self.store.append_event(EVENT_IDENTITY_DISABLED, {"resourceId": rid, "principalId": old_system})

        # user-assigned
        old_user = dict(old.user_assigned) if old is not None and old.has_user else {}
        user_assigned: dict[str, tuple[str, str]] = {}
        if want_user:
            if user_assigned_ids is None:
                user_assigned = old_user
            else:
                for uai_id in user_assigned_ids:
                    uai = self.store.get_resource(uai_id)
                    if uai is None or uai.type.casefold() != USER_ASSIGNED_IDENTITY_TYPE.casefold():
                        raise self._resource_not_found(uai_id)
                    user_assigned[uai.id] = (
                        str(uai.properties.get("principalId", "")),
                        str(uai.properties.get("clientId", "")),
                    )
            if not user_assigned:
                raise ValidationError(
                    "The identity type 'UserAssigned' needs at least one user-assigned identity "
                    "(userAssignedIdentities).",
                    code="InvalidIdentityType",
                )
        elif user_assigned_ids:
            raise ValidationError(
                f"User-assigned identities can be given only with the identity type 'UserAssigned' or "
                f"'SystemAssigned, UserAssigned', not '{arm_type}'.",
                code="InvalidIdentityType",
            )
        old_keys = {k.casefold() for k in old_user}
        new_keys = {k.casefold() for k in user_assigned}
        for k in user_assigned:
            if k.casefold() not in old_keys:
                self.store.append_event(EVENT_IDENTITY_ATTACHED, {"resourceId": rid, "identityId": k})
        for k in old_user:
            if k.casefold() not in new_keys:
                self.store.append_event(EVENT_IDENTITY_DETACHED, {"resourceId": rid, "identityId": k})

        if arm_type == IDENTITY_NONE:
            return None
        return Identity(
            type=arm_type,
            principal_id=principal_id,
            tenant_id=self.tenant_id if want_system else None,
            user_assigned=user_assigned,
        )

    def _create_managed_identity_principal(self, rid: str, name: str, *, explicit: bool) -> DirectoryObject:
        sp = DirectoryObject(
            object_id=self.store.ids.guid(),
            tenant_id=self.tenant_id,
            object_type="ServicePrincipal",
            display_name=name,
            app_id=self.store.ids.guid(),
            service_principal_type=SERVICE_PRINCIPAL_TYPE_MANAGED_IDENTITY,
            alternative_names=(IS_EXPLICIT_TRUE if explicit else IS_EXPLICIT_FALSE, rid),
            resource_id=rid,
        )
        self.store.put_directory_object(sp)
        self.store.append_event(
            EVENT_PRINCIPAL_CREATED,
            {"objectId": sp.object_id, "appId": sp.app_id, "resourceId": rid, "explicit": explicit},
        )
        return sp

    def _delete_principal(self, object_id: str) -> None:
        if self.store.delete_directory_object(object_id):
            self.store.append_event(EVENT_PRINCIPAL_DELETED, {"objectId": object_id})

    def _delete_host_of(self, rid: str) -> None:
        """Forget what a deleted host kept: its disk and its App Service identity header (a VM created again under
        the same name starts with an empty disk, as a new VM on Azure does). Scale-set instances go with their set."""
        from azshell.model.hosts import delete_host_data

        delete_host_data(self.store, rid)

    def _delete_principals_of(self, rid: str) -> None:
        """Delete the managed-identity principals that belong to resource ``rid`` (its system identity, or the
        UAI's own principal)."""
        for sp in self.store.find_directory_objects(resource_id=rid):
            if sp.service_principal_type == SERVICE_PRINCIPAL_TYPE_MANAGED_IDENTITY:
                self._delete_principal(sp.object_id)

    def identities_of(self, rid: str) -> HostIdentities:
        """The system principal (None when not enabled or gone) and attached UAIs of a host resource."""
        res = self.get_resource(rid)
        ident = res.identity
        if ident is None:
            return HostIdentities(resource_id=res.id)
        system = None
        if ident.has_system and ident.principal_id:
            system = self.store.get_directory_object(ident.principal_id)
        refs = tuple(UserAssignedRef(k, v[0], v[1]) for k, v in ident.user_assigned.items())
        return HostIdentities(resource_id=res.id, system=system, user_assigned=refs)

    def find_identity_for_token(
        self,
        rid: str,
        *,
        client_id: str | None = None,
        object_id: str | None = None,
        mi_res_id: str | None = None,
    ) -> DirectoryObject:
        """The principal a host's token endpoint should issue for, as IMDS picks it.

        No selector: the system identity, else (Azure's documented quirk) the only user-assigned identity.
        ``client_id``/``object_id``/``mi_res_id`` select an attached identity (at most one may be given).
        Raises IdentityNotFoundError (``reason`` ``no_host``, ``no_identity`` or ``not_assigned``).
        """
        given = [v for v in (client_id, object_id, mi_res_id) if v]
        if len(given) > 1:
            raise ValidationError(
                "Only one of client_id, object_id and msi_res_id may be given.", code="invalid_request"
            )
        res = self.store.get_resource(rid)
        if res is None:
            raise IdentityNotFoundError(f"The host {rid} does not exist.", reason="no_host")
        ids = self.identities_of(res.id)

        def principal(object_id_: str) -> DirectoryObject:
            obj = self.store.get_directory_object(object_id_)
            if obj is None:
                raise IdentityNotFoundError("Identity not found", reason="not_assigned")
            return obj

        if not given:
            if ids.system is not None:
                return ids.system
            if len(ids.user_assigned) == 1:
                return principal(ids.user_assigned[0].principal_id)
            raise IdentityNotFoundError("Identity not found", reason="no_identity")
        for ref in ids.user_assigned:
            if (
                (client_id and ref.client_id.casefold() == client_id.casefold())
                or (object_id and ref.principal_id.casefold() == object_id.casefold())
                or (
                    mi_res_id
                    and normalize_scope(ref.resource_id).casefold() == normalize_scope(mi_res_id).casefold()
                )
            ):
                return principal(ref.principal_id)
        if ids.system is not None and (
            (client_id and (ids.system.app_id or "").casefold() == client_id.casefold())
            or (object_id and ids.system.object_id.casefold() == object_id.casefold())
        ):
            return ids.system
        raise IdentityNotFoundError("Identity not found", reason="not_assigned")

    # ---------------------------------------------------------------------------------------- role defs
    def get_role_definition(self, role_id: str) -> RoleDefinition:
        """A role definition by bare GUID or full ID; NotFoundError ``RoleDefinitionDoesNotExist``."""
        guid = role_id.rstrip("/").rsplit("/", 1)[-1]
        rd = self.store.get_role_definition(guid)
        if rd is None:
            raise NotFoundError(
                ROLE_DEFINITION_NOT_FOUND_MESSAGE.format(id=strip_dashes(guid)),
                code="RoleDefinitionDoesNotExist",
            )
        return rd

    def create_or_update_custom_role(
        self,
        *,
        role_name: str,
        assignable_scopes: Sequence[str],
        description: str = "",
        actions: Iterable[str] = (),
        not_actions: Iterable[str] = (),
        data_actions: Iterable[str] = (),
        not_data_actions: Iterable[str] = (),
        id: str | None = None,
    ) -> RoleDefinition:
        """Create (new GUID unless ``id``) or update a custom role."""
        scopes = tuple(normalize_scope(s) for s in assignable_scopes)
        if not scopes or any(scope_kind(s) == "invalid" for s in scopes):
            raise ValidationError(
                "The role definition must have at least one valid assignable scope.",
                code="InvalidAssignableScopes",
            )
        guid = id or self.store.ids.guid()
        if not is_guid(guid):
            raise ValidationError(
                f"The role definition ID '{guid}' is not valid. It must be a GUID.",
                code="InvalidRoleDefinitionId",
            )
        with self.store.transaction():
            existing = self.store.get_role_definition(guid)
            if existing is not None and existing.role_type != ROLE_TYPE_CUSTOM:
                raise ConflictError(
                    f"The built-in role '{existing.role_name}' cannot be changed.",
                    code="RoleDefinitionIsBuiltIn",
                )
            for other in self.store.find_role_definitions(role_name):
                if other.id.casefold() != guid.casefold():
                    raise ConflictError(
                        "A role definition cannot be updated with a name that already exists.",
                        code="RoleDefinitionWithSameNameExists",
                        existing_id=other.id,
                    )
            rd = RoleDefinition(
                id=guid,
                role_name=role_name,
                description=description,
                role_type=ROLE_TYPE_CUSTOM,
                permissions=(
                    Permission(
                        actions=tuple(actions),
                        not_actions=tuple(not_actions),
                        data_actions=tuple(data_actions),
                        not_data_actions=tuple(not_data_actions),
                    ),
                ),
                assignable_scopes=scopes,
            )
            self.store.put_role_definition(rd)
            self.store.append_event(
                EVENT_RD_PUT, {"id": guid, "roleName": role_name, "created": existing is None}
            )
            return rd

    def delete_custom_role(self, role_id: str) -> RoleDefinition:
        """Delete a custom role that no assignment uses. Returns the deleted definition."""
        with self.store.transaction():
            rd = self.get_role_definition(role_id)
            if rd.role_type != ROLE_TYPE_CUSTOM:
                raise ConflictError(
                    f"The built-in role '{rd.role_name}' cannot be deleted.", code="RoleDefinitionIsBuiltIn"
                )
            if any(
                ra.role_definition_id.casefold() == rd.id.casefold()
                for ra in self.store.list_role_assignments()
            ):
                raise ConflictError(
                    "There are existing role assignments referencing role (code: RoleDefinitionHasAssignments).",
                    code="RoleDefinitionHasAssignments",
                )
            self.store.delete_role_definition(rd.id)
            self.store.append_event(EVENT_RD_DELETED, {"id": rd.id, "roleName": rd.role_name})
            return rd

    # --------------------------------------------------------------------------------- role assignments
    def create_role_assignment(
        self,
        *,
        scope: str,
        role_definition_id: str,
        principal_id: str,
        principal_type: PrincipalType | None = None,
        name: str | None = None,
        created_by: str | None = None,
        description: str | None = None,
        condition: str | None = None,
    ) -> RoleAssignment:
        """Create a role assignment as ARM does.

        ``role_definition_id`` is a bare GUID or a full role-definition ID. Without ``principal_type`` the
        principal must exist (PrincipalNotFoundError) and its type is taken from the directory; with it the
        check is skipped (Azure's replication-delay escape hatch) but a mismatch is refused. Raises
        ConflictError ``RoleAssignmentExists`` for a duplicate principal+role+scope.
        """
        name = name or self.store.ids.guid()
        if not is_guid(name):
            raise ValidationError(
                INVALID_ROLE_ASSIGNMENT_ID_MESSAGE.format(name=name), code="InvalidRoleAssignmentId"
            )
        norm_scope = normalize_scope(scope)
        if scope_kind(norm_scope) == "invalid":
            raise ValidationError(f"The scope '{scope}' is not valid.", code="InvalidRoleAssignmentScope")
        with self.store.transaction():
            rd = self.get_role_definition(role_definition_id)
            if rd.role_type == ROLE_TYPE_CUSTOM and not any(
                scope_contains(s, norm_scope) for s in rd.assignable_scopes
            ):
                raise ValidationError(
                    f"The role '{rd.role_name}' is not available to be assigned at the scope '{norm_scope}'.",
                    code="InvalidRoleAssignmentScope",
                )
            obj = self.store.get_directory_object(principal_id)
            if obj is None:
                if principal_type is None:
                    raise PrincipalNotFoundError(principal_id, self.tenant_id)
                ptype: PrincipalType = principal_type
            else:
                if principal_type is not None and principal_type != obj.object_type:
                    raise ValidationError(
                        UNMATCHED_PRINCIPAL_TYPE_MESSAGE.format(
                            id=strip_dashes(principal_id), actual=obj.object_type, given=principal_type
                        ),
                        code="UnmatchedPrincipalType",
                    )
                ptype = obj.object_type
            ra = self.store.put_role_assignment(
                RoleAssignment(
                    name=name,
                    scope=norm_scope,
                    role_definition_id=rd.id,
                    principal_id=obj.object_id if obj else principal_id,
                    principal_type=ptype,
                    created_on=self.clock.now(),
                    created_by=created_by,
                    description=description,
                    condition=condition,
                )
            )
            self.store.append_event(
                EVENT_RA_CREATED,
                {
                    "name": ra.name,
                    "scope": ra.scope,
                    "roleDefinitionId": ra.role_definition_id,
                    "roleName": rd.role_name,
                    "principalId": ra.principal_id,
                    "principalType": ra.principal_type,
                },
            )
            return ra

    def get_role_assignment(self, name: str) -> RoleAssignment:
        """A role assignment by GUID name; NotFoundError ``RoleAssignmentNotFound``."""
        ra = self.store.get_role_assignment(name)
        if ra is None:
            raise NotFoundError(f"The role assignment '{name}' is not found.", code="RoleAssignmentNotFound")
        return ra

    def delete_role_assignment(self, name: str) -> RoleAssignment:
        """Delete a role assignment; returns it (ARM's DELETE body). NotFoundError when absent."""
        with self.store.transaction():
            ra = self.get_role_assignment(name)
            self.store.delete_role_assignment(ra.name)
            self.store.append_event(
                EVENT_RA_DELETED,
                {
                    "name": ra.name,
                    "scope": ra.scope,
                    "roleDefinitionId": ra.role_definition_id,
                    "principalId": ra.principal_id,
                },
            )
            return ra
