"""Extract the ```python blocks of ../shared/corpus (read in place, never copied into the repo)."""

from __future__ import annotations

import re
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
FENCE = re.compile(r"^```(?:python|py)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(platforms: tuple[str, ...] = ("pulumi-py", "cdk-py", "cdktf-py")) -> list[tuple[str, str]]:
    """(name, code) for every Python block of every task's MODEL_RESPONSE.md."""
    out: list[tuple[str, str]] = []
    if not CORPUS.is_dir():
        return out
    for platform in platforms:
        for response in sorted((CORPUS / platform).glob("*/MODEL_RESPONSE.md")):
            text = response.read_text(encoding="utf-8", errors="replace")
            for i, match in enumerate(FENCE.finditer(text)):
                out.append((f"{platform}/{response.parent.name}/block{i}", match.group(1)))
    return out


def extract(target: Path, platforms: tuple[str, ...] = ("pulumi-py", "cdk-py", "cdktf-py")) -> list[Path]:
    paths = []
    for name, code in blocks(platforms):
        path = target / (name.replace("/", "_") + ".py")
        path.write_text(code, encoding="utf-8")
        paths.append(path)
    return paths
