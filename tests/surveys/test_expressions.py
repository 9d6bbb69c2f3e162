"""The visibleIf evaluator on the forms the questionnaires use (survey-core's semantics)."""
import pytest

from surveys.expressions import ExpressionError, evaluate, parse

ANSWERS = {"n": 5, "s": "Yes ", "c": ["a", "b"], "b": False, "m": {"r1": 2}, "empty_list": []}


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("{n} = 5", True), ("{n} = '5'", True), ("{n} != 5", False), ("{n} <> 4", True),
        ("{n} > 4", True), ("{n} < 5", False), ("{n} >= 5", True), ("{n} <= 4", False),
        ("{s} = 'yes'", True),  # case-insensitive and trimmed, as SurveyJS
        ("{c} contains 'a'", True), ("{c} notcontains 'a'", False), ("{s} contains 'ye'", True),
        ("{missing} empty", True), ("{empty_list} empty", True), ("{c} notempty", True), ("{b} notempty", True),
        ("{c} anyof ['x', 'b']", True), ("{c} allof ['a', 'x']", False), ("{c} allof ['a', 'b']", True),
        ("{n} > 4 and {b} = false", True), ("{n} > 9 or {c} contains 'b'", True), ("!({n} = 5)", False),
        ("not ({n} = 5) or {m.r1} = 2", True), ("{missing} > 1", False), ("{missing} notcontains 'x'", True),
        ("{b} = true", False), ("{c} = ['b', 'a']", True),
    ],
)
def test_expression_forms(expression, expected):
    assert evaluate(expression, ANSWERS) is expected


@pytest.mark.parametrize("bad", ["", "{n} = ", "({n} = 1", "{n} = = 1", "[1, 2"])
def test_malformed_expressions_are_refused(bad):
    with pytest.raises(ExpressionError):
        parse(bad)


def test_and_or_not_follow_javascript_truthiness():
    # In JavaScript an empty list is true; survey-core evaluates `{c} and ...` that way.
    assert evaluate("{empty_list} and {n} = 5", ANSWERS) is True
    assert evaluate("!{empty_list}", ANSWERS) is False
    assert evaluate("{missing} or {n} = 4", ANSWERS) is False
