"""Differential test: the server's validation agrees with SurveyJS's own (survey-core under Node).

Generated questionnaires mix the question types and validators we support with visibleIf
conditions in every expression form we evaluate; generated answers are well-formed (survey-core
does not check choices or unknown questions — the server's extra refusals are tested elsewhere)
but often incomplete, out of range, too long, badly formatted or hidden. For each case both
sides must agree on whether the answers are valid and on which questions are in error.
"""
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from surveys.validation import AnswersInvalid, Questionnaire, validate_answers

SCRIPT = Path(__file__).with_name("surveycore_validate.js")
CASES = 300
CHOICES = ["a", "b", "c", "d"]


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


def _question(rng, i, earlier):
    kind = rng.choice(["text", "number", "comment", "checkbox", "radiogroup", "dropdown", "boolean", "rating",
                       "email", "tagbox", "matrix"])
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
            q["validators"] = [{"type": "regex", "regex": "^[0-9]+$", "text": "只能填数字"}]
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
    if rng.random() < 0.5:
        q["isRequired"] = True
    if earlier and rng.random() < 0.6:
        cond = _condition(rng, earlier)
        if cond:
            q["visibleIf"] = cond
    return q


def _answer(rng, q):
    t = q["type"]
    if rng.random() < 0.25:
        return None  # unanswered
    if t == "text" and q.get("inputType") == "number":
        return rng.choice([rng.randint(-2, 10), round(rng.uniform(0, 9), 1)])
    if t in ("text", "comment"):
        if any(v["type"] == "email" for v in q.get("validators", [])):
            return rng.choice(["a@b.cn", "bad@", "x.y@example.org", "no-at-sign", " "])
        return rng.choice(["", "  ", "yes", "x", "12", "abc", "1234567", "长一些的中文回答", "123456789"])
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
        validate_answers(Questionnaire(schema), answers, complete=True)
        return True, set()
    except AnswersInvalid as exc:
        return False, set(exc.errors)


def node_verdicts(cases):
    node = shutil.which("node")
    assert node, "Node.js is needed to run survey-core (make test installs it with the npm packages)"
    proc = subprocess.run([node, str(SCRIPT)], input=json.dumps([{"schema": s, "answers": a} for s, a in cases]),
                          capture_output=True, text=True, timeout=300, check=True)
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def cases():
    return [generate(seed) for seed in range(CASES)]


def test_generated_cases_cover_every_expression_form_and_both_verdicts(cases):
    text = json.dumps([c[0] for c in cases])
    for form in ("contains", "notcontains", "anyof", "allof", " empty", "notempty", " and ", " or ", "!(",
                 " = ", " != ", " > ", " < ", " >= ", " <= "):
        assert form in text, form
    verdicts = [server_verdict(s, a)[0] for s, a in cases]
    assert 0.2 < sum(verdicts) / len(verdicts) < 0.8


def test_server_agrees_with_survey_core_on_generated_cases(cases):
    assert len(cases) >= 200
    theirs = node_verdicts(cases)
    disagreements = []
    for (schema, answers), verdict in zip(cases, theirs, strict=True):
        valid, names = server_verdict(schema, answers)
        if valid != verdict["valid"] or names != set(verdict["errors"]):
            disagreements.append({"schema": schema, "answers": answers, "server": sorted(names), "survey_core": verdict})
    assert not disagreements, json.dumps(disagreements[:3], ensure_ascii=False, indent=1)
