"""Suppression comments may name a module pass's findings (``inline-code``) as well as rules."""

from iacmod import suppress
from iacmod.registry import all_rules


def test_inline_code_is_a_known_key_and_unknown_keys_are_reported() -> None:
    text = "x = 1  # iacmod: ignore[inline-code]\ny = 2  # iacmod: ignore[nope]\n"
    problems = suppress.lint(text, True, all_rules())
    assert [(p.line, p.message) for p in problems] == [
        (2, "unknown rule 'nope' in suppression comment (see `iacmod list`)")
    ]
