"""Exports: Chinese headers, formula-safe cells, only what the user may see, constant queries."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Assignment, Membership, ProgressReport, Unit
from tests.factories import make_plan, make_unit, make_user

HOSTILE = ["=1+1", "==1+1", "+cmd|'/C calc'!A0", "@SUM(A1)", "-2+3", "\tleading tab"]


def sheet(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_hostile_cells_are_written_as_text(demo, login, django_user_model):
    for number, title in enumerate(HOSTILE, start=1):
        demo.tasks.filter(number=number).update(title=title)
    client = login(django_user_model.objects.get(username="province"))
    ws = sheet(client.get(reverse("campaigns:export", args=[demo.code, "tasks", "xlsx"])))
    headers = [c.value for c in ws[1]]
    column = headers.index("任务") + 1
    cells = [ws.cell(row=row, column=column) for row in range(2, 2 + len(HOSTILE))]
    assert [c.value for c in cells] == HOSTILE
    assert [c.data_type for c in cells] == ["s"] * len(HOSTILE)
    # The csv export guards them with a leading quote.
    body = client.get(reverse("campaigns:export", args=[demo.code, "tasks", "csv"])).content.decode("utf-8-sig")
    titles = [row[2] for row in list(csv.reader(io.StringIO(body)))[1 : 1 + len(HOSTILE)]]
    assert titles == ["'" + t for t in HOSTILE]


def test_tasks_export_has_chinese_headers_units_deadlines_and_progress(demo, login, django_user_model):
    Assignment.objects.filter(task__campaign=demo, task__number=2).update(percent=50, status="in_progress")
    # Task 3: the provincial division verified, the eight bureaus not started: 1 of 9 verified.
    Assignment.objects.filter(task__campaign=demo, task__number=3, unit__name="省局知识产权公共服务处").update(
        percent=100, status="verified")
    client = login(django_user_model.objects.get(username="province"))
    response = client.get(reverse("campaigns:export", args=[demo.code, "tasks", "xlsx"]))
    # 任务总表, percent-encoded (RFC 5987) so the Chinese name survives every browser
    assert "filename*=utf-8''qinghai-2024-%E4%BB%BB%E5%8A%A1%E6%80%BB%E8%A1%A8-" in response["Content-Disposition"]
    rows = list(sheet(response).iter_rows(values_only=True))
    assert rows[0] == (
        "活动安排", "编号", "任务", "责任单位", "完成时限", "备注", "原定完成时限", "状态", "已填报进度（%）",
        "已核验进度（%）", "最新进展",
    )
    assert len(rows) == 23
    task2 = rows[2]
    assert task2[0] == "（二）知识产权公共服务基础能力提升活动" and task2[1] == 2
    assert task2[3] == "省局知识产权公共服务处" and task2[4].date().isoformat() == "2024-05-15"
    assert task2[7] == "进行中 1" and (task2[8], task2[9]) == (50, 0)
    task3 = rows[3]
    assert (task3[8], task3[9]) == (round(100 / 9, 1), round(100 / 9, 1))
    assert rows[11][3] == "各市州市场监管局，省局知识产权公共服务处，省局商标品牌处，各知识产权信息公共服务机构"


def test_a_bureau_exports_only_its_own_assignments(demo, login, django_user_model):
    client = login(django_user_model.objects.get(username="xining"))
    response = client.get(reverse("campaigns:export", args=[demo.code, "assignments", "xlsx"]))
    rows = list(sheet(response).iter_rows(values_only=True))
    assert rows[0][:5] == ("编号", "任务", "单位", "职责", "状态")
    assert sorted((r[0], r[2], r[3]) for r in rows[1:]) == [
        (3, "西宁市市场监管局", "配合"),
        (6, "西宁市市场监管局", "配合"),
        (8, "西宁市市场监管局", "配合"),
        (11, "西宁市市场监管局", "牵头"),
        (14, "西宁市市场监管局", "牵头"),
    ]
    body = client.get(reverse("campaigns:export", args=[demo.code, "assignments", "csv"])).content.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(body)))) == 6
    # The whole plan with everyone's progress is the coordinating unit's.
    assert client.get(reverse("campaigns:export", args=[demo.code, "tasks", "xlsx"])).status_code == 403


def test_coordinator_exports_every_assignment(demo, login, django_user_model):
    client = login(django_user_model.objects.get(username="province"))
    rows = list(sheet(client.get(reverse("campaigns:export", args=[demo.code, "assignments", "xlsx"]))).iter_rows())
    assert len(rows) - 1 == Assignment.objects.filter(task__campaign=demo).count()


def test_outsiders_get_no_export(demo, login):
    client = login(make_user(make_unit()))
    for what in ("tasks", "assignments", "reports"):
        assert client.get(reverse("campaigns:export", args=[demo.code, what, "xlsx"])).status_code == 404


def test_unknown_export_is_404(demo, login, django_user_model):
    client = login(django_user_model.objects.get(username="province"))
    assert client.get(reverse("campaigns:export", args=[demo.code, "secrets", "xlsx"])).status_code == 404
    assert client.get(reverse("campaigns:export", args=[demo.code, "tasks", "pdf"])).status_code == 404


@pytest.mark.parametrize("what", ["tasks", "assignments"])
def test_exports_make_the_same_number_of_queries_for_20_and_200_tasks(db, login, what):
    office = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION)
    bureaus = [make_unit() for _ in range(3)]
    client = login(make_user(office, Membership.Role.COORDINATOR))
    counts = []
    for size in (20, 200):
        campaign = make_plan(size, office, units=bureaus)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("campaigns:export", args=[campaign.code, what, "xlsx"]))
        assert response.status_code == 200
        assert len(list(sheet(response).iter_rows())) == 1 + size * (1 if what == "tasks" else 3)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def _report(task_number, unit_name, text="完成培训", **figures):
    assignment = Assignment.objects.get(task__number=task_number, unit__name=unit_name)
    author = assignment.unit.memberships.first().user
    return ProgressReport.objects.create(
        assignment=assignment, author=author, text=text, percent=40, status="in_progress", **figures
    )


def test_tasks_export_shows_each_tasks_latest_report(demo, login, django_user_model):
    _report(14, "西宁市市场监管局", text="已发培训通知")
    _report(14, "西宁市市场监管局", text="培训班已举办，120人参加")
    client = login(django_user_model.objects.get(username="province"))
    response = client.get(reverse("campaigns:export", args=[demo.code, "tasks", "xlsx"]))
    rows = list(sheet(response).iter_rows(values_only=True))
    by_number = {r[1]: r for r in rows[1:]}
    assert by_number[14][10].endswith("西宁市市场监管局：培训班已举办，120人参加")
    assert by_number[13][10] in ("", None)


def test_progress_report_export_holds_figures_and_only_what_the_unit_may_see(demo, login, django_user_model):
    _report(14, "西宁市市场监管局", text="=HYPERLINK(\"http://x\")", events_held=2, participants=120,
            enterprises_served=30, consultations=5)
    _report(16, "海西州市场监管局", events_held=1, participants=85)
    xining = login(django_user_model.objects.get(username="xining"))
    rows = list(sheet(xining.get(reverse("campaigns:export", args=[demo.code, "reports", "xlsx"]))).iter_rows())
    headers = [c.value for c in rows[0]]
    assert headers[:8] == ["编号", "任务", "单位", "填报时间", "填报人", "状态", "完成百分比", "工作进展"]
    assert len(rows) == 2  # xining's own report only
    values = {h: c for h, c in zip(headers, rows[1], strict=True)}
    assert values["单位"].value == "西宁市市场监管局"
    assert (values["开展活动（场）"].value, values["参与人数（人次）"].value, values["服务企业（家）"].value) == (2, 120, 30)
    assert values["工作进展"].value == '=HYPERLINK("http://x")' and values["工作进展"].data_type == "s"
    province = login(django_user_model.objects.get(username="province"))
    body = province.get(reverse("campaigns:export", args=[demo.code, "reports", "csv"])).content.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(body)))) == 3


def test_progress_report_export_makes_the_same_number_of_queries_for_10_and_100_reports(demo, login, django_user_model):
    client = login(django_user_model.objects.get(username="province"))
    counts = []
    for total in (10, 100):
        while ProgressReport.objects.count() < total:
            _report(14, "西宁市市场监管局", events_held=1)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("campaigns:export", args=[demo.code, "reports", "xlsx"]))
        assert len(list(sheet(response).iter_rows())) == 1 + total
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
