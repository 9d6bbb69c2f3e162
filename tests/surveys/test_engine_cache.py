"""The engine keeps one built survey-core model per questionnaire and reuses it: nothing of
one respondent (answers, errors, pages, completed state) reaches the next one's verdict.

Every verdict from the cached model is compared with the verdict of a model built for that
call alone (`fresh=True`), respondent after respondent, in orders that would show a leak."""
import json
import random

import pytest

from surveys import engine
from surveys.demo import BASELINE_FIXTURE

from .conftest import GOOD_ANSWERS, SIMPLE_SCHEMA
from .test_differential import _answer, generate

BRANCHING = {"pages": [
    {"name": "p1", "elements": [
        {"type": "radiogroup", "name": "kind", "title": "类型", "isRequired": True, "choices": ["市局", "县局"]},
        {"type": "text", "name": "city", "title": "市名", "isRequired": True, "visibleIf": "{kind} = '市局'"},
        {"type": "text", "name": "staff", "title": "人数", "inputType": "number", "defaultValue": 3,
         "validators": [{"type": "numeric", "minValue": 1, "maxValue": 50}]},
        {"type": "comment", "name": "why", "title": "原因", "requiredIf": "{staff} > 10"},
    ]},
    {"name": "p2", "elements": [
        {"type": "matrix", "name": "grade", "title": "评价", "rows": ["a", "b"], "columns": [1, 2, 3],
         "isAllRowRequired": True, "visibleIf": "{kind} notempty"},
        {"type": "matrixdropdown", "name": "md", "title": "明细", "rows": ["r1", "r2"],
         "columns": [{"name": "n", "cellType": "text", "isRequired": True}]},
        {"type": "multipletext", "name": "contact", "title": "联系", "items": [{"name": "tel", "isRequired": True}]},
        {"type": "checkbox", "name": "help", "title": "帮扶", "choices": ["培训", "导航"], "showOtherItem": True,
         "validators": [{"type": "answercount", "maxCount": 1}]},
    ]},
]}
BRANCHING_ANSWERS = [
    {"kind": "市局", "city": "西宁", "staff": 20, "why": "多", "grade": {"a": 1, "b": 2},
     "md": {"r1": {"n": "x"}, "r2": {"n": "y"}}, "contact": {"tel": "1"}, "help": ["培训"]},
    {"kind": "县局", "staff": 60, "grade": {"a": 1}, "md": {"r1": {"n": "x"}}, "help": ["培训", "导航"]},
    {},
    {"kind": "县局", "grade": {"a": 3, "b": 3}, "md": {"r1": {"n": "1"}, "r2": {"n": "2"}}, "contact": {"tel": "9"},
     "help": ["other"], "help-Comment": "维权"},
    {"kind": "市局", "staff": 0, "help": ["other"]},
]
DYNAMIC = {"pages": [{"name": "p1", "elements": [
    {"type": "paneldynamic", "name": "people", "title": "人员", "minPanelCount": 1, "templateElements": [
        {"type": "text", "name": "who", "isRequired": True},
        {"type": "text", "name": "age", "inputType": "number", "visibleIf": "{panel.who} notempty",
         "validators": [{"type": "expression", "expression": "{panel.age} >= 18"}]}]},
    {"type": "matrixdynamic", "name": "rows", "title": "明细", "rowCount": 1,
     "columns": [{"name": "n", "cellType": "text", "inputType": "number", "isRequired": True}]},
]}]}
DYNAMIC_ANSWERS = [
    {"people": [{"who": "张三", "age": 40}, {"who": "李四", "age": 30}, {"who": "王五", "age": 20}], "rows": [{"n": 1}] * 3},
    {},
    {"people": [{"who": "张三", "age": 12}], "rows": [{}]},
    {"people": [{"who": "张三", "age": 40}], "rows": [{"n": 2}]},
]


def baseline():
    from bench.national import BASELINE_ANSWERS

    schema = json.loads(BASELINE_FIXTURE.read_text(encoding="utf-8"))["schema"]
    incomplete = {k: v for k, v in BASELINE_ANSWERS.items() if k not in ("ip_department", "staff_total")}
    return schema, [BASELINE_ANSWERS, incomplete, {}, {**BASELINE_ANSWERS, "staff_total": -5}]


def assert_cached_equals_fresh(schema, respondents):
    """Judge each respondent on the cached model and on a fresh one; the verdicts must match."""
    verdicts = []
    for answers in respondents:
        cached = engine.judge(schema, answers)
        fresh = engine.judge(schema, answers, fresh=True)
        assert cached == fresh, (schema, answers)
        verdicts.append(cached)
    return verdicts


@pytest.mark.parametrize("name", ["simple", "branching", "baseline", "dynamic"])
def test_respondents_one_after_another_get_the_verdicts_of_a_fresh_model(name):
    schema, respondents = {
        "simple": (SIMPLE_SCHEMA, [GOOD_ANSWERS, {"staff": 500, "has_tisc": True}, {}, GOOD_ANSWERS]),
        "branching": (BRANCHING, BRANCHING_ANSWERS),
        "baseline": baseline(),
        "dynamic": (DYNAMIC, DYNAMIC_ANSWERS),
    }[name]
    # Forwards, backwards and forwards again: every respondent follows several others.
    order = respondents + respondents[::-1] + respondents
    verdicts = assert_cached_equals_fresh(schema, order)
    # The respondents are told apart: at least one accepted and one refused.
    assert {v["valid"] for v in verdicts} == {True, False}


def test_a_refused_respondent_leaves_no_error_on_the_next_one():
    bad = {"kind": "市局", "staff": 99, "grade": {"a": 1}, "help": ["培训", "导航"]}
    good = BRANCHING_ANSWERS[0]
    refused = engine.judge(BRANCHING, bad)
    assert not refused["valid"]
    assert {"city", "why", "grade", "help"} <= set(refused["errors"])
    accepted = engine.judge(BRANCHING, good)
    assert accepted["valid"] and accepted["errors"] == {}
    # What is kept is the second respondent's answers only, as on a fresh model.
    assert accepted["data"] == engine.judge(BRANCHING, good, fresh=True)["data"]
    assert accepted["data"]["city"] == "西宁" and "help-Comment" not in accepted["data"]


def test_an_unanswered_question_gets_its_default_again_after_a_respondent_changed_it():
    engine.judge(BRANCHING, {**BRANCHING_ANSWERS[0], "staff": 40})
    after = engine.judge(BRANCHING, {k: v for k, v in BRANCHING_ANSWERS[0].items() if k != "staff"})
    assert after == engine.judge(BRANCHING, {k: v for k, v in BRANCHING_ANSWERS[0].items() if k != "staff"},
                                 fresh=True)


def test_generated_questionnaires_judged_respondent_after_respondent():
    """Questionnaires from the differential generator (required, visibleIf, requiredIf, enableIf,
    matrices, dynamic panels and matrices), six respondents each plus an empty one."""
    compared = 0
    for seed in range(40):
        schema, _ = generate(seed)
        rng = random.Random(seed)
        questions = [q for page in schema["pages"] for q in page["elements"]]
        respondents = [{}]
        for _ in range(6):
            answers = {q["name"]: v for q in questions if (v := _answer(rng, q)) is not None}
            respondents.append(answers)
        rng.shuffle(respondents)
        compared += len(assert_cached_equals_fresh(schema, respondents))
    assert compared == 280


def test_the_cache_keeps_a_bounded_number_of_models_most_recently_used_last():
    previous = engine.cache_info()["limit"]
    try:
        engine.cache_info(3)
        schemas = [{"elements": [{"type": "text", "name": f"q{i}", "isRequired": True}]} for i in range(5)]
        for schema in schemas:
            assert engine.judge(schema, {})["valid"] is False
        engine.judge(schemas[2], {"q2": "x"})
        info = engine.cache_info()
        assert info["size"] == 3
        keys = [engine.schema_key(json.dumps(s, ensure_ascii=False)) for s in schemas]
        assert info["keys"] == [keys[3], keys[4], keys[2]]
    finally:
        engine.cache_info(previous)


def test_a_call_cut_short_by_the_time_limit_does_not_spoil_the_next_respondent():
    schema = {"pages": [{"name": "p1", "elements": [
        {"type": "text", "name": "code", "isRequired": True, "validators": [{"type": "regex", "regex": "^(a+)+$"}]},
        {"type": "text", "name": "other", "isRequired": True}]}]}
    assert engine.judge(schema, {"code": "aa", "other": "x"})["valid"]
    with pytest.raises(engine.EngineTimeout):
        engine.judge(schema, {"code": "a" * 40 + "!"}, timeout_ms=300)
    assert engine.judge(schema, {"code": "aaa"}) == engine.judge(schema, {"code": "aaa"}, fresh=True)
    assert engine.judge(schema, {"code": "aaa", "other": "y"})["valid"]
