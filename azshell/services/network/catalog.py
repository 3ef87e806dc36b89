"""Microsoft.Network as ARM knows it: resource types and api-versions."""

from __future__ import annotations

from azshell.planes.catalog import ResourceType, resource_type

_NETWORK_TYPES = (
    "virtualNetworks", "virtualNetworks/subnets", "networkInterfaces", "publicIPAddresses",
    "networkSecurityGroups", "networkSecurityGroups/securityRules", "loadBalancers", "routeTables",
    "privateEndpoints", "applicationGateways", "natGateways", "bastionHosts",
)

_NETWORK_VERSIONS: tuple[str, ...] = (
    "2014-12-01-preview", "2015-05-01-preview", "2015-06-15", "2016-03-30", "2016-06-01", "2016-07-01",
    "2016-08-01", "2016-09-01", "2016-10-01", "2016-11-01", "2016-12-01", "2017-03-01", "2017-04-01",
    "2017-06-01", "2017-08-01", "2017-09-01", "2017-10-01", "2017-11-01", "2018-01-01", "2018-02-01",
    "2018-04-01", "2018-06-01", "2018-07-01", "2018-08-01", "2018-10-01", "2018-11-01", "2018-12-01",
    "2019-02-01", "2019-04-01", "2019-06-01", "2019-07-01", "2019-08-01", "2019-09-01", "2019-11-01",
    "2019-12-01", "2020-03-01", "2020-04-01", "2020-05-01", "2020-06-01", "2020-07-01", "2020-08-01",
    "2020-11-01", "2021-02-01", "2021-03-01", "2021-05-01", "2021-08-01", "2022-01-01", "2022-05-01",
    "2022-07-01", "2022-09-01", "2022-11-01", "2023-02-01", "2023-04-01", "2023-05-01", "2023-06-01",
    "2023-09-01", "2023-11-01", "2024-01-01", "2024-03-01", "2024-05-01",
)

RESOURCE_TYPES: tuple[ResourceType, ...] = (
    *(resource_type(f"Microsoft.Network/{t}", _NETWORK_VERSIONS) for t in _NETWORK_TYPES),
)
