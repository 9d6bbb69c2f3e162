"""Results page, exports (xlsx/csv, streamed) and the export command."""
import csv
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from campaigns.models import Unit
from surveys import services
from tests.factories import make_unit

from .conftest import GOOD_ANSWERS


def add_responses(world, n):
    """n more submitted responses, each from a freshly invited bureau."""
    units = [make_unit(kind=Unit.Kind.PREFECTURE_BUREAU) for _ in range(n)]
    for i, invitation in enumerate(services.invite_units(world.survey, units)):
        answers = {**GOOD_ANSWERS, "staff": i % 10, "services": ["培训", "检索分析"][: 1 + i % 2]}
        services.submit_response(world.survey, answers, invitation=invitation)


def test_results_show_response_rate_counts_shares_and_numbers(login, survey_world):
    services.submit_response(survey_world.survey, GOOD_ANSWERS, invitation=survey_world.inv_a)
    services.open_invitation(survey_world.inv_b)
    client = login(survey_world.coordinator)
    page = client.get(reverse("surveys:results", args=[survey_world.survey.pk]))
    assert page.status_code == 200
    assert page.context["totals"] == {"invited": 2, "opened": 1, "submitted": 1, "rate": 50.0}
    items = {i["question"].name: i for i in page.context["items"]}
    assert ("培训", 1, 100.0) in items["services"]["choices"]
    assert ("检索分析", 0, 0.0) in items["services"]["choices"]
    assert items["staff"]["numbers"] == {"min": 5, "mean": 5, "median": 5, "max": 5, "n": 1, "sum": 5}
    assert items["note"]["texts"] == [("甲市市场监管局", "=cmd|' /C calc'!A0")]
    assert "提交率" in page.content.decode()


def test_results_list_what_respondents_wrote_for_other(login, survey_world):
    answers = {**GOOD_ANSWERS, "services": ["培训", "other"], "services-Comment": "地理标志培育"}
    services.submit_response(survey_world.survey, answers, invitation=survey_world.inv_a)
    page = login(survey_world.coordinator).get(reverse("surveys:results", args=[survey_world.survey.pk]))
    items = {i["question"].name: i for i in page.context["items"]}
    assert items["services"]["texts"] == [("甲市市场监管局", "地理标志培育")]
    assert "地理标志培育" in page.content.decode()


def test_results_filter_by_unit(login, survey_world):
    services.submit_response(survey_world.survey, GOOD_ANSWERS, invitation=survey_world.inv_a)
    services.submit_response(survey_world.survey, {**GOOD_ANSWERS, "staff": 9}, invitation=survey_world.inv_b)
    client = login(survey_world.coordinator)
    page = client.get(reverse("surveys:results", args=[survey_world.survey.pk]), {"unit": survey_world.b.pk})
    assert page.context["total"] == 1
    items = {i["question"].name: i for i in page.context["items"]}
    assert items["staff"]["numbers"]["max"] == 9 and items["staff"]["numbers"]["min"] == 9


def test_results_page_query_count_does_not_grow_with_responses(login, survey_world):
    client = login(survey_world.coordinator)
    url = reverse("surveys:results", args=[survey_world.survey.pk])
    add_responses(survey_world, 3)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    add_responses(survey_world, 30)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url)
    assert page.context["total"] == 33
    assert len(large) == len(small)


def test_a_bureau_sees_only_its_own_units_responses(login, survey_world):
    services.submit_response(survey_world.survey, GOOD_ANSWERS, invitation=survey_world.inv_a)
    services.submit_response(survey_world.survey, {**GOOD_ANSWERS, "note": "乙州的秘密"}, invitation=survey_world.inv_b)
    client = login(survey_world.reporter_a)
    page = client.get(reverse("surveys:results", args=[survey_world.survey.pk]))
    assert page.status_code == 200
    assert page.context["total"] == 1
    assert "乙州的秘密" not in page.content.decode()
    assert [i.unit for i in page.context["invitations"]] == [survey_world.a]
    export = client.get(reverse("surveys:export", args=[survey_world.survey.pk, "csv"]))
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "乙州的秘密" not in text and "甲市市场监管局" in text


def test_a_bureau_cannot_manage_surveys(login, survey_world):
    client = login(survey_world.reporter_a)
    before = survey_world.survey.versions.count()
    assert client.get(reverse("surveys:questionnaire", args=[survey_world.survey.pk])).status_code == 403
    assert client.post(reverse("surveys:copy", args=[survey_world.survey.pk])).status_code == 403
    assert client.post(reverse("surveys:invite", args=[survey_world.survey.pk])).status_code == 403
    assert survey_world.survey.versions.count() == before
    from surveys.models import Survey

    assert Survey.objects.count() == 1


def test_a_stranger_sees_no_survey(login, survey_world):
    stranger_unit = make_unit(name="无关单位")
    from tests.factories import make_user

    client = login(make_user(stranger_unit))
    assert client.get(reverse("surveys:detail", args=[survey_world.survey.pk])).status_code == 404
    assert client.get(reverse("surveys:results", args=[survey_world.survey.pk])).status_code == 404
    assert client.get(reverse("surveys:export", args=[survey_world.survey.pk, "xlsx"])).status_code == 404


def _xlsx_rows(content):
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]


def test_xlsx_export_reads_back_one_row_per_response_with_choices_spread(login, survey_world):
    services.submit_response(survey_world.survey, GOOD_ANSWERS, invitation=survey_world.inv_a)
    client = login(survey_world.coordinator)
    response = client.get(reverse("surveys:export", args=[survey_world.survey.pk, "xlsx"]))
    assert response.status_code == 200
    rows = _xlsx_rows(b"".join(response.streaming_content))
    header, row = rows
    assert len(rows) == 2
    cell = dict(zip(header, row, strict=True))
    assert cell["单位"] == "甲市市场监管局"
    # Headings carry the question numbers the respondent saw in the form.
    assert cell["1. 人员数"] == 5
    assert cell["2. 已开展服务[培训]"] == 1 and cell["2. 已开展服务[检索分析]"] == 0
    assert cell["6. 能力[检索]"] == "较好" and cell["6. 能力[维权]"] is None
    assert cell["3. 是否有TISC"] == "否"
    assert cell["5. 自评"] == "强"
    # a formula-looking answer stays text
    assert cell["7. 说明"] == "=cmd|' /C calc'!A0"  # text with Excel's quote prefix


def test_export_with_codes(login, survey_world):
    services.submit_response(survey_world.survey, GOOD_ANSWERS, invitation=survey_world.inv_a)
    client = login(survey_world.coordinator)
    response = client.get(reverse("surveys:export", args=[survey_world.survey.pk, "csv"]), {"codes": "1"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["level"] == "high" and rows[0]["ability[检索]"] == "2" and rows[0]["services[培训]"] == "1"


def test_csv_export_streams(login, survey_world):
    add_responses(survey_world, 5)
    client = login(survey_world.coordinator)
    response = client.get(reverse("surveys:export", args=[survey_world.survey.pk, "csv"]))
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 6


def test_export_keeps_questions_of_older_versions(survey_world, tmp_path):
    import json

    services.submit_response(survey_world.survey, GOOD_ANSWERS, invitation=survey_world.inv_a)
    schema = json.loads(json.dumps(survey_world.survey.current_version.schema))
    schema["pages"][1]["elements"] = [e for e in schema["pages"][1]["elements"] if e["name"] != "note"]
    services.save_questionnaire(survey_world.survey, schema)
    out = tmp_path / "r.xlsx"
    call_command("export_responses", str(survey_world.survey.pk), "--format", "xlsx", "--out", str(out))
    header, row = _xlsx_rows(out.read_bytes())
    assert "说明" in header
    assert row[header.index("问卷版本")] == 1


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_command_writes_files_that_read_back(survey_world, tmp_path, fmt):
    add_responses(survey_world, 4)
    out = tmp_path / f"out.{fmt}"
    stdout = io.StringIO()
    call_command("export_responses", str(survey_world.survey.pk), "--format", fmt, "--out", str(out), stdout=stdout)
    assert "已导出 4 份答卷" in stdout.getvalue()
    if fmt == "xlsx":
        rows = _xlsx_rows(out.read_bytes())
    else:
        rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 5
    assert rows[0][:4] == ["答卷编号", "单位", "问卷版本", "提交时间"]


def test_export_reads_responses_in_chunks(survey_world, monkeypatch):
    """Exports iterate with .iterator(chunk_size=...): rows are never all in memory."""
    from django.db.models.query import QuerySet

    from surveys import results

    seen = []
    original = QuerySet.iterator

    def spy(self, chunk_size=None):
        seen.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", spy)
    add_responses(survey_world, 2)
    rows = list(results.export_rows(survey_world.survey, survey_world.survey.responses.submitted()))
    assert len(rows) == 3 and seen == [results.CHUNK]


def test_coordinator_pages_open(login, survey_world):
    services.submit_response(survey_world.survey, GOOD_ANSWERS, invitation=survey_world.inv_a)
    client = login(survey_world.coordinator)
    pk = survey_world.survey.pk
    for name, args in [("list", []), ("create", []), ("detail", [pk]), ("settings", [pk]), ("questionnaire", [pk]),
                       ("results", [pk])]:
        response = client.get(reverse(f"surveys:{name}", args=args))
        assert response.status_code == 200, name
    detail = client.get(reverse("surveys:detail", args=[pk])).content.decode()
    assert survey_world.inv_a.token in detail and survey_world.inv_b.token in detail  # links to send


def test_a_bureau_sees_its_survey_in_the_list_but_not_the_other_units_links(login, survey_world):
    client = login(survey_world.reporter_a)
    listing = client.get(reverse("surveys:list"))
    assert list(listing.context["surveys"]) == [survey_world.survey]
    detail = client.get(reverse("surveys:detail", args=[survey_world.survey.pk])).content.decode()
    assert survey_world.inv_b.token not in detail and "乙州市场监管局" not in detail
    assert survey_world.inv_a.token in detail  # its own link, to fill the form


def test_settings_change_is_saved_and_validated(login, survey_world):
    client = login(survey_world.coordinator)
    url = reverse("surveys:settings", args=[survey_world.survey.pk])
    data = {"campaign": survey_world.campaign.pk, "task": survey_world.task.pk, "title": "改名问卷", "status": "closed",
            "access": "invitation", "opens_at": "2024-05-10T09:00", "closes_at": "2024-05-01T09:00"}
    page = client.post(url, data)
    assert "截止时间应晚于开始时间" in page.content.decode()
    survey_world.survey.refresh_from_db()
    assert survey_world.survey.title == "测试问卷"
    data["closes_at"] = "2024-05-20T18:00"
    assert client.post(url, data).status_code == 302
    survey_world.survey.refresh_from_db()
    assert survey_world.survey.title == "改名问卷" and survey_world.survey.status == "closed"


def test_a_bureau_gets_a_fill_in_button_until_it_has_submitted(login, survey_world):
    """The survey page only listed the bureau's link as a URL; the clerk's task is to fill it in."""
    client = login(survey_world.reporter_a)
    url = reverse("surveys:detail", args=[survey_world.survey.pk])
    fill = f'class="btn btn-sm btn-success fill-survey" href="{survey_world.inv_a.get_absolute_url()}">填写问卷</a>'
    assert fill in client.get(url).content.decode()
    services.submit_response(survey_world.survey, GOOD_ANSWERS, invitation=survey_world.inv_a)
    assert "fill-survey" not in client.get(url).content.decode()
    # the coordinator sends links; it gets no fill-in button
    assert "fill-survey" not in login(survey_world.coordinator).get(url).content.decode()
