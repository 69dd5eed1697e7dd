"""`python -m bot sandbox` works on a fresh machine without a token."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_sandbox_runs_a_scripted_session(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"} | {"PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "-> owner runs /setup set" in out and "Settings saved." in out
    assert "Only members with the Manage Server permission can do this." in out
    assert "unknown time zone 'Mars/Olympus_Mons'" in out
    assert "Your idea #1 is posted" in out and "You voted up ▲ on #1 Mint moustache wax" in out
    assert "**Status: Planned** (was new)" in out and "Following this idea: @alice @bob" in out
    assert "Poll #1 has closed. Winner: **Cedar** with 2 votes (67%)." in out
    assert "**Answer from sam_staff:**" in out and "Yes, next spring!" in out
    assert "Challenge #1 **Moustache parade** is scheduled." in out and ": Hats" in out
    assert out.index("the bot restarts") < out.rindex("Europe/Amsterdam")
    assert "Sandbox session finished." in out
