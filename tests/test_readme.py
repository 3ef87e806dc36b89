"""The README's first session runs as printed and shows the documented output."""

from __future__ import annotations

import json
import re
from pathlib import Path

from azshell.session import Session
from azshell.world import World

README = Path(__file__).resolve().parent.parent / "README.md"
PROMPT = re.compile(r"^(PS /subscriptions/…> |\[myVM\]: PS C:\\> )")


def test_readme_first_session_runs(world: World) -> None:
    block = README.read_text(encoding="utf-8").split("```powershell", 1)[1].split("```", 1)[0]
    commands = [PROMPT.sub("", line) for line in block.splitlines() if PROMPT.match(line)]
    expected = next(line for line in block.splitlines() if line.startswith("{"))
    s = Session(world=world)
    last = None
    for cmd in commands:
        r = s.execute(cmd)
        assert not r.had_errors, (cmd, [s.render_text(x) for x in r.records])
        outs = [x.value for x in r.records if x.stream == "output"]
        last = outs[-1] if outs else last
    got = json.loads(str(last))
    want = json.loads(expected.replace("…", world.default_subscription_id))
    assert got == want
