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


def test_pages_state_severity_and_fix():
    from iacmod.docs import AVAILABILITY_WORDS
    from iacmod.findings import describe_fix
    from iacmod.registry import all_rules

    pages = expected_pages()
    for rule in all_rules():
        page = pages[f"{rule.name}.md"]
        assert f"- **Severity:** {rule.severity.value} (" in page
        assert f"- **Fix:** {describe_fix(rule.fix_availability, rule.fix_applicability)}\n" in page
        safety = page.split("## Fix safety\n\n", 1)[1]
        assert safety.startswith(AVAILABILITY_WORDS[rule.fix_availability.value])
        assert f"| {rule.code} | [{rule.name}]({rule.name}.md) | {rule.severity.value} |" in pages["README.md"]
