"""`hotline demo --no-serve`, run as a user would: seeds once, prints sign-ins, keeps them private."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

from hotline.auth.models import Role
from hotline.auth.passwords import verify_password


def _run_demo(instance: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env["HOTLINE_INSTANCE_PATH"] = str(instance)
    hotline = Path(sys.executable).with_name("hotline")
    done = subprocess.run([str(hotline), "demo", "--no-serve", "--reports", "30"], env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    return done.stdout


def test_demo_seeds_once_and_prints_the_same_sign_ins(tmp_path: Path) -> None:
    first = _run_demo(tmp_path)
    second = _run_demo(tmp_path)
    assert "seeding reports 30/30" in first and "already seeded" in second and "seeding reports" not in second
    stored = json.loads((tmp_path / "demo-credentials.json").read_text())
    assert stat.S_IMODE((tmp_path / "demo-credentials.json").stat().st_mode) == 0o600
    for role in Role:
        line = f"{stored[role.value]['email']}"
        assert line in first and line in second and stored[role.value]["password"] in second
    assert "http://127.0.0.1:8000" in second and "generated secrets" in second
    with sqlite3.connect(tmp_path / "hotline.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 30
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == len(Role)
        # Each start prints a fresh PIN for a focal point, so /field can be tried; it is the one stored.
        found = re.search(r"focal point .*: number (\d+), PIN (\d+)", second)
        assert found, second
        pin_hash = conn.execute("SELECT pin_hash FROM focal_points WHERE id = ?", (int(found.group(1)),)).fetchone()[0]
        assert verify_password(pin_hash, found.group(2))
