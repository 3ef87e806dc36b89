#!/usr/bin/env bash
# The az CLI, unmodified, against `azshell serve --vm vm1` (issue 4; not in CI: azure-cli is ~700 MB).
#
#   make test-azcli            # or: scripts/azcli_e2e.sh
#
# Creates (once) a separate venv for azure-cli under /tmp (AZCLI_VENV to change it), seeds a temporary state
# file (rg1; vm1 with a system-assigned identity, Reader on rg1; Key Vault "kv-<random>" with an access policy
# for vm1 and a secret s1), starts `azshell serve`, exports the variables it prints, and runs:
#   az login --identity / az account get-access-token / az group list / az keyvault secret show
# through the CONNECT proxy with the default AzureCloud (contracts §4, mode B), printing PASS/FAIL per command.
# Exit status: 0 when every command passed.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
AZCLI_VENV="${AZCLI_VENV:-/tmp/azshell-azcli-venv}"
AZ="$AZCLI_VENV/bin/az"

if [ ! -x "$AZ" ]; then
    echo "== installing azure-cli into $AZCLI_VENV (several minutes, once)"
    python3 -m venv "$AZCLI_VENV" || exit 2
    "$AZCLI_VENV/bin/python" -m pip install -q --upgrade pip || exit 2
    "$AZCLI_VENV/bin/python" -m pip install -q azure-cli || exit 2
fi
echo "== $("$AZ" version --query '"azure-cli"' -o tsv 2>/dev/null | sed 's/^/azure-cli /')"

WORK="$(mktemp -d /tmp/azshell-azcli-XXXXXX)"
SERVE_PID=""
cleanup() {
    if [ -n "$SERVE_PID" ] && kill -0 "$SERVE_PID" 2>/dev/null; then
        kill -TERM "$SERVE_PID"
        wait "$SERVE_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------- seed the state
VAULT="kv-$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PYTHONPATH="$ROOT" "$PY" - "$WORK/state.db" "$VAULT" <<'PYEOF' || { echo "FAIL seeding the state"; exit 1; }
import sys
from azshell.http import make_client
from azshell.planes.base import CallerContext
from azshell.services.registry import open_world

state, vault = sys.argv[1], sys.argv[2]
world = open_world(state)
try:
    sub = world.default_subscription_id
    rg = world.backend.create_or_update_resource_group(sub, "rg1", "westus")
    vm = world.backend.create_or_update_vm(sub, "rg1", "vm1", "westus", identity_type="SystemAssigned")
    world.backend.create_role_assignment(scope=rg.id, role_definition_id="acdd72a7-3385-48ef-bd42-f606fba81ae7",
                                         principal_id=vm.identity.principal_id)
    admin = world.admin_user
    tok = lambda res: world.tokens.issue_for_principal(principal=admin, resource=res, kind="user").access_token
    with make_client(world, lambda: CallerContext()) as c:
        r = c.put(f"https://management.azure.com{rg.id}/providers/Microsoft.KeyVault/vaults/{vault}"
                  "?api-version=2023-07-01", headers={"Authorization": f"Bearer {tok('https://management.azure.com/')}"},
                  json={"location": "westus", "properties": {
                      "tenantId": world.tenant_id, "sku": {"family": "A", "name": "standard"},
                      "enableRbacAuthorization": False, "accessPolicies": [
                          {"tenantId": world.tenant_id, "objectId": admin.object_id,
                           "permissions": {"secrets": ["all"]}},
                          {"tenantId": world.tenant_id, "objectId": vm.identity.principal_id,
                           "permissions": {"secrets": ["get", "list"]}}]}})
        assert r.status_code in (200, 201), r.text
        r = c.put(f"https://{vault}.vault.azure.net/secrets/s1?api-version=7.4", json={"value": "hello-from-azshell"},
                  headers={"Authorization": f"Bearer {tok('https://vault.azure.net')}"})
        assert r.status_code == 200, r.text
    print(f"seeded {state}: subscription {sub}, vm1 principal {vm.identity.principal_id}, vault {vault}")
finally:
    world.close()
PYEOF

# ---------------------------------------------------------------------------------------------- start serve
cd "$ROOT" || exit 2
PYTHONPATH="$ROOT" "$PY" -m azshell serve --port 0 --state "$WORK/state.db" --vm vm1 \
    >"$WORK/exports" 2>"$WORK/serve.log" &
SERVE_PID=$!
for _ in $(seq 1 100); do
    grep -q '^export SSL_CERT_FILE=' "$WORK/exports" 2>/dev/null && break
    sleep 0.1
done
if ! grep -q '^export SSL_CERT_FILE=' "$WORK/exports"; then
    echo "FAIL azshell serve did not start:"; cat "$WORK/serve.log"; exit 1
fi
# drop any proxy / CA settings of this machine, then take exactly what serve printed
unset HTTP_PROXY http_proxy https_proxy ALL_PROXY all_proxy no_proxy IDENTITY_ENDPOINT IDENTITY_HEADER \
      MSI_ENDPOINT MSI_SECRET IMDS_ENDPOINT
# shellcheck disable=SC1091
. "$WORK/exports"
cat "$WORK/exports"
export AZURE_CONFIG_DIR="$WORK/azure-config"     # never touch the user's ~/.azure
export AZURE_CORE_COLLECT_TELEMETRY=false AZURE_CORE_NO_COLOR=true AZURE_CORE_ONLY_SHOW_ERRORS=true
export AZURE_CORE_SURVEY_MESSAGE=false AZURE_EXTENSION_USE_DYNAMIC_INSTALL=no

# ---------------------------------------------------------------------------------------------- the commands
FAILED=0
run() {  # run NAME EXPECT-REGEX -- az args...
    local name="$1" expect="$2"; shift 3
    local out
    out="$("$AZ" "$@" 2>"$WORK/az.err")"
    local rc=$?
    if [ $rc -eq 0 ] && printf '%s' "$out" | grep -Eq -- "$expect"; then
        echo "PASS $name"
    else
        echo "FAIL $name (exit $rc)"; printf '%s\n' "$out" | head -20 | sed 's/^/    /'; sed 's/^/    /' "$WORK/az.err" | head -20
        FAILED=1
    fi
}
run "az login --identity" '"type": "servicePrincipal"|"user"' -- login --identity -o json
run "az account get-access-token" '"accessToken"' -- account get-access-token -o json
run "az account get-access-token --resource https://vault.azure.net" '"accessToken"' -- \
    account get-access-token --resource https://vault.azure.net -o json
run "az group list" '"name": "rg1"' -- group list -o json
run "az keyvault secret show" '"value": "hello-from-azshell"' -- keyvault secret show --vault-name "$VAULT" --name s1 -o json

kill -TERM "$SERVE_PID"; wait "$SERVE_PID"; RC=$?
SERVE_PID=""
if [ $RC -eq 0 ]; then echo "PASS azshell serve stopped cleanly on SIGTERM"; else echo "FAIL serve exit $RC"; FAILED=1; fi
if grep -qi "traceback\|error" "$WORK/serve.log"; then echo "    serve log:"; sed 's/^/    /' "$WORK/serve.log"; fi
[ $FAILED -eq 0 ] && echo "== az CLI: all passed" || echo "== az CLI: FAILURES"
exit $FAILED
