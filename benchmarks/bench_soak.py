"""A classroom's load on one state file (issue 14): ``azshell serve``, several shells and a Jupyter kernel at once.

Every actor is its own OS process, as in a lab, and they all share one SQLite state file:

* ``azshell serve --vm vm1 --state FILE --port 0`` (its export lines are read for the proxy URL and CA bundle);
* ``SHELLS`` × ``azshell --state FILE soak.ps1 -Actor shellN …``: a PowerShell loop creating and deleting role
  assignments for its own user-assigned identity on its own resource group (``soak-<actor>``), re-reading each
  write with ``Get-AzRoleAssignment`` and writing one ``SOAK`` line per operation with ``Write-Host``;
* ``KERNELS`` × a driver process running the real kernel (``azshell kernel install --prefix TMP``, then
  jupyter_client's ``KernelManager``): the same PowerShell functions, one ``Invoke-SoakStep`` cell per step;
  after each write the kernel reports done, the driver asks the server for that role assignment through the
  proxy (``seen``: 200 after ``new``, 404 after ``remove``), so another process sees every write at once;
* one process with ``HTTP_THREADS`` httpx threads, each with a keep-alive client through the proxy
  (``HTTPS_PROXY`` + the CA bundle): IMDS token requests (``http://169.254.169.254``), Key Vault secret set then
  get (the value read must be the value written), ARM GET of a resource group and of the subscription's role
  assignments.

The actors get ready (identity looked up, kernel started, first token fetched), then all start on one signal and
run for ``--seconds``; every loop is bounded by time and by a step count. Afterwards the harness checks the
contract of issue 14 and prints the figures:

* ops/s per actor and p50/p95/max latency per operation (a shell's figure is the write alone, timed inside the
  shell; the kernel's ``cell`` row is the Jupyter round trip of a whole step);
* 5xx seen by the clients or logged by the server; any output of any process that mentions a locked or busy
  database or a Python traceback, and any other stderr output of a shell;
* writes that failed (each must have been reported to its caller as an error) and writes reported done but
  not seen on the next read (``invisible``, ``mismatch``: a silent failure, never allowed);
* ``PRAGMA integrity_check`` on the state file once every process has stopped, and a cross-check that the role
  assignments the shells and the kernel believe exist are exactly those in the store, and exactly those the
  server (another process) lists through ARM; likewise the last value each HTTP thread wrote to its secret.

Run: ``make soak`` (60 s) or ``python -m benchmarks.bench_soak --seconds N [--shells N] [--kernels N]
[--threads N]``; ``python -m benchmarks soak`` reads ``AZSHELL_SOAK_SECONDS`` (default 60).
``tests/server/test_soak.py`` (marked slow) runs the same harness for about 12 s with fewer actors.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECONDS = float(os.environ.get("AZSHELL_SOAK_SECONDS", "60"))
SHELLS = 3
KERNELS = 1
HTTP_THREADS = 4
#: an upper bound on every actor's steps, whatever the duration (every loop is bounded in count and time)
MAX_STEPS = 100_000
#: how long actors may take to get ready (start a process, a kernel, fetch a first token)
READY_TIMEOUT = 180.0
#: how long an actor may overrun its duration (its last step, writing its held set, stopping the kernel)
STOP_GRACE = 90.0
VM = "vm1"
VAULT = "soakkv"
LOCATION = "westus"
READER_ROLE_ID = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
KV_RESOURCE = "https://vault.azure.net"
ARM_RESOURCE = "https://management.azure.com/"
IMDS_TOKEN = "http://169.254.169.254/metadata/identity/oauth2/token"
RG_API = "2021-04-01"
RA_API = "2022-04-01"
KV_API = "7.4"

#: What a shell runs and what the kernel is given in its first cell. Lines go out with Write-Host, which the
#: shell writes at once (output objects are held back to be formatted together).
SOAK_FUNCTIONS = r"""
function Initialize-Soak([string]$Actor) {
    $global:SoakActor = $Actor
    $global:SoakRg = "soak-$Actor"
    $global:SoakPrincipal = (Get-AzUserAssignedIdentity -ResourceGroupName $global:SoakRg -Name "id-$Actor" -ErrorAction Stop).PrincipalId
    $global:SoakHeld = @{}
    $global:SoakStep = 0
    $global:SoakWrites = 0
    $global:SoakStart = Get-Date
}

function Write-SoakLine([string]$Op, [string]$Status, [double]$Ms, [string]$Detail = '') {
    $text = $Detail -replace '\s+', ' '
    Write-Host ("SOAK {0} {1} {2} {3:F2} {4}" -f $global:SoakActor, $Op, $Status, $Ms, $text)
}

function Invoke-SoakStep {
    $roles = @('Reader', 'Contributor', 'Monitoring Reader', 'Log Analytics Reader', 'Key Vault Secrets User', 'Storage Blob Data Reader')
    $p = $global:SoakPrincipal
    $rg = $global:SoakRg
    $global:SoakStep = $global:SoakStep + 1
    $t0 = Get-Date
    if ($global:SoakStep % 5 -eq 0) {
        try {
            $all = @(Get-AzRoleAssignment -ErrorAction Stop)
            Write-SoakLine 'list' 'ok' ((Get-Date) - $t0).TotalMilliseconds "$($all.Count)"
        } catch {
            Write-SoakLine 'list' 'fail' ((Get-Date) - $t0).TotalMilliseconds $_.Exception.Message
        }
        return
    }
    $role = $roles[$global:SoakWrites % $roles.Count]
    $global:SoakWrites = $global:SoakWrites + 1
    if ($global:SoakHeld.ContainsKey($role)) {
        try {
            Remove-AzRoleAssignment -ObjectId $p -RoleDefinitionName $role -ResourceGroupName $rg -ErrorAction Stop | Out-Null
        } catch {
            Write-SoakLine 'remove' 'fail' ((Get-Date) - $t0).TotalMilliseconds $_.Exception.Message
            return
        }
        $ms = ((Get-Date) - $t0).TotalMilliseconds
        $name = $global:SoakHeld[$role]
        $global:SoakHeld.Remove($role)
        try {
            $left = @(Get-AzRoleAssignment -ObjectId $p -RoleDefinitionName $role -ResourceGroupName $rg -ErrorAction Stop)
        } catch {
            Write-SoakLine 'remove' 'readfail' $ms $_.Exception.Message
            return
        }
        if ($left.Count -eq 0) { Write-SoakLine 'remove' 'ok' $ms "$name $role" }
        else { Write-SoakLine 'remove' 'invisible' $ms "$role still listed $($left.Count) time(s)" }
    } else {
        try {
            $ra = New-AzRoleAssignment -ObjectId $p -RoleDefinitionName $role -ResourceGroupName $rg -ErrorAction Stop
        } catch {
            Write-SoakLine 'new' 'fail' ((Get-Date) - $t0).TotalMilliseconds $_.Exception.Message
            return
        }
        $ms = ((Get-Date) - $t0).TotalMilliseconds
        $global:SoakHeld[$role] = $ra.RoleAssignmentName
        try {
            $seen = @(Get-AzRoleAssignment -ObjectId $p -RoleDefinitionName $role -ResourceGroupName $rg -ErrorAction Stop)
        } catch {
            Write-SoakLine 'new' 'readfail' $ms $_.Exception.Message
            return
        }
        if ($seen.Count -eq 1 -and $seen[0].RoleAssignmentName -eq $ra.RoleAssignmentName) { Write-SoakLine 'new' 'ok' $ms "$($ra.RoleAssignmentName) $role" }
        else { Write-SoakLine 'new' 'invisible' $ms "$role $($ra.RoleAssignmentName) listed $($seen.Count) time(s)" }
    }
}

function Write-SoakHeld {
    foreach ($e in $global:SoakHeld.GetEnumerator()) { Write-Host "SOAK $($global:SoakActor) held $($e.Value) $($e.Key)" }
    $elapsed = ((Get-Date) - $global:SoakStart).TotalSeconds
    Write-Host ("SOAK {0} done {1} {2:F3}" -f $global:SoakActor, $global:SoakStep, $elapsed)
}
"""

#: The shell actor: set up, say ready, wait for the go file (at most 120 s), loop until the deadline.
SOAK_SCRIPT = r"""param([string]$Actor, [double]$Seconds = 10, [string]$ReadyFile, [string]$GoFile, [int]$MaxSteps = 100000)
""" + SOAK_FUNCTIONS + r"""
Initialize-Soak $Actor
Set-Content -Path $ReadyFile -Value 'ready'
$wait = 0
while (-not (Test-Path $GoFile) -and $wait -lt 2400) { Start-Sleep -Milliseconds 50; $wait++ }
$global:SoakStart = Get-Date
$deadline = $global:SoakStart.AddSeconds($Seconds)
while ((Get-Date) -lt $deadline -and $global:SoakStep -lt $MaxSteps) { Invoke-SoakStep }
Write-SoakHeld
"""

LINE = re.compile(r"^SOAK (\S+) (\S+) (.*)$")
LOCKED = re.compile(r"database is locked|database table is locked|SQLITE_BUSY|state file \S+ is busy", re.I)
TRACEBACK = "Traceback (most recent call last)"
SERVER_5XX = re.compile(r"-> 5\d\d\b")
#: statuses of an operation: done; failed and told so; done according to the caller but not what a re-read sees
OK, REPORTED = "ok", {"fail", "readfail", "error", "http4xx"}
SILENT = {"invisible", "mismatch"}
WRITE_OPS = {"new", "remove", "kv_set"}
#: what the kernel's driver does around the kernel's own steps (not counted in the kernel's ops/s)
DRIVER_OPS = {"cell", "seen"}


# ------------------------------------------------------------------------------------------------ environment
def _env(**extra: str) -> dict[str, str]:
    """The environment of every process of the soak: no proxy of the machine, the checked-out code."""
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "kernel")])
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def seed(state: str, actors: list[str]) -> dict[str, str]:
    """rg1 and vm1 (system-assigned identity, Reader on the subscription so it may list role assignments), the
    vault ``soakkv`` (access policy: vm1 may get, list, set and delete secrets) and, per actor, the resource group
    ``soak-<actor>`` holding the user-assigned identity ``id-<actor>``. Returns the IDs the clients need."""
    from azshell.http import make_client
    from azshell.planes.base import CallerContext
    from azshell.services.registry import open_world

    world = open_world(state)
    try:
        sub = world.default_subscription_id
        rg = world.backend.create_or_update_resource_group(sub, "rg1", LOCATION)
        vm = world.backend.create_or_update_vm(sub, "rg1", VM, LOCATION, identity_type="SystemAssigned")
        assert vm.identity is not None and vm.identity.principal_id is not None
        world.backend.create_role_assignment(scope=f"/subscriptions/{sub}", role_definition_id=READER_ROLE_ID,
                                             principal_id=vm.identity.principal_id)
        for actor in actors:
            world.backend.create_or_update_resource_group(sub, f"soak-{actor}", LOCATION)
            world.backend.create_or_update_user_assigned_identity(sub, f"soak-{actor}", f"id-{actor}", LOCATION)
        admin = world.admin_user

        def bearer(resource: str) -> dict[str, str]:
            issued = world.tokens.issue_for_principal(principal=admin, resource=resource, kind="user")
            return {"Authorization": f"Bearer {issued.access_token}"}

        everything = ["get", "list", "set", "delete"]
        policies = [{"tenantId": world.tenant_id, "objectId": admin.object_id, "permissions": {"secrets": ["all"]}},
                    {"tenantId": world.tenant_id, "objectId": vm.identity.principal_id,
                     "permissions": {"secrets": everything}}]
        with make_client(world, lambda: CallerContext()) as client:
            r = client.put(f"https://management.azure.com{rg.id}/providers/Microsoft.KeyVault/vaults/{VAULT}",
                           params={"api-version": "2023-07-01"}, headers=bearer(ARM_RESOURCE),
                           json={"location": LOCATION, "properties": {
                               "tenantId": world.tenant_id, "sku": {"family": "A", "name": "standard"},
                               "enableRbacAuthorization": False, "accessPolicies": policies}})
            assert r.status_code in (200, 201), r.text
        return {"subscription": sub, "rg": rg.id, "vault": VAULT}
    finally:
        world.close()


# ------------------------------------------------------------------------------------------------ actors (children)
def _wait_for(path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)


def _emit(lock: threading.Lock, text: str) -> None:
    with lock:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def kernel_actor(actor: str, seconds: float, ready_file: str, go_file: str, max_steps: int,
                 proxy: str | None = None, ca_file: str | None = None, subscription: str | None = None) -> int:
    """Drive the azshell Jupyter kernel (kernelspec from ``$JUPYTER_PATH``, state from ``$AZSHELL_STATE``): the
    soak functions in one cell, then one ``Invoke-SoakStep`` cell per step. Prints the kernel's ``SOAK`` lines,
    a ``cell`` line per step (the round trip) and anything unexpected (errors, stderr) on stderr.

    With ``proxy``, each write the kernel reports done is then looked up through ``azshell serve`` (another
    process: ARM GET of the role assignment, 200 after ``new``, 404 after ``remove``): a ``seen`` line."""
    import httpx
    from jupyter_client.manager import KernelManager

    lock = threading.Lock()
    peer: httpx.Client | None = None
    arm_token = ""
    if proxy is not None and ca_file is not None:
        peer = httpx.Client(proxy=proxy, verify=ssl.create_default_context(cafile=ca_file), trust_env=False,
                            timeout=60)
        r = peer.get(IMDS_TOKEN, params={"api-version": "2018-02-01", "resource": ARM_RESOURCE},
                     headers={"Metadata": "true"})
        r.raise_for_status()
        arm_token = r.json()["access_token"]

    def seen(line: str) -> None:
        m = re.match(r"^SOAK \S+ (new|remove) ok \S+ (\S+) ", line)
        if peer is None or m is None:
            return
        op, name = m.groups()
        url = (f"https://management.azure.com/subscriptions/{subscription}/resourceGroups/soak-{actor}/providers/"
               f"Microsoft.Authorization/roleAssignments/{name}")
        t0 = time.perf_counter()
        try:
            r = peer.get(url, params={"api-version": RA_API}, headers={"Authorization": f"Bearer {arm_token}"})
        except httpx.HTTPError as exc:
            _emit(lock, f"SOAK {actor} seen error {(time.perf_counter() - t0) * 1000:.2f} {type(exc).__name__}")
            return
        ms = (time.perf_counter() - t0) * 1000
        want = 200 if op == "new" else 404
        status = OK if r.status_code == want else "5xx" if r.status_code >= 500 else "invisible"
        detail = "" if status == OK else f"after {op} of {name} the server answers {r.status_code}: {r.text[:200]}"
        _emit(lock, f"SOAK {actor} seen {status} {ms:.2f} {detail}".rstrip())

    km = KernelManager(kernel_name="azshell")
    km.start_kernel()
    kc = km.blocking_client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)

        def run(code: str) -> tuple[str, list[str]]:
            texts: list[str] = []

            def hook(msg: dict[str, Any]) -> None:
                kind, content = msg["msg_type"], msg["content"]
                if kind == "stream":
                    if content["name"] == "stderr":
                        _emit(lock, f"SOAK {actor} stderr fail 0 {content['text']!r}")
                        print(content["text"], file=sys.stderr, flush=True)
                    texts.extend(content["text"].splitlines())
                elif kind in ("execute_result", "display_data"):
                    texts.extend(str(content["data"].get("text/plain", "")).splitlines())
                elif kind == "error":
                    print(f"kernel error in {code[:40]!r}: {content['ename']}: {content['evalue']}",
                          file=sys.stderr, flush=True)
                    for line in content.get("traceback", []):
                        print(line, file=sys.stderr, flush=True)

            reply = kc.execute_interactive(code, output_hook=hook, timeout=120, allow_stdin=False)
            return str(reply["content"]["status"]), texts

        status, texts = run(SOAK_FUNCTIONS + f"\nInitialize-Soak '{actor}'\n")
        if status != "ok":
            print(f"kernel set-up failed: {texts}", file=sys.stderr)
            return 1
        Path(ready_file).write_text("ready")
        _wait_for(go_file, 120)
        run("$global:SoakStart = Get-Date")
        deadline = time.monotonic() + seconds
        steps = 0
        while time.monotonic() < deadline and steps < max_steps:
            steps += 1
            t0 = time.perf_counter()
            status, texts = run("Invoke-SoakStep")
            ms = (time.perf_counter() - t0) * 1000
            for line in texts:
                _emit(lock, line)
            _emit(lock, f"SOAK {actor} cell {'ok' if status == 'ok' else 'fail'} {ms:.2f} {status}")
            for line in texts:
                seen(line)
        _, texts = run("Write-SoakHeld")
        for line in texts:
            _emit(lock, line)
        return 0
    finally:
        if peer is not None:
            peer.close()
        kc.stop_channels()
        km.shutdown_kernel(now=False)


def http_actor(actor: str, threads: int, seconds: float, ready_file: str, go_file: str, max_steps: int,
               proxy: str, ca_file: str, subscription: str, rg_id: str, vault: str) -> int:
    """``threads`` keep-alive httpx clients through the proxy, each cycling: IMDS token, ARM GET resource group,
    Key Vault set secret, get secret (must read what it wrote), ARM GET the subscription's role assignments."""
    import httpx

    lock = threading.Lock()
    trust = ssl.create_default_context(cafile=ca_file)
    kv = f"https://{vault}.vault.azure.net"
    arm = "https://management.azure.com"
    ready = threading.Barrier(threads + 1)
    go = threading.Event()
    finals: dict[str, str] = {}
    set_up_failed: list[str] = []

    def worker(n: int) -> None:
        name = f"soak-{actor}-{n}"
        tokens: dict[str, str] = {}
        last_value: str | None = None
        with httpx.Client(proxy=proxy, verify=trust, trust_env=False, timeout=60) as client:

            def token(resource: str) -> httpx.Response:
                r = client.get(IMDS_TOKEN, params={"api-version": "2018-02-01", "resource": resource},
                               headers={"Metadata": "true"})
                if r.status_code == 200:
                    tokens[resource] = r.json()["access_token"]
                return r

            try:
                for resource in (ARM_RESOURCE, KV_RESOURCE):
                    r = token(resource)
                    if r.status_code != 200:
                        set_up_failed.append(f"token {resource}: {r.status_code} {r.text[:200]}")
            except httpx.HTTPError as exc:
                set_up_failed.append(f"token: {type(exc).__name__}: {exc}")
            try:
                ready.wait(timeout=READY_TIMEOUT)
            except threading.BrokenBarrierError:
                return
            go.wait(timeout=READY_TIMEOUT)
            deadline = time.monotonic() + seconds
            step = 0
            while time.monotonic() < deadline and step < max_steps:
                kind = ("token", "arm_rg", "kv_set", "kv_get", "arm_ra")[step % 5]
                step += 1
                value = f"v{step}-{time.time_ns()}"
                t0 = time.perf_counter()
                try:
                    if kind == "token":
                        r = token(ARM_RESOURCE if step % 2 else KV_RESOURCE)
                    elif kind == "arm_rg":
                        r = client.get(f"{arm}{rg_id}", params={"api-version": RG_API},
                                       headers={"Authorization": f"Bearer {tokens.get(ARM_RESOURCE, '')}"})
                    elif kind == "kv_set":
                        r = client.put(f"{kv}/secrets/{name}", params={"api-version": KV_API}, json={"value": value},
                                       headers={"Authorization": f"Bearer {tokens.get(KV_RESOURCE, '')}"})
                    elif kind == "kv_get":
                        r = client.get(f"{kv}/secrets/{name}", params={"api-version": KV_API},
                                       headers={"Authorization": f"Bearer {tokens.get(KV_RESOURCE, '')}"})
                    else:
                        r = client.get(f"{arm}/subscriptions/{subscription}/providers/Microsoft.Authorization/"
                                       "roleAssignments", params={"api-version": RA_API},
                                       headers={"Authorization": f"Bearer {tokens.get(ARM_RESOURCE, '')}"})
                except httpx.HTTPError as exc:
                    ms = (time.perf_counter() - t0) * 1000
                    _emit(lock, f"SOAK {actor} {kind} error {ms:.2f} {type(exc).__name__}: {exc}".replace("\n", " "))
                    continue
                ms = (time.perf_counter() - t0) * 1000
                detail = ""
                if r.status_code >= 500:
                    status, detail = "5xx", f"{r.status_code} {r.text[:300]}"
                elif r.status_code >= 300:
                    status, detail = "http4xx", f"{r.status_code} {r.text[:300]}"
                else:
                    status = OK
                    if kind == "kv_set":
                        last_value = value
                    elif kind == "kv_get":
                        got = r.json().get("value")
                        if last_value is not None and got != last_value:
                            status, detail = "mismatch", f"wrote {last_value!r}, read {got!r}"
                _emit(lock, f"SOAK {actor} {kind} {status} {ms:.2f} {detail}".replace("\n", " ").rstrip())
        if last_value is not None:
            with lock:
                finals[name] = last_value

    pool = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(threads)]
    for t in pool:
        t.start()
    try:
        ready.wait(timeout=READY_TIMEOUT)
    except threading.BrokenBarrierError:
        print("http actor: threads did not get ready", file=sys.stderr)
        return 1
    if set_up_failed:
        print(f"http actor: set-up failed: {set_up_failed}", file=sys.stderr)
    Path(ready_file).write_text("ready")
    _wait_for(go_file, 120)
    t0 = time.perf_counter()
    go.set()
    for t in pool:
        t.join(timeout=seconds + STOP_GRACE)
    elapsed = time.perf_counter() - t0
    for name, value in sorted(finals.items()):
        _emit(lock, f"SOAK {actor} secret {name} {value}")
    _emit(lock, f"SOAK {actor} done {threads} {elapsed:.3f}")
    return 0


# ------------------------------------------------------------------------------------------------ the harness
@dataclass
class Proc:
    name: str
    kind: str  # server, shell, kernel, http
    popen: subprocess.Popen[bytes]
    out: Path
    err: Path
    ready: Path | None = None

    def output(self) -> tuple[str, str]:
        return (self.out.read_text("utf-8", "replace") if self.out.exists() else "",
                self.err.read_text("utf-8", "replace") if self.err.exists() else "")


@dataclass
class OpStats:
    statuses: Counter[str] = field(default_factory=Counter)
    ms: list[float] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(self.statuses.values())


@dataclass
class ActorReport:
    name: str
    kind: str
    ops: dict[str, OpStats] = field(default_factory=lambda: defaultdict(OpStats))
    seconds: float = 0.0
    done: bool = False
    exit_code: int | None = None
    held: dict[str, str] = field(default_factory=dict)  # role assignment name -> role
    secrets: dict[str, str] = field(default_factory=dict)  # secret name -> last value written
    problems: list[str] = field(default_factory=list)  # failed or silent ops, with their messages

    @property
    def total(self) -> int:
        return sum(s.count for op, s in self.ops.items() if op not in DRIVER_OPS)


@dataclass
class SoakReport:
    seconds: float
    actors: list[ActorReport] = field(default_factory=list)
    client_5xx: int = 0
    server_5xx: int = 0
    locked: list[str] = field(default_factory=list)  # lines of any output mentioning a locked/busy database
    tracebacks: list[str] = field(default_factory=list)  # process: first lines of a traceback
    unexpected: list[str] = field(default_factory=list)  # other stderr output of an actor, set-up failures
    writes_ok: int = 0
    writes_failed: int = 0  # each reported to its caller as an error
    silent: int = 0  # reported done, not what the next read saw
    failed_ops: int = 0  # any operation reported failed (writes included)
    integrity: str = "not checked"
    believed: set[str] = field(default_factory=set)
    in_store: set[str] = field(default_factory=set)
    listed_by_server: set[str] | None = None
    secrets_believed: dict[str, str] = field(default_factory=dict)
    secrets_served: dict[str, str] = field(default_factory=dict)
    server_exit: int | None = None

    @property
    def consistent(self) -> bool:
        return (self.believed == self.in_store and self.listed_by_server == self.believed
                and self.secrets_served == self.secrets_believed)

    def problems(self) -> list[str]:
        """Everything that breaks issue 14's contract (empty: the soak ran clean)."""
        out: list[str] = []
        if self.client_5xx or self.server_5xx:
            out.append(f"5xx: {self.client_5xx} seen by clients, {self.server_5xx} logged by the server")
        out += [f"locked/busy: {x}" for x in self.locked[:10]]
        out += [f"traceback: {x}" for x in self.tracebacks[:10]]
        out += [f"unexpected output: {x}" for x in self.unexpected[:10]]
        if self.silent:
            out.append(f"{self.silent} operation(s) reported done but not seen on the next read")
        if self.failed_ops:
            out.append(f"{self.failed_ops} operation(s) failed (reported to the caller)")
        for a in self.actors:
            out += [f"{a.name}: {p}" for p in a.problems[:10]]
            if not a.done:
                out.append(f"{a.name}: did not finish (exit code {a.exit_code})")
            elif a.total == 0:
                out.append(f"{a.name}: did no operation")
        if self.integrity != "ok":
            out.append(f"integrity_check: {self.integrity}")
        if self.believed != self.in_store:
            out.append(f"role assignments: believed but not in the store {sorted(self.believed - self.in_store)}, "
                       f"in the store but not believed {sorted(self.in_store - self.believed)}")
        if self.listed_by_server != self.believed:
            listed = self.listed_by_server
            out.append("role assignments listed by the server differ from the believed ones: "
                       + ("not listed" if listed is None else
                          f"missing {sorted(self.believed - listed)}, extra {sorted(listed - self.believed)}"))
        if self.secrets_served != self.secrets_believed:
            out.append(f"secrets: written {self.secrets_believed}, served {self.secrets_served}")
        if self.server_exit != 0:
            out.append(f"azshell serve exited with {self.server_exit}")
        return out


def _start(name: str, kind: str, args: list[str], folder: Path, env: dict[str, str],
           ready: Path | None = None) -> Proc:
    out, err = folder / f"{name}.out", folder / f"{name}.err"
    with open(out, "wb") as fo, open(err, "wb") as fe:
        popen = subprocess.Popen(args, cwd=folder, env=env, stdin=subprocess.DEVNULL, stdout=fo, stderr=fe,
                                 start_new_session=True)
    return Proc(name, kind, popen, out, err, ready)


def _stop(proc: Proc, timeout: float) -> int | None:
    """Wait for ``proc`` (``timeout`` s), then SIGTERM, then SIGKILL its process group (it started one)."""
    try:
        return proc.popen.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 15)):
        try:
            os.killpg(proc.popen.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.popen.wait(timeout=wait)
            return None
        except subprocess.TimeoutExpired:
            continue
    return None


def _start_server(state: str, folder: Path, env: dict[str, str]) -> tuple[Proc, dict[str, str]]:
    proc = _start("server", "server", [sys.executable, "-m", "azshell", "serve", "--vm", VM, "--state", state,
                                       "--port", "0"], folder, env)
    exports: dict[str, str] = {}
    deadline = time.monotonic() + 60
    while "SSL_CERT_FILE" not in exports and time.monotonic() < deadline and proc.popen.poll() is None:
        time.sleep(0.05)
        for line in proc.out.read_text().splitlines():
            m = re.match(r"^export ([A-Z_]+)=(.*)$", line.strip())
            if m:
                exports[m.group(1)] = m.group(2).strip("'")
    if "SSL_CERT_FILE" not in exports:
        _stop(proc, 0)
        raise RuntimeError(f"azshell serve did not start: {proc.output()[1][-2000:]}")
    return proc, exports


def _percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return 0.0
    k = max(0, min(len(sorted_ms) - 1, round(q * (len(sorted_ms) - 1))))
    return sorted_ms[k]


def parse_actor(proc: Proc, report: SoakReport) -> ActorReport:
    actor = ActorReport(proc.name, proc.kind, exit_code=proc.popen.returncode)
    out, err = proc.output()
    for raw in out.splitlines():
        m = LINE.match(raw.strip())
        if not m:
            continue
        who, op, rest = m.groups()
        if op == "held":
            name, _, role = rest.partition(" ")
            actor.held[name] = role
            continue
        if op == "secret":
            name, _, value = rest.partition(" ")
            actor.secrets[name] = value
            continue
        if op == "done":
            actor.done = True
            parts = rest.split()
            actor.seconds = float(parts[1]) if len(parts) > 1 else 0.0
            continue
        if op == "ready":
            continue
        parts = rest.split(" ", 2)
        status, ms = parts[0], float(parts[1]) if len(parts) > 1 else 0.0
        detail = parts[2] if len(parts) > 2 else ""
        stats = actor.ops[op]
        stats.statuses[status] += 1
        stats.ms.append(ms)
        if status == "5xx":
            report.client_5xx += 1
        if status in SILENT:
            report.silent += 1
        if status in REPORTED or status == "5xx":
            report.failed_ops += 1
        if status not in (OK,):
            actor.problems.append(f"{op} {status}: {detail[:300]}")
        if op in WRITE_OPS:
            if status == OK:
                report.writes_ok += 1
            elif status in REPORTED or status == "5xx":
                report.writes_failed += 1
    if proc.kind == "shell" and err.strip():
        report.unexpected.append(f"{proc.name} stderr: {err.strip()[:500]}")
    if proc.kind in ("kernel", "http") and err.strip():
        # jupyter_client and the kernel may note harmless things on stderr; anything naming an error counts
        for line in err.splitlines():
            if re.search(r"error|exception|fail", line, re.I):
                report.unexpected.append(f"{proc.name} stderr: {line[:300]}")
    return actor


def scan_output(proc: Proc, report: SoakReport) -> None:
    """Locked/busy database and tracebacks in anything a process wrote; 5xx the server logged."""
    for text in proc.output():
        for line in text.splitlines():
            if LOCKED.search(line):
                report.locked.append(f"{proc.name}: {line.strip()[:300]}")
            if TRACEBACK in line:
                report.tracebacks.append(f"{proc.name}: {line.strip()[:300]}")
            if proc.kind == "server" and SERVER_5XX.search(line):
                report.server_5xx += 1
                report.unexpected.append(f"server: {line.strip()[:300]}")


def _served_view(exports: dict[str, str], ids: dict[str, str],
                 secrets: dict[str, str]) -> tuple[set[str] | None, dict[str, str], list[str]]:
    """The soak's role assignments and the HTTP actor's secrets as the server (another process) answers them."""
    import httpx

    problems: list[str] = []
    trust = ssl.create_default_context(cafile=exports["SSL_CERT_FILE"])
    with httpx.Client(proxy=exports["HTTPS_PROXY"], verify=trust, trust_env=False, timeout=60) as c:
        def token(resource: str) -> str:
            r = c.get(IMDS_TOKEN, params={"api-version": "2018-02-01", "resource": resource},
                      headers={"Metadata": "true"})
            r.raise_for_status()
            return str(r.json()["access_token"])

        listed: set[str] | None = None
        r = c.get(f"https://management.azure.com/subscriptions/{ids['subscription']}/providers/"
                  "Microsoft.Authorization/roleAssignments", params={"api-version": RA_API},
                  headers={"Authorization": f"Bearer {token(ARM_RESOURCE)}"})
        if r.status_code == 200:
            listed = {ra["name"] for ra in r.json()["value"]
                      if "/resourcegroups/soak-" in ra["properties"]["scope"].lower()}
        else:
            problems.append(f"listing role assignments through the server: {r.status_code} {r.text[:300]}")
        served: dict[str, str] = {}
        kv_token = token(KV_RESOURCE)
        for name in secrets:
            r = c.get(f"https://{ids['vault']}.vault.azure.net/secrets/{name}", params={"api-version": KV_API},
                      headers={"Authorization": f"Bearer {kv_token}"})
            if r.status_code == 200:
                served[name] = r.json()["value"]
            else:
                problems.append(f"reading secret {name} through the server: {r.status_code} {r.text[:300]}")
    return listed, served, problems


def _store_view(state: str) -> tuple[str, set[str]]:
    """``PRAGMA integrity_check`` and the soak's role assignments, read with sqlite3 alone."""
    db = sqlite3.connect(state, timeout=30)
    try:
        integrity = "; ".join(str(r[0]) for r in db.execute("PRAGMA integrity_check").fetchall())
        names = {str(r[0]) for r in db.execute(
            "SELECT name FROM role_assignments WHERE lower(scope) LIKE '%/resourcegroups/soak-%'")}
        return integrity, names
    finally:
        db.close()


def run_soak(folder: str, *, seconds: float = SECONDS, shells: int = SHELLS, kernels: int = KERNELS,
             threads: int = HTTP_THREADS, max_steps: int = MAX_STEPS, log: Any = None) -> SoakReport:
    """Seed a state file in ``folder``, run the soak for ``seconds`` and check the contract (see the module)."""
    say = log or (lambda text: None)
    base = Path(folder)
    state = str(base / "state.db")
    shell_names = [f"shell{i + 1}" for i in range(shells)]
    kernel_names = [f"kernel{i + 1}" for i in range(kernels)]
    ids = seed(state, shell_names + kernel_names)
    jupyter = base / "jupyter"
    env = _env(AZSHELL_HOME=str(base / "home"), AZSHELL_STATE=state,
               JUPYTER_PATH=str(jupyter / "share" / "jupyter"), JUPYTER_DATA_DIR=str(jupyter / "data"),
               JUPYTER_CONFIG_DIR=str(jupyter / "config"), JUPYTER_RUNTIME_DIR=str(jupyter / "runtime"),
               IPYTHONDIR=str(jupyter / "ipython"), JUPYTER_PLATFORM_DIRS="1")
    if kernels:
        done = subprocess.run([sys.executable, "-m", "azshell", "kernel", "install", "--prefix", str(jupyter)],
                              cwd=base, env=env, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"azshell kernel install failed: {done.stderr}")
    script = base / "soak.ps1"
    script.write_text(SOAK_SCRIPT)
    go = base / "go"
    report = SoakReport(seconds)
    server, exports = _start_server(state, base, env)
    say(f"azshell serve on {exports['HTTPS_PROXY']}; state {state}")
    actors: list[Proc] = []
    try:
        for name in shell_names:
            ready = base / f"{name}.ready"
            actors.append(_start(name, "shell", [
                sys.executable, "-m", "azshell", "--state", state, str(script), "-Actor", name, "-Seconds",
                str(seconds), "-ReadyFile", str(ready), "-GoFile", str(go), "-MaxSteps", str(max_steps)],
                base, env, ready))
        me = [sys.executable, "-m", "benchmarks.bench_soak"]
        for name in kernel_names:
            ready = base / f"{name}.ready"
            actors.append(_start(name, "kernel", [
                *me, "kernel-actor", name, "--seconds", str(seconds), "--ready", str(ready), "--go", str(go),
                "--max-steps", str(max_steps), "--proxy", exports["HTTPS_PROXY"], "--ca", exports["SSL_CERT_FILE"],
                "--subscription", ids["subscription"]], base, env, ready))
        if threads:
            ready = base / "http.ready"
            actors.append(_start("http", "http", [
                *me, "http-actor", "http", "--threads", str(threads), "--seconds", str(seconds), "--ready",
                str(ready), "--go", str(go), "--max-steps", str(max_steps), "--proxy", exports["HTTPS_PROXY"],
                "--ca", exports["SSL_CERT_FILE"], "--subscription", ids["subscription"], "--rg", ids["rg"],
                "--vault", ids["vault"]], base, env, ready))
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            waiting = [a for a in actors if a.ready is not None and not a.ready.exists()]
            dead = [a for a in waiting if a.popen.poll() is not None]
            if not waiting or dead:
                break
            time.sleep(0.05)
        not_ready = [a.name for a in actors if a.ready is not None and not a.ready.exists()]
        if not_ready:
            report.unexpected.append(f"not ready after set-up: {', '.join(not_ready)}")
        say(f"{len(actors)} actors ready; go for {seconds:g} s")
        go.write_text("go")
        for a in actors:
            _stop(a, seconds + STOP_GRACE)
        say("actors finished; cross-checking")
        believed: set[str] = set()
        secrets: dict[str, str] = {}
        for a in actors:
            parsed = parse_actor(a, report)
            report.actors.append(parsed)
            believed |= set(parsed.held)
            secrets.update(parsed.secrets)
        report.believed = believed
        report.secrets_believed = secrets
        try:
            listed, served, problems = _served_view(exports, ids, secrets)
            report.listed_by_server, report.secrets_served = listed, served
            report.unexpected += problems
        except Exception as exc:  # the server is gone or answers nonsense: that is a finding, not a crash
            report.unexpected.append(f"cross-check through the server failed: {type(exc).__name__}: {exc}")
    finally:
        for a in actors:
            if a.popen.poll() is None:
                _stop(a, 0)
        server.popen.send_signal(signal.SIGTERM)
        report.server_exit = _stop(server, 30)
    for p in [server, *actors]:
        scan_output(p, report)
    report.integrity, report.in_store = _store_view(state)
    return report


# ------------------------------------------------------------------------------------------------ figures
def print_report(report: SoakReport, out: Any = None) -> None:
    out = out or sys.stdout

    def w(text: str = "") -> None:
        print(text, file=out)

    w(f"  {'actor':<9} {'op':<9} {'ops':>6} {'ops/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  not ok")
    for a in report.actors:
        rate = a.total / a.seconds if a.seconds else 0.0
        w(f"  {a.name:<9} {'(all)':<9} {a.total:>6} {rate:>7.1f}   ({a.kind}, {a.seconds:.1f} s)")
        for op in sorted(a.ops):
            s = a.ops[op]
            ms = sorted(s.ms)
            bad = {k: v for k, v in s.statuses.items() if k != OK}
            op_rate = s.count / a.seconds if a.seconds else 0.0
            w(f"  {'':<9} {op:<9} {s.count:>6} {op_rate:>7.1f} {_percentile(ms, 0.5):>8.1f} "
              f"{_percentile(ms, 0.95):>8.1f} {(ms[-1] if ms else 0):>8.1f}  {bad or ''}")
    shells = [a for a in report.actors if a.kind in ("shell", "kernel")]
    w(f"  writes: {report.writes_ok} committed, {report.writes_failed} failed and reported, {report.silent} "
      f"reported done but not seen on re-read; other failed operations: "
      f"{report.failed_ops - report.writes_failed}")
    w(f"  5xx: {report.client_5xx} seen by clients, {report.server_5xx} logged by the server; locked/busy in any "
      f"output: {len(report.locked)}; tracebacks: {len(report.tracebacks)}; other unexpected output: "
      f"{len(report.unexpected)}")
    listed = "-" if report.listed_by_server is None else str(len(report.listed_by_server))
    w(f"  integrity_check: {report.integrity}; role assignments at the end: {len(report.believed)} believed by "
      f"{len(shells)} shells/kernels, {len(report.in_store)} in the store, {listed} listed by the server; "
      f"{len(report.secrets_served)}/{len(report.secrets_believed)} secrets read back as last written; "
      f"serve exit {report.server_exit}")
    problems = report.problems()
    w(f"  verdict: {'CLEAN' if not problems else 'PROBLEMS'}")
    for p in problems[:30]:
        w(f"    ! {p}")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None and __name__ == "__main__" else (argv or [])
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_soak", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="role")
    k = sub.add_parser("kernel-actor")
    h = sub.add_parser("http-actor")
    for q in (k, h):
        q.add_argument("actor")
        q.add_argument("--seconds", type=float, required=True)
        q.add_argument("--ready", required=True)
        q.add_argument("--go", required=True)
        q.add_argument("--max-steps", type=int, default=MAX_STEPS)
    h.add_argument("--threads", type=int, default=HTTP_THREADS)
    for name in ("--proxy", "--ca", "--subscription"):
        k.add_argument(name)
    for name in ("--proxy", "--ca", "--subscription", "--rg", "--vault"):
        h.add_argument(name, required=True)
    p.add_argument("--seconds", type=float, default=SECONDS)
    p.add_argument("--shells", type=int, default=SHELLS)
    p.add_argument("--kernels", type=int, default=KERNELS)
    p.add_argument("--threads", type=int, default=HTTP_THREADS)
    p.add_argument("--keep", action="store_true", help="keep the folder with the state file and every output")
    ns = p.parse_args(args)
    if ns.role == "kernel-actor":
        return kernel_actor(ns.actor, ns.seconds, ns.ready, ns.go, ns.max_steps, ns.proxy, ns.ca, ns.subscription)
    if ns.role == "http-actor":
        return http_actor(ns.actor, ns.threads, ns.seconds, ns.ready, ns.go, ns.max_steps, ns.proxy, ns.ca,
                          ns.subscription, ns.rg, ns.vault)
    folder = tempfile.mkdtemp(prefix="azshell-soak-")
    print(f"  soak: {ns.seconds:g} s; {ns.shells} shell script(s), {ns.kernels} Jupyter kernel(s), {ns.threads} "
          f"httpx thread(s) through the proxy, azshell serve; one state file ({os.cpu_count()} CPUs)", flush=True)
    t0 = time.perf_counter()
    try:
        report = run_soak(folder, seconds=ns.seconds, shells=ns.shells, kernels=ns.kernels, threads=ns.threads,
                          log=lambda text: print(f"  .. {text}", flush=True))
    finally:
        if not ns.keep:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
    print_report(report)
    print(f"  wall time {time.perf_counter() - t0:.1f} s" + (f"; files kept in {folder}" if ns.keep else ""))
    if report.problems():
        raise RuntimeError(f"the soak found {len(report.problems())} problem(s)")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except RuntimeError as e:
        print(f"  {e}", file=sys.stderr)
        raise SystemExit(1) from None
