from __future__ import annotations

from pathlib import Path

from iacmod.discovery import Excludes, discover


def names(root: Path, paths, **kw) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in discover(paths, Excludes(None, None), **kw))


def test_skips_venvs_vcs_build_and_gitignored(tmp_path):
    for rel in ["a.py", "pkg/b.py", ".venv/lib/x.py", "myenv/lib/y.py", "node_modules/z.py",
                "cdk.out/c.py", "ignored/d.py", "pkg/skip_me.py", "pkg/keep_me.py", "notes.txt",
                "sub/.gitignore", "sub/e.py", "sub/f.py"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x = 1\n")
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / ".gitignore").write_text("ignored/\npkg/*_me.py\n!pkg/keep_me.py\n")
    (tmp_path / "sub" / ".gitignore").write_text("e.py\n")
    assert names(tmp_path, [tmp_path]) == ["a.py", "pkg/b.py", "pkg/keep_me.py", "sub/f.py"]


def test_document_patterns_and_excludes(tmp_path):
    for rel in ["flow.asl.json", "other.json", "x.py", "gen/y.py"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("{}")
    assert names(tmp_path, [tmp_path], patterns=("*.py", "*.asl.json")) == ["flow.asl.json", "gen/y.py", "x.py"]
    found = discover([tmp_path], Excludes.from_globs(tmp_path, ["gen/"]))
    assert sorted(p.name for p in found) == ["x.py"]


def test_each_file_once(tmp_path):
    (tmp_path / "a.py").write_text("")
    assert len(list(discover([tmp_path, tmp_path / "a.py", tmp_path], Excludes(None, None)))) == 1
