"""The engine applies a chosen subset of fixes (``Settings.only`` / ``api.fix_only``), keyed by
``Finding.fix_key``: what interactive review and the editor's code actions are built on."""

from __future__ import annotations

from pathlib import Path

from iacmod import api
from iacmod.findings import FixSafety

CODE = (
    "from datetime import datetime\n"
    "a = datetime.utcnow()\n"
    "b = datetime.utcnow().strftime('%Y')\n"
    "c = datetime.utcnow().date()\n"
)


def settings(tmp_path: Path):
    options = api.RunOptions(paths=(tmp_path,), all_rules=True)
    chosen, why = api.settings_for_file(options, tmp_path / "x.py")
    assert why is None
    return chosen


def test_offered_lists_every_fix_and_applies_none(tmp_path: Path) -> None:
    result = api.offered(CODE.encode(), tmp_path / "x.py", settings(tmp_path))
    assert result.new_source is None
    assert [(f.fix_key, f.safety, f.fixed) for f in result.findings] == [
        (("IAC101", 2, 5, 2, 22), FixSafety.UNSAFE, False),
        (("IAC101", 3, 5, 3, 22), FixSafety.SAFE, False),
        (("IAC101", 4, 5, 4, 22), FixSafety.SAFE, False),
    ]


def test_only_the_chosen_fixes_apply_safe_or_unsafe(tmp_path: Path) -> None:
    base = settings(tmp_path)
    assert not base.unsafe_fixes
    result = api.fix_only(CODE.encode(), tmp_path / "x.py", base, [("IAC101", 2, 5, 2, 22), ("IAC101", 4, 5, 4, 22)])
    assert result.new_source.decode() == (
        "from datetime import datetime, timezone\n"
        "a = datetime.now(timezone.utc)\n"
        "b = datetime.utcnow().strftime('%Y')\n"
        "c = datetime.now(timezone.utc).date()\n"
    )
    assert [f.fixed for f in result.findings] == [True, False, True]


def test_no_key_or_a_stale_key_applies_nothing(tmp_path: Path) -> None:
    base = settings(tmp_path)
    assert api.fix_only(CODE.encode(), tmp_path / "x.py", base, []).new_source is None
    stale = api.fix_only(CODE.encode(), tmp_path / "x.py", base, [("IAC101", 2, 5, 2, 23), ("IAC104", 3, 5, 3, 22)])
    assert stale.new_source is None
    assert not any(f.fixed for f in stale.findings)


def test_embedded_code_fixes_are_reported_not_applied(tmp_path: Path) -> None:
    code = (
        "import pulumi\nimport pulumi_aws as aws\n"
        "fn = aws.lambda_.Function('f', code=pulumi.AssetArchive({'index.py': pulumi.StringAsset('''\n"
        "from datetime import datetime\n"
        "def handler(e, c):\n"
        "    return datetime.utcnow().strftime('%Y')\n"
        "''')}), runtime='python3.12', handler='index.handler', role='r')\n"
    )
    base = settings(tmp_path)
    offered = api.offered(code.encode(), tmp_path / "x.py", base)
    keys = [f.fix_key for f in offered.findings if f.fixable]
    assert keys == [("IAC101", 6, 12, 6, 29)]
    chosen = api.fix_only(code.encode(), tmp_path / "x.py", base, keys)
    assert chosen.new_source is None
    assert not any(f.fixed for f in chosen.findings)
    # `apply` fixes them all the same
    applied = api.check_source(code.encode(), tmp_path / "x.py", base)
    assert [f.fixed for f in applied.findings] == [True]
    assert b"datetime.now(timezone.utc).strftime" in applied.new_source
