"""Microsoft.Authorization as ARM knows it: api-versions and action strings."""

from __future__ import annotations

from azshell.planes.arm._routes import CHECK_ACCESS, PERMISSIONS, ROLE_ASSIGNMENTS, ROLE_DEFINITIONS
from azshell.planes.catalog import ApiVersionSpec

#: anyone may read their own effective permissions (ARM records it as an open action)
READ_PERMISSIONS = "Microsoft.Authorization/permissions/read"
READ_ROLE_ASSIGNMENT = "Microsoft.Authorization/roleAssignments/read"
WRITE_ROLE_ASSIGNMENT = "Microsoft.Authorization/roleAssignments/write"
DELETE_ROLE_ASSIGNMENT = "Microsoft.Authorization/roleAssignments/delete"
READ_ROLE_DEFINITION = "Microsoft.Authorization/roleDefinitions/read"
WRITE_ROLE_DEFINITION = "Microsoft.Authorization/roleDefinitions/write"
DELETE_ROLE_DEFINITION = "Microsoft.Authorization/roleDefinitions/delete"

_ROLE_ASSIGNMENT_VERSIONS: tuple[str, ...] = (
    "2014-04-01-preview", "2014-07-01-preview", "2014-10-01-preview", "2015-05-01-preview", "2015-06-01",
    "2015-07-01", "2016-07-01", "2017-05-01", "2017-09-01", "2017-10-01-preview", "2018-01-01-preview",
    "2018-07-01", "2018-09-01-preview", "2018-12-01-preview", "2019-04-01-preview", "2020-03-01-preview",
    "2020-04-01-preview", "2020-08-01-preview", "2020-10-01-preview", "2021-04-01-preview", "2022-01-01-preview",
    "2022-04-01",
)
_ROLE_DEFINITION_VERSIONS: tuple[str, ...] = (
    "2014-04-01-preview", "2014-07-01-preview", "2014-10-01-preview", "2015-05-01-preview", "2015-06-01",
    "2015-07-01", "2016-07-01", "2017-05-01", "2017-09-01", "2018-01-01-preview", "2018-07-01",
    "2022-04-01", "2022-05-01-preview",
)
ROLE_ASSIGNMENTS_VERSIONS = ApiVersionSpec(ROLE_ASSIGNMENTS, _ROLE_ASSIGNMENT_VERSIONS)
ROLE_DEFINITIONS_VERSIONS = ApiVersionSpec(ROLE_DEFINITIONS, _ROLE_DEFINITION_VERSIONS)
_PERMISSIONS_VERSIONS: tuple[str, ...] = (
    "2015-06-01", "2015-07-01", "2017-05-01", "2018-01-01-preview", "2018-07-01", "2022-04-01",
    "2022-05-01-preview",
)
PERMISSIONS_VERSIONS = ApiVersionSpec(PERMISSIONS, _PERMISSIONS_VERSIONS)
CHECK_ACCESS_VERSIONS = ApiVersionSpec(CHECK_ACCESS, _PERMISSIONS_VERSIONS)
