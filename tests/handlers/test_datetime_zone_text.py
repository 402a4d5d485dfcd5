"""datetime-utcnow where code appends a zone to the naive `isoformat()` text (issue 13, item 3):
`datetime.utcnow().isoformat() + "Z"` must not become `…+00:00Z`. The rewritten code is run next
to the original at frozen instants, with and without microseconds, and must give byte-identical
text (which `datetime.fromisoformat` still reads)."""

from __future__ import annotations

import datetime as real_datetime
import sys
import textwrap
import types

import pytest

from iacmod.codemods.python.datetime_utcnow import DatetimeUtcnow
from iacmod.findings import FixSafety
from iacmod.testing import fix_text

SOURCE = textwrap.dedent(
    """
    from datetime import datetime
    import datetime as dt

    def plus():
        return datetime.utcnow().isoformat() + "Z"

    def single_quotes():
        return datetime.utcnow().isoformat() + 'Z'

    def f_string():
        return f"{datetime.utcnow().isoformat()}Z"

    def f_string_more(name):
        return f'{dt.datetime.utcnow().isoformat()}Z-{name}'

    def inside(name):
        return "at " + datetime.utcnow().isoformat(timespec="seconds") + "Z!"

    def offset():
        return datetime.utcnow().isoformat() + "+00:00"

    def from_timestamp(ts):
        return datetime.utcfromtimestamp(ts).isoformat() + "Z"

    def through_a_variable():
        now = datetime.utcnow()
        return now.isoformat() + "Z"

    def expires():
        return (datetime.utcnow() + dt.timedelta(hours=1)).isoformat() + "Z"

    def seconds():
        return datetime.utcnow().replace(microsecond=0).isoformat() + "Z"

    def yesterday():
        return f"{(datetime.utcnow() - dt.timedelta(days=1)).isoformat()}Z"

    def text_in_a_variable():
        stamp = datetime.utcnow().isoformat()
        return {"a": stamp + "Z", "b": f"{stamp}Z"}
    """
)
CALLS = [
    ("plus", ()),
    ("single_quotes", ()),
    ("f_string", ()),
    ("f_string_more", ("x",)),
    ("inside", ("x",)),
    ("offset", ()),
    ("from_timestamp", (1796300952.0,)),
    ("from_timestamp", (1796300952.123456,)),
    ("through_a_variable", ()),
    ("expires", ()),
    ("seconds", ()),
    ("yesterday", ()),
    ("text_in_a_variable", ()),
]


def _frozen_module(micro: int) -> types.ModuleType:
    instant = real_datetime.datetime(2026, 12, 3, 8, 29, 12, micro)

    class Frozen(real_datetime.datetime):
        @classmethod
        def utcnow(cls):  # type: ignore[override]
            return cls.fromisoformat(instant.isoformat())

        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            value = cls.fromisoformat(instant.isoformat())
            return value.replace(tzinfo=tz) if tz is not None else value

    module = types.ModuleType("datetime")
    module.__dict__.update(real_datetime.__dict__)
    module.datetime = Frozen  # type: ignore[attr-defined]
    return module


def _run(code: str, micro: int) -> list:
    saved = sys.modules["datetime"]
    sys.modules["datetime"] = _frozen_module(micro)
    try:
        ns: dict = {}
        exec(compile(code, "<handler>", "exec"), ns)
        return [ns[name](*args) for name, args in CALLS]
    finally:
        sys.modules["datetime"] = saved


def test_every_zone_append_is_fixed_safely():
    new, findings = fix_text(DatetimeUtcnow, SOURCE)
    assert "utcnow" not in new and "utcfromtimestamp" not in new
    assert "+00:00Z" not in new and '+ "Z"' not in new
    assert all(f.safety is FixSafety.SAFE for f in findings), [f.message for f in findings]
    assert len(findings) == 12
    again, _ = fix_text(DatetimeUtcnow, new)
    assert again == new


@pytest.mark.parametrize("micro", [0, 123456, 1])
def test_text_is_byte_identical_at_a_frozen_instant(micro):
    new, _ = fix_text(DatetimeUtcnow, SOURCE)
    old_values, new_values = _run(SOURCE, micro), _run(new, micro)
    assert new_values == old_values
    assert old_values[0] == "2026-12-03T08:29:12" + (f".{micro:06d}" if micro else "") + "Z"
    # the text still parses (Python >= 3.11 reads "Z"), and no value ends in "+00:00Z"
    for value in (old_values[0], new_values[0], new_values[2], new_values[5]):
        assert real_datetime.datetime.fromisoformat(value).utcoffset() == real_datetime.timedelta(0)
    assert not any("+00:00Z" in repr(v) for v in new_values)


def test_the_old_unsafe_rewrite_was_wrong():
    """What main produced: `now(timezone.utc).isoformat() + "Z"` reads `+00:00Z`."""
    wrong = "from datetime import datetime, timezone\nv = datetime.now(timezone.utc).isoformat() + 'Z'\n"
    ns: dict = {}
    exec(wrong, ns)
    assert ns["v"].endswith("+00:00Z")
    with pytest.raises(ValueError):
        real_datetime.datetime.fromisoformat(ns["v"])


def test_other_uses_of_the_variable_keep_the_fix_unsafe_but_the_append_right():
    source = textwrap.dedent(
        """
        from datetime import datetime

        def record(deadline):
            now = datetime.utcnow()
            item = {"at": now.isoformat() + "Z"}
            return item, now > deadline
        """
    )
    assert fix_text(DatetimeUtcnow, source)[0] == source
    new, findings = fix_text(DatetimeUtcnow, source, unsafe=True)
    assert '"at": now.isoformat().replace("+00:00", "Z")' in new
    assert findings[0].safety is FixSafety.UNSAFE


def test_strptime_of_the_text_is_reported_only():
    source = textwrap.dedent(
        """
        from datetime import datetime

        parsed = datetime.strptime(datetime.utcnow().isoformat(), "%Y-%m-%dT%H:%M:%S.%f")
        """
    )
    new, findings = fix_text(DatetimeUtcnow, source, unsafe=True)
    assert new == source
    assert len(findings) == 1 and not findings[0].fixable and "strptime" in findings[0].message


def test_a_zone_appended_after_unknown_arithmetic_is_reported_only():
    source = textwrap.dedent(
        """
        from datetime import datetime

        def later(delta):
            return (datetime.utcnow() + delta).isoformat() + "Z"
        """
    )
    new, findings = fix_text(DatetimeUtcnow, source, unsafe=True)
    assert new == source
    assert len(findings) == 1 and not findings[0].fixable and "+00:00Z" in findings[0].message
