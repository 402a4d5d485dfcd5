"""jsonedit: JSON text edited in place -- what did not change keeps its text byte for byte, what is
new is laid out like its surroundings, and the result always says exactly the new value."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest

from iacmod.codemods.stepfunctions.lambda_invoke import SfnLambdaInvoke
from iacmod.edit.jsonedit import same, scan, splice
from iacmod.iac import documents
from iacmod.testing import fix_text

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sfn-lambda-invoke"


def check(text: str, new, expected: str | None = None) -> str:
    """Splice ``new`` into ``text``; the result is valid JSON saying ``new`` (types included),
    equal to ``expected`` when given, and splicing the same value again changes nothing."""
    old = json.loads(text)
    snapshot = copy.deepcopy(new)
    out = splice(text, old, new)
    assert same(json.loads(out), new) and json.loads(out) == new
    assert new == snapshot, "splice must not modify the new value"
    if expected is not None:
        assert out == expected
    assert splice(out, new, new) == out
    return out


# -- scanning ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '{"a": [1, -2.5e3, 0.1, true, false, null], "b": {"c": "\\u00e9\\n\\"x\\""}, "": []}',
        " [ ] ",
        '"just a string"',
        "-0",
        '{"deep": [[[{"x": [{}]}]]]}',
        '{"é": "ü", "\\ud83d\\ude00": 1E+2}',
    ],
)
def test_scan_agrees_with_json_loads(text):
    root = scan(text)
    assert same(root.value, json.loads(text))
    assert text[root.start : root.end] == text.strip()


def test_scan_records_spans_of_values_and_members():
    text = '{"a" : [1, {"b": null}] ,"c":"d"}'
    root = scan(text)
    a, c = root.children
    assert (a.key, text[a.start : a.key_end], text[a.node.start : a.node.end]) == ("a", '"a"', '[1, {"b": null}]')
    assert text[a.start : a.end] == '"a" : [1, {"b": null}]'
    assert text[c.node.start : c.node.end] == '"d"'
    inner = a.node.children[1]
    assert text[inner.start : inner.end] == '{"b": null}'


@pytest.mark.parametrize("text", ['{"a": 1, "a": 2}', '{"a": 1,}', "[1 2]", "{} {}", '{"a": tru}', "", "01"])
def test_scan_refuses_what_json_loads_refuses_and_duplicate_keys(text):
    with pytest.raises(ValueError):
        scan(text)


def test_nan_and_infinity_are_json_loads_values():
    text = '{"a": NaN, "b": -Infinity}'
    assert math.isnan(scan(text).value["a"]) and scan(text).value["b"] == -math.inf
    out = splice(text, json.loads(text), {"a": math.nan, "b": -math.inf, "c": 1})
    assert out == '{"a": NaN, "b": -Infinity, "c": 1}'


def test_same_is_strict_about_types():
    assert same({"a": [1, "x"]}, {"a": [1, "x"]})
    assert same({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert not same(1, 1.0) and not same(1, True) and not same(0, False) and not same(None, {})
    assert not same([1], [1, 2]) and not same({"a": 1}, {"b": 1})


def test_old_value_must_match_the_text():
    with pytest.raises(ValueError):
        splice('{"a": 1}', {"a": 2}, {"a": 3})


# -- unchanged ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '{"a":1,"b":[1,2]}',
        '{\n  "a": [ 1 ,2 ],\n  "b" :{ }\n}\n',
        '\t{\r\n\t"x": "\\u00e9"\r\n}\r\n\r\n',
        "[\n]",
    ],
)
def test_unchanged_document_is_identical(text):
    assert check(text, json.loads(text)) == text


def test_int_and_float_are_not_confused():
    check('{"a": 1, "b": 2.0}', {"a": 1.0, "b": 2.0}, '{"a": 1.0, "b": 2.0}')


# -- objects ------------------------------------------------------------------------------------------

STATE = """{
    "Type": "Task",
    "Resource": "arn",
    "End": true
}"""


def test_insert_members_in_a_multiline_object_after_the_member_they_follow():
    new = {"Type": "Task", "Resource": "x", "Parameters": {"a": 1, "b": [2]}, "OutputPath": "$.P", "End": True}
    check(
        STATE,
        new,
        """{
    "Type": "Task",
    "Resource": "x",
    "Parameters": {
        "a": 1,
        "b": [
            2
        ]
    },
    "OutputPath": "$.P",
    "End": true
}""",
    )


def test_insert_members_first_and_last():
    new = {"Comment": "c", "Type": "Task", "Resource": "arn", "End": True, "Retry": []}
    check(
        STATE,
        new,
        """{
    "Comment": "c",
    "Type": "Task",
    "Resource": "arn",
    "End": true,
    "Retry": []
}""",
    )


def test_insert_members_in_a_compact_object():
    text = '{\n  "Run": {"Type": "Task", "Resource": "arn", "End": true}\n}'
    new = {"Run": {"Type": "Task", "Resource": "x", "Parameters": {"F": "arn", "P": [1]}, "End": True}}
    check(
        text, new, '{\n  "Run": {"Type": "Task", "Resource": "x", "Parameters": {"F": "arn", "P": [1]}, "End": true}\n}'
    )
    compact = '{"a":1,"b":2}'
    check(compact, {"a": 1, "n": {"x": [1, 2]}, "b": 2}, '{"a":1,"n":{"x":[1,2]},"b":2}')


def test_insert_into_a_one_member_object_uses_its_lead():
    check('{\n   "a": 1\n}', {"a": 1, "b": 2}, '{\n   "a": 1,\n   "b": 2\n}')
    check('{ "a": 1 }', {"a": 1, "b": 2}, '{ "a": 1, "b": 2 }')


def test_mixed_layout_object_inserts_like_the_neighbouring_separator():
    text = '{"Type": "Task", "Resource": "arn",\n "Next": "B"}'
    check(
        text,
        {"Type": "Task", "N": 1, "Resource": "arn", "Next": "B", "M": 2},
        '{"Type": "Task", "N": 1, "Resource": "arn",\n "Next": "B",\n "M": 2}',
    )


def test_remove_members_with_their_comma():
    text = '{\n  "a": 1,\n  "b": 2,\n  "c": 3\n}'
    check(text, {"a": 1, "c": 3}, '{\n  "a": 1,\n  "c": 3\n}')
    check(text, {"b": 2, "c": 3}, '{\n  "b": 2,\n  "c": 3\n}')
    check(text, {"a": 1, "b": 2}, '{\n  "a": 1,\n  "b": 2\n}')
    check('{"a": 1, "b": 2}', {}, "{}")


def test_replace_a_nested_value_keeps_everything_around_it():
    text = '{\n  "A": {"x": [1, 2], "y": {"z": "old"}},\n  "B": [ true ]\n}\n'
    check(
        text,
        {"A": {"x": [1, 2], "y": {"z": "new"}}, "B": [True]},
        '{\n  "A": {"x": [1, 2], "y": {"z": "new"}},\n  "B": [ true ]\n}\n',
    )


def test_a_scalar_replaced_by_a_container_follows_its_line():
    text = '{\n  "a": "x",\n  "b": {"c": 1}\n}'
    check(
        text,
        {"a": {"k": [1]}, "b": {"c": {"d": 2}}},
        '{\n  "a": {\n    "k": [\n      1\n    ]\n  },\n  "b": {"c": {"d": 2}}\n}',
    )


def test_kept_members_keep_their_order():
    # the order of members that were already there is not the new value's to change; a new member
    # goes right after the one it follows in the new value
    check('{"a": 1, "b": 2}', {"b": 2, "a": 1, "c": 3}, '{"a": 1, "c": 3, "b": 2}')


def test_a_wrapped_object_keeps_its_text_reindented():
    text = '{\n  "P": {\n    "id.$": "$.id",\n    "tags": ["a", "b"]\n  },\n  "N": 1\n}'
    old = json.loads(text)
    new = {"P": {"F": "arn", "Payload": old["P"]}, "N": 1}
    check(
        text,
        new,
        '{\n  "P": {\n    "F": "arn",\n    "Payload": {\n      "id.$": "$.id",\n      "tags": ["a", "b"]\n    }\n  },\n  "N": 1\n}',
    )
    compact = '{"P": {"id.$": "$.id",  "tags": ["a"]}, "N": 1}'
    check(
        compact,
        {"P": {"F": "arn", "Payload": {"id.$": "$.id", "tags": ["a"]}}, "N": 1},
        '{"P": {"F": "arn", "Payload": {"id.$": "$.id",  "tags": ["a"]}}, "N": 1}',
    )


# -- arrays -------------------------------------------------------------------------------------------


def test_append_to_an_inline_array_stays_inline():
    check(
        '{"E": ["States.Timeout"]}',
        {"E": ["States.Timeout", "Lambda.ServiceException"]},
        '{"E": ["States.Timeout", "Lambda.ServiceException"]}',
    )
    check('{"E": ["a" ,"b"]}', {"E": ["a", "b", {"c": [1]}]}, '{"E": ["a" ,"b" ,{"c": [1]}]}')


def test_append_to_a_multiline_array_gets_new_lines_like_the_siblings():
    text = """{
  "Retry": [
    {
      "ErrorEquals": ["States.Timeout"],
      "MaxAttempts": 2
    }
  ]
}"""
    new = {
        "Retry": [
            {"ErrorEquals": ["States.Timeout"], "MaxAttempts": 2},
            {"ErrorEquals": ["A", "B"], "IntervalSeconds": 1, "Extra": {"k": [1]}},
        ]
    }
    check(
        text,
        new,
        """{
  "Retry": [
    {
      "ErrorEquals": ["States.Timeout"],
      "MaxAttempts": 2
    },
    {
      "ErrorEquals": ["A", "B"],
      "IntervalSeconds": 1,
      "Extra": {
        "k": [
          1
        ]
      }
    }
  ]
}""",
    )


def test_append_after_a_compact_sibling_on_its_own_line():
    text = '[\n  {"a": 1},\n  {"a": 2}\n]'
    check(text, [{"a": 1}, {"a": 2}, {"a": 3, "b": [4]}], '[\n  {"a": 1},\n  {"a": 2},\n  {"a": 3, "b": [4]}\n]')


def test_append_to_a_cuddled_array():
    text = '{\n  "k": [{\n    "a": 1\n  }]\n}'
    check(text, {"k": [{"a": 1}, {"a": 2}]}, '{\n  "k": [{\n    "a": 1\n  }, {\n    "a": 2\n  }]\n}')


def test_empty_containers_are_filled_in_the_layout_of_their_line():
    check('{\n  "k": []\n}', {"k": [{"a": 1}]}, '{\n  "k": [\n    {\n      "a": 1\n    }\n  ]\n}')
    check('{"k": [], "m": {}}', {"k": [{"a": 1}], "m": {"b": 2}}, '{"k": [{"a": 1}], "m": {"b": 2}}')


def test_arrays_of_the_same_length_are_edited_element_by_element():
    text = '{"Branches": [\n  {"S": 1, "T": "x"},\n  {"S": 2}\n]}'
    check(text, {"Branches": [{"S": 1, "T": "y"}, {"S": 2}]}, '{"Branches": [\n  {"S": 1, "T": "y"},\n  {"S": 2}\n]}')


def test_other_array_changes_reserialize_just_that_array_in_its_layout():
    check('{"a": [1, 2, 3], "b": [ 0 ]}', {"a": [3, 1], "b": [0]}, '{"a": [3, 1], "b": [ 0 ]}')
    text = '{\n  "a": [\n    1,\n    2\n  ],\n  "b": 0\n}'
    check(text, {"a": [2, 1, 0], "b": 0}, '{\n  "a": [\n    2,\n    1,\n    0\n  ],\n  "b": 0\n}')


# -- whitespace and characters ------------------------------------------------------------------------


def test_crlf_is_kept_for_new_lines():
    text = '{\r\n  "a": 1,\r\n  "b": [\r\n    1\r\n  ]\r\n}\r\n'
    out = check(text, {"a": 1, "n": {"x": 1}, "b": [1, 2]})
    assert out == '{\r\n  "a": 1,\r\n  "n": {\r\n    "x": 1\r\n  },\r\n  "b": [\r\n    1,\r\n    2\r\n  ]\r\n}\r\n'
    assert "\n" not in out.replace("\r\n", "")


def test_tabs_are_the_indentation_unit():
    text = '{\n\t"a": {\n\t\t"b": 1\n\t}\n}'
    check(
        text,
        {"a": {"b": 1, "c": {"d": [1]}}},
        '{\n\t"a": {\n\t\t"b": 1,\n\t\t"c": {\n\t\t\t"d": [\n\t\t\t\t1\n\t\t\t]\n\t\t}\n\t}\n}',
    )


def test_leading_and_trailing_whitespace_are_kept():
    check('\n  {"a": 1}  \n\n', {"a": 2}, '\n  {"a": 2}  \n\n')
    check('{"a": 1}', {"a": 2}, '{"a": 2}')


def test_unicode_stays_raw_when_the_document_writes_it_raw():
    text = '{"Comment": "Prix en €", "a": 1}'
    check(text, {"Comment": "Prix en €", "a": "ü", "é": ["ß"]}, '{"Comment": "Prix en €", "a": "ü", "é": ["ß"]}')
    check('{"a": 1}', {"a": "ü"}, '{"a": "ü"}')


def test_unicode_is_escaped_when_the_document_escapes_it():
    text = '{"Comment": "Prix en \\u20ac", "a": 1}'
    check(text, {"Comment": "Prix en €", "a": "ü"}, '{"Comment": "Prix en \\u20ac", "a": "\\u00fc"}')


def test_escapes_in_untouched_strings_are_kept():
    text = '{"a": "x\\/y\\u0041", "b": 1}'
    check(text, {"a": "x/yA", "b": 2}, '{"a": "x\\/y\\u0041", "b": 2}')


# -- the rule on realistic ASL --------------------------------------------------------------------


def rewrite(text: str) -> str:
    out, outcomes = documents.rewrite_json_text(text, unsafe=False, add_retry=True)
    assert out is not None and outcomes
    expected = json.loads(text)
    documents.rewrite_definition(expected, unsafe=False, add_retry=True)
    assert same(json.loads(out), expected)
    assert documents.rewrite_json_text(out, unsafe=False, add_retry=True)[0] is None
    return out


def test_asl_fixture_exact_output():
    before = (FIXTURES / "fulfilment.before.asl.json").read_text()
    after = (FIXTURES / "fulfilment.after.asl.json").read_text()
    assert rewrite(before) == after
    # every line of the states the rewrite did not touch is still there, in order
    untouched = before[before.index('    "Ship"') :]
    assert untouched in after


def test_asl_with_choice_and_map_exact_output():
    text = """{
  "StartAt": "Pick",
  "States": {
    "Pick": {
      "Type": "Choice",
      "Choices": [{"Variable": "$.n", "NumericGreaterThan": 0, "Next": "Each"}],
      "Default": "Done"
    },
    "Each": {
      "Type": "Map",
      "ItemsPath": "$.items",
      "ItemProcessor": {
        "ProcessorConfig": {"Mode": "INLINE"},
        "StartAt": "One",
        "States": {
          "One": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:one",
            "Parameters": {"item.$": "$", "mode": "fast"},
            "OutputPath": "$.value",
            "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2}],
            "End": true
          }
        }
      },
      "Next": "Done"
    },
    "Done": {"Type": "Succeed"}
  }
}
"""
    assert rewrite(text) == text.replace(
        """            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:one",
            "Parameters": {"item.$": "$", "mode": "fast"},
            "OutputPath": "$.value",
""",
        """            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:one", "Payload": {"item.$": "$", "mode": "fast"}},
            "OutputPath": "$.Payload.value",
""",
    )


def test_json_in_python_strings_is_edited_in_place():
    source = (
        'DEFINITION = \'{"StartAt": "Run", "States": {"Run": {"Type": "Task", '
        '"Resource": "arn:aws:lambda:us-east-1:123456789012:function:run", "End": true}}}\'\n'
        'COMPACT = \'{"StartAt":"A","States":{"A":{"Type":"Task","Resource":'
        '"arn:aws:lambda:us-east-1:123456789012:function:a","Next":"B"},"B":{"Type":"Pass","End":true}}}\'\n'
    )
    out, findings = fix_text(SfnLambdaInvoke, source, options={"add-retry": False})
    assert len(findings) == 2
    assert out == (
        'DEFINITION = \'{"StartAt": "Run", "States": {"Run": {"Type": "Task", '
        '"Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": '
        '"arn:aws:lambda:us-east-1:123456789012:function:run", "Payload.$": "$"}, '
        '"OutputPath": "$.Payload", "End": true}}}\'\n'
        'COMPACT = \'{"StartAt":"A","States":{"A":{"Type":"Task","Resource":'
        '"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":'
        '"arn:aws:lambda:us-east-1:123456789012:function:a","Payload.$":"$"},'
        '"OutputPath":"$.Payload","Next":"B"},"B":{"Type":"Pass","End":true}}}\'\n'
    )
    assert fix_text(SfnLambdaInvoke, out, options={"add-retry": False})[0] == out


# -- random edits ---------------------------------------------------------------------------------


def random_value(rng, depth=0):
    kinds = ["int", "float", "str", "bool", "null"] + (["dict", "list"] * 2 if depth < 4 else [])
    kind = rng.choice(kinds)
    if kind == "dict":
        return {
            rng.choice(["a", "b", "c", "é", "k.$", 'q"']) + str(i): random_value(rng, depth + 1)
            for i in range(rng.randrange(4))
        }
    if kind == "list":
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {
        "int": lambda: rng.randrange(-5, 100),
        "float": lambda: rng.choice([0.5, 1e-7, 2.0]),
        "str": lambda: rng.choice(["x", "ü", "a\nb", "\\"]),
        "bool": lambda: rng.random() < 0.5,
        "null": lambda: None,
    }[kind]()


def mutate(rng, value):
    """``value`` with a few random changes: members added, removed, changed or wrapped, elements
    appended or reordered."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            roll = rng.random()
            if roll < 0.15:
                continue
            if roll < 0.25:
                out["new" + key] = random_value(rng, 2)
            out[key] = mutate(rng, item) if roll < 0.7 else item
        if rng.random() < 0.2:
            out = {"wrap": out} if rng.random() < 0.5 else out | {"z": random_value(rng, 3)}
        return out
    if isinstance(value, list):
        roll = rng.random()
        if roll < 0.3:
            return value + [random_value(rng, 3)]
        if roll < 0.4:
            return list(reversed(value))
        return [mutate(rng, v) for v in value]
    return random_value(rng, 4) if rng.random() < 0.3 else value


def test_random_edits_always_give_the_new_value():
    import random

    rng = random.Random(1234)
    styles = [
        {"indent": 2},
        {"indent": 4},
        {"indent": "\t"},
        {},
        {"separators": (",", ":")},
        {"indent": 1, "ensure_ascii": False},
        {"ensure_ascii": False, "separators": (" ,", " : ")},
    ]
    for _ in range(400):
        old = random_value(rng)
        text = json.dumps(old, **rng.choice(styles))
        if rng.random() < 0.3:
            text = "\n" + text.replace("\n", "\r\n") + "\r\n"
        check(text, mutate(rng, copy.deepcopy(old)))
