"""Templates the deployment tests share."""

from __future__ import annotations

from typing import Any

READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"


def vm_identity_template() -> dict[str, Any]:
    """A VM with a system-assigned and a user-assigned identity, and a Reader role assignment on the group for the
    VM's system-assigned identity whose principalId comes from reference(..., 'Full')."""
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "vmName": {"type": "string"},
            "identityName": {"type": "string", "defaultValue": "[concat(parameters('vmName'), '-uai')]"},
            "builtInRoleType": {"type": "string", "defaultValue": "Reader", "allowedValues": ["Reader", "Owner"]},
        },
        "variables": {
            "Reader": f"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{READER}')]",
            "vmResourceId": "[resourceId('Microsoft.Compute/virtualMachines', parameters('vmName'))]",
            "uaiId": "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities/', parameters('identityName'))]",
        },
        "resources": [
            {"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2018-11-30",
             "name": "[parameters('identityName')]", "location": "[resourceGroup().location]"},
            {"type": "Microsoft.Compute/virtualMachines", "apiVersion": "2018-06-01",
             "name": "[parameters('vmName')]", "location": "[resourceGroup().location]",
             "dependsOn": ["[variables('uaiId')]"],
             "identity": {"type": "SystemAssigned, UserAssigned",
                          "userAssignedIdentities": {"[variables('uaiId')]": {}}},
             "properties": {"hardwareProfile": {"vmSize": "Standard_DS1_v2"}}},
            {"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2017-09-01",
             "name": "[guid(resourceGroup().id, parameters('vmName'), 'reader')]",
             "dependsOn": ["[concat('Microsoft.Compute/virtualMachines/', parameters('vmName'))]"],
             "properties": {
                 "roleDefinitionId": "[variables(parameters('builtInRoleType'))]",
                 "principalId": "[reference(variables('vmResourceId'), '2017-12-01', 'Full').identity.principalId]",
                 "scope": "[resourceGroup().id]"}},
        ],
        "outputs": {
            "principalId": {"type": "string",
                            "value": "[reference(variables('vmResourceId'), '2018-06-01', 'Full').identity.principalId]"},
            "uaiClientId": {"type": "string",
                            "value": "[reference(variables('uaiId'), '2018-11-30').clientId]"},
        },
    }
