"""iacmod.lazy: GitPython is loaded only when a git command needs it."""

from __future__ import annotations

import subprocess
import sys


def test_apply_and_check_do_not_load_gitpython(tmp_path):
    (tmp_path / "app.py").write_text("x = 1\n")
    code = (
        "import sys\n"
        "from iacmod.cli.app import main\n"
        f"sys.argv = ['iacmod', 'check', {str(tmp_path)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        # (GitPython's package loads git.repo when it runs)
        "print('loaded' if 'git.repo' in sys.modules else 'not loaded')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "not loaded"


def test_lazy_module_loads_on_first_use():
    from iacmod.bot.gitops import git

    assert git.Repo.__name__ == "Repo"
    assert issubclass(git.GitCommandError, Exception)
