"""Under CI a missing tool, package or reference file fails the test; elsewhere it skips (tests/conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import in_ci, require_file, require_module, require_tool, skip_or_fail

pytest_plugins = ["pytester"]

TESTS = Path(__file__).resolve().parent
MISSING_TOOL = "azshell-no-such-tool"
MISSING_MODULE = "azshell_no_such_module"


@pytest.fixture(params=[False, True], ids=["dev", "ci"])
def ci(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    if request.param:
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.delenv("CI", raising=False)
    return bool(request.param)


def outcome(ci: bool) -> type[BaseException]:
    return pytest.fail.Exception if ci else pytest.skip.Exception


@pytest.mark.parametrize(("value", "expected"), [
    (None, False), ("", False), ("0", False), ("false", False), ("No", False),
    ("true", True), ("1", True), ("yes", True), ("TRUE", True)])
def test_in_ci_reads_the_ci_variable(monkeypatch: pytest.MonkeyPatch, value: str | None, expected: bool) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert in_ci() is expected


def test_skip_or_fail(ci: bool) -> None:
    with pytest.raises(outcome(ci), match="^gone: CI must provide it$" if ci else "^gone$"):
        skip_or_fail("gone")


def test_missing_tool(ci: bool) -> None:
    message = f"{MISSING_TOOL} is not installed" + (f": CI must provide {MISSING_TOOL}: .ci/run installs it"
                                                    if ci else "")
    with pytest.raises(outcome(ci), match=f"^{re.escape(message)}$"):
        require_tool(MISSING_TOOL)


def test_missing_module(ci: bool) -> None:
    with pytest.raises(outcome(ci), match=f"could not import '{MISSING_MODULE}'") as info:
        require_module(MISSING_MODULE)
    assert ("`test` extras" in str(info.value)) is ci


def test_missing_file(ci: bool, tmp_path: Path) -> None:
    with pytest.raises(outcome(ci), match="is not present" + (": CI must provide the reference files" if ci else "$")):
        require_file(tmp_path / "nothing-here.json")


def test_present_things_pass_through(ci: bool, tmp_path: Path) -> None:
    assert Path(require_tool("sh")).name == "sh"
    assert require_module("json").dumps(1) == "1"
    assert require_file(tmp_path) == tmp_path


INNER = f"""
import pytest

from tests.conftest import needs_tool, require_module

SET_UP = []


@pytest.fixture
def expensive():
    SET_UP.append(1)


@needs_tool("{MISSING_TOOL}")
def test_tool(expensive):
    pass


def test_module():
    require_module("{MISSING_MODULE}")


def test_zz_tool_checked_before_fixtures():
    assert SET_UP == []
"""


def test_the_needs_tool_mark_in_a_real_run(ci: bool, pytester: pytest.Pytester) -> None:
    """The ``needs_tool`` mark, through the hook in tests/conftest.py: a skip, or under CI an error at set-up."""
    pytester.makeconftest("from tests.conftest import pytest_configure, pytest_runtest_setup  # noqa: F401\n")
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-rs")
    if ci:
        result.assert_outcomes(passed=1, failed=1, errors=1)
        result.stdout.fnmatch_lines([f"*{MISSING_TOOL} is not installed: CI must provide {MISSING_TOOL}: "
                                     ".ci/run installs it*"])
    else:
        result.assert_outcomes(passed=1, skipped=2)
        result.stdout.fnmatch_lines([f"*{MISSING_TOOL} is not installed*"])


# Skips that may stay plain pytest skips (see the comment above skip_or_fail in tests/conftest.py).
ALLOWED = [
    re.compile(r'pytest\.mark\.skipif\(sys\.platform == "win32"'),  # platform, not a missing tool
    re.compile(r'pytest\.importorskip\("tree_sitter(_powershell)?"\)'),  # developer-only (-m dev, `dev` extras)
]
PLAIN_SKIP = re.compile(r"pytest\.importorskip\(|pytest\.skip\(|pytest\.mark\.skipif\(|find_spec\(")


def test_every_skip_for_something_missing_goes_through_skip_or_fail() -> None:
    """A new ``pytest.skip``/``importorskip``/``skipif`` would let CI pass without running the test."""
    plain = []
    for path in sorted(TESTS.rglob("*.py")):
        if path.name == "conftest.py" and path.parent == TESTS or path == Path(__file__).resolve():
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PLAIN_SKIP.search(line) and not any(a.search(line) for a in ALLOWED):
                plain.append(f"{path.relative_to(TESTS)}:{n}: {line.strip()}")
    assert not plain, "use tests.conftest.skip_or_fail/require_tool/require_module/require_file/needs_tool:\n" + \
        "\n".join(plain)
