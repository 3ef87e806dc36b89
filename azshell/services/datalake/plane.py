"""Data Lake Store Gen1's WebHDFS plane at ``{store}.azuredatalakestore.net/webhdfs/v1/{path}?op=...``.

Ops (method), every one azure-datalake-store's ``DatalakeRESTInterface.ends`` can send, plus WebHDFS's own:

    GET     LISTSTATUS (listSize, listAfter, listBefore), GETFILESTATUS, GETACLSTATUS, MSGETACLSTATUS,
            OPEN (offset, length, read), GETCONTENTSUMMARY, CHECKACCESS (fsaction)
    PUT     MKDIRS, CREATE (overwrite, permission, write, syncFlag), RENAME (destination), SETACL,
            MODIFYACLENTRIES, REMOVEACLENTRIES, REMOVEDEFAULTACL, REMOVEACL, SETPERMISSION, SETOWNER
    POST    APPEND (offset, append, syncFlag), MSCONCAT (body ``{"sources":[...]}`` or ``sources=a,b``;
            deleteSourceDirectory), CONCAT (sources)
    DELETE  DELETE (recursive)
    ``/WebHdfsExt/{path}``: SETEXPIRY (PUT: expiryOption, expireTime), CONCURRENTAPPEND (POST: appendMode)

CREATE and APPEND are two-step as the tutorials show: without ``write=true`` (APPEND: or ``append=true``, what the
SDKs send) the answer is ``307 Temporary Redirect`` to the same URL plus ``&write=true`` with an empty body; with
it, the data is written (``201 Created`` for CREATE, ``200`` for APPEND). APPEND's ``offset`` must be the file's
length, else ``400 BadOffsetException`` (the SDK's upload retry relies on it). LISTSTATUS pages by name:
``listAfter``/``listBefore`` bound the names, ``listSize`` the count; from api-version 2018-09-01 the answer
carries ``FileStatuses.continuationToken`` (first), the last name when the page is full, else "" (SEEN).
Files whose expiry (SETEXPIRY; FileStatus ``msExpirationTime``) has passed are deleted before a request is
answered.

Authorization is POSIX ACLs evaluated for the token's ``oid`` (and its groups), as HDFS's permission checker
does it::

    super-user (Owner role at the account's scope or above)  -> everything
    execute (x) on every ancestor folder                      -> else 403
    owner -> user:: entry; named user -> its entry & mask; owning group / named groups -> their entries & mask
    (allowed if any matching one grants); else other::

Per op, on the path itself: LISTSTATUS r-x (folders); OPEN r--; CREATE/MKDIRS -wx on the deepest existing
folder (overwrite: -w- on the file); APPEND/CONCURRENTAPPEND/SETEXPIRY -w-; DELETE -wx on the parent (and rwx on
every non-empty folder below); RENAME -wx on both parents; GETCONTENTSUMMARY r-x on the folder and every folder
below; MSCONCAT/CONCAT -w- on the target (or -wx on its folder to create it), r-- on each source and -wx on its
folder; CHECKACCESS ``fsaction``; ACL/permission/owner changes the owner; GETFILESTATUS, GETACLSTATUS only x on
the ancestors. Each check is recorded in the request's access decision.

New children take the parent's default ACL (folders keep it as their own default ACL); with no default ACL
the mode (``permission``, 770 by default) is masked with ADLS's fixed umask 007. The owning group is the
parent's.

Errors are WebHDFS ``RemoteException`` bodies (azure-error-messages.md §6 and azure-data-lake-store-python's
recorded sessions, tests/recordings/*.yaml): 404 FileNotFoundException, 403 AccessControlException
``{OP} failed with error 0x83090aa2 (...)``, 400 BadOffsetException ``APPEND failed with error 0x83090015 (Bad
request. Invalid offset.)``, 401 SecurityException (INFERRED), 400 IllegalArgumentException. Every success
appends a ``datalake.op`` event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import formatdate
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlencode

from azshell.auth.decision import AccessDecision, Evidence
from azshell.auth.errors import ExpiredTokenError, InvalidAudienceError, TokenValidationError
from azshell.auth.rbac import scope_covers
from azshell.auth.resources import DATA_LAKE_AUDIENCES
from azshell.hostnames import DATA_LAKE_HOST_SUFFIX, DATA_LAKE_RESOURCE
from azshell.ids import is_guid
from azshell.model.builtin_roles import OWNER
from azshell.model.types import DATA_LAKE_STORE_TYPE, Resource
from azshell.planes._shared import bearer_token, dry_run_claims, record, token_refused
from azshell.planes.base import Headers, PlaneError, Request, Response
from azshell.services.datalake import model as dl
from azshell.services.datalake.model import DIRECTORY, FILE, AclEntry, EntryKind, PathEntry

if TYPE_CHECKING:
    from azshell.world import World

__all__ = [
    "EVENT_DATALAKE_OP",
    "WEBHDFS_PREFIX",
    "WebHdfsError",
    "format_acl_spec",
    "handle",
    "parse_acl_spec",
]

# --------------------------------------------------------------------------------------------------------------
# Azure strings (azure-error-messages.md §6, msi-tutorials-and-token-endpoints.md §5, the tutorials)
# --------------------------------------------------------------------------------------------------------------
WEBHDFS_PREFIX = "/webhdfs/v1"
#: ADLS's extension namespace (SETEXPIRY, CONCURRENTAPPEND): the Java SDK and the REST spec write ``/WebHdfsExt``,
#: the Python SDK ``/webhdfsext``; matched case-insensitively.
WEBHDFS_EXT_PREFIX = "/webhdfsext"
EVENT_DATALAKE_OP = "datalake.op"

WEBHDFS_VERSION = "17.04.22.00"
HSTS = "max-age=15724800; includeSubDomains"
SUCCESS_CACHE_CONTROL = "no-cache, no-cache, no-store, max-age=0"
ERROR_CACHE_CONTROL = "no-cache"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
OCTET_STREAM = "application/octet-stream"
STATUS_OK = "0x0"
STATUS_NOT_FOUND = "0x8309000A"
STATUS_FORBIDDEN = "0x83090AA2"
#: A 401 carries no ADLS status code: 0x83090A16 is "Internal server error" (issue 14), and no capture shows what a
#: 401 carries, so none is sent (INFERRED: no capture found of an ADLS Gen1 401 body).
STATUS_BAD_REQUEST = "0x83090A01"
STATUS_BAD_OFFSET = "0x83090015"

FILE_NOT_FOUND = "FileNotFoundException"
FILE_NOT_FOUND_CLASS = "java.io.FileNotFoundException"
#: SEEN (``Folder``); ``File`` and ``File/Folder`` are INFERRED (no capture found).
NOT_FOUND_TEMPLATE = "{what} does not exist: {path} [{rid}][{time}]"
#: SEEN: SETOWNER's 403 names the op so (``Set Owner failed with  failed with error 0x83090aa2 ...``).
DENIED_OP_NAMES = {"SETOWNER": "Set Owner failed with "}
ACCESS_CONTROL = "AccessControlException"
ACCESS_CONTROL_CLASS = "org.apache.hadoop.security.AccessControlException"
#: SEEN (ADF troubleshooting guide, hadoop-azure-datalake troubleshooting_adl.md).
ACCESS_DENIED_TEMPLATE = (
    "{op} failed with error 0x83090aa2 (Forbidden. ACL verification failed. Either the resource does not exist or "
    "the user is not authorized to perform the requested operation.). [{rid}][{time}]"
)
SECURITY = "SecurityException"
SECURITY_CLASS = "java.lang.SecurityException"
#: INFERRED (the SDK maps 401 to SecurityException, Azure/azure-sdk-for-java's AdlsSecurityException "Thrown when a
#: 401 error response code is returned"; no capture of the text found).
SECURITY_TEMPLATE = "{op} failed: {reason} [{rid}][{time}]"
TOKEN_MISSING = "Unauthorized. The Authorization header with a bearer token is missing."
TOKEN_INVALID = "Unauthorized. The access token is invalid."
TOKEN_EXPIRED = "Unauthorized. The access token has expired."
TOKEN_AUDIENCE = (
    "Unauthorized. The access token was issued for the audience '{audience}'; Data Lake Store expects '"
    + DATA_LAKE_RESOURCE + "'."
)
BAD_OFFSET = "BadOffsetException"
BAD_OFFSET_CLASS = "org.apache.hadoop.fs.adl.BadOffsetException"
#: SEEN for APPEND (status 400, ``Status: 0x83090015``); OPEN past the end of the file is INFERRED to answer alike
#: (no capture found).
BAD_OFFSET_TEMPLATE = "{op} failed with error 0x83090015 (Bad request. Invalid offset.). [{rid}][{time}]"
ILLEGAL_ARGUMENT = "IllegalArgumentException"
ILLEGAL_ARGUMENT_CLASS = "java.lang.IllegalArgumentException"
#: Hadoop WebHDFS's text for an op the method does not know (INFERRED for ADLS: no ADLS capture found).
INVALID_OP_TEMPLATE = (
    'Invalid value for webhdfs parameter "op": No enum constant '
    "org.apache.hadoop.hdfs.web.resources.{kind}OpParam.Op.{op}"
)
MISSING_OP_MESSAGE = 'Invalid value for webhdfs parameter "op": op is required'
INVALID_PATH_TEMPLATE = "Invalid path name {path}"
INVALID_ACL_SPEC_TEMPLATE = "Invalid <aclSpec> : {spec}"
INVALID_PERMISSION_TEMPLATE = 'Invalid value for webhdfs parameter "permission": {value}'
INVALID_OFFSET_TEMPLATE = 'Invalid value for webhdfs parameter "{name}": {value}'
INVALID_PARAM_TEMPLATE = INVALID_OFFSET_TEMPLATE
MISSING_DESTINATION = 'Invalid value for webhdfs parameter "destination": destination is required'
#: INFERRED (Hadoop's wording for a missing required parameter, as for ``destination``; no ADLS capture found).
MISSING_PARAM_TEMPLATE = 'Invalid value for webhdfs parameter "{name}": {name} is required'
#: INFERRED (HDFS concat's wording; no ADLS MSCONCAT/CONCAT error capture found).
CONCAT_TARGET_IN_SOURCES = "concat: the source file {path} is the target file"
CONCAT_DUPLICATE_SOURCE = "concat: the source file {path} is listed more than once"
CONCAT_SOURCE_NOT_FILE = "concat: the source {path} is not a file"
CONCAT_TARGET_NOT_FILE = "concat: the target {path} is not a file"
#: INFERRED (the REST reference: "This operation can only be executed against files. Folders are not supported.";
#: no capture found of the service's answer).
EXPIRY_ON_FOLDER = "SETEXPIRY failed: {path} is a folder; only files can expire"
BASE_ENTRIES_REQUIRED = "Invalid ACL: the user, group and other entries are required."
DEFAULT_ACL_ON_FILE = "Invalid ACL: only directories may have a default ACL."
FILE_EXISTS = "FileAlreadyExistsException"
FILE_EXISTS_CLASS = "org.apache.hadoop.fs.FileAlreadyExistsException"
#: INFERRED (HDFS wording; the only ADLS capture of FileAlreadyExistsException is the CREATE one below).
FILE_EXISTS_TEMPLATE = "{op} failed: {path} already exists [{rid}][{time}]"
NOT_A_DIRECTORY_TEMPLATE = "{op} failed: {path} is not a directory [{rid}][{time}]"
#: CREATE of a file that exists, without overwrite (SEEN: issue 14's capture, public in Azure/azure-xplat-cli issue
#: 2749, the empty parentheses and the repeated clause included).
STATUS_FILE_EXISTS = "0x83090180"
CREATE_EXISTS_TEMPLATE = "FsOpenStream failed with error 0x83090180 (). [{rid}] failed with error 0x83090180 (). [{rid}]"
#: An ACL entry ADLS refuses (a named entry whose qualifier is not an object ID) (SEEN: issue 14's capture).
STATUS_ACL_INVALID = "0x83090C53"
ACL_ENTRY_INVALID_TEMPLATE = "{op} failed with error 0x83090c53 (Forbidden. ACL entry is invalid.). [{rid}][{time}]"
NOT_EMPTY = "PathIsNotEmptyDirectoryException"
NOT_EMPTY_CLASS = "org.apache.hadoop.fs.PathIsNotEmptyDirectoryException"
NOT_EMPTY_TEMPLATE = "`{path} is non empty': Directory is not empty [{rid}][{time}]"

#: ADLS Gen1's umask is fixed at 007; the default mode of new files and folders is 770.
UMASK = 0o007
DEFAULT_MODE = 0o770
FILE_BLOCK_SIZE = 268435456

GET_OPS = frozenset({"OPEN", "GETFILESTATUS", "LISTSTATUS", "GETACLSTATUS", "MSGETACLSTATUS", "GETCONTENTSUMMARY",
                     "CHECKACCESS"})
PUT_OPS = frozenset({"CREATE", "MKDIRS", "RENAME", "SETACL", "MODIFYACLENTRIES", "REMOVEACLENTRIES",
                     "REMOVEDEFAULTACL", "REMOVEACL", "SETPERMISSION", "SETOWNER", "SETEXPIRY"})
POST_OPS = frozenset({"APPEND", "MSCONCAT", "CONCAT", "CONCURRENTAPPEND"})
#: The ops of ``/WebHdfsExt`` (and only there).
EXT_OPS = frozenset({"SETEXPIRY", "CONCURRENTAPPEND"})
#: Successes that carry ADLS's extra ``ContentLength: 0`` header (SEEN: CREATE's 201 and the ACL changes; not
#: APPEND's 200 nor SETPERMISSION's).
CONTENT_LENGTH_OPS = frozenset({"CREATE", "SETACL", "MODIFYACLENTRIES", "REMOVEACLENTRIES", "REMOVEDEFAULTACL",
                                "REMOVEACL"})
#: LISTSTATUS answers carry ``continuationToken`` from this api-version on (SEEN: 2018-09-01 yes, 2018-05-01 no).
CONTINUATION_API_VERSION = "2018-09-01"
SYNC_FLAGS = frozenset({"DATA", "METADATA", "CLOSE"})
EXPIRY_OPTIONS = {"neverexpire": "NeverExpire", "relativetonow": "RelativeToNow",
                  "relativetocreationdate": "RelativeToCreationDate", "absolute": "Absolute"}
DELETE_OPS = frozenset({"DELETE"})
_METHOD_OPS: dict[str, tuple[str, frozenset[str]]] = {
    "GET": ("Get", GET_OPS), "HEAD": ("Get", GET_OPS), "PUT": ("Put", PUT_OPS), "POST": ("Post", POST_OPS),
    "DELETE": ("Delete", DELETE_OPS),
}
READ, WRITE, EXECUTE = 4, 2, 1

PLANE = "datalake"
SERVICE = "Data Lake Store"
#: -Permissions names of Set-AzDataLakeStoreItemAclEntry by rwx bits (azshell's teaching text).
PERMISSION_NAMES = ("None", "Execute", "Write", "WriteExecute", "Read", "ReadExecute", "ReadWrite", "All")
ACL_FIX_TEMPLATE = ("Set-AzDataLakeStoreItemAclEntry -AccountName {store} -Path '{path}' -AceType User -Id {oid} "
                    "-Permissions {perms}")
OWNER_FIX_TEMPLATE = "New-AzRoleAssignment -ObjectId {oid} -RoleDefinitionName 'Owner' -Scope '{scope}'"
ACL_NOTE = ("Data Lake Storage Gen1 decides file access with POSIX ACLs on each path, not with RBAC: a role on the "
            "account only lets you manage it (except Owner, whose holders are super-users).")


# --------------------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------------------
class WebHdfsError(PlaneError):
    """A WebHDFS ``RemoteException``: status, Java exception name and class, message, ``Status`` header."""

    def __init__(self, status: int, exception: str, java_class: str, message: str, *,
                 status_code: str = STATUS_BAD_REQUEST) -> None:
        super().__init__(status, exception, message)
        self.exception = exception
        self.java_class = java_class
        self.status_code = status_code

    def body(self) -> dict[str, Any]:
        return {"RemoteException": {"exception": self.exception, "message": self.message,
                                    "javaClassName": self.java_class}}

    def to_response(self) -> Response:
        return Response.json(self.status, self.body(), {"Cache-Control": ERROR_CACHE_CONTROL,
                                                        "Status": self.status_code})


def _illegal(message: str) -> WebHdfsError:
    return WebHdfsError(400, ILLEGAL_ARGUMENT, ILLEGAL_ARGUMENT_CLASS, message)


# --------------------------------------------------------------------------------------------------------------
# ACL spec strings
# --------------------------------------------------------------------------------------------------------------
_TYPES = {"user": "user", "group": "group", "mask": "mask", "other": "other"}


def _parse_perm(text: str) -> int | None:
    if len(text) != 3:
        return None
    bits = 0
    for ch, want, value in zip(text.lower(), "rwx", (READ, WRITE, EXECUTE), strict=True):
        if ch == want:
            bits |= value
        elif ch != "-":
            return None
    return bits


def parse_acl_spec(spec: str, *, with_perms: bool = True) -> list[AclEntry]:
    """``user:{oid}:rwx,default:mask::r-x`` → entries; raises 400 ``IllegalArgumentException``.

    With ``with_perms=False`` (REMOVEACLENTRIES) the permission part may be left out.
    """
    out: list[AclEntry] = []
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        parts = item.split(":")
        default = False
        if parts[0].lower() == "default":
            default = True
            parts = parts[1:]
        if len(parts) not in (2, 3) or parts[0].lower() not in _TYPES:
            raise _illegal(INVALID_ACL_SPEC_TEMPLATE.format(spec=spec))
        type_ = _TYPES[parts[0].lower()]
        name = parts[1].strip()
        if type_ in ("mask", "other") and name:
            raise _illegal(INVALID_ACL_SPEC_TEMPLATE.format(spec=spec))
        perm = 0
        if len(parts) == 3:
            parsed = _parse_perm(parts[2])
            if parsed is None:
                raise _illegal(INVALID_ACL_SPEC_TEMPLATE.format(spec=spec))
            perm = parsed
        elif with_perms:
            raise _illegal(INVALID_ACL_SPEC_TEMPLATE.format(spec=spec))
        out.append(AclEntry(type_, name, perm, default))  # type: ignore[arg-type]
    return out


def format_acl_spec(entries: list[AclEntry] | tuple[AclEntry, ...]) -> str:
    return ",".join(e.spec() for e in entries)


_ORDER = {"user": 0, "group": 1, "mask": 2, "other": 3}


def _sorted(entries: list[AclEntry]) -> tuple[AclEntry, ...]:
    """HDFS order: user::, named users, group::, named groups, mask::, other::."""
    def key(e: AclEntry) -> tuple[int, int, str]:
        t = _ORDER[e.type]
        if e.type == "group":
            t = 1
        return (t, 1 if e.name else 0, e.name.lower())

    return tuple(sorted(entries, key=key))


def _complete(scope_entries: dict[tuple[bool, str, str], AclEntry], default: bool, explicit_mask: bool,
              fallback: tuple[AclEntry, ...]) -> tuple[AclEntry, ...]:
    """One scope's entries, made valid: base entries present (copied from ``fallback``), mask recalculated."""
    entries = [e for k, e in scope_entries.items() if k[0] == default]
    if not entries:
        return ()
    have = {(e.type, e.name.lower()) for e in entries}
    for base in ("user", "group", "other"):
        if (base, "") not in have:
            src = next((f for f in fallback if f.type == base and not f.name), None)
            if src is None:
                raise _illegal(BASE_ENTRIES_REQUIRED)
            entries.append(AclEntry(src.type, "", src.perm, default))
    named = [e for e in entries if e.name]
    mask = next((e for e in entries if e.type == "mask"), None)
    entries = [e for e in entries if e.type != "mask"]
    if named or mask is not None:
        if mask is None or not explicit_mask:
            union = 0
            for e in entries:
                if e.type == "group" or (e.type == "user" and e.name):
                    union |= e.perm
            mask = AclEntry("mask", "", union, default)
        if named or explicit_mask:
            entries.append(mask)
    return _sorted(entries)


def _apply_acl(entry: PathEntry, op: str, spec: list[AclEntry]) -> PathEntry:
    """SETACL / MODIFYACLENTRIES / REMOVEACLENTRIES / REMOVEDEFAULTACL / REMOVEACL on one entry."""
    if not entry.is_dir and any(e.default for e in spec):
        raise _illegal(DEFAULT_ACL_ON_FILE)
    current: dict[tuple[bool, str, str], AclEntry] = {e.key: e for e in (*entry.acl, *entry.default_acl)}
    touched = {e.default for e in spec}
    mask_given = {e.default for e in spec if e.type == "mask"}
    if op == "SETACL":
        for scope in touched:
            current = {k: v for k, v in current.items() if k[0] != scope}
        for e in spec:
            current[e.key] = e
    elif op == "MODIFYACLENTRIES":
        for e in spec:
            current[e.key] = e
    elif op == "REMOVEACLENTRIES":
        for e in spec:
            if e.name or e.type == "mask":
                current.pop(e.key, None)
    elif op == "REMOVEDEFAULTACL":
        current = {k: v for k, v in current.items() if not k[0]}
        touched = set()
    elif op == "REMOVEACL":
        current = {k: v for k, v in current.items() if not k[0] and not k[2] and k[1] != "mask"}
        mask = entry.mask
        if mask is not None:  # the group bits shown keep the mask's value, as HDFS does
            current[(False, "group", "")] = AclEntry("group", "", mask)
        touched = set()
    access = _complete(current, False, (False in mask_given) or (False not in touched), entry.acl)
    default: tuple[AclEntry, ...] = ()
    if entry.is_dir and op != "REMOVEACL":
        default = _complete(current, True, (True in mask_given) or (True not in touched), access)
    if not access:
        raise _illegal(BASE_ENTRIES_REQUIRED)
    return replace(entry, acl=access, default_acl=default)


def _with_mode(entry: PathEntry, mode: int) -> PathEntry:
    """SETPERMISSION: owner, group class (the mask when there is one) and other bits."""
    has_mask = entry.mask is not None
    acl: list[AclEntry] = []
    for e in entry.acl:
        if e.type == "user" and not e.name:
            e = replace(e, perm=(mode >> 6) & 7)
        elif (e.type == "mask") or (e.type == "group" and not e.name and not has_mask):
            e = replace(e, perm=(mode >> 3) & 7)
        elif e.type == "other":
            e = replace(e, perm=mode & 7)
        acl.append(e)
    return replace(entry, acl=tuple(acl))


# --------------------------------------------------------------------------------------------------------------
# The request context
# --------------------------------------------------------------------------------------------------------------
def _rwx(bits: int) -> str:
    return "".join(ch if bits & b else "-" for ch, b in zip("rwx", (READ, WRITE, EXECUTE), strict=True))


@dataclass(frozen=True)
class _Check:
    """One permission check on one path: what was needed, whether it passed, the ACL entries as evidence."""

    path: str
    want: int
    allowed: bool
    evidence: tuple[Evidence, ...]
    why: str
    traversal: bool = False
    owner_only: bool = False


@dataclass
class _Ctx:
    request: Request
    world: World
    account: Resource
    store_id: str
    op: str
    path: str
    rid: str
    now_ms: int
    oid: str = ""
    groups: tuple[str, ...] = ()
    _super: bool | None = field(default=None, repr=False)
    checks: list[_Check] = field(default_factory=list, repr=False)
    redirect_only: bool = False
    #: The request came through ``/WebHdfsExt`` (SETEXPIRY, CONCURRENTAPPEND).
    ext: bool = False

    # ---------------------------------------------------------------------------------------- errors
    def time_text(self) -> str:
        dt = datetime.fromtimestamp(self.now_ms / 1000, tz=UTC)
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}0+00:00"

    def not_found(self, what: str, path: str | None = None) -> WebHdfsError:
        return WebHdfsError(404, FILE_NOT_FOUND, FILE_NOT_FOUND_CLASS, NOT_FOUND_TEMPLATE.format(
            what=what, path=path or self.path, rid=self.rid, time=self.time_text()), status_code=STATUS_NOT_FOUND)

    def denied(self) -> WebHdfsError:
        return WebHdfsError(403, ACCESS_CONTROL, ACCESS_CONTROL_CLASS, ACCESS_DENIED_TEMPLATE.format(
            op=DENIED_OP_NAMES.get(self.op, self.op), rid=self.rid, time=self.time_text()),
            status_code=STATUS_FORBIDDEN)

    def bad_offset(self) -> WebHdfsError:
        return WebHdfsError(400, BAD_OFFSET, BAD_OFFSET_CLASS, BAD_OFFSET_TEMPLATE.format(
            op=self.op, rid=self.rid, time=self.time_text()), status_code=STATUS_BAD_OFFSET)

    # ---------------------------------------------------------------------------------------- query
    def param(self, name: str) -> str | None:
        return self.request.query_get(name, case_insensitive=True)

    def flag(self, name: str) -> bool:
        return (self.param(name) or "").lower() == "true"

    def exists_error(self, path: str, *, not_dir: bool = False) -> WebHdfsError:
        template = NOT_A_DIRECTORY_TEMPLATE if not_dir else FILE_EXISTS_TEMPLATE
        return WebHdfsError(403, FILE_EXISTS, FILE_EXISTS_CLASS, template.format(
            op=self.op, path=path, rid=self.rid, time=self.time_text()), status_code=STATUS_FORBIDDEN)

    def create_exists_error(self) -> WebHdfsError:
        return WebHdfsError(403, FILE_EXISTS, FILE_EXISTS_CLASS, CREATE_EXISTS_TEMPLATE.format(rid=self.rid),
                            status_code=STATUS_FILE_EXISTS)

    def acl_entry_invalid(self) -> WebHdfsError:
        return WebHdfsError(403, ACCESS_CONTROL, ACCESS_CONTROL_CLASS, ACL_ENTRY_INVALID_TEMPLATE.format(
            op=self.op, rid=self.rid, time=self.time_text()), status_code=STATUS_ACL_INVALID)

    def unauthorized(self, reason: str) -> WebHdfsError:
        return WebHdfsError(401, SECURITY, SECURITY_CLASS, SECURITY_TEMPLATE.format(
            op=self.op or "UNKNOWN", reason=reason, rid=self.rid, time=self.time_text()))

    # ----------------------------------------------------------------------------------- permissions
    @property
    def is_super_user(self) -> bool:
        """Owner role at the account's scope or above (ADLS's super-users)."""
        if self._super is None:
            self._super = bool(self.super_user_assignment())
        return self._super

    def super_user_assignment(self) -> str:
        """``Owner at {scope}`` of the assignment that makes the caller a super-user, or ""."""
        index = self.world.rbac_index()
        for principal in (self.oid, *self.groups):
            for assignment, a_scope in index.assignments_for(principal):
                role = assignment.role_definition_id.rstrip("/").rsplit("/", 1)[-1].lower()
                if role == OWNER and scope_covers(a_scope, self.account.id):
                    return f"Owner at {assignment.scope}"
        return ""

    def in_group(self, group: str) -> bool:
        g = group.lower()
        return g == self.oid.lower() or any(g == x.lower() for x in self.groups)

    def evaluate(self, entry: PathEntry, want: int) -> _Check:
        """POSIX ACL evaluation for the caller (HDFS ``FSPermissionChecker.check``), with every entry as evidence."""
        if self.is_super_user:
            who = self.super_user_assignment()
            return _Check(entry.path, want, True, (Evidence("super_user", f"{who} (a super-user)", True, True),),
                          f"the principal is a super-user ({who} on the account)")
        me = self.oid.lower()
        mask = entry.mask
        masked = 7 if mask is None else mask
        owner = entry.owner.lower() == me
        named = next((e for e in entry.acl if e.type == "user" and e.name and e.name.lower() == me), None)
        groups = [e for e in entry.acl if e.type == "group"
                  and ((not e.name and self.in_group(entry.group)) or (e.name and self.in_group(e.name)))]
        use_groups = not owner and named is None and bool(groups)
        evidence: list[Evidence] = []
        decided: tuple[bool, str] | None = None

        def eff(e: AclEntry, with_mask: bool) -> int:
            return (e.perm & masked) if with_mask else e.perm

        for e in entry.acl:
            text = e.spec()
            if e.type == "user" and not e.name:
                text += f" (owner {entry.owner})"
                if owner:
                    ok = e.perm & want == want
                    evidence.append(Evidence("acl", text, True, ok, "" if ok else f"gives the owner {_rwx(e.perm)}"))
                    decided = (ok, f"the principal owns {entry.path}, and user:: gives {_rwx(e.perm)}")
                else:
                    evidence.append(Evidence("acl", text, False, False, "the principal is not the owner"))
            elif e.type == "user":
                if e is named and not owner:
                    p = eff(e, True)
                    ok = p & want == want
                    masked_note = f" (mask::{_rwx(masked)} leaves {_rwx(p)})" if p != e.perm else ""
                    evidence.append(Evidence("acl", text, True, ok, "" if ok else f"gives {_rwx(p)}{masked_note}"))
                    decided = (ok, f"its entry {text} gives {_rwx(p)}{masked_note}")
                elif e is named:
                    evidence.append(Evidence("acl", text, False, False, "the owner entry user:: applies first"))
                else:
                    evidence.append(Evidence("acl", text, False, False, "it names another principal"))
            elif e.type == "group":
                label = text + (f" (owning group {entry.group})" if not e.name else "")
                if e in groups and use_groups:
                    p = eff(e, True)
                    ok = p & want == want
                    evidence.append(Evidence("acl", label, True, ok, "" if ok else f"gives {_rwx(p)}"))
                elif e in groups:
                    evidence.append(Evidence("acl", label, False, False, "a user entry applies first"))
                else:
                    evidence.append(Evidence("acl", label, False, False, "the principal is not in this group"))
            elif e.type == "mask":
                evidence.append(Evidence("acl", text, bool(named) or use_groups, True,
                                         "limits named users and groups"))
            elif e.type == "other":
                applies = not owner and named is None and not groups
                ok = applies and e.perm & want == want
                evidence.append(Evidence("acl", text, applies, ok,
                                         ("" if ok else f"gives {_rwx(e.perm)}") if applies else
                                         "only when no user or group entry names the principal"))
                if applies:
                    decided = (ok, f"no entry names the principal or its groups, and other:: gives {_rwx(e.perm)}")
        if decided is None and use_groups:
            ok = any(eff(e, True) & want == want for e in groups)
            decided = (ok, "a group entry of the principal gives it" if ok else
                       "its group entries give " + ", ".join(_rwx(eff(e, True)) for e in groups))
        if decided is None:
            decided = (False, "no entry applies")
        ok, why = decided
        return _Check(entry.path, want, ok, tuple(evidence), why)

    def can(self, entry: PathEntry, want: int) -> bool:
        return self.evaluate(entry, want).allowed

    def require(self, entry: PathEntry, want: int, *, traversal: bool = False) -> None:
        check = self.evaluate(entry, want)
        self.checks.append(replace(check, traversal=traversal))
        if not check.allowed:
            raise self.denied()

    def is_owner(self, entry: PathEntry) -> bool:
        return self.is_super_user or entry.owner.lower() == self.oid.lower()

    def require_owner(self, entry: PathEntry, *, super_user: bool = False) -> None:
        """Only the owner (or a super-user; with ``super_user`` only a super-user) may change ``entry``."""
        ok = self.is_super_user or (not super_user and entry.owner.lower() == self.oid.lower())
        who = "a super-user (Owner role on the account)" if super_user else \
            f"the owner ({entry.owner}) or a super-user (Owner role on the account)"
        ev = Evidence("acl", f"owner {entry.owner}", entry.owner.lower() == self.oid.lower(), ok,
                      "" if ok else f"{self.op} may be done only by {who}")
        self.checks.append(_Check(entry.path, 0, ok, (ev,), f"only {who} may do {self.op}", owner_only=True))
        if not ok:
            raise self.denied()

    def decision(self) -> AccessDecision:
        """The request's one decision: the denied check, or every check that passed."""
        scope = f"{self.account.id}{self.path if self.path != '/' else ''}"
        extra = (("store", self.account.name), ("path", self.path))
        base = partial(AccessDecision, plane=PLANE, model="acl", principal=self.oid, action=f"WebHDFS {self.op}",
                       data_action=True, scope=scope, notes=(ACL_NOTE,))
        denied = next((c for c in reversed(self.checks) if not c.allowed), None)
        if denied is not None:
            where = f"{denied.path} (a parent folder of {self.path})" if denied.traversal else denied.path
            if denied.owner_only:
                reason = f"Denied: {denied.why}; the principal is not."
                fix = OWNER_FIX_TEMPLATE.format(oid=self.oid, scope=self.account.id)
            else:
                reason = f"Denied: {self.op} needs {_rwx(denied.want)} on {where}: {denied.why}."
                have = self.named_bits(denied.path)
                fix = ACL_FIX_TEMPLATE.format(store=self.account.name, path=denied.path, oid=self.oid,
                                              perms=PERMISSION_NAMES[have | denied.want])
            return base(allowed=False, reason=reason, considered=denied.evidence, fix=fix,
                                  extra=(*extra, ("denied_path", denied.path), ("permission", _rwx(denied.want))))
        passed = [Evidence("acl", f"{_rwx(c.want) if not c.owner_only else 'owner'} on {c.path}", True, True,
                           "") for c in self.checks]
        if self.redirect_only:
            reason = (f"Allowed: the first step of {self.op} only redirects to the same URL with &write=true; that "
                      "second request checks the ACLs.")
        elif self.checks:
            reason = "Allowed: " + "; ".join(
                f"{'owner check' if c.owner_only else _rwx(c.want)} on {c.path}: {c.why}" for c in self.checks) + "."
        else:
            reason = (f"Allowed: {self.op} on {self.path} needs no permission on the path itself, only --x on its "
                      "parent folders (none here).")
        return base(allowed=True, reason=reason, considered=tuple(passed), extra=extra)

    def named_bits(self, path: str) -> int:
        entry = self.get(path)
        if entry is None:
            return 0
        return next((e.perm for e in entry.acl if e.type == "user" and e.name.lower() == self.oid.lower()), 0)

    # ---------------------------------------------------------------------------------------- model
    def get(self, path: str) -> PathEntry | None:
        return dl.get_entry(self.world.store, self.store_id, path)

    def traverse(self, path: str) -> PathEntry | None:
        """Check execute on every existing ancestor folder of ``path``; return the deepest existing ancestor."""
        last: PathEntry | None = None
        for anc in _ancestors(path):
            entry = self.get(anc)
            if entry is None or not entry.is_dir:
                return last if entry is None else entry
            self.require(entry, EXECUTE, traversal=True)
            last = entry
        return last

    def event(self, **extra: Any) -> None:
        data: dict[str, Any] = {"store": self.account.name, "path": self.path, "op": self.op, "caller": self.oid}
        data.update(extra)
        self.world.store.append_event(EVENT_DATALAKE_OP, data)


def _ancestors(path: str) -> list[str]:
    """``/a/b/c`` → ``["/", "/a", "/a/b"]``."""
    if path == "/":
        return []
    parts = path.strip("/").split("/")
    out = ["/"]
    for i in range(1, len(parts)):
        out.append("/" + "/".join(parts[:i]))
    return out


def _normalize_path(raw: str) -> str | None:
    """``/a//b/./c`` → ``/a/b/c`` (the SDK asks for the root as ``/webhdfs/v1/.``); ``..`` is refused (None)."""
    parts = [p for p in raw.split("/") if p and p != "."]
    if any(p == ".." for p in parts):
        return None
    return "/" + "/".join(parts)


def _split_prefix(raw: str) -> tuple[str, bool] | None:
    """``/webhdfs/v1/a`` → ``("/a", False)``, ``/WebHdfsExt/a`` → ``("/a", True)``; None for anything else."""
    if raw == WEBHDFS_PREFIX or raw.startswith(WEBHDFS_PREFIX + "/"):
        return raw[len(WEBHDFS_PREFIX):], False
    low = raw.lower()
    if low == WEBHDFS_EXT_PREFIX or low.startswith(WEBHDFS_EXT_PREFIX + "/"):
        return raw[len(WEBHDFS_EXT_PREFIX):], True
    return None


def _parent_of(path: str) -> str:
    head = path.rsplit("/", 1)[0]
    return head or "/"


def _status(entry: PathEntry, suffix: str) -> dict[str, Any]:
    """A WebHDFS ``FileStatus`` in ADLS's key order; files also carry ``msExpirationTime`` (0 = never) (SEEN)."""
    is_file = entry.kind == FILE
    out: dict[str, Any] = {
        "length": len(entry.content) if is_file else 0,
        "pathSuffix": suffix,
        "type": entry.kind,
        "blockSize": FILE_BLOCK_SIZE if is_file else 0,
        "accessTime": entry.atime_ms,
        "modificationTime": entry.mtime_ms,
        "replication": 1 if is_file else 0,
        "permission": entry.permission,
        "owner": entry.owner,
        "group": entry.group,
    }
    if is_file:
        out["msExpirationTime"] = entry.expiry_ms
    out["aclBit"] = entry.has_extended_acl
    return out


# --------------------------------------------------------------------------------------------------------------
# Responses
# --------------------------------------------------------------------------------------------------------------
def _finish(ctx_rid: str, now: float, resp: Response, *, location: str | None = None,
            content_length_header: bool = False, webhdfs_version: bool = True) -> Response:
    """Add ADLS's headers, in the order Windows PowerShell shows them (``/WebHdfsExt`` answers carry no
    ``x-ms-webhdfs-version``, SEEN)."""
    status = resp.headers.get("Status") or STATUS_OK
    cache = resp.headers.get("Cache-Control") or SUCCESS_CACHE_CONTROL
    ctype = resp.headers.get("Content-Type")
    h = Headers()
    h.add("Pragma", "no-cache")
    h.add("x-ms-request-id", ctx_rid)
    if content_length_header:
        h.add("ContentLength", "0")
    if webhdfs_version:
        h.add("x-ms-webhdfs-version", WEBHDFS_VERSION)
    h.add("Status", status)
    h.add("X-Content-Type-Options", "nosniff")
    h.add("Strict-Transport-Security", HSTS)
    h.add("Cache-Control", cache)
    h.add("Expires", "-1")
    if location:
        h.add("Location", location)
    h.add("Date", formatdate(now, usegmt=True))
    if ctype:
        h.add("Content-Type", ctype)
    h.add("Content-Length", str(len(resp.body)))
    return Response(resp.status, h, resp.body)


def _boolean(value: bool) -> Response:
    return Response.json(200, {"boolean": value})


def _write_url(request: Request) -> str:
    """The request's URL with ``write=true`` appended (the 307's and 201's ``Location``)."""
    pairs = [(k, v) for k, v in request.query if k.lower() != "write"]
    pairs.append(("write", "true"))
    query = urlencode(pairs, quote_via=quote, safe="/:")
    return f"https://{request.host}{request.raw_path}?{query}"


def _created_url(request: Request) -> str:
    query = urlencode(list(request.query), quote_via=quote, safe="/:")
    return f"https://{request.host}{request.raw_path}" + (f"?{query}" if query else "")


# --------------------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------------------
def _find_account(world: World, host: str) -> Resource | None:
    name = host[: -len(DATA_LAKE_HOST_SUFFIX)]
    if not name or "." in name:
        return None
    for res in world.store.list_resources(type=DATA_LAKE_STORE_TYPE):
        if res.name.lower() == name.lower():
            return res
    return None


def handle(request: Request, world: World) -> Response:
    """Answer one WebHDFS request for ``{store}.azuredatalakestore.net``."""
    from azshell.planes.router import no_such_host

    account = _find_account(world, request.host)
    if account is None or not account.properties.get("accountId"):
        raise no_such_host(request)
    now = world.clock.now()
    rid = world.ids.guid()
    op = (request.query_get("op", case_insensitive=True) or "").upper()
    ctx = _Ctx(request=request, world=world, account=account, store_id=str(account.properties["accountId"]),
               op=op, path="/", rid=rid, now_ms=int(now * 1000))
    try:
        _authenticate(ctx)
        return _answer(ctx, request, now, rid)
    except WebHdfsError as exc:
        return _finish(rid, now, exc.to_response())
    finally:
        if ctx.oid:
            record(request, ctx.decision())


def _answer(ctx: _Ctx, request: Request, now: float, rid: str) -> Response:
    op = ctx.op
    location: str | None = None
    split = _split_prefix(request.path)
    if split is None:
        raise ctx.not_found("File/Folder", request.path)
    rel, ctx.ext = split
    path = _normalize_path(rel)
    if path is None:
        raise _illegal(INVALID_PATH_TEMPLATE.format(path=rel))
    ctx.path = path
    _check_op(request.method, op, ext=ctx.ext)
    dl.purge_expired(ctx.world.store, ctx.store_id, ctx.now_ms)
    if (op == "CREATE" and not ctx.flag("write")) or (op == "APPEND" and not (ctx.flag("write")
                                                                               or ctx.flag("append"))):
        location = _write_url(request)
        ctx.redirect_only = True
        return _finish(rid, now, Response(307), location=location, content_length_header=True)
    resp = _OPS[op](ctx)
    if op == "CREATE":
        location = _created_url(request)
    ctx.event()
    if request.method == "HEAD":
        resp = Response(resp.status, resp.headers, b"")
    return _finish(rid, now, resp, location=location, content_length_header=op in CONTENT_LENGTH_OPS,
                   webhdfs_version=not ctx.ext)


def _check_op(method: str, op: str, *, ext: bool = False) -> None:
    """400 for a missing op, one the method does not take, or one outside its namespace (``/WebHdfsExt`` takes
    only SETEXPIRY and CONCURRENTAPPEND, and they only there: INFERRED, no capture found)."""
    if not op:
        raise _illegal(MISSING_OP_MESSAGE)
    kind, ops = _METHOD_OPS.get(method, ("Get", frozenset()))
    if op not in ops or (op in EXT_OPS) != ext:
        raise _illegal(INVALID_OP_TEMPLATE.format(kind=kind, op=op))


def _authenticate(ctx: _Ctx) -> None:
    request, world = ctx.request, ctx.world

    def refused(error: BaseException | None = None) -> None:
        token_refused(request, world, plane=PLANE, expected=DATA_LAKE_RESOURCE, service=SERVICE, error=error,
                      tenant=world.tenant_id)

    token = bearer_token(request)
    if token is None:
        refused()
        raise ctx.unauthorized(TOKEN_MISSING)
    if not token:
        refused()
        raise ctx.unauthorized(TOKEN_INVALID)
    try:
        claims = world.tokens.verify(token, audiences=DATA_LAKE_AUDIENCES, tenant_id=world.tenant_id)
    except InvalidAudienceError as exc:
        refused(exc)
        raise ctx.unauthorized(TOKEN_AUDIENCE.format(audience=exc.audience)) from None
    except ExpiredTokenError as exc:
        refused(exc)
        raise ctx.unauthorized(TOKEN_EXPIRED) from None
    except TokenValidationError as exc:
        refused(exc)
        raise ctx.unauthorized(TOKEN_INVALID) from None
    oid = claims.get("oid")
    if not isinstance(oid, str) or not oid:
        refused()
        raise ctx.unauthorized(TOKEN_INVALID)
    claims = dry_run_claims(request, world, claims)
    ctx.oid = str(claims["oid"])
    ctx.groups = tuple(world.store.group_ids_of(ctx.oid))


# --------------------------------------------------------------------------------------------------------------
# Ops
# --------------------------------------------------------------------------------------------------------------
def _existing(ctx: _Ctx, what: str) -> PathEntry:
    ctx.traverse(ctx.path)
    entry = ctx.get(ctx.path)
    if entry is None:
        raise ctx.not_found(what)
    return entry


def _api_version_at_least(ctx: _Ctx, version: str) -> bool:
    raw = (ctx.param("api-version") or "")[:10]
    return len(raw) == 10 and raw[4] == "-" and raw[7] == "-" and raw.replace("-", "").isdigit() and raw >= version


def _op_liststatus(ctx: _Ctx) -> Response:
    """A folder's children by name, paged: ``listAfter``/``listBefore`` (exclusive bounds), ``listSize``; the
    ``continuationToken`` (api-version 2018-09-01 on) is the last name when the page is full, else "" (SEEN)."""
    size = _int_param(ctx, "listSize", None)
    if size == 0:
        raise _illegal(INVALID_PARAM_TEMPLATE.format(name="listSize", value=ctx.param("listSize")))
    after, before = ctx.param("listAfter") or "", ctx.param("listBefore") or ""
    entry = _existing(ctx, "Folder")
    token = ""
    if not entry.is_dir:
        statuses = [_status(entry, "")]
    else:
        ctx.require(entry, READ | EXECUTE)
        children = [c for c in dl.list_children(ctx.world.store, ctx.store_id, entry.path)
                    if (not after or c.name > after) and (not before or c.name < before)]
        page = children if size is None else children[:size]
        statuses = [_status(c, c.name) for c in page]
        if size is not None and page and len(page) == size:
            token = page[-1].name
    body: dict[str, Any] = {}
    if _api_version_at_least(ctx, CONTINUATION_API_VERSION):
        body["continuationToken"] = token
    body["FileStatus"] = statuses
    return Response.json(200, {"FileStatuses": body})


def _op_getfilestatus(ctx: _Ctx) -> Response:
    entry = _existing(ctx, "File/Folder")
    return Response.json(200, {"FileStatus": _status(entry, "")})


def _op_getaclstatus(ctx: _Ctx) -> Response:
    """GETACLSTATUS and ADLS's MSGETACLSTATUS (what the Python SDK sends): every entry, base ones included."""
    entry = _existing(ctx, "File/Folder")
    return Response.json(200, {"AclStatus": {
        "entries": [e.spec() for e in (*entry.acl, *entry.default_acl)],
        "owner": entry.owner,
        "group": entry.group,
        "permission": entry.permission,
        "stickyBit": False,
    }})


def _op_checkaccess(ctx: _Ctx) -> Response:
    """CHECKACCESS: 200 (empty) when the caller has ``fsaction`` (``r-x``) on the path, else 403 as any op."""
    raw = ctx.param("fsaction")
    if not raw:
        raise _illegal(MISSING_PARAM_TEMPLATE.format(name="fsaction"))
    want = _parse_perm(raw)
    if want is None:
        raise _illegal(INVALID_PARAM_TEMPLATE.format(name="fsaction", value=raw))
    entry = _existing(ctx, "File/Folder")
    ctx.require(entry, want)
    return Response(200)


def _op_getcontentsummary(ctx: _Ctx) -> Response:
    """Counts below a path (the folder itself counted, SEEN); needs r-x on it and every folder below (HDFS)."""
    entry = _existing(ctx, "File/Folder")
    if not entry.is_dir:
        dirs, files, length = 0, 1, len(entry.content)
    else:
        ctx.require(entry, READ | EXECUTE)
        below = dl.list_subtree(ctx.world.store, ctx.store_id, entry.path)
        for sub in below:
            if sub.is_dir:
                ctx.require(sub, READ | EXECUTE)
        dirs = 1 + sum(1 for e in below if e.is_dir)
        files = sum(1 for e in below if not e.is_dir)
        length = sum(len(e.content) for e in below if not e.is_dir)
    return Response.json(200, {"ContentSummary": {"directoryCount": dirs, "fileCount": files, "length": length,
                                                  "quota": -1, "spaceConsumed": length, "spaceQuota": -1}})


def _int_param(ctx: _Ctx, name: str, default: int | None) -> int | None:
    raw = ctx.request.query_get(name, case_insensitive=True)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _illegal(INVALID_OFFSET_TEMPLATE.format(name=name, value=raw)) from None
    if value < 0:
        raise _illegal(INVALID_OFFSET_TEMPLATE.format(name=name, value=raw))
    return value


def _op_open(ctx: _Ctx) -> Response:
    entry = _existing(ctx, "File")
    if entry.is_dir:
        raise ctx.not_found("File")
    ctx.require(entry, READ)
    offset = _int_param(ctx, "offset", 0) or 0
    length = _int_param(ctx, "length", None)
    if offset > len(entry.content):
        raise ctx.bad_offset()
    data = entry.content[offset:] if length is None else entry.content[offset:offset + length]
    return Response(200, Headers({"Content-Type": OCTET_STREAM}), data)


def _mode_param(ctx: _Ctx, default: int | None) -> int | None:
    raw = ctx.request.query_get("permission", case_insensitive=True)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw, 8)
    except ValueError:
        raise _illegal(INVALID_PERMISSION_TEMPLATE.format(value=raw)) from None
    if not 0 <= value <= 0o1777:
        raise _illegal(INVALID_PERMISSION_TEMPLATE.format(value=raw))
    return value & 0o777


def _new_entry(ctx: _Ctx, parent: PathEntry, path: str, kind: EntryKind, mode: int, content: bytes = b"") -> PathEntry:
    """A new child of ``parent``: the parent's default ACL (or the mode under umask 007), the parent's group."""
    is_dir = kind == DIRECTORY
    if parent.default_acl:
        acl: list[AclEntry] = []
        has_mask = any(e.type == "mask" for e in parent.default_acl)
        for e in parent.default_acl:
            perm = e.perm
            if e.type == "user" and not e.name:
                perm &= (mode >> 6) & 7
            elif e.type == "mask" or (e.type == "group" and not e.name and not has_mask):
                perm &= (mode >> 3) & 7
            elif e.type == "other":
                perm &= mode & 7
            acl.append(AclEntry(e.type, e.name, perm, False))
        access = _sorted(acl)
        default = parent.default_acl if is_dir else ()
    else:
        access = dl.minimal_acl(mode & ~UMASK)
        default = ()
    return PathEntry(store_id=ctx.store_id, path=path, kind=DIRECTORY if is_dir else FILE, owner=ctx.oid,
                     group=parent.group, acl=access, default_acl=default, content=content,
                     mtime_ms=ctx.now_ms, atime_ms=ctx.now_ms)


def _make_parents(ctx: _Ctx, path: str) -> PathEntry:
    """Create the missing folders above ``path`` (checking -wx on the deepest existing one); return the parent."""
    anchor = ctx.traverse(path)
    if anchor is None:  # the store has no root (should not happen): answer as ADLS does for a missing folder
        raise ctx.not_found("Folder", "/")
    if not anchor.is_dir:
        raise ctx.exists_error(anchor.path, not_dir=True)
    ctx.require(anchor, WRITE | EXECUTE)
    current = anchor
    for anc in _ancestors(path):
        if len(anc) <= len(anchor.path):
            continue
        current = _new_entry(ctx, current, anc, DIRECTORY, DEFAULT_MODE)
        dl.put_entry(ctx.world.store, current)
    return current


def _op_mkdirs(ctx: _Ctx) -> Response:
    mode = _mode_param(ctx, DEFAULT_MODE)
    assert mode is not None
    existing = ctx.get(ctx.path)
    if existing is not None:
        ctx.traverse(ctx.path)
        if not existing.is_dir:
            raise ctx.exists_error(ctx.path)
        return _boolean(True)
    with ctx.world.store.transaction(bump_generation=False):
        parent = _make_parents(ctx, ctx.path)
        dl.put_entry(ctx.world.store, _new_entry(ctx, parent, ctx.path, DIRECTORY, mode))
        _touch(ctx, parent)
    return _boolean(True)


def _touch(ctx: _Ctx, entry: PathEntry) -> None:
    dl.put_entry(ctx.world.store, replace(entry, mtime_ms=ctx.now_ms))


def _check_sync_flag(ctx: _Ctx) -> None:
    """``syncFlag`` (DATA / METADATA / CLOSE) only says when ADLS updates the metadata; here it always is."""
    raw = ctx.param("syncFlag")
    if raw and raw.upper() not in SYNC_FLAGS:
        raise _illegal(INVALID_PARAM_TEMPLATE.format(name="syncFlag", value=raw))


def _op_create(ctx: _Ctx) -> Response:
    _check_sync_flag(ctx)
    if ctx.path == "/":
        raise ctx.exists_error(ctx.path)
    mode = _mode_param(ctx, DEFAULT_MODE)
    assert mode is not None
    overwrite = (ctx.request.query_get("overwrite", case_insensitive=True) or "").lower() == "true"
    body = ctx.request.body
    with ctx.world.store.transaction(bump_generation=False):
        existing = ctx.get(ctx.path)
        if existing is not None:
            ctx.traverse(ctx.path)
            if existing.is_dir:
                raise ctx.exists_error(ctx.path)
            if not overwrite:
                raise ctx.create_exists_error()
            ctx.require(existing, WRITE)
            dl.put_entry(ctx.world.store, replace(existing, content=body, mtime_ms=ctx.now_ms))
        else:
            parent = _make_parents(ctx, ctx.path)
            dl.put_entry(ctx.world.store, _new_entry(ctx, parent, ctx.path, FILE, mode, body))
            _touch(ctx, parent)
    return Response(201)


def _op_append(ctx: _Ctx) -> Response:
    """APPEND at the end; an ``offset`` other than the file's length is a 400 BadOffsetException (SEEN)."""
    _check_sync_flag(ctx)
    entry = _existing(ctx, "File")
    if entry.is_dir:
        raise ctx.not_found("File")
    ctx.require(entry, WRITE)
    offset = _int_param(ctx, "offset", None)
    if offset is not None and offset != len(entry.content):
        raise ctx.bad_offset()
    dl.put_entry(ctx.world.store, replace(entry, content=entry.content + ctx.request.body, mtime_ms=ctx.now_ms))
    return Response(200)


def _op_concurrentappend(ctx: _Ctx) -> Response:
    """CONCURRENTAPPEND (``/WebHdfsExt``): append at the end, creating the file with ``appendMode=autocreate``."""
    _check_sync_flag(ctx)
    mode = ctx.param("appendMode")
    if mode and mode.lower() != "autocreate":
        raise _illegal(INVALID_PARAM_TEMPLATE.format(name="appendMode", value=mode))
    store = ctx.world.store
    with store.transaction(bump_generation=False):
        ctx.traverse(ctx.path)
        entry = ctx.get(ctx.path)
        if entry is None and mode and ctx.path != "/":
            parent = _make_parents(ctx, ctx.path)
            dl.put_entry(store, _new_entry(ctx, parent, ctx.path, FILE, DEFAULT_MODE, ctx.request.body))
            _touch(ctx, parent)
            return Response(200)
        if entry is None or entry.is_dir:
            raise ctx.not_found("File")
        ctx.require(entry, WRITE)
        dl.put_entry(store, replace(entry, content=entry.content + ctx.request.body, mtime_ms=ctx.now_ms))
    return Response(200)


def _concat_sources(ctx: _Ctx) -> list[str]:
    """CONCAT's ``sources`` query parameter, or MSCONCAT's body: ``{"sources":[...]}`` (the SDKs) or
    ``sources=a,b`` (older clients, SEEN). Paths may lack the leading ``/``."""
    items: list[str] | None = None
    if ctx.op == "CONCAT":
        raw = ctx.param("sources")
        items = raw.split(",") if raw else None
    else:
        text = ctx.request.body.decode("utf-8", "replace").strip()
        if text.startswith("{"):
            try:
                data = json.loads(text)
            except ValueError:
                data = None
            listed = data.get("sources") if isinstance(data, dict) else None
            if isinstance(listed, list) and all(isinstance(x, str) for x in listed):
                items = list(listed)
        elif text.lower().startswith("sources="):
            items = [unquote(x) for x in text[len("sources="):].split(",")]
    if not items:
        raise _illegal(MISSING_PARAM_TEMPLATE.format(name="sources"))
    out: list[str] = []
    for item in items:
        raw_path = item.strip()
        if raw_path.startswith(WEBHDFS_PREFIX + "/"):
            raw_path = raw_path[len(WEBHDFS_PREFIX):]
        norm = _normalize_path(raw_path)
        if norm is None or norm == "/":
            raise _illegal(INVALID_PATH_TEMPLATE.format(path=raw_path))
        if norm == ctx.path:
            raise _illegal(CONCAT_TARGET_IN_SOURCES.format(path=norm))
        if norm in out:
            raise _illegal(CONCAT_DUPLICATE_SOURCE.format(path=norm))
        out.append(norm)
    return out


def _op_concat(ctx: _Ctx) -> Response:
    """MSCONCAT / CONCAT: the sources' bytes, in order, appended to the target (MSCONCAT creates it when missing;
    CONCAT needs it), then the sources deleted (with ``deleteSourceDirectory=true`` and one source folder, that
    folder). Needs -w- on the target (or -wx on its folder), r-- on each source and -wx on each source's folder."""
    sources = _concat_sources(ctx)
    store = ctx.world.store
    with store.transaction(bump_generation=False):
        ctx.traverse(ctx.path)
        target = ctx.get(ctx.path)
        if target is not None:
            if target.is_dir:
                raise _illegal(CONCAT_TARGET_NOT_FILE.format(path=ctx.path))
            ctx.require(target, WRITE)
        elif ctx.op == "CONCAT" or ctx.path == "/":
            raise ctx.not_found("File")
        parts: list[bytes] = []
        folders: dict[str, PathEntry] = {}
        for src in sources:
            ctx.traverse(src)
            entry = ctx.get(src)
            if entry is None:
                raise ctx.not_found("File", src)
            if entry.is_dir:
                raise _illegal(CONCAT_SOURCE_NOT_FILE.format(path=src))
            ctx.require(entry, READ)
            folder = ctx.get(_parent_of(src))
            if folder is not None and folder.path not in folders:
                ctx.require(folder, WRITE | EXECUTE)
                folders[folder.path] = folder
            parts.append(entry.content)
        data = b"".join(parts)
        if target is None:
            parent = _make_parents(ctx, ctx.path)
            dl.put_entry(store, _new_entry(ctx, parent, ctx.path, FILE, DEFAULT_MODE, data))
            _touch(ctx, parent)
        else:
            dl.put_entry(store, replace(target, content=target.content + data, mtime_ms=ctx.now_ms))
        only = next(iter(folders)) if len(folders) == 1 else None
        inside = only is not None and (ctx.path + "/").startswith(only.rstrip("/") + "/")
        if ctx.flag("deleteSourceDirectory") and ctx.op == "MSCONCAT" and only not in (None, "/") and not inside:
            assert only is not None
            above = ctx.get(_parent_of(only))
            if above is not None:
                ctx.require(above, WRITE | EXECUTE)
            dl.delete_entries(store, ctx.store_id, only)
            if above is not None:
                _touch(ctx, above)
        else:
            for src in sources:
                dl.delete_entries(store, ctx.store_id, src)
            for path in folders:
                fresh = ctx.get(path)
                if fresh is not None:
                    _touch(ctx, fresh)
    return Response(200)


def _op_setexpiry(ctx: _Ctx) -> Response:
    """SETEXPIRY (``/WebHdfsExt``, files only): ``expiryOption`` NeverExpire | RelativeToNow |
    RelativeToCreationDate | Absolute with ``expireTime`` in ms; shown as FileStatus ``msExpirationTime``.
    Needs -w- on the file (INFERRED: no capture found)."""
    raw = ctx.param("expiryOption")
    if not raw:
        raise _illegal(MISSING_PARAM_TEMPLATE.format(name="expiryOption"))
    option = EXPIRY_OPTIONS.get(raw.lower())
    if option is None:
        raise _illegal(INVALID_PARAM_TEMPLATE.format(name="expiryOption", value=raw))
    expire = _int_param(ctx, "expireTime", None)
    if option != "NeverExpire" and expire is None:
        raise _illegal(MISSING_PARAM_TEMPLATE.format(name="expireTime"))
    entry = _existing(ctx, "File")
    if entry.is_dir:
        raise _illegal(EXPIRY_ON_FOLDER.format(path=ctx.path))
    ctx.require(entry, WRITE)
    amount = expire or 0
    when = {"NeverExpire": 0, "RelativeToNow": ctx.now_ms + amount,
            "RelativeToCreationDate": entry.atime_ms + amount, "Absolute": amount}[option]
    dl.put_entry(ctx.world.store, replace(entry, expiry_ms=when))
    return Response(200)


def _op_delete(ctx: _Ctx) -> Response:
    ctx.traverse(ctx.path)
    entry = ctx.get(ctx.path)
    if entry is None or ctx.path == "/":
        return _boolean(False)
    parent = ctx.get(_parent_of(ctx.path))
    if parent is not None:
        ctx.require(parent, WRITE | EXECUTE)
    recursive = (ctx.request.query_get("recursive", case_insensitive=True) or "").lower() == "true"
    if entry.is_dir:
        below = dl.list_subtree(ctx.world.store, ctx.store_id, ctx.path)
        if below and not recursive:
            raise WebHdfsError(403, NOT_EMPTY, NOT_EMPTY_CLASS, NOT_EMPTY_TEMPLATE.format(
                path=ctx.path, rid=ctx.rid, time=ctx.time_text()), status_code=STATUS_FORBIDDEN)
        if below:
            ctx.require(entry, READ | WRITE | EXECUTE)
            for sub in below:
                if sub.is_dir and dl.list_children(ctx.world.store, ctx.store_id, sub.path):
                    ctx.require(sub, READ | WRITE | EXECUTE)
    with ctx.world.store.transaction(bump_generation=False):
        dl.delete_entries(ctx.world.store, ctx.store_id, ctx.path)
        if parent is not None:
            _touch(ctx, parent)
    return _boolean(True)


def _op_rename(ctx: _Ctx) -> Response:
    raw = ctx.request.query_get("destination", case_insensitive=True)
    if not raw:
        raise _illegal(MISSING_DESTINATION)
    if raw.startswith(WEBHDFS_PREFIX + "/"):
        raw = raw[len(WEBHDFS_PREFIX):]
    dest = _normalize_path(raw)
    if dest is None:
        raise _illegal(INVALID_PATH_TEMPLATE.format(path=raw))
    ctx.traverse(ctx.path)
    source = ctx.get(ctx.path)
    if source is None:  # SEEN: 200 {"boolean":false} with Status 0x8309000A
        return Response.json(200, {"boolean": False}, {"Status": STATUS_NOT_FOUND})
    if ctx.path == "/":
        return _boolean(False)
    ctx.traverse(dest)
    target = ctx.get(dest)
    if target is not None:
        if not target.is_dir:
            return _boolean(False)
        dest = (dest.rstrip("/") + "/" + source.name) if dest != "/" else "/" + source.name
        if ctx.get(dest) is not None:
            return _boolean(False)
    if dest == ctx.path or dest.startswith(ctx.path + "/"):
        return _boolean(False)
    src_parent = ctx.get(_parent_of(ctx.path))
    dst_parent = ctx.get(_parent_of(dest))
    if dst_parent is None or not dst_parent.is_dir or src_parent is None:
        return _boolean(False)
    ctx.require(src_parent, WRITE | EXECUTE)
    ctx.require(dst_parent, WRITE | EXECUTE)
    with ctx.world.store.transaction(bump_generation=False):
        dl.rename_subtree(ctx.world.store, ctx.store_id, ctx.path, dest, ctx.now_ms)
        _touch(ctx, src_parent)
        fresh = ctx.get(dst_parent.path)
        if fresh is not None:
            _touch(ctx, fresh)
    return _boolean(True)


def _owned(ctx: _Ctx) -> PathEntry:
    entry = _existing(ctx, "File/Folder")
    ctx.require_owner(entry)
    return entry


def _acl_op(ctx: _Ctx) -> Response:
    spec_text = ctx.request.query_get("aclspec", case_insensitive=True) or ""
    needs_spec = ctx.op in ("SETACL", "MODIFYACLENTRIES", "REMOVEACLENTRIES")
    spec = parse_acl_spec(spec_text, with_perms=ctx.op != "REMOVEACLENTRIES") if needs_spec else []
    if needs_spec and not spec:
        raise _illegal(INVALID_ACL_SPEC_TEMPLATE.format(spec=spec_text))
    entry = _owned(ctx)
    if any(e.name and not is_guid(e.name) for e in spec):  # ADLS names users and groups by object ID only
        raise ctx.acl_entry_invalid()
    dl.put_entry(ctx.world.store, _apply_acl(entry, ctx.op, spec))
    return Response(200)


def _op_setpermission(ctx: _Ctx) -> Response:
    mode = _mode_param(ctx, None)
    entry = _owned(ctx)
    if mode is None:
        mode = 0o755 if entry.is_dir else 0o644
    dl.put_entry(ctx.world.store, _with_mode(entry, mode))
    return Response(200)


def _op_setowner(ctx: _Ctx) -> Response:
    owner = ctx.request.query_get("owner", case_insensitive=True)
    group = ctx.request.query_get("group", case_insensitive=True)
    entry = _owned(ctx)
    if owner and owner.lower() != entry.owner.lower():
        ctx.require_owner(entry, super_user=True)
    dl.put_entry(ctx.world.store, replace(entry, owner=owner or entry.owner, group=group or entry.group))
    return Response(200)


_OPS: dict[str, Any] = {
    "LISTSTATUS": _op_liststatus,
    "GETFILESTATUS": _op_getfilestatus,
    "GETACLSTATUS": _op_getaclstatus,
    "MSGETACLSTATUS": _op_getaclstatus,
    "CHECKACCESS": _op_checkaccess,
    "GETCONTENTSUMMARY": _op_getcontentsummary,
    "OPEN": _op_open,
    "MKDIRS": _op_mkdirs,
    "CREATE": _op_create,
    "APPEND": _op_append,
    "DELETE": _op_delete,
    "RENAME": _op_rename,
    "SETACL": _acl_op,
    "MODIFYACLENTRIES": _acl_op,
    "REMOVEACLENTRIES": _acl_op,
    "REMOVEDEFAULTACL": _acl_op,
    "REMOVEACL": _acl_op,
    "SETPERMISSION": _op_setpermission,
    "SETOWNER": _op_setowner,
    "SETEXPIRY": _op_setexpiry,
    "CONCURRENTAPPEND": _op_concurrentappend,
    "MSCONCAT": _op_concat,
    "CONCAT": _op_concat,
}
