"""Loading the snippet corpus and the official tutorials' PowerShell command lines (shared by tests and
benchmarks)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).with_name("corpus.txt")
TUTORIALS = Path("/work/shared/reference/tutorials")
if not TUTORIALS.exists():  # a checkout next to the shared folder
    TUTORIALS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "tutorials"


@dataclass
class Snippet:
    code: str
    expected: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def outputs(self) -> list[str]:
        return [e for e in self.expected if not e.startswith("!")]

    @property
    def errors(self) -> list[str]:
        return [e[len("!error"):].strip() for e in self.expected if e.startswith("!error")]

    @property
    def parse_error(self) -> str | None:
        for e in self.expected:
            if e.startswith("!parse-error"):
                return e[len("!parse-error"):].strip()
        return None

    @property
    def parse_only(self) -> bool:
        return "!parse-ok" in self.expected


def load_corpus(path: Path = CORPUS) -> list[Snippet]:
    snippets: list[Snippet] = []
    cur: Snippet | None = None
    for no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if raw.startswith(">>> "):
            cur = Snippet(raw[4:], line=no)
            snippets.append(cur)
        elif raw.startswith("... ") and cur is not None and not cur.expected:
            cur.code += "\n" + raw[4:]
        elif raw.startswith("#") and (cur is None or not raw.startswith("# ")):
            continue
        elif raw.startswith("# "):
            continue
        elif cur is not None:
            cur.expected.append(raw)
    return snippets


@dataclass
class TutorialLine:
    source: str
    line: int
    code: str


_PROMPT = re.compile(r"^PS [A-Za-z]:\\[^>]*> ?")


def tutorial_lines() -> list[TutorialLine]:
    """Every PowerShell command line in the tutorials: all lines of ``*.ps1.txt`` and the lines of the
    ``## ...PowerShell...`` sections of the other files; comments skipped, backtick continuations joined,
    ``PS C:\\>`` prompts removed."""
    out: list[TutorialLine] = []
    for path in sorted(TUTORIALS.glob("*.txt")):
        is_ps1 = path.name.endswith(".ps1.txt")
        in_ps = is_ps1
        pending: TutorialLine | None = None
        for no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if raw.startswith("## "):
                in_ps = is_ps1 or "powershell" in raw.casefold()
                continue
            if not in_ps:
                continue
            if pending is not None:
                pending.code += "\n" + raw
                if not raw.rstrip().endswith("`"):
                    out.append(pending)
                    pending = None
                continue
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            line = _PROMPT.sub("", line)
            item = TutorialLine(path.name, no, line)
            if line.endswith("`"):
                pending = item
            else:
                out.append(item)
    return out


_PLACEHOLDER = re.compile(r"<[^<>\n]+>")


def fill_placeholders(code: str) -> str:
    """Replace ``<SUBSCRIPTION ID>``-style placeholders with plausible values."""
    def repl(m: re.Match[str]) -> str:
        word = re.sub(r"[^A-Za-z0-9]", "", m.group(0)).casefold()
        if "subscription" in word:
            return "00000000-1111-2222-3333-444444444444"
        if "url" in word and "vault" in word:
            return "myvault.vault.azure.net"
        if "resource" in word and "uri" in word:
            return "vault.azure.net"
        if word.startswith("id") or "idof" in word:
            return "11111111-2222-3333-4444-555555555555"
        return "my" + word[:20]
    return _PLACEHOLDER.sub(repl, code)
