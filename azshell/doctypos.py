"""Hints for the typos printed in the official tutorials (reference §1.2).

A learner who types a tutorial's command exactly as printed gets the failure Azure (or PowerShell) would give,
plus one line that names the typo. Each rule looks at the failing command's text, the error and the session's
recent commands; the session attaches the first matching hint to the error record as its suggestion.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from azshell.hostnames import ARM_RESOURCE


@dataclass(frozen=True)
class TypoRule:
    name: str
    applies: Callable[[str, Any, Sequence[str]], bool]
    hint: str


def _message(record: Any) -> str:
    return f"{getattr(record, 'message', '')} {getattr(record, 'error_details', '') or ''}"


_MISSING_BRACE = re.compile(r"-Body\s+@resource\s*=", re.IGNORECASE)
_REPSONSE = re.compile(r"\$repsonse\b", re.IGNORECASE)
_SLASH_PORT = re.compile(r"https?://localhost/\d{2,5}/", re.IGNORECASE)
_PORT_50432 = re.compile(r"localhost:50432\b", re.IGNORECASE)
_EN_DASH_OPTION = re.compile("[\u2013\u2014]-?[A-Za-z]")
_POST_DOLLAR = re.compile(r"-Method\s+POST\$", re.IGNORECASE)

RULES: tuple[TypoRule, ...] = (
    TypoRule(
        "missing-hashtable-brace",
        lambda text, rec, hist: bool(_MISSING_BRACE.search(text)),
        "The 2017 tutorial prints '-Body @resource=\"…\"}' with the '{' missing: a hashtable is written "
        "@{resource=\"" + ARM_RESOURCE + "\"}.",
    ),
    TypoRule(
        "repsonse",
        lambda text, rec, hist: bool(_REPSONSE.search(text))
        or (("401" in _message(rec) or "Authentication" in _message(rec)) and any(_REPSONSE.search(h) for h in hist)),
        "The 2017 tutorial reads '$repsonse.Content' — a misspelling of $response. $repsonse is $null, so "
        "$content and $ArmToken are empty and ARM refuses the call. Use $response.Content.",
    ),
    TypoRule(
        "localhost-slash-port",
        lambda text, rec, hist: bool(_SLASH_PORT.search(text)),
        "The 2017 tutorial prints 'http://localhost/50342/oauth2/token' with '/' where ':' belongs: the MSI "
        "extension listens on http://localhost:50342/oauth2/token.",
    ),
    TypoRule(
        "port-50432",
        lambda text, rec, hist: bool(_PORT_50432.search(text)),
        "The 2017 Linux Key Vault tutorial prints port 50432; the MSI extension listens on 50342.",
    ),
    TypoRule(
        "en-dash-option",
        lambda text, rec, hist: bool(_EN_DASH_OPTION.search(text)),
        "The 2017 tutorial prints '\u2013-request' whose first character is an en dash (\u2013), not a hyphen: curl "
        "takes it, and POST, as two more URLs ('Could not resolve host'). Type --request POST (-d \"\" alone already "
        "makes the call a POST).",
    ),
    TypoRule(
        "method-post-dollar",
        lambda text, rec, hist: bool(_POST_DOLLAR.search(text)),
        "The September 2017 tutorial prints '-Method POST$' with a stray '$': POST$ is no HTTP method. Type "
        "-Method POST.",
    ),
)


def hint_for(text: str, record: Any, history: Sequence[str]) -> str | None:
    """The hint of the first rule that matches this failure, or None."""
    for rule in RULES:
        try:
            if rule.applies(text, record, history):
                return rule.hint
        except Exception:  # a hint must never break error reporting
            continue
    return None
