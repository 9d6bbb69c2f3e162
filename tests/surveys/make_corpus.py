"""Build tests/surveys/fixtures/surveycore_corpus.json: the differential test's corpus.

The scenarios come from SurveyJS's own test suite (survey-library, tests/expressions/
expressionParserTest.ts, tests/surveyvalidatortests.ts, tests/question_matrixdynamictests.ts,
tests/question_paneldynamic_tests.ts, tests/surveytests.ts): the expressions with the values
they are run on, and questionnaires with the answers they are checked with. Only the data is
taken (no code); every expected verdict is survey-core's own, computed here by running the
cases under Node (surveycore_complete.js) and stored beside them. Never edit expectations by
hand: rerun

    .venv/bin/python tests/surveys/make_corpus.py
"""
import json
import os
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "fixtures" / "surveycore_corpus.json"
EXPR = "tests/expressions/expressionParserTest.ts"

# (expression, [values it is run on]) from expressionParserTest.ts.
EXPRESSIONS = [
    ("{value} contains ['a', 'b']", [{"value": ["a", "b"]}, {"value": ["a", "c"]}, {"value": ["a", "b", "c"]}]),
    ("{text} = 'I\\'m here'", [{"text": "I'm here"}, {"text": "here"}]),
    ("{a} equals 1", [{"a": 1}, {"a": 2}]),
    ("{a} notequals 1", [{"a": 1}, {"a": 2}]),
    ("{complex name #$%?dd} = 1", [{"complex name #$%?dd": 1}, {"complex name #$%?dd": 2}]),
    ("{a} equals [1, 2]", [{"a": [1, 2]}, {"a": [2]}, {"a": [2, 1]}]),
    ("{a} - 1 > 5", [{"a": 7}, {"a": 6}]),
    ("({a} + {b}) * 2 >= 10", [{"a": 1, "b": 3}, {"a": 4, "b": 3}]),
    ("({a} + {b} + {c}) / 3 >= 3", [{"a": 1, "b": 3, "c": 2}, {"a": 1, "b": 3, "c": 5}]),
    ("(1+2)*3 = 9", [{}]),
    ("(1+2)*(3+2) / 5 = 3", [{}]),
    ("10 % 3 = 1", [{}]),
    ("({val1} + {val2}) % 2 = 0", [{"val1": 1, "val2": 3}, {"val1": 2, "val2": 3}]),
    ("sumInArray({a}, 'val1') = 30", [{"a": [{"val1": 10}, {"val2": 10}, {"val1": 20}]}, {"a": [{"val2": 1}]}]),
    ("sumInArray({a}, 'val1') > 0", [{"a": {"row1": {"val1": 10}, "row2": {"val2": 10}, "row3": {"val1": 20}}}]),
    ("countInArray({a}, 'val1') = 2", [{"a": [{"val1": 10}, {"val2": 10}, {"val1": 20}]}, {"a": [{"val2": 1}]},
                                       {"a": {}}]),
    ("iif({a}, 'high', 'low') = 'high'", [{"a": True}, {"a": False}]),
    ("iif({a} + {b} > 20, 'high', 'low') = 'low'", [{"a": 10, "b": 20}, {"a": 10, "b": 5}]),
    ("iif({a} + {b} > 20, 'high', iif({a} + {b} > 10, 'medium', 'low')) = 'medium'",
     [{"a": 10, "b": 20}, {"a": 10, "b": 5}, {"a": 1, "b": 5}]),
    ("iif(({a} + {b}) > 20, ({a} * 5 + {b}), iif({a} + {b} > 10, 5*({a}+ {b}), {a})) > 10",
     [{"a": 10, "b": 20}, {"a": 10, "b": 5}, {"a": 1, "b": 5}]),
    ("iif({a}, 'yes', '') notempty", [{"a": True}, {"a": False}]),
    ("{a} ^ 3 + {b} ^ 0.5 = 1020", [{"a": 10, "b": 400}, {"a": 9, "b": 400}]),
    ("{2-3+4} = 1", [{"2-3+4": 1}, {"2-3+4": 2}]),
    ("{val} notempty", [{"val": "0x1"}, {"val": 0}, {"val": "0"}, {"val": False}, {}]),
    ("{val} = 2", [{"val": "0x1"}, {"val": "0x2"}]),
    ("{val} contain 1", [{}, {"val": [1]}]),
    ("{val} notcontain 1", [{}, {"val": [2]}]),
    ("{val.length} > 1", [{"val": []}, {"val": [1]}, {"val": [1, 2]}, {"val": [1, 2, 3]}]),
    ("{val.length} = 0", [{"val": []}, {}, {"val": None}]),
    ("{val.length} < 4", [{"val": []}, {}, {"val": None}, {"val": [1, 2, 3, 4]}]),
    ("{val.length} < 3", [{"val": [1, 2]}, {}]),
    ("{val} contain 'ab'", [{}, {"val": "ba"}, {"val": "babc"}]),
    ("{val} notcontain 'ab'", [{}, {"val": "ba"}, {"val": "babc"}]),
    ("7 * ((10 * 0.4) + (20 * 0.6)) = 112", [{}]),
    ("0x1 + 0x2 + {x} = 6", [{"x": 3}, {"x": 4}]),
    ("{value} anyof ['a', 'b']", [{"value": ["a", "c"]}, {"value": ["a", "b"]}, {"value": ["c", "d"]},
                                  {"value": []}, {"value": None}]),
    ("{value} anyof [7, 3, 0]", [{"value": 3}, {"value": 0}, {"value": 1}]),
    ("{value} anyof ['a', 'b', 'c']", [{"value": "a"}, {"value": "e"}]),
    ("{value} allof ['a', 'b']", [{"value": ["a", "c"]}, {"value": ["a", "b", "c"]}, {"value": ["c", "d"]}]),
    ("{value} = '1'", [{"value": 1}, {"value": "1"}, {"value": 2}]),
    ("{value} = 'undefined'", [{}, {"value": "x"}]),
    ("{v1} = {v2}", [{}, {"v1": 1}]),
    ("{v1} != {v2}", [{}, {"v1": 1}]),
    ("{v1} <= {v2}", [{}, {"v1": 1}]),
    ("{v1} >= {v2}", [{}, {"v1": 1}]),
    ("{v1} < {v2}", [{}, {"v1": 1}]),
    ("{v1} > {v2}", [{}, {"v1": 1}]),
    ("{a'b\"c} = 1", [{"a'b\"c": 1}, {"a'b\"c": 2}]),
    ("({a} + {b}) * {c} = 20", [{"a": "2", "b": "3", "c": "4"}, {"a": "2", "b": "3", "c": "5"}]),
    ("{a} = 'True'", [{"a": "False"}, {"a": "True"}, {"a": False}, {"a": True}]),
    ("{a} = 'False'", [{"a": "False"}, {"a": "True"}, {"a": False}, {"a": True}]),
    ("{a.b.c.d} = 1", [{"a.b.c.d": 1}, {"a.b.c.d": 2}]),
    ("{val1} + iif({val2} = \"item2\", \"[\" + {val1} + \"]\", \"x\") = '1[1]'",
     [{"val1": "1", "val2": "item2"}, {"val1": "1", "val2": "item1"}, {"val2": "item1"}]),
    ("{val1} + '{ text' + '}' = '1{ text}'", [{"val1": "1"}, {"val1": "2"}]),
    ("{val1} + {val2} = 103", [{"val1": "1", "val2": "102"}, {"val1": "1", "val2": "100"}]),
    ("{#val1} + {#val2} = '1102'", [{"val1": "1", "val2": "102"}]),
    ("age({d}) >= 10", [{"d": "2010-01-01"}, {"d": "2024-06-30"}, {"d": "1990-12-31"}, {}]),
    ("diffDays({d1}, {d2}) = 32", [{"d1": "2021-01-01", "d2": "2021-02-02"}, {"d2": "2021-02-02"}]),
    ("{val} == '000'", [{"val": "000"}, {"val": "00"}, {"val": "0"}, {"val": 0}]),
    ("{val} = 'TRUE'", [{"val": "TRUE"}, {"val": "FALSE"}]),
    ("{val} contains 'TRU'", [{"val": "TRUE"}, {"val": "FALSE"}]),
    ("{val} contains 'FALSE'", [{"val": "TRUE"}, {"val": "FALSE"}]),
    ("3 * 0.6 = 1.8", [{}]),
    ("0.3 + 0.6 = 0.9", [{}]),
    ("0.9 - 0.6 = 0.3", [{}]),
    ("sum(0.3, 0.6) = 0.9", [{}]),
    ("avg(0.3, 0.6) = 0.45", [{}]),
    ("sumInArray({a}, 'val1') = 0.9", [{"a": [{"val1": 0.3}, {"val2": 10}, {"val1": 0.6}]}]),
    ("avgInArray({a}, 'val1') = 0.45", [{"a": [{"val1": 0.3}, {"val2": 10}, {"val1": 0.6}]}]),
    ("{val} = 1 and {a} < 3", [{"val": 1, "a": 2}, {"val": 1, "a": 3}, {"val": 2, "a": 1}]),
    ("{val} = 1 or {a} < 3", [{"val": 1, "a": 5}, {"val": 2, "a": 5}, {"val": 2, "a": 1}]),
    ("!({val} = 1)", [{"val": 1}, {"val": 2}]),
    ("{val} != 1", [{"val": 1}, {"val": 2}, {}]),
    ("{q1} empty", [{}, {"q1": ""}, {"q1": []}, {"q1": "a"}]),
    ("{q1} notempty", [{}, {"q1": ""}, {"q1": []}, {"q1": "a"}]),
    ("today() > '2020-01-01'", [{}]),
    ("currentYear() >= 2024", [{}]),
    ("getDate('2024-02-29') < today()", [{}]),
    ("dateDiff({d1}, {d2}, 'months') >= 12", [{"d1": "2023-01-15", "d2": "2024-01-15"},
                                                {"d1": "2023-03-01", "d2": "2024-01-15"}]),
    ("dateAdd({d}, 1, 'years') > '2025-01-01'", [{"d": "2024-06-01"}, {"d": "2023-06-01"}]),
    ("year({d}) = 2024 and month({d}) = 2", [{"d": "2024-02-10"}, {"d": "2024-03-10"}]),
    ("max({a}, {b}) = 5", [{"a": 5, "b": 3}, {"a": 1, "b": 3}]),
    ("min({a}, {b}) = 3", [{"a": 5, "b": 3}, {"a": 1, "b": 3}]),
    ("round({a}, 1) = 2.5", [{"a": 2.46}, {"a": 2.44}]),
    ("trunc({a}) = 2", [{"a": 2.9}, {"a": 3.1}]),
    ("isContainerReady('x')", [{}]),
    ("{a} between 1 and 5", [{"a": 3}, {"a": 7}]),
    ("{a} * 2 = {b}", [{"a": 2, "b": 4}, {"a": 2, "b": 5}]),
    ("{a} contains {b}", [{"a": ["x", "y"], "b": "x"}, {"a": ["x", "y"], "b": "z"}]),
    ("{a} noneof ['x', 'y']", [{"a": ["z"]}, {"a": ["x"]}, {"a": "y"}]),
    ("{a} = 'abc' and {b} contains 'd'", [{"a": "abc", "b": "dd"}, {"a": "abc", "b": "ee"}]),
    ("{a} < {b} and {b} < {c}", [{"a": 1, "b": 2, "c": 3}, {"a": 3, "b": 2, "c": 1}]),
    ("{a} like 'ab'", [{"a": "xaby"}, {"a": "xy"}]),
]

# How each (expression, values) is put to a questionnaire: the expression as an expression
# validator, a requiredIf, a visibleIf and an enableIf of a required question (after a
# question always shown, so that the page itself never disappears).
NOTE = {"type": "text", "name": "note"}
WRAPS = {
    "validator": lambda e: {"elements": [NOTE, {"type": "text", "name": "answer", "validators": [
        {"type": "expression", "expression": e, "text": "不满足条件"}]}]},
    "requiredIf": lambda e: {"elements": [NOTE, {"type": "text", "name": "answer", "requiredIf": e}]},
    "visibleIf": lambda e: {"elements": [NOTE, {"type": "text", "name": "answer", "isRequired": True,
                                                "visibleIf": e}]},
    "enableIf": lambda e: {"elements": [NOTE, {"type": "text", "name": "answer", "isRequired": True,
                                               "enableIf": e}]},
}

# Questionnaires with the answers they are checked with (validators, matrices, panels, survey).
SCHEMAS = [
    ("tests/surveyvalidatortests.ts: Numeric validator", {"elements": [{"type": "text", "name": "q", "inputType": "number",
     "validators": [{"type": "numeric", "minValue": 10, "maxValue": 20}]}]},
     [{"q": 5}, {"q": 15}, {"q": 25}, {"q": "abc"}, {"q": "15"}, {}]),
    ("tests/surveyvalidatortests.ts: Text validator", {"elements": [{"type": "text", "name": "q",
     "validators": [{"type": "text", "minLength": 3, "maxLength": 5}]}]},
     [{"q": "12"}, {"q": "1234"}, {"q": "123456"}, {"q": "😀😀"}, {"q": "汉字汉"}, {"q": ""}]),
    ("tests/surveyvalidatortests.ts: Text validator allowDigits", {"elements": [{"type": "text", "name": "q",
     "validators": [{"type": "text", "allowDigits": False}]}]}, [{"q": "abc"}, {"q": "ab1"}, {"q": "１２"}]),
    ("tests/surveyvalidatortests.ts: Email validator", {"elements": [{"type": "text", "name": "q",
     "validators": [{"type": "email"}]}]},
     [{"q": "my@mail.com"}, {"q": " my@mail.com "}, {"q": "my@mail"}, {"q": "@mail.com"}, {"q": "a@例子.中国"},
      {"q": "a.b@c.d.e"}, {"q": " "}]),
    ("tests/surveyvalidatortests.ts: Regex validator", {"elements": [{"type": "text", "name": "q",
     "validators": [{"type": "regex", "regex": "^\\d+$"}]}]},
     [{"q": "123"}, {"q": "12a"}, {"q": "１２３"}, {"q": "12\n"}]),
    ("tests/surveyvalidatortests.ts: Regex validator \\w", {"elements": [{"type": "text", "name": "q",
     "validators": [{"type": "regex", "regex": "^\\w+$"}]}]}, [{"q": "abc_1"}, {"q": "汉字"}, {"q": "a b"}]),
    ("tests/surveyvalidatortests.ts: Regex validator caseInsensitive", {"elements": [{"type": "text", "name": "q",
     "validators": [{"type": "regex", "regex": "^abc$", "caseInsensitive": True}]}]}, [{"q": "ABC"}, {"q": "abd"}]),
    ("tests/surveyvalidatortests.ts: Answer count validator", {"elements": [{"type": "checkbox", "name": "q",
     "choices": [1, 2, 3, 4, 5], "validators": [{"type": "answercount", "minCount": 2, "maxCount": 3}]}]},
     [{"q": [1]}, {"q": [1, 2]}, {"q": [1, 2, 3, 4]}, {}]),
    ("tests/surveyvalidatortests.ts: Expression validator", {"elements": [
        {"type": "text", "name": "a", "inputType": "number"}, {"type": "text", "name": "b", "inputType": "number",
         "validators": [{"type": "expression", "expression": "{a} < {b}"}]}]},
     [{"a": 1, "b": 2}, {"a": 3, "b": 2}, {"a": 3}, {"b": 2}]),
    ("tests/surveytests.ts: isRequired, readOnly", {"elements": [{"type": "text", "name": "q", "isRequired": True,
     "readOnly": True}]}, [{}, {"q": "a"}]),
    ("tests/surveytests.ts: isRequired in invisible panel", {"elements": [NOTE, {"type": "panel", "name": "p",
     "visible": False, "elements": [{"type": "text", "name": "q", "isRequired": True}]}]}, [{}]),
    ("tests/surveytests.ts: panel visibleIf", {"elements": [{"type": "text", "name": "a"}, {"type": "panel",
     "name": "p", "visibleIf": "{a} = 1", "elements": [{"type": "text", "name": "q", "isRequired": True}]}]},
     [{}, {"a": 1}, {"a": 1, "q": "x"}, {"a": 2}]),
    ("tests/surveytests.ts: requiredIf with isRequired", {"elements": [{"type": "text", "name": "a"},
     {"type": "text", "name": "q", "isRequired": True, "requiredIf": "{a} = 1"}]}, [{}, {"a": 1}, {"a": 2}]),
    ("tests/surveytests.ts: page visibleIf", {"pages": [{"name": "p1", "elements": [{"type": "text", "name": "a"}]},
     {"name": "p2", "visibleIf": "{a} = 'show'", "elements": [{"type": "text", "name": "q", "isRequired": True}]}]},
     [{}, {"a": "show"}, {"a": "show", "q": "1"}]),
    ("tests/surveytests.ts: other comment required", {"elements": [{"type": "radiogroup", "name": "q",
     "choices": [1, 2], "showOtherItem": True}]}, [{"q": "other"}, {"q": "other", "q-Comment": "x"},
                                                   {"q": "other", "q-Comment": " "}, {"q": 1}]),
    ("tests/surveytests.ts: checkbox other comment", {"elements": [{"type": "checkbox", "name": "q",
     "choices": [1, 2], "showOtherItem": True, "isRequired": True}]},
     [{"q": ["other"]}, {"q": [1, "other"], "q-Comment": "x"}, {"q": []}, {}]),
    ("tests/surveytests.ts: panel isRequired", {"elements": [{"type": "panel", "name": "p", "isRequired": True,
     "elements": [{"type": "text", "name": "a"}, {"type": "text", "name": "b"}]}]}, [{}, {"a": "1"}]),
    ("tests/surveytests.ts: multipletext isRequired items", {"elements": [{"type": "multipletext", "name": "q",
     "items": [{"name": "a", "isRequired": True}, {"name": "b"}]}]}, [{}, {"q": {"b": "1"}}, {"q": {"a": "1"}}]),
    ("tests/surveytests.ts: matrix eachRowRequired", {"elements": [{"type": "matrix", "name": "q",
     "rows": ["r1", "r2"], "columns": [1, 2], "eachRowRequired": True}]}, [{}, {"q": {"r1": 1}},
                                                                            {"q": {"r1": 1, "r2": 2}}]),
    ("tests/surveytests.ts: matrix isAllRowRequired", {"elements": [{"type": "matrix", "name": "q",
     "rows": ["r1", "r2"], "columns": [1, 2], "isAllRowRequired": True, "isRequired": True}]},
     [{}, {"q": {"r1": 1}}, {"q": {"r1": 1, "r2": 2}}]),
    ("tests/question_matrixdynamictests.ts: required column", {"elements": [{"type": "matrixdynamic", "name": "m",
     "rowCount": 2, "columns": [{"name": "c1", "isRequired": True}, {"name": "c2"}]}]},
     [{}, {"m": [{"c1": 1}, {"c2": 2}]}, {"m": [{"c1": 1}, {"c1": 2}]}, {"m": []}]),
    ("tests/question_matrixdynamictests.ts: minRowCount", {"elements": [{"type": "matrixdynamic", "name": "m",
     "minRowCount": 2, "rowCount": 0, "columns": [{"name": "c1"}]}]}, [{}, {"m": [{"c1": 1}]},
                                                                      {"m": [{"c1": 1}, {"c1": 2}]}]),
    ("tests/question_matrixdynamictests.ts: isUnique column", {"elements": [{"type": "matrixdynamic", "name": "m",
     "columns": [{"name": "c1", "isUnique": True, "cellType": "text"}]}]},
     [{"m": [{"c1": "a"}, {"c1": "a"}]}, {"m": [{"c1": "a"}, {"c1": "b"}]}]),
    ("tests/question_matrixdynamictests.ts: keyName", {"elements": [{"type": "matrixdynamic", "name": "m",
     "keyName": "c1", "columns": [{"name": "c1", "cellType": "text"}]}]},
     [{"m": [{"c1": "a"}, {"c1": "a"}]}, {"m": [{"c1": "a"}, {"c1": "b"}]}]),
    ("tests/question_matrixdynamictests.ts: cell validators", {"elements": [{"type": "matrixdynamic", "name": "m",
     "columns": [{"name": "n", "cellType": "text", "inputType": "number",
                  "validators": [{"type": "numeric", "minValue": 0, "maxValue": 10}]}]}]},
     [{"m": [{"n": 5}, {"n": 11}]}, {"m": [{"n": -1}]}, {"m": [{"n": 3}]}]),
    ("tests/question_matrixdynamictests.ts: column visibleIf and requiredIf", {"elements": [{"type": "matrixdynamic",
     "name": "m", "columns": [{"name": "a", "cellType": "text"},
                              {"name": "b", "cellType": "text", "isRequired": True, "visibleIf": "{row.a} = 'x'"},
                              {"name": "c", "cellType": "text", "requiredIf": "{row.a} = 'y'"}]}]},
     [{"m": [{"a": "x"}, {"a": "y"}]}, {"m": [{"a": "x", "b": "1"}, {"a": "y", "c": "1"}]}, {"m": [{"a": "z"}]}]),
    ("tests/question_matrixdynamictests.ts: totals and expression column", {"elements": [{"type": "matrixdynamic",
     "name": "m", "columns": [{"name": "p", "cellType": "text", "inputType": "number"},
                              {"name": "q", "cellType": "text", "inputType": "number"},
                              {"name": "t", "cellType": "expression", "expression": "{row.p} * {row.q}"}]},
     {"type": "text", "name": "check", "validators": [{"type": "expression",
      "expression": "sumInArray({m}, 't') <= 100"}]}]},
     [{"m": [{"p": 2, "q": 3}], "check": "x"}, {"m": [{"p": 20, "q": 30}], "check": "x"}]),
    ("tests/question_matrixdropdowntests.ts: required cells", {"elements": [{"type": "matrixdropdown", "name": "m",
     "rows": ["r1", "r2"], "columns": [{"name": "c1", "isRequired": True, "cellType": "text"}]}]},
     [{}, {"m": {"r1": {"c1": "a"}}}, {"m": {"r1": {"c1": "a"}, "r2": {"c1": "b"}}}]),
    ("tests/question_matrixdropdowntests.ts: isRequired matrix", {"elements": [{"type": "matrixdropdown",
     "name": "m", "isRequired": True, "rows": ["r1"], "columns": [{"name": "c1", "cellType": "text"}]}]},
     [{}, {"m": {"r1": {"c1": "a"}}}]),
    ("tests/question_paneldynamic_tests.ts: required inner question", {"elements": [{"type": "paneldynamic",
     "name": "pd", "templateElements": [{"type": "text", "name": "q1", "isRequired": True},
                                        {"type": "text", "name": "q2"}]}]},
     [{}, {"pd": [{"q1": "a"}, {"q2": "b"}]}, {"pd": [{"q1": "a"}]}, {"pd": []}]),
    ("tests/question_paneldynamic_tests.ts: minPanelCount", {"elements": [{"type": "paneldynamic", "name": "pd",
     "minPanelCount": 2, "templateElements": [{"type": "text", "name": "q1"}]}]},
     [{}, {"pd": [{"q1": "a"}]}, {"pd": [{"q1": "a"}, {"q1": "b"}]}]),
    ("tests/question_paneldynamic_tests.ts: inner visibleIf {panel.x}", {"elements": [{"type": "paneldynamic",
     "name": "pd", "templateElements": [{"type": "text", "name": "a"},
                                        {"type": "text", "name": "b", "isRequired": True,
                                         "visibleIf": "{panel.a} = 1"}]}]},
     [{"pd": [{"a": 1}, {"a": 2}]}, {"pd": [{"a": 1, "b": "x"}]}, {"pd": [{"a": 2}]}]),
    ("tests/question_paneldynamic_tests.ts: keyName", {"elements": [{"type": "paneldynamic", "name": "pd",
     "keyName": "a", "templateElements": [{"type": "text", "name": "a"}]}]},
     [{"pd": [{"a": "x"}, {"a": "x"}]}, {"pd": [{"a": "x"}, {"a": "y"}]}]),
    ("tests/question_paneldynamic_tests.ts: inner validators", {"elements": [{"type": "paneldynamic", "name": "pd",
     "templateElements": [{"type": "text", "name": "e", "validators": [{"type": "email"}]},
                          {"type": "text", "name": "n", "inputType": "number",
                           "validators": [{"type": "expression", "expression": "{panel.n} > {panelIndex}"}]}]}]},
     [{"pd": [{"e": "a@b.cn", "n": 5}]}, {"pd": [{"e": "bad", "n": 0}]}, {"pd": [{"n": 0}, {"n": 0}]}]),
    ("tests/surveytests.ts: calculatedValues in validators", {"calculatedValues": [{"name": "total",
     "expression": "{a} + {b}"}], "elements": [{"type": "text", "name": "a", "inputType": "number"},
                                               {"type": "text", "name": "b", "inputType": "number",
                                                "validators": [{"type": "expression", "expression": "{total} <= 10"}]}]},
     [{"a": 3, "b": 4}, {"a": 8, "b": 4}]),
    ("tests/surveytests.ts: text min/max", {"elements": [{"type": "text", "name": "q", "inputType": "number",
     "min": 0, "max": 10}]}, [{"q": -1}, {"q": 5}, {"q": 11}]),
    ("tests/surveytests.ts: date min/max", {"elements": [{"type": "text", "name": "q", "inputType": "date",
     "min": "2024-01-01", "max": "2024-12-31"}]}, [{"q": "2023-12-31"}, {"q": "2024-06-01"}, {"q": "2025-01-01"}]),
    ("tests/surveytests.ts: date maxValueExpression today()", {"elements": [{"type": "text", "name": "q",
     "inputType": "date", "maxValueExpression": "today()"}]}, [{"q": "2020-01-01"}, {"q": "2999-01-01"}]),
    ("tests/surveytests.ts: boolean required", {"elements": [{"type": "boolean", "name": "q", "isRequired": True}]},
     [{}, {"q": False}, {"q": True}]),
    ("tests/surveytests.ts: rating required", {"elements": [{"type": "rating", "name": "q", "isRequired": True}]},
     [{}, {"q": 3}]),
    ("tests/surveytests.ts: comment maxLength", {"elements": [{"type": "comment", "name": "q", "maxLength": 3}]},
     [{"q": "ab"}, {"q": "abcd"}]),
    ("tests/surveytests.ts: clearInvisibleValues onComplete", {"elements": [{"type": "text", "name": "a"},
     {"type": "text", "name": "b", "visibleIf": "{a} = 1"}]}, [{"a": 2, "b": "x"}, {"a": 1, "b": "x"}]),
    ("tests/surveytests.ts: expression question", {"elements": [{"type": "text", "name": "a", "inputType": "number"},
     {"type": "expression", "name": "double", "expression": "{a} * 2"},
     {"type": "text", "name": "b", "visibleIf": "{double} > 4", "isRequired": True}]}, [{"a": 1}, {"a": 3}]),
    ("tests/surveytests.ts: checkErrorsMode onComplete", {"checkErrorsMode": "onComplete", "pages": [
        {"elements": [{"type": "text", "name": "a", "isRequired": True}]},
        {"elements": [{"type": "text", "name": "b", "isRequired": True}]}]}, [{}, {"a": "1"}, {"a": "1", "b": "2"}]),
    ("tests/surveytests.ts: enableIf on panel", {"elements": [{"type": "text", "name": "a"}, {"type": "panel",
     "name": "p", "enableIf": "{a} = 1", "elements": [{"type": "text", "name": "q", "isRequired": True}]}]},
     [{}, {"a": 1}]),
    ("tests/surveytests.ts: choicesVisibleIf", {"elements": [{"type": "checkbox", "name": "a", "choices": [1, 2, 3]},
     {"type": "radiogroup", "name": "b", "isRequired": True, "choicesFromQuestion": "a",
      "choicesFromQuestionMode": "selected"}]}, [{"a": [1]}, {"a": [1], "b": 1}, {}]),
]


def cases():
    out = []
    for expression, values_list in EXPRESSIONS:
        for wrap, build in WRAPS.items():
            for values in values_list:
                data = dict(values)
                if wrap == "validator":
                    data["answer"] = "x"
                out.append({"source": f"{EXPR}: {expression}", "wrap": wrap, "schema": build(expression),
                            "data": data})
    for source, schema, datas in SCHEMAS:
        for data in datas:
            out.append({"source": source, "wrap": "schema", "schema": schema, "data": data})
    return out


def run_node(batch):
    """survey-core's verdicts under Node (surveycore_complete.js), in China's time zone like the respondents."""
    proc = subprocess.run(["node", str(HERE / "surveycore_complete.js")], input=json.dumps(batch),
                          capture_output=True, text=True, timeout=600, check=True,
                          env={**os.environ, "TZ": "Asia/Shanghai"})
    return json.loads(proc.stdout)


def main():
    batch = cases()
    verdicts = run_node([{"schema": c["schema"], "data": c["data"]} for c in batch])
    for case, verdict in zip(batch, verdicts, strict=True):
        assert "crashed" not in verdict, (case, verdict)
        case["expected"] = {"valid": verdict["valid"], "errors": sorted(verdict["errors"])}
    OUT.write_text(json.dumps(batch, ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"{len(batch)} cases, {sum(c['expected']['valid'] for c in batch)} valid -> {OUT}")


if __name__ == "__main__":
    main()
