"""The shipped systemd units (deploy/systemd) are ones systemd accepts without a remark."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = Path(__file__).parents[2] / "deploy" / "systemd"
INSTALLED = "/opt/slotbook/bin/slotbook"


def test_systemd_analyze_verify_finds_nothing_to_say_about_the_units(tmp_path: Path) -> None:
    program = shutil.which("systemd-analyze")
    if program is None:
        pytest.skip("systemd-analyze is missing (Debian's systemd package)")
    # The units name the installed command; here it is this environment's.
    here = str(Path(sys.executable).with_name("slotbook"))
    units = []
    for unit in sorted(UNITS.iterdir()):
        text = unit.read_text()
        assert INSTALLED in text or unit.suffix == ".timer", f"{unit.name} runs something else"
        name = unit.name.replace("@.", "@8001.")  # a template is verified as an instance
        (tmp_path / name).write_text(text.replace(INSTALLED, here))
        units.append(str(tmp_path / name))
    assert len(units) == 4
    done = subprocess.run([program, "verify", *units], check=False, capture_output=True, text=True)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
