"""Questionnaire content is data, never markup: a schema is stored with nothing beyond the
allow-list (text formatting, images from this site), however it came in."""
import copy
import json

from django.urls import reverse

from surveys import services
from surveys.models import Survey
from surveys.sanitize import sanitize_schema

PAYLOAD = "<img src=x onerror=\"document.title='pwned'\">"


def schema_with(**parts):
    element = {"type": "text", "name": "staff", "title": "人员数"}
    element.update(parts.pop("element", {}))
    schema = {"pages": [{"name": "p1", "elements": [element, {"type": "html", "name": "intro",
                                                              "html": parts.pop("html", "<p>说明</p>")}]}]}
    schema.update(parts)
    return schema


def test_an_html_element_keeps_formatting_and_loses_its_script():
    html = sanitize_schema(schema_with(html=f"<p><b>请如实填写</b></p>{PAYLOAD}<script>alert(1)</script>"))
    assert html["pages"][0]["elements"][1]["html"] == "<p><b>请如实填写</b></p><img>"


def test_images_are_kept_only_from_this_site():
    html = ('<img src="/static/logo.png" alt="标志"><img src="https://evil.example/x.png">'
            '<img src="//evil.example/x.png"><img src="data:image/png;base64,AAAA">')
    cleaned = sanitize_schema(schema_with(html=html))["pages"][0]["elements"][1]["html"]
    assert cleaned == '<img src="/static/logo.png" alt="标志"><img><img><img>'


def test_titles_descriptions_and_choice_texts_lose_markup_but_plain_text_stays_as_typed():
    schema = schema_with(
        title="<b>摸底</b><svg onload=alert(1)>",
        element={"title": f"人数{PAYLOAD}", "description": "人数 < 5 & 以上请说明",
                 "type": "radiogroup", "choices": [{"value": "a", "text": "<iframe src=/admin/></iframe>甲"}, "乙"]},
    )
    cleaned = sanitize_schema(schema)
    question = cleaned["pages"][0]["elements"][0]
    assert cleaned["title"] == "<b>摸底</b>"
    assert question["title"] == "人数<img>"
    assert question["description"] == "人数 < 5 & 以上请说明"  # no tag: left exactly as typed
    assert question["choices"] == [{"value": "a", "text": "甲"}, "乙"]


def test_localized_texts_and_completion_pages_are_cleaned_in_every_language():
    schema = schema_with(
        element={"title": {"default": PAYLOAD + "Staff", "zh-cn": "人员数<script>alert(1)</script>"}},
        completedHtml={"default": "<h4>谢谢</h4>" + PAYLOAD, "zh-cn": "<h4>谢谢</h4><a href='javascript:x'>链接</a>"},
        completedHtmlOnCondition=[{"expression": "{staff} > 5", "html": "<b>多</b><script>x()</script>"}],
        loadingHtml="<iframe src='https://evil.example'></iframe>加载中",
    )
    cleaned = sanitize_schema(schema)
    assert cleaned["pages"][0]["elements"][0]["title"] == {"default": "<img>Staff", "zh-cn": "人员数"}
    assert cleaned["completedHtml"] == {"default": "<h4>谢谢</h4><img>", "zh-cn": "<h4>谢谢</h4>链接"}
    assert cleaned["completedHtmlOnCondition"] == [{"expression": "{staff} > 5", "html": "<b>多</b>"}]
    assert cleaned["loadingHtml"] == "加载中"


def test_names_and_expressions_are_never_touched():
    schema = schema_with(element={"visibleIf": "{intro} <> 'x' and {staff} < 5", "name": "staff",
                                  "validators": [{"type": "regex", "regex": "^<b>$"}]})
    original = copy.deepcopy(schema)
    cleaned = sanitize_schema(schema)
    assert cleaned["pages"][0]["elements"][0]["visibleIf"] == "{intro} <> 'x' and {staff} < 5"
    assert cleaned["pages"][0]["elements"][0]["validators"] == [{"type": "regex", "regex": "^<b>$"}]
    assert schema == original  # the caller's copy is left alone


def test_a_questionnaire_saved_through_the_page_is_stored_clean(login, survey_world):
    client = login(survey_world.coordinator)
    schema = schema_with(html=PAYLOAD, element={"title": "<b>人员数</b>" + PAYLOAD})
    client.post(reverse("surveys:create"), {
        "s-campaign": survey_world.campaign.pk, "s-task": survey_world.task.pk, "s-title": "载荷问卷",
        "s-status": "open", "s-access": "invitation", "s-allow_resume": "on", "q-schema_text": json.dumps(schema)})
    stored = json.dumps(Survey.objects.get(title="载荷问卷").current_version.schema, ensure_ascii=False)
    assert "onerror" not in stored and "<b>人员数</b><img>" in stored


def test_saving_the_same_dirty_questionnaire_twice_makes_no_new_version(survey_world):
    schema = schema_with(html=PAYLOAD)
    first = services.save_questionnaire(survey_world.survey, schema)
    again = services.save_questionnaire(survey_world.survey, schema)
    assert first.pk == again.pk and "onerror" not in json.dumps(again.schema)


def test_copying_an_old_unsanitised_questionnaire_cleans_the_copy(survey_world):
    from surveys.models import SurveyVersion

    SurveyVersion.objects.filter(pk=survey_world.survey.current_version.pk).update(schema=schema_with(html=PAYLOAD))
    copy_ = services.copy_survey(survey_world.survey)
    assert "onerror" not in json.dumps(copy_.current_version.schema)
