"""The committed rule pages are generated from the rules and must not drift."""

from iacmod.docs import DOCS, expected_pages


def test_rule_docs_are_up_to_date():
    pages = expected_pages()
    stale = [name for name, text in pages.items() if not (DOCS / name).is_file() or (DOCS / name).read_text() != text]
    extra = sorted(p.name for p in DOCS.glob("*.md") if p.name not in pages)
    assert not stale and not extra, f"docs/rules drifted ({stale + extra}); run: python -m iacmod.docs"


def test_pages_have_ruff_sections():
    for name, text in expected_pages().items():
        if name == "README.md":
            continue
        for heading in ("## Why is this bad?", "## Fix safety", "## Options"):
            assert heading in text, (name, heading)
