#!/usr/bin/env bash
# The az CLI, unmodified, against `azshell serve` (issues 4 and 15): runs tests/server/test_azcli.py.
#
#   make test-azcli            # or: scripts/azcli_e2e.sh [pytest options, e.g. -k keyvault -v]
#
# CI runs the same test inside `make test`, installing azure-cli into a fresh temporary venv each run. Here the
# venv is kept between runs under /tmp (AZCLI_VENV to change it; ~730 MB; created on the first run, about a
# minute): the test seeds a world (rg1; vm1 with a system-assigned identity, Reader on rg1; user-assigned
# identities "ops" (Owner on rg1) and "nobody"; vm2; a Key Vault), serves it as vm1 and runs, with exactly the
# variables `azshell serve` prints and a fresh AZURE_CONFIG_DIR:
#   az login --identity [--client-id|--object-id|--resource-id] / az account get-access-token [--resource]
#   az group list / az keyvault secret set|show|list / az vm identity assign|show
#   az role assignment create|list / and the expected 403s (AuthorizationFailed, Key Vault's Forbidden).
# Exit status: pytest's (0 when every test passed; under CI=true a failed azure-cli install fails).
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
export AZSHELL_AZCLI_VENV="${AZCLI_VENV:-/tmp/azshell-azcli-venv}"
cd "$ROOT" || exit 2
exec "$PY" -m pytest -p no:cacheprovider -rsx -vv tests/server/test_azcli.py "$@"
