"""Rule documentation generated from the rule classes (Ruff-style pages).

``python -m iacmod.docs`` writes ``docs/rules/<rule-name>.md`` and ``docs/rules/README.md``;
``python -m iacmod.docs --check`` fails when the committed pages drift from the rules.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from iacmod.findings import FixAvailability, describe_fix
from iacmod.registry import all_rules
from iacmod.rule import Rule

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"
SEVERITY_WORDS = {
    "error": "the program fails to deploy or misbehaves at run time",
    "warning": "a security, reliability or cost risk",
    "info": "style or a recommendation",
}
AVAILABILITY_WORDS = {
    "always": "A fix is always available.",
    "sometimes": "A fix is sometimes available: where no rewrite is sound, the finding says what to change.",
    "none": "Detect-only: no automatic rewrite is sound; findings say what to change.",
}
APPLICABILITY_WORDS = {
    "safe": "Safe: the fix keeps what the program does, except the defect it removes.",
    "unsafe": "Unsafe: the fix applies only with `--unsafe-fixes`.",
    "depends": "Safe or unsafe depending on the context, decided per fix (see below); unsafe fixes "
    "apply only with `--unsafe-fixes`.",
}


def fix_safety_words(rule: type[Rule]) -> str:
    """The first paragraph of a rule page's "Fix safety" section."""
    words = AVAILABILITY_WORDS[rule.fix_availability.value]
    if rule.fix_availability is not FixAvailability.NONE and rule.fix_applicability is not None:
        words += " " + APPLICABILITY_WORDS[rule.fix_applicability.value]
    return words


def _clean(text: str) -> str:
    return textwrap.dedent(text).strip()


def _lang(path: str) -> str:
    if path.endswith(".json"):
        return "json"
    if path.endswith((".yaml", ".yml")):
        return "yaml"
    return "python"


def rule_page(rule: type[Rule]) -> str:
    out: list[str] = [f"# {rule.name} ({rule.code})", "", rule.summary + ".", ""]
    out += [
        f"- **Severity:** {rule.severity.value} ({SEVERITY_WORDS[rule.severity.value]})",
        f"- **Targets:** {', '.join(sorted(rule.targets))}",
        f"- **Fix:** {describe_fix(rule.fix_availability, rule.fix_applicability)}",
        f"- **Enabled by default:** {'yes' if rule.default_enabled else 'no (select it or use --all)'}",
        f"- **Triggers:** {', '.join(f'`{t}`' for t in rule.triggers) or 'every file'}"
        + (f" (and {', '.join(f'`{t}`' for t in rule.requires)})" if rule.requires else ""),
    ]
    if rule.document_patterns:
        out.append(f"- **Also rewrites files:** {', '.join(f'`{p}`' for p in rule.document_patterns)}")
    out += ["", "## Why is this bad?", "", _clean(rule.rationale), ""]
    changing = [e for e in rule.examples if e.after is not None]
    unchanged = [e for e in rule.examples if e.after is None]
    if changing:
        first = changing[0]
        lang = _lang(first.path)
        out += ["## Example", "", f"```{lang}", first.before_text.rstrip(), "```", ""]
        out += ["## Use instead", "", f"```{lang}", (first.after_text or "").rstrip(), "```", ""]
    if rule.fix_description:
        out += ["## Fix", "", _clean(rule.fix_description), ""]
    out += ["## Fix safety", "", fix_safety_words(rule), ""]
    if rule.fix_safety_notes:
        out += [_clean(rule.fix_safety_notes), ""]
    out += ["## Options", ""]
    if rule.options:
        out += [f"Set under `[tool.iacmod.rules.{rule.name}]` in `pyproject.toml`.", ""]
        out += ["| option | default | description |", "| --- | --- | --- |"]
        for key, opt in rule.options.items():
            desc = opt.description
            if opt.choices:
                desc += " One of: " + ", ".join(f"`{c!r}`" for c in opt.choices) + "."
            out.append(f"| `{key}` | `{opt.default!r}` | {desc} |")
        out.append("")
    else:
        out += ["None.", ""]
    out += ["## More examples", ""]
    for e in changing[1:]:
        lang = _lang(e.path)
        title = e.title or "Rewritten"
        note = " (with `--unsafe-fixes`)" if e.unsafe else ""
        opts = f" (options: `{dict(e.options)}`)" if e.options else ""
        out += [f"### {title}{note}{opts}", "", f"```{lang}", e.before_text.rstrip(), "```", "", "becomes", ""]
        out += [f"```{lang}", (e.after_text or "").rstrip(), "```", ""]
    if unchanged:
        out += ["### Left unchanged", ""]
        for e in unchanged:
            title = e.title or "Not a defect"
            kind = " (reported, not rewritten)" if e.findings else ""
            out += [f"{title}{kind}:", "", f"```{_lang(e.path)}", e.before_text.rstrip(), "```", ""]
    out += ["---", "", "*Generated from the rule's declaration by `python -m iacmod.docs`; do not edit.*", ""]
    return "\n".join(out)


def index_page() -> str:
    out = [
        "# Rules",
        "",
        "| code | name | severity | targets | fix | summary |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in all_rules():
        out.append(
            f"| {r.code} | [{r.name}]({r.name}.md) | {r.severity.value} | {', '.join(sorted(r.targets))} | "
            f"{describe_fix(r.fix_availability, r.fix_applicability)} | {r.summary} |"
        )
    out += ["", "**Severity** (a finding may differ from its rule's):", ""]
    out += [f"- `{name}`: {words}" for name, words in SEVERITY_WORDS.items()]
    out += [
        "",
        "**Fix**: how often a finding comes with a fix (`always`, `sometimes`: some findings are "
        "detect-only, `none`: a detect-only rule), then the fixes' applicability (`safe`: applied by "
        "default, `unsafe`: only with `--unsafe-fixes`, `depends`: decided per fix).",
    ]
    out += ["", "*Generated by `python -m iacmod.docs`; do not edit.*", ""]
    return "\n".join(out)


def expected_pages() -> dict[str, str]:
    pages = {f"{r.name}.md": rule_page(r) for r in all_rules()}
    pages["README.md"] = index_page()
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m iacmod.docs")
    parser.add_argument("--check", action="store_true", help="fail when docs/rules drifts")
    args = parser.parse_args(argv)
    pages = expected_pages()
    if args.check:
        stale = [n for n, text in pages.items() if not (DOCS / n).is_file() or (DOCS / n).read_text() != text]
        extra = [p.name for p in DOCS.glob("*.md") if p.name not in pages]
        if stale or extra:
            print("docs/rules is out of date: " + ", ".join(stale + extra), file=sys.stderr)
            print("run: python -m iacmod.docs", file=sys.stderr)
            return 1
        return 0
    DOCS.mkdir(parents=True, exist_ok=True)
    for p in DOCS.glob("*.md"):
        if p.name not in pages:
            p.unlink()
    for name, text in pages.items():
        (DOCS / name).write_text(text)
    print(f"wrote {len(pages)} pages to {DOCS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
