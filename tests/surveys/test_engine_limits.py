"""What a respondent or a clerk can send is bounded: survey-core's verdict has a time limit,
request bodies a depth and a number size, and a questionnaire is checked once on save by
the same survey-core that will run it."""
import json
import logging
import time

import pytest
from django.urls import reverse

from surveys import services
from surveys.models import Survey, SurveyVersion
from surveys.validation import SchemaInvalid, check_schema

from .conftest import GOOD_ANSWERS, db_state

RUNAWAY = {"pages": [{"name": "p1", "elements": [
    {"type": "text", "name": "code", "title": "编码", "validators": [{"type": "regex", "regex": "^(a+)+$"}]}]}]}


def submit(client, invitation, body):
    return client.post(reverse("surveys:respond_submit", args=[invitation.token]), data=body,
                       content_type="application/json")


def test_a_runaway_regex_answers_a_clear_400_within_a_second_and_is_logged(client, survey_world, settings, caplog):
    settings.SURVEY_ENGINE_TIMEOUT_MS = 600
    survey = services.create_survey(survey_world.campaign, "正则", RUNAWAY, status=Survey.Status.OPEN)
    (invitation,) = services.invite_units(survey, [survey_world.a])
    # A running server: URLs loaded, the version's questionnaire checked once and cached.
    url = reverse("surveys:respond_submit", args=[invitation.token])
    assert client.get(invitation.get_absolute_url()).status_code == 200
    services.questionnaire_for(survey.current_version)
    body = json.dumps({"answers": {"code": "a" * 40 + "!"}})
    before = db_state()
    with caplog.at_level(logging.WARNING, logger="surveys.validation"):
        start = time.perf_counter()
        response = client.post(url, data=body, content_type="application/json")
        elapsed = time.perf_counter() - start
    assert response.status_code == 400
    assert "校验超时" in response.json()["message"]
    assert elapsed < 1.0, elapsed
    assert any("timed out" in r.getMessage() for r in caplog.records)
    assert db_state() == before
    # The engine is still usable afterwards: a harmless answer is judged at once.
    settings.SURVEY_ENGINE_TIMEOUT_MS = 20000
    assert submit(client, invitation, json.dumps({"answers": {"code": "aaa"}})).status_code == 200


@pytest.mark.parametrize("body, text", [
    ('{"answers": {"staff": ' + "9" * 5000 + "}}", "数字过长"),
    ("[" * 100000 + "]" * 100000, "嵌套过深"),
    ('{"answers": {"staff": NaN}}', "不支持的数值"),
    ('{"answers": {"staff": 1e999}}', "数值超出范围"),
], ids=["5000-digit-number", "nested-100000-deep", "nan", "infinity"])
def test_hostile_bodies_answer_400_in_chinese_and_store_nothing(client, survey_world, body, text, settings):
    settings.SURVEY_MAX_BODY = 1024 * 1024
    before = db_state()
    response = submit(client, survey_world.inv_a, body)
    assert response.status_code == 400
    assert text in response.json()["message"]
    assert db_state() == before


def test_a_questionnaire_with_165_nested_parentheses_is_checked_without_crashing():
    deep = "(" * 165 + "{a} = 1" + ")" * 165
    schema = {"elements": [{"type": "text", "name": "a"}, {"type": "text", "name": "b", "visibleIf": deep}]}
    assert [q.name for q in check_schema(schema)] == ["a", "b"]


def test_an_expression_survey_core_cannot_parse_is_refused_on_save_with_the_reason():
    schema = {"elements": [{"type": "text", "name": "a"},
                           {"type": "text", "name": "b", "requiredIf": "{a} = 1 and ("}]}
    with pytest.raises(SchemaInvalid) as exc:
        check_schema(schema)
    assert "题目“b”的 requiredIf“{a} = 1 and (”有误" in exc.value.errors[0]


def test_a_regex_javascript_cannot_compile_is_refused_on_save():
    schema = {"elements": [{"type": "text", "name": "a", "validators": [{"type": "regex", "regex": "(?<=a"}]}]}
    with pytest.raises(SchemaInvalid) as exc:
        check_schema(schema)
    assert "正则表达式" in exc.value.errors[0] and "(?<=a" in exc.value.errors[0]


def test_a_refused_questionnaire_is_not_saved(login, survey_world):
    client = login(survey_world.coordinator)
    before = SurveyVersion.objects.count()
    bad = {"pages": [{"name": "p", "elements": [{"type": "text", "name": "a", "visibleIf": "{a} ==== 2"}]}]}
    response = client.post(reverse("surveys:questionnaire", args=[survey_world.survey.pk]),
                           {"q-schema_text": json.dumps(bad)})
    assert response.status_code == 200 and "有误" in response.content.decode()
    assert SurveyVersion.objects.count() == before


def test_a_deeply_nested_pasted_questionnaire_is_refused_not_crashing(login, survey_world):
    client = login(survey_world.coordinator)
    response = client.post(reverse("surveys:questionnaire", args=[survey_world.survey.pk]),
                           {"q-schema_text": "[" * 50000 + "]" * 50000})
    assert response.status_code == 200 and "嵌套过深" in response.content.decode()


def test_survey_core_judges_what_python_used_to_get_wrong(client, survey_world):
    """Cases where the browser lets the respondent finish: the server must too."""
    from surveys.validation import Questionnaire, validate_answers

    schema = {"elements": [
        {"type": "text", "name": "locked", "isRequired": True, "readOnly": True},
        {"type": "text", "name": "off", "isRequired": True, "enableIf": "{flag} = 1"},
        {"type": "text", "name": "maybe", "isRequired": True, "requiredIf": "{flag} = 1"},
        {"type": "text", "name": "flag"},
        {"type": "text", "name": "mail", "validators": [{"type": "email"}]},
        {"type": "text", "name": "digits", "validators": [{"type": "regex", "regex": "^\\d+$"}]},
    ]}
    q = Questionnaire(schema)
    kept = validate_answers(q, {"flag": "2", "mail": "someone@example.cn", "digits": "12"})
    assert kept == {"flag": "2", "mail": "someone@example.cn", "digits": "12"}
    # \\d is ASCII in JavaScript: full-width digits are refused, as in the browser.
    with pytest.raises(Exception) as exc:
        validate_answers(q, {"flag": "2", "digits": "１２"})
    assert set(exc.value.errors) == {"digits"}


def test_good_answers_are_still_accepted(client, survey_world):
    response = submit(client, survey_world.inv_a, json.dumps({"answers": GOOD_ANSWERS}))
    assert response.status_code == 200, response.content
