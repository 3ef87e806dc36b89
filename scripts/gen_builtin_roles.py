"""Generate azshell's packaged built-in role catalogue from the reference files in ``../shared/reference``.

    .venv/bin/python scripts/gen_builtin_roles.py [--reference DIR] [--check]

Reads ``builtin-roles-all.json`` (the roles with a full definition) and ``builtin-roles-index.json`` (every known
role's name and id) and writes ``azshell/model/builtin_roles.json``: one line per role, only what azshell needs at
run time (name, id, description, the permission blocks as published, with their ABAC condition), plus the index
roles that have no definition and the index names that differ from a definition's name; and
``azshell/model/builtin_role_conditions.json``, the roles' ABAC conditions alone (read by access decisions). Strings are copied as they
are (odd capitalisation, duplicate entries and all). It then writes the data's version (a hash of the roles) into
``BUILTIN_ROLES_VERSION`` in ``azshell/model/builtin_roles.py``: state files holding another version get their
built-in definitions refreshed on open.

It prints what looks odd in the reference (it never corrects it). ``--check`` writes nothing and exits 1 when the
packaged files are not what the reference gives.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference"
OUT = ROOT / "azshell" / "model" / "builtin_roles.json"
#: the ABAC conditions alone (a few kB), so that an access decision can see them without loading every role
OUT_CONDITIONS = ROOT / "azshell" / "model" / "builtin_role_conditions.json"
MODULE = ROOT / "azshell" / "model" / "builtin_roles.py"
FORMAT = 2
LISTS = ("actions", "notActions", "dataActions", "notDataActions")
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ACTION = re.compile(r"^[A-Za-z0-9.*/_\-]+$")
VERSION_LINE = re.compile(r'^BUILTIN_ROLES_VERSION = "[0-9a-f]*"$', re.MULTILINE)


def _block(src: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: list(src[k]) for k in LISTS if src.get(k)}
    if src.get("condition") is not None:
        out["condition"] = src["condition"]
        out["conditionVersion"] = src.get("conditionVersion")
    return out


def _role(src: dict[str, Any]) -> dict[str, Any]:
    blocks = src.get("permissionBlocks") or [src]
    return {"roleName": src["roleName"], "id": src["id"], "description": src["description"],
            "permissions": [_block(b) for b in blocks]}


def odd_entries(roles: list[dict[str, Any]], index: list[dict[str, Any]]) -> list[str]:
    """What looks malformed or inconsistent in the reference (reported, never corrected)."""
    notes: list[str] = []
    for key in ("id", "roleName"):
        counts = Counter(str(r[key]).casefold() for r in roles)
        notes += [f"duplicate {key} {k!r}" for k, n in counts.items() if n > 1]
    by_id = {str(r["id"]).lower(): r for r in index}
    for r in roles:
        name = r["roleName"]
        if not GUID.match(r["id"]):
            notes.append(f"{name}: id {r['id']!r} is not a lower-case GUID")
        if r["description"] != r["description"].strip():
            notes.append(f"{name}: description has leading/trailing white space: {r['description']!r}")
        for k in LISTS:
            for s in r.get(k, ()):
                if not isinstance(s, str) or not ACTION.match(s):
                    notes.append(f"{name}: {k} entry {s!r} is not an operation pattern")
            dups = sorted(s for s, n in Counter(r.get(k, ())).items() if n > 1)
            if dups:
                notes.append(f"{name}: {k} lists {', '.join(dups)} twice (kept, as published)")
        if ("condition" in r) != ("conditionVersion" in r):
            notes.append(f"{name}: condition without conditionVersion (or the reverse)")
        blocks = r.get("permissionBlocks")
        if blocks:
            for k in LISTS:
                if [s for b in blocks for s in b.get(k, ())] != list(r.get(k, ())):
                    notes.append(f"{name}: flat {k} is not its permission blocks joined")
            conds = [b.get("condition") for b in blocks if b.get("condition")]
            if conds and conds != [r.get("condition")]:
                notes.append(f"{name}: the role's condition differs from its blocks' condition")
        entry = by_id.get(r["id"].lower())
        if entry is None:
            notes.append(f"{name} ({r['id']}) is not in the index")
        elif entry["roleName"] != name:
            notes.append(f"{name} ({r['id']}) is named {entry['roleName']!r} in the index")
        elif not entry.get("definition"):
            notes.append(f"{name} ({r['id']}) has a definition but the index says it has none")
    defined = {r["id"].lower() for r in roles}
    for e in index:
        if e.get("definition") and e["id"].lower() not in defined:
            notes.append(f"index says {e['roleName']} ({e['id']}) has a definition, but it has none")
    blocks_n = sum(1 for r in roles if r.get("permissionBlocks"))
    notes.append(f"{blocks_n} roles carry several permission blocks (builtin-roles.md says four)"
                 if blocks_n != 4 else "4 roles carry several permission blocks")
    return notes


def conditions_text(out_roles: list[dict[str, Any]], version: str) -> str:
    """``{"version", "conditions": {role id: [[block index, condition, conditionVersion], ...]}}``."""
    conditions = {r["id"]: [[i, b["condition"], b["conditionVersion"]] for i, b in enumerate(r["permissions"])
                            if b.get("condition") is not None]
                  for r in out_roles}
    body = {"version": version, "conditions": {k: v for k, v in conditions.items() if v}}
    return json.dumps(body, ensure_ascii=False, indent=1) + "\n"


def build(reference: Path) -> tuple[str, str, str]:
    """(package data text, conditions text, version) from the reference folder."""
    roles = json.loads((reference / "builtin-roles-all.json").read_text(encoding="utf-8"))
    index = json.loads((reference / "builtin-roles-index.json").read_text(encoding="utf-8"))
    out_roles = [_role(r) for r in roles]
    role_lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in out_roles]
    version = hashlib.sha256("\n".join(role_lines).encode("utf-8")).hexdigest()[:16]
    names = {r["roleName"].casefold() for r in roles}
    by_id = {r["id"].lower(): r for r in roles}
    undefined = [[e["roleName"], e["id"]] for e in index if e["id"].lower() not in by_id]
    other_names = [[e["roleName"], e["id"]] for e in index
                   if e["id"].lower() in by_id and e["roleName"].casefold() not in names]
    head = {"format": FORMAT, "version": version,
            "source": "shared/reference/builtin-roles-all.json and builtin-roles-index.json "
                      "(scripts/gen_builtin_roles.py)"}
    parts = [json.dumps(head, separators=(",", ":"))[:-1] + ',"roles":[',
             ",\n".join(role_lines), "],", '"undefinedRoles":' + json.dumps(undefined, ensure_ascii=False, separators=(",", ":")) + ",",
             '"otherNames":' + json.dumps(other_names, ensure_ascii=False, separators=(",", ":")) + "}"]
    return "\n".join(parts) + "\n", conditions_text(out_roles, version), version


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    ap.add_argument("--check", action="store_true", help="compare instead of writing")
    args = ap.parse_args(argv)
    text, conditions, version = build(args.reference)
    module = MODULE.read_text(encoding="utf-8")
    new_module = VERSION_LINE.sub(f'BUILTIN_ROLES_VERSION = "{version}"', module, count=1)
    if args.check:
        ok = (OUT.exists() and OUT.read_text(encoding="utf-8") == text and new_module == module
              and OUT_CONDITIONS.exists() and OUT_CONDITIONS.read_text(encoding="utf-8") == conditions)
        print("up to date" if ok else "out of date: run scripts/gen_builtin_roles.py")
        return 0 if ok else 1
    roles = json.loads((args.reference / "builtin-roles-all.json").read_text(encoding="utf-8"))
    index = json.loads((args.reference / "builtin-roles-index.json").read_text(encoding="utf-8"))
    for note in odd_entries(roles, index):
        print(f"note: {note}")
    OUT.write_text(text, encoding="utf-8")
    OUT_CONDITIONS.write_text(conditions, encoding="utf-8")
    MODULE.write_text(new_module, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text.encode()):,} bytes, {len(roles)} roles, version {version})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
