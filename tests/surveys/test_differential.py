"""Differential tests: the server's verdict on answers is survey-core's own, case for case.

Two sources of cases, each run through the server (surveys.validation, survey-core in the
embedded V8) and through survey-core under Node driven like a respondent in the browser
(surveycore_complete.js: page by page, then complete), in one Node batch each:

- the corpus (fixtures/surveycore_corpus.json, built by make_corpus.py) of scenarios from
  SurveyJS's own test suite: expressions and functions (dates included) as expression
  validators, requiredIf, visibleIf and enableIf, and questionnaires with validators,
  matrices, dynamic matrices and panels;
- a seeded random generator of questionnaires and answers over every feature the product
  accepts (matrixdynamic, paneldynamic, expression validators, functions and dates too).

Both must agree on whether the answers are accepted, on which questions are in error (and
with which messages, for the corpus), and on the answers kept when accepted.
"""
import json
import os
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from surveys import engine
from surveys.validation import AnswersInvalid, Questionnaire, validate_answers

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "surveycore_complete.js"
CORPUS = HERE / "fixtures" / "surveycore_corpus.json"
GENERATED = 2000
CHOICES = ["a", "b", "c", "d"]
TIME_DEPENDENT = ("today()", "age(", "currentYear()")


def start_node(cases):
    """survey-core under Node on every case, in one process started now (it runs while the
    server side is computed); call the result to wait for its verdicts."""
    node = shutil.which("node")
    assert node, "Node.js is needed to run survey-core (scripts/system-packages.sh installs it)"
    out = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    proc = subprocess.Popen([node, str(SCRIPT)], stdin=subprocess.PIPE, stdout=out, text=True,
                            env={**os.environ, "TZ": "Asia/Shanghai"})
    proc.stdin.write(json.dumps([{"schema": s, "data": d} for s, d in cases]))
    proc.stdin.close()

    def verdicts():
        assert proc.wait(timeout=1800) == 0
        out.seek(0)
        return json.loads(out.read())

    return verdicts


def node_verdicts(cases):
    return start_node(cases)()


# ---------------------------------------------------------------- the corpus


@pytest.fixture(scope="module")
def corpus():
    return json.loads(CORPUS.read_text(encoding="utf-8"))


def test_the_corpus_is_large_and_covers_what_the_browser_judges(corpus):
    assert len(corpus) >= 500
    text = json.dumps([c["schema"] for c in corpus])
    for feature in ("matrixdynamic", "paneldynamic", "matrixdropdown", '"expression"', "requiredIf", "enableIf",
                    "visibleIf", "age(", "dateDiff(", "today()", "sumInArray(", "iif(", '"email"', '"regex"',
                    "showOtherItem", "readOnly"):
        assert feature in text, feature
    valid = sum(c["expected"]["valid"] for c in corpus)
    assert 0.2 * len(corpus) < valid < 0.8 * len(corpus)


def test_server_agrees_with_survey_core_on_every_corpus_case(corpus):
    pending = start_node([(c["schema"], c["data"]) for c in corpus])
    ours_all = [engine.judge(case["schema"], case["data"]) for case in corpus]
    mismatches = []
    for case, verdict, ours in zip(corpus, pending(), ours_all, strict=True):
        assert "crashed" not in verdict, case
        if (ours["valid"], ours["errors"], ours.get("data")) != (verdict["valid"], verdict["errors"],
                                                                 verdict.get("data")):
            mismatches.append({"case": case, "server": ours, "survey_core": verdict})
        # The recorded expectation still holds (the corpus was confirmed with this survey-core).
        if not any(t in case["source"] for t in TIME_DEPENDENT):
            assert case["expected"] == {"valid": verdict["valid"], "errors": sorted(verdict["errors"])}, case
    assert not mismatches, json.dumps(mismatches[:3], ensure_ascii=False, indent=1)


# ---------------------------------------------------------------- generated questionnaires


def _condition(rng, earlier):
    """A visibleIf over earlier questions, in one of the forms the evaluator supports."""
    forms = []
    for q in earlier:
        n, t = q["name"], q["type"]
        if t in ("checkbox", "tagbox"):
            forms += [f"{{{n}}} contains '{rng.choice(CHOICES)}'", f"{{{n}}} notcontains '{rng.choice(CHOICES)}'",
                      f"{{{n}}} anyof ['{rng.choice(CHOICES)}', '{rng.choice(CHOICES)}']",
                      f"{{{n}}} allof ['{rng.choice(CHOICES)}', '{rng.choice(CHOICES)}']",
                      f"{{{n}}} empty", f"{{{n}}} notempty"]
        elif t in ("radiogroup", "dropdown"):
            forms += [f"{{{n}}} = '{rng.choice(CHOICES)}'", f"{{{n}}} != '{rng.choice(CHOICES)}'",
                      f"{{{n}}} anyof ['{rng.choice(CHOICES)}', '{rng.choice(CHOICES)}']", f"{{{n}}} notempty"]
        elif t == "boolean":
            forms += [f"{{{n}}} = true", f"{{{n}}} = false", f"{{{n}}} empty", f"!({{{n}}} = true)"]
        elif t == "rating" or q.get("inputType") == "number":
            k = rng.randint(0, 6)
            forms += [f"{{{n}}} > {k}", f"{{{n}}} < {k}", f"{{{n}}} >= {k}", f"{{{n}}} <= {k}", f"{{{n}}} = {k}",
                      f"{{{n}}} != {k}", f"{{{n}}} notempty"]
        else:
            forms += [f"{{{n}}} notempty", f"{{{n}}} empty", f"{{{n}}} contains 'x'", f"{{{n}}} = 'yes'"]
        if t == "text" and q.get("inputType") == "date":
            forms += [f"age({{{n}}}) < 30", f"{{{n}}} > '2010-06-01'"]
        if t in ("matrixdynamic", "paneldynamic"):
            forms += [f"{{{n}.length}} > 1", f"{{{n}}} notempty"]
    if not forms:
        return None
    expr = rng.choice(forms)
    roll = rng.random()
    if roll < 0.2:
        expr = f"{expr} and {rng.choice(forms)}"
    elif roll < 0.4:
        expr = f"{expr} or {rng.choice(forms)}"
    elif roll < 0.5:
        expr = f"!({expr})"
    return expr


DATE_RULES = ["age({%s}) >= 18", "dateDiff({%s}, today(), 'days') >= 0", "year({%s}) >= 2000",
              "{%s} <= today()", "getDate({%s}) > '2020-01-01'"]


def _question(rng, i, earlier):
    kind = rng.choice(["text", "number", "comment", "checkbox", "radiogroup", "dropdown", "boolean", "rating",
                       "email", "tagbox", "matrix", "date", "matrixdynamic", "paneldynamic", "matrixdropdown"])
    q = {"name": f"q{i}", "title": f"题{i}"}
    if kind == "number":
        q.update(type="text", inputType="number")
        if rng.random() < 0.6:
            q["validators"] = [{"type": "numeric", "minValue": rng.randint(0, 3), "maxValue": rng.randint(4, 8)}]
        elif rng.random() < 0.5:
            q.update(min=0, max=rng.randint(3, 8))
    elif kind == "text":
        q["type"] = "text"
        roll = rng.random()
        if roll < 0.4:
            q["validators"] = [{"type": "text", "minLength": rng.randint(1, 3), "maxLength": rng.randint(4, 8)}]
        elif roll < 0.6:
            q["validators"] = [{"type": "regex", "regex": rng.choice(["^[0-9]+$", "^\\d+$", "^\\w+$", "^[a-z]+$"]),
                                "text": "格式不对"}]
    elif kind == "email":
        q.update(type="text", validators=[{"type": "email"}])
    elif kind == "comment":
        q["type"] = "comment"
        if rng.random() < 0.5:
            q["validators"] = [{"type": "text", "maxLength": rng.randint(3, 6)}]
    elif kind in ("checkbox", "tagbox"):
        q.update(type=kind, choices=CHOICES)
        if rng.random() < 0.6:
            q["validators"] = [{"type": "answercount", "minCount": rng.randint(1, 2), "maxCount": rng.randint(2, 3)}]
    elif kind in ("radiogroup", "dropdown"):
        q.update(type=kind, choices=CHOICES)
    elif kind == "boolean":
        q["type"] = "boolean"
    elif kind == "rating":
        q.update(type="rating", rateMin=1, rateMax=5)
    elif kind == "matrix":
        q.update(type="matrix", rows=["r1", "r2"], columns=[1, 2, 3])
        if rng.random() < 0.5:
            q["isAllRowRequired"] = True
    elif kind == "date":
        q.update(type="text", inputType="date")
        if rng.random() < 0.6:
            q["validators"] = [{"type": "expression", "expression": rng.choice(DATE_RULES).replace("%s", q["name"])}]
        elif rng.random() < 0.5:
            q.update(min="2000-01-01", maxValueExpression="today()")
    elif kind == "matrixdynamic":
        q.update(type="matrixdynamic", rowCount=rng.randint(0, 2), columns=[
            {"name": "n", "cellType": "text", "inputType": "number", "isRequired": rng.random() < 0.5,
             "validators": [{"type": "numeric", "minValue": 0, "maxValue": 9}]},
            {"name": "s", "cellType": "dropdown", "choices": CHOICES, "requiredIf": "{row.n} > 5"}])
        if rng.random() < 0.4:
            q["minRowCount"] = rng.randint(1, 2)
        if rng.random() < 0.4:
            q["validators"] = [{"type": "expression", "expression": f"sumInArray({{{q['name']}}}, 'n') <= 10"}]
    elif kind == "matrixdropdown":
        q.update(type="matrixdropdown", rows=["r1", "r2"], columns=[
            {"name": "c", "cellType": "text", "isRequired": rng.random() < 0.5},
            {"name": "k", "cellType": "checkbox", "choices": CHOICES}])
    elif kind == "paneldynamic":
        q.update(type="paneldynamic", templateElements=[
            {"type": "text", "name": "who", "isRequired": rng.random() < 0.6},
            {"type": "text", "name": "age", "inputType": "number", "visibleIf": "{panel.who} notempty",
             "validators": [{"type": "expression", "expression": "{panel.age} >= 18 and {panel.age} < 100"}]}])
        if rng.random() < 0.4:
            q["minPanelCount"] = 1
    if rng.random() < 0.5:
        q["isRequired"] = True
    roll = rng.random()
    if roll < 0.05:
        q["readOnly"] = True
    elif earlier and roll < 0.15:
        q["enableIf"] = _condition(rng, earlier) or "true"
    elif earlier and roll < 0.25:
        q["requiredIf"] = _condition(rng, earlier) or "false"
    if earlier and rng.random() < 0.6:
        cond = _condition(rng, earlier)
        if cond:
            q["visibleIf"] = cond
    return q


def _answer(rng, q):
    t = q["type"]
    if rng.random() < 0.25:
        return None  # unanswered
    if t == "text" and q.get("inputType") == "date":
        return rng.choice(["2024-02-29", "1990-05-01", "2015-12-31", "2999-01-01", "2000-01-01"])
    if t == "matrixdynamic":
        return [{k: v for k, v in (("n", rng.choice([None, 1, 6, 12, -1])), ("s", rng.choice([None, "a"])))
                 if v is not None} for _ in range(rng.randint(0, 3))]
    if t == "matrixdropdown":
        return {r: {k: v for k, v in (("c", rng.choice([None, "x"])), ("k", rng.choice([None, ["a", "b"]])))
                    if v is not None} for r in rng.sample(["r1", "r2"], rng.randint(0, 2))}
    if t == "paneldynamic":
        return [{k: v for k, v in (("who", rng.choice([None, "张三"])), ("age", rng.choice([None, 17, 40, 120])))
                 if v is not None} for _ in range(rng.randint(0, 3))]
    if t == "text" and q.get("inputType") == "number":
        return rng.choice([rng.randint(-2, 10), round(rng.uniform(0, 9), 1)])
    if t in ("text", "comment"):
        if any(v["type"] == "email" for v in q.get("validators", [])):
            return rng.choice(["a@b.cn", "bad@", "x.y@example.org", "no-at-sign", " ", " a@b.cn ", "a@例子.中国"])
        return rng.choice(["", "  ", "yes", "x", "12", "abc", "1234567", "长一些的中文回答", "123456789", "１２", "😀😀😀",
                           "12\n"])
    if t in ("checkbox", "tagbox"):
        return rng.sample(CHOICES, rng.randint(0, 4))
    if t in ("radiogroup", "dropdown"):
        return rng.choice(CHOICES)
    if t == "boolean":
        return rng.choice([True, False])
    if t == "rating":
        return rng.randint(1, 5)
    if t == "matrix":
        return {r: rng.choice([1, 2, 3]) for r in rng.sample(["r1", "r2"], rng.randint(0, 2))}
    raise AssertionError(t)


def generate(seed):
    rng = random.Random(seed)
    elements = []
    for i in range(rng.randint(2, 7)):
        elements.append(_question(rng, i, elements))
    pages = [{"name": "p1", "elements": elements[: len(elements) // 2 + 1]},
             {"name": "p2", "elements": elements[len(elements) // 2 + 1:]}]
    schema = {"pages": [p for p in pages if p["elements"]]}
    answers = {}
    for q in elements:
        value = _answer(rng, q)
        if value is not None:
            answers[q["name"]] = value
    return schema, answers


def server_verdict(schema, answers):
    try:
        return True, set(), validate_answers(Questionnaire(schema), answers, complete=True)
    except AnswersInvalid as exc:
        return False, set(exc.errors), None


@pytest.fixture(scope="module")
def generated():
    return [generate(seed) for seed in range(GENERATED)]


def test_generated_questionnaires_cover_every_feature_and_both_verdicts(generated):
    text = json.dumps([c[0] for c in generated])
    for form in ("contains", "notcontains", "anyof", "allof", " empty", "notempty", " and ", " or ", "!(",
                 " = ", " != ", " > ", " < ", " >= ", " <= ", "matrixdynamic", "paneldynamic", "matrixdropdown",
                 '"expression"', "age(", "today()", "sumInArray(", "requiredIf", "enableIf", "readOnly"):
        assert form in text, form
    verdicts = [server_verdict(s, a)[0] for s, a in generated[:300]]
    assert 0.1 < sum(verdicts) / len(verdicts) < 0.9


def test_server_agrees_with_survey_core_on_generated_questionnaires(generated):
    pending = start_node(generated)
    ours = [server_verdict(schema, answers) for schema, answers in generated]
    disagreements = []
    for (schema, answers), verdict, (valid, names, kept) in zip(generated, pending(), ours, strict=True):
        assert "crashed" not in verdict, schema
        if valid != verdict["valid"] or names != set(verdict["errors"]) or kept != verdict.get("data"):
            disagreements.append({"schema": schema, "answers": answers, "server": sorted(names),
                                  "survey_core": verdict})
    assert not disagreements, f"{len(disagreements)} of {len(generated)}: " + json.dumps(
        disagreements[:2], ensure_ascii=False, indent=1)
