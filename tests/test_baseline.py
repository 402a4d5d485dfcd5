"""Baselines: record today's findings, report only new ones (iacmod.baseline)."""

from __future__ import annotations

import json
from pathlib import Path

HANDLER = """\
from datetime import datetime


def created():
    return datetime.utcnow().isoformat()


def other():
    return 1
"""


def setup(tmp_path: Path, text: str = HANDLER) -> Path:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "orders.py").write_text(text)
    return tmp_path / "svc" / "orders.py"


def test_create_then_nothing_new(tmp_path, iacmod_cli):
    setup(tmp_path)
    base = tmp_path / "iacmod-baseline.json"
    code, out, err = iacmod_cli("check", "--select", "IAC101", "--create-baseline", str(base), str(tmp_path))
    assert code == 0, err
    assert "1 finding(s) recorded" in err
    data = json.loads(base.read_text())
    assert data["iacmod_baseline"] == 1
    [entry] = data["findings"]
    assert entry["path"] == "svc/orders.py" and entry["code"] == "IAC101" and entry["count"] == 1
    assert set(entry) == {"path", "code", "rule", "fingerprint", "count", "message"}
    code, out, err = iacmod_cli("check", "--select", "IAC101", "--baseline", str(base), str(tmp_path))
    assert code == 0 and out == ""
    assert "1 finding(s) in the baseline not reported" in err


def test_survives_shifted_lines_and_edits_elsewhere(tmp_path, iacmod_cli):
    path = setup(tmp_path)
    base = tmp_path / "b.json"
    iacmod_cli("check", "--select", "IAC101", "--create-baseline", str(base), str(tmp_path))
    shifted = HANDLER.replace(
        "from datetime import datetime\n", "from datetime import datetime\nimport os\n\n# a comment\nX = 1\n"
    )
    shifted = shifted.replace("    return 1\n", "    return os.getcwd()  # edited\n")
    shifted = shifted.replace("return datetime.utcnow().isoformat()", "return  datetime.utcnow().isoformat()  # why")
    path.write_text(shifted)
    code, out, err = iacmod_cli("check", "--select", "IAC101", "--baseline", str(base), str(tmp_path))
    assert code == 0 and out == "", out
    assert "no longer match" not in err
    # a new finding of the same rule is reported
    path.write_text(shifted + "\n\ndef later():\n    return datetime.utcnow().isoformat()\n")
    code, out, err = iacmod_cli("check", "--select", "IAC101", "--baseline", str(base), str(tmp_path))
    assert code == 1 and out.count("IAC101") == 1 and "orders.py:17" in out


def test_duplicates_are_counted(tmp_path, iacmod_cli):
    twice = HANDLER + "\n\ndef created():\n    return datetime.utcnow().isoformat()\n"
    path = setup(tmp_path, twice)
    base = tmp_path / "b.json"
    iacmod_cli("check", "--select", "IAC101", "--create-baseline", str(base), str(tmp_path))
    [entry] = json.loads(base.read_text())["findings"]
    assert entry["count"] == 2
    path.write_text(twice + "\n\ndef created():\n    return datetime.utcnow().isoformat()\n")
    code, out, err = iacmod_cli("check", "--select", "IAC101", "--baseline", str(base), str(tmp_path))
    assert code == 1 and out.count("IAC101") == 1  # the third identical one is new


def test_stale_entries_are_reported(tmp_path, iacmod_cli):
    path = setup(tmp_path)
    base = tmp_path / "b.json"
    iacmod_cli("check", "--select", "IAC101", "--create-baseline", str(base), str(tmp_path))
    path.write_text(HANDLER.replace("datetime.utcnow()", "datetime.now()"))
    code, out, err = iacmod_cli("check", "--select", "IAC101", "--baseline", str(base), str(tmp_path))
    assert code == 0
    assert "1 baseline entry no longer match (fixed or changed: svc/orders.py IAC101)" in err


def test_apply_leaves_baselined_findings_unfixed(tmp_path, iacmod_cli):
    text = "from datetime import datetime\n\nold = datetime.utcnow().strftime('%Y')\n"
    path = setup(tmp_path, text)
    base = tmp_path / "b.json"
    iacmod_cli("check", "--select", "IAC101", "--create-baseline", str(base), str(tmp_path))
    path.write_text(text + "new = datetime.utcnow().strftime('%Y')\n")
    code, out, err = iacmod_cli("apply", "--select", "IAC101", "--baseline", str(base), str(tmp_path))
    assert code == 0, out + err
    new = path.read_text()
    assert "old = datetime.utcnow().strftime('%Y')" in new
    assert "new = datetime.now(timezone.utc).strftime('%Y')" in new


def test_bad_baseline_is_a_usage_error(tmp_path, iacmod_cli):
    setup(tmp_path)
    code, out, err = iacmod_cli("check", "--baseline", str(tmp_path / "missing.json"), str(tmp_path))
    assert code == 2 and "no such baseline file" in err
    (tmp_path / "bad.json").write_text('{"version": 9}')
    code, out, err = iacmod_cli("check", "--baseline", str(tmp_path / "bad.json"), str(tmp_path))
    assert code == 2 and "not an iacmod baseline" in err
