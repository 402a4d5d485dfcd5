"""The dry-run diff is a patch that git applies, also on long files changed at both ends."""

from __future__ import annotations

import subprocess
from pathlib import Path

from iacmod.findings import FileResult
from iacmod.report import unified_diff


def test_diff_of_a_long_file_changed_near_both_ends_applies(tmp_path: Path) -> None:
    # many repeated lines ("}", blank) make difflib treat them as junk on long sequences; the
    # hunks must still carry their context, or git anchors them at the end of the file
    def handler(i: int, body: str) -> str:
        return (f"def h{i}(event):\n    try:\n        return {{\n            'statusCode': 200,\n"
                f"{body}        }}\n\n    except Exception as e:\n        raise\n\n")

    middle = "".join(handler(i, "            'body': '',\n") for i in range(60))
    old = "import json\n\n" + middle + handler(99, "            'body': '',\n") + "x = 1\n"
    new = "import json\nimport os\n\n" + middle + handler(99, "") + "x = 1\n"
    path = tmp_path / "f.py"
    path.write_text(old)
    diff = unified_diff(FileResult(Path("f.py"), old_source=old.encode(), new_source=new.encode()))
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "change.patch").write_text(diff)
    subprocess.run(["git", "apply", "change.patch"], cwd=tmp_path, check=True)
    assert path.read_text() == new
