"""Writing fixed files: atomic, mode kept, through symbolic links."""

from __future__ import annotations

import os

import pytest

from iacmod.cli.app import app
from iacmod.writer import atomic_write

BEFORE = "from datetime import datetime\n\nstamp = datetime.utcnow().strftime('%Y')\n"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_write_through_a_symlink(tmp_path):
    target = tmp_path / "real" / "app.py"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    atomic_write(link, b"new\n")
    assert link.is_symlink()
    assert target.read_text() == "new\n"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_apply_on_a_symlink_fixes_the_target_and_keeps_the_link(tmp_path):
    """Regression: apply replaced the link with a regular file and left the target unfixed."""
    from typer.testing import CliRunner

    target = tmp_path / "shared" / "app.py"
    target.parent.mkdir()
    target.write_text(BEFORE)
    os.chmod(target, 0o640)
    link = tmp_path / "svc" / "app.py"
    link.parent.mkdir()
    link.symlink_to(os.path.relpath(target, link.parent))
    res = CliRunner().invoke(app, ["apply", "--select", "IAC101", str(link)])
    assert res.exit_code == 0, res.output
    assert link.is_symlink()
    assert "datetime.now(timezone.utc)" in target.read_text()
    assert (target.stat().st_mode & 0o777) == 0o640
