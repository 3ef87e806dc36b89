// Node's Azure SDK against `azshell serve`, with nothing but the variables serve exports (driven by
// tests/server/test_node_clients.py). No client option points at azshell: the IMDS address comes from
// AZURE_POD_IDENTITY_AUTHORITY_HOST, the proxy from HTTPS_PROXY/NO_PROXY (read by @azure/core-rest-pipeline)
// and the trust from NODE_EXTRA_CA_CERTS (read by node itself at start-up).
//
//   node clients.mjs '{"subscriptionId": "...", "vaultUrl": "https://NAME.vault.azure.net", ...}'
//
// Prints one JSON object (the outcome of every step) on stdout; the Python test asserts on it. A step that
// throws unexpectedly is reported as {"error": {...}} so the test shows what Node saw.

import { ManagedIdentityCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { ResourceManagementClient } from "@azure/arm-resources";

const ARM_SCOPE = "https://management.azure.com/.default";
const config = JSON.parse(process.argv[2]);
const only = config.steps ?? ["token", "secrets", "groups", "denied", "armDenied"];
// A failing call fails fast: the test wants the first error, not five retries of it.
const retryOptions = { maxRetries: 0 };

function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8"));
}

function describe(err) {
  return {
    name: err?.name,
    message: String(err?.message ?? err).slice(0, 2000),
    statusCode: err?.statusCode,
    code: err?.code,
    causeCode: err?.cause?.code,
    innerCode: err?.details?.error?.innerError?.code ?? err?.details?.error?.innererror?.code,
  };
}

const steps = {
  // ManagedIdentityCredential on IMDS: vm1's system-assigned identity, an ARM token.
  async token() {
    const token = await new ManagedIdentityCredential({ retryOptions }).getToken(ARM_SCOPE);
    const c = claims(token.token);
    return { oid: c.oid, aud: c.aud, tid: c.tid, expiresOnTimestamp: token.expiresOnTimestamp };
  },

  // SecretClient on the real vault host name, through the CONNECT tunnel; vm1 has an access policy.
  async secrets() {
    const client = new SecretClient(config.vaultUrl, new ManagedIdentityCredential(), { retryOptions });
    const first = await client.setSecret(config.secretName, "from-node-1", { contentType: "text/plain" });
    const second = await client.setSecret(config.secretName, "from-node-2");
    const latest = await client.getSecret(config.secretName);
    const older = await client.getSecret(config.secretName, { version: first.properties.version });
    const names = [];
    for await (const props of client.listPropertiesOfSecrets()) {
      names.push(props.name);
    }
    return {
      latest: latest.value, older: older.value, contentType: first.properties.contentType,
      versions: [first.properties.version, second.properties.version, latest.properties.version],
      vaultUrl: latest.properties.vaultUrl, names,
    };
  },

  // ResourceManagementClient: the resource groups vm1 may read (Reader on rg1).
  async groups() {
    const client = new ResourceManagementClient(new ManagedIdentityCredential(), config.subscriptionId,
                                                { retryOptions });
    const groups = [];
    for await (const group of client.resourceGroups.list()) {
      groups.push({ name: group.name, location: group.location, id: group.id });
    }
    return groups;
  },

  // An identity without access: the user-assigned identity attached to vm1 has no access policy on the vault.
  async denied() {
    const credential = new ManagedIdentityCredential({ clientId: config.deniedClientId, retryOptions });
    const client = new SecretClient(config.vaultUrl, credential, { retryOptions });
    try {
      const secret = await client.getSecret(config.secretName);
      return { unexpected: secret.value };
    } catch (err) {
      return describe(err);
    }
  },

  // vm1 is only a Reader: creating a resource group is an ARM AuthorizationFailed.
  async armDenied() {
    const client = new ResourceManagementClient(new ManagedIdentityCredential(), config.subscriptionId,
                                                { retryOptions });
    try {
      const group = await client.resourceGroups.createOrUpdate("node-denied", { location: "westus" });
      return { unexpected: group.id };
    } catch (err) {
      return describe(err);
    }
  },
};

const result = {};
for (const name of only) {
  try {
    result[name] = await steps[name]();
  } catch (err) {
    result[name] = { error: describe(err) };
  }
}
process.stdout.write(JSON.stringify(result) + "\n");
