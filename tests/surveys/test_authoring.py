"""Coordinators write questionnaires as SurveyJS JSON or as a spreadsheet; bad ones are refused."""
import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from surveys.models import Survey, SurveyVersion
from surveys.spreadsheet import SpreadsheetInvalid, rows_to_schema
from surveys.validation import SchemaInvalid, check_schema

from .conftest import SIMPLE_SCHEMA


def create(client, world, **questionnaire):
    data = {"s-campaign": world.campaign.pk, "s-task": world.task.pk, "s-title": "新问卷", "s-status": "draft",
            "s-access": "invitation", "s-allow_resume": "on"}
    data.update({f"q-{k}": v for k, v in questionnaire.items()})
    return client.post(reverse("surveys:create"), data)


def test_coordinator_creates_a_survey_from_pasted_json(login, survey_world):
    client = login(survey_world.coordinator)
    response = create(client, survey_world, schema_text=json.dumps(SIMPLE_SCHEMA))
    survey = Survey.objects.get(title="新问卷")
    assert response.status_code == 302 and response["Location"] == survey.get_absolute_url()
    assert survey.current_version.schema == SIMPLE_SCHEMA


def test_the_form_page_has_a_live_preview_rendered_by_surveyjs(login, survey_world):
    page = login(survey_world.coordinator).get(reverse("surveys:questionnaire", args=[survey_world.survey.pk]))
    html = page.content.decode()
    assert 'id="preview"' in html and "survey-js-ui.min.js" in html and "surveys/preview.js" in html
    assert "cdn" not in html.lower()


@pytest.mark.parametrize(
    "schema, message",
    [
        ('{"pages": [', "JSON 格式有误：第 1 行第 12 列，此处应为一个值"),
        ('{"title": "问卷",}', "属性名应使用英文双引号括起来（也可能是末尾多了逗号）"),
        (json.dumps({"pages": [{"elements": [{"type": "text", "name": "a"}, {"type": "comment", "name": "a"}]}]}),
         "题目代码“a”重复"),
        (json.dumps({"pages": [{"elements": [{"type": "file", "name": "a"}]}]}), "题型“file”不受支持"),
        (json.dumps({"pages": [{"elements": [{"type": "radiogroup", "name": "a"}]}]}), "没有选项"),
        (json.dumps({"pages": [{"elements": [{"type": "text", "name": "a", "visibleIf": "{b} = 1"}]}]}),
         "引用了不存在的题目：b"),
        (json.dumps({"pages": [{"elements": [{"type": "text", "name": "a", "visibleIf": "{a} = = 1"}]}]}), "显示条件"),
        (json.dumps([1, 2]), "JSON 对象"),
    ],
    ids=["bad-json", "trailing-comma", "duplicate-name", "unsupported-type", "no-choices", "unknown-variable",
         "bad-expression", "not-object"],
)
def test_a_bad_questionnaire_is_refused_with_an_actionable_message_and_nothing_saved(login, survey_world, schema, message):
    client = login(survey_world.coordinator)
    before = (Survey.objects.count(), SurveyVersion.objects.count())
    response = create(client, survey_world, schema_text=schema)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Expecting" not in response.content.decode()  # Python's json message, in English
    assert (Survey.objects.count(), SurveyVersion.objects.count()) == before


def test_schema_check_uses_the_surveyjs_package_and_lists_every_problem():
    with pytest.raises(SchemaInvalid) as exc:
        check_schema({"pages": [{"elements": [{"type": "text", "name": "1a"}, {"type": "signaturepad", "name": "b"}]}]})
    assert len(exc.value.errors) == 2


def _sheet_rows():
    return [
        ["页面", "代码", "题型", "标题", "选项", "必答", "显示条件", "校验"],
        ["基本情况", "staff", "数字", "人员数", "", "是", "", "数值:0-100"],
        ["基本情况", "has_tisc", "是否", "是否有TISC", "", "是", "", ""],
        ["基本情况", "tisc_name", "填空", "TISC名称", "", "是", "{has_tisc} = true", "字数:2-50"],
        ["需求", "help", "多选", "需要的帮扶", "检索分析|专利导航|培训|其他", "否", "", "选择数:1-2"],
        ["需求", "level", "单选", "自评", "low=弱|high=强", "", "", ""],
    ]


def test_spreadsheet_converts_to_surveyjs_json():
    schema, _ = rows_to_schema(_sheet_rows(), title="表格问卷")
    assert [p["title"] for p in schema["pages"]] == ["基本情况", "需求"]
    staff, has_tisc, tisc_name = schema["pages"][0]["elements"]
    assert staff == {"type": "text", "name": "staff", "title": "人员数", "inputType": "number", "isRequired": True,
                     "validators": [{"type": "numeric", "minValue": 0, "maxValue": 100}]}
    assert tisc_name["visibleIf"] == "{has_tisc} = true"
    help_q, level = schema["pages"][1]["elements"]
    assert help_q["choices"] == ["检索分析", "专利导航", "培训"] and help_q["showOtherItem"] is True
    assert level["choices"] == [{"value": "low", "text": "弱"}, {"value": "high", "text": "强"}]
    check_schema(schema)


def test_spreadsheet_errors_name_their_rows():
    rows = _sheet_rows()
    rows[2][5] = "也许"
    rows[4][7] = "奇怪:1"
    with pytest.raises(SpreadsheetInvalid) as exc:
        rows_to_schema(rows)
    assert exc.value.errors == ["第 3 行：“必答”应填 是 或 否，而不是“也许”", "第 5 行：不认识的校验“奇怪:1”"]


def test_coordinator_uploads_an_xlsx_questionnaire(login, survey_world):
    wb = Workbook()
    for row in _sheet_rows():
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    client = login(survey_world.coordinator)
    create(client, survey_world, sheet=SimpleUploadedFile("q.xlsx", buf.getvalue()))
    schema = Survey.objects.get(title="新问卷").current_version.schema
    assert [q["name"] for p in schema["pages"] for q in p["elements"]] == ["staff", "has_tisc", "tisc_name", "help", "level"]


def test_coordinator_uploads_a_csv_questionnaire(login, survey_world):
    buf = io.StringIO()
    csv.writer(buf).writerows(_sheet_rows())
    client = login(survey_world.coordinator)
    create(client, survey_world, sheet=SimpleUploadedFile("q.csv", buf.getvalue().encode("utf-8")))
    assert Survey.objects.filter(title="新问卷").exists()


def test_a_binary_file_pretending_to_be_a_spreadsheet_is_refused(login, survey_world):
    client = login(survey_world.coordinator)
    before = Survey.objects.count()
    response = create(client, survey_world, sheet=SimpleUploadedFile("q.xlsx", b"PK\x03\x04garbage\x00\x00"))
    assert "不是可接受的题目表类型" in response.content.decode()
    response = create(client, survey_world, sheet=SimpleUploadedFile("q.csv", b"\x00\x01\x02\xff\xfe"))
    assert "既不是 Excel" in response.content.decode()
    assert Survey.objects.count() == before


def test_copying_a_survey_is_one_click(login, survey_world):
    client = login(survey_world.coordinator)
    response = client.post(reverse("surveys:copy", args=[survey_world.survey.pk]))
    copy = Survey.objects.exclude(pk=survey_world.survey.pk).get()
    assert response["Location"] == copy.get_absolute_url()
    assert copy.title == "测试问卷（副本）" and copy.status == Survey.Status.DRAFT
    assert copy.current_version.schema == survey_world.survey.current_version.schema
    assert copy.invitations.count() == 0


def test_inviting_twice_invites_each_bureau_once(login, survey_world):
    from campaigns.models import Unit
    from tests.factories import make_unit

    make_unit(kind=Unit.Kind.PREFECTURE_BUREAU, name="丙州市场监管局")
    client = login(survey_world.coordinator)
    url = reverse("surveys:invite", args=[survey_world.survey.pk])
    client.post(url)
    client.post(url)
    assert survey_world.survey.invitations.count() == 2  # the task names bureaus 甲 and 乙 only


def test_editing_an_answered_questionnaire_through_the_page_makes_a_new_version(login, survey_world):
    from surveys import services

    from .conftest import GOOD_ANSWERS

    services.submit_response(survey_world.survey, GOOD_ANSWERS, invitation=survey_world.inv_a)
    schema = json.loads(json.dumps(SIMPLE_SCHEMA))
    schema["pages"][0]["elements"][0]["title"] = "人员总数"
    client = login(survey_world.coordinator)
    page = client.get(reverse("surveys:questionnaire", args=[survey_world.survey.pk]))
    assert "保存修改后将生成新版本" in page.content.decode()
    client.post(reverse("surveys:questionnaire", args=[survey_world.survey.pk]), {"q-schema_text": json.dumps(schema)})
    assert list(survey_world.survey.versions.values_list("number", flat=True)) == [1, 2]
