"""Microsoft.Resources as ARM knows it: its api-versions and action strings.

Up to ``2025-04-01``, the default of ``azure-mgmt-resource`` 26 (and of every Microsoft.Resources operation group
it ships). ``2015-11-01`` stays: Key Vault's ``vaults.list()`` lists ``/resources`` with it.
"""

from __future__ import annotations

from azshell.planes.catalog import ApiVersionSpec

READ_SUBSCRIPTION = "Microsoft.Resources/subscriptions/read"
READ_RESOURCE_GROUP = "Microsoft.Resources/subscriptions/resourceGroups/read"
WRITE_RESOURCE_GROUP = "Microsoft.Resources/subscriptions/resourceGroups/write"
DELETE_RESOURCE_GROUP = "Microsoft.Resources/subscriptions/resourceGroups/delete"
READ_RESOURCE_GROUP_RESOURCES = "Microsoft.Resources/subscriptions/resourceGroups/resources/read"
READ_SUBSCRIPTION_RESOURCES = "Microsoft.Resources/subscriptions/resources/read"
RESOURCES_NAMESPACE = "Microsoft.Resources"
READ_PROVIDERS = "Microsoft.Resources/subscriptions/providers/read"
#: ``{Namespace}/register/action``: registering a provider in a subscription (Contributor's ``*`` holds it).
REGISTER_PROVIDER_TEMPLATE = "{namespace}/register/action"

_RESOURCES_VERSIONS: tuple[str, ...] = (
    "2013-03-01", "2014-01-01", "2014-02-26", "2014-04", "2014-04-01", "2014-04-01-preview", "2015-01-01",
    "2015-11-01", "2016-02-01", "2016-06-01", "2016-07-01", "2016-09-01", "2017-03-01", "2017-05-01",
    "2017-05-10", "2017-06-01", "2017-08-01", "2017-12-01", "2018-01-01", "2018-02-01", "2018-05-01",
    "2018-06-01", "2018-07-01", "2018-08-01", "2018-09-01", "2018-11-01", "2019-03-01", "2019-05-01",
    "2019-05-10", "2019-06-01", "2019-07-01", "2019-08-01", "2019-09-01", "2019-10-01", "2019-11-01",
    "2020-01-01", "2020-06-01", "2020-08-01", "2020-09-01", "2020-10-01", "2021-01-01", "2021-04-01",
    "2022-01-01", "2022-09-01", "2022-12-01", "2023-07-01", "2024-03-01", "2024-07-01", "2024-11-01",
    "2025-01-01", "2025-03-01", "2025-04-01",
)
RESOURCE_GROUPS_VERSIONS = ApiVersionSpec("resourceGroups", _RESOURCES_VERSIONS, arm_native=True)
SUBSCRIPTIONS_VERSIONS = ApiVersionSpec("subscriptions", _RESOURCES_VERSIONS, arm_native=True)
RESOURCES_LIST_VERSIONS = ApiVersionSpec("resources", _RESOURCES_VERSIONS, arm_native=True)
OPERATION_RESULTS_VERSIONS = ApiVersionSpec("operationresults", _RESOURCES_VERSIONS, arm_native=True)
PROVIDERS_VERSIONS = ApiVersionSpec("providers", _RESOURCES_VERSIONS, arm_native=True)
