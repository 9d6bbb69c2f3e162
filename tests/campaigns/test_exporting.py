"""Exports: Chinese headers, formula-safe cells, only what the user may see, constant queries,
streamed (csv as the client reads it, xlsx from a temporary file, big ones as jobs)."""

import csv
import io
from datetime import UTC, datetime

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns import exporting
from campaigns.models import Assignment, Evidence, Membership, ProgressReport, Unit
from jobs.models import Job
from jobs.services import run
from tests.factories import make_plan, make_unit, make_user

HOSTILE = ["=1+1", "==1+1", "+cmd|'/C calc'!A0", "@SUM(A1)", "-2+3", "\tleading tab"]


def body(response):
    """The whole file of an export response: csv streams, xlsx comes from a temporary file."""
    assert response.status_code == 200, response.status_code
    assert response.streaming  # never built whole in memory before sending
    return b"".join(response.streaming_content)


def sheet(response):
    return openpyxl.load_workbook(io.BytesIO(body(response))).active


def csv_rows(response):
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


def export(client, code, what, fmt):
    return client.get(reverse("campaigns:export", args=[code, what, fmt]))


def test_hostile_cells_are_written_as_text(demo, login, django_user_model):
    for number, title in enumerate(HOSTILE, start=1):
        demo.tasks.filter(number=number).update(title=title)
    client = login(django_user_model.objects.get(username="province"))
    ws = sheet(export(client, demo.code, "tasks", "xlsx"))
    headers = [c.value for c in ws[1]]
    column = headers.index("任务") + 1
    cells = [ws.cell(row=row, column=column) for row in range(2, 2 + len(HOSTILE))]
    assert [c.value for c in cells] == HOSTILE
    assert [c.data_type for c in cells] == ["s"] * len(HOSTILE)
    # The csv export guards them with a leading quote.
    titles = [row[2] for row in csv_rows(export(client, demo.code, "tasks", "csv"))[1 : 1 + len(HOSTILE)]]
    assert titles == ["'" + t for t in HOSTILE]


def test_error_codes_and_control_characters_stay_plain_text(demo, login, django_user_model):
    demo.tasks.filter(number=1).update(title="#N/A", notes="第一行\x01第二行")
    client = login(django_user_model.objects.get(username="province"))
    ws = sheet(export(client, demo.code, "tasks", "xlsx"))
    title, notes = ws.cell(row=2, column=3), ws.cell(row=2, column=6)
    assert (title.value, title.data_type) == ("#N/A", "s")  # text, not Excel's error value
    assert notes.value == "第一行第二行"  # xlsx cannot hold the control character: dropped
    row = csv_rows(export(client, demo.code, "tasks", "csv"))[1]
    assert (row[2], row[5]) == ("#N/A", "第一行\x01第二行")  # csv keeps the text as it is


def test_tasks_export_has_chinese_headers_units_deadlines_and_progress(demo, login, django_user_model):
    Assignment.objects.filter(task__campaign=demo, task__number=2).update(percent=50, status="in_progress")
    # Task 3: the provincial division verified, the eight bureaus not started: 1 of 9 verified.
    Assignment.objects.filter(task__campaign=demo, task__number=3, unit__name="省局知识产权公共服务处").update(
        percent=100, status="verified")
    client = login(django_user_model.objects.get(username="province"))
    response = export(client, demo.code, "tasks", "xlsx")
    # 任务总表, percent-encoded (RFC 5987) so the Chinese name survives every browser
    assert "filename*=utf-8''qinghai-2024-%E4%BB%BB%E5%8A%A1%E6%80%BB%E8%A1%A8-" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ws = sheet(response)
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == (
        "活动安排", "编号", "任务", "责任单位", "完成时限", "备注", "原定完成时限", "状态", "已填报进度（%）",
        "已核验进度（%）", "最新进展",
    )
    assert all(c.font.b for c in ws[1])
    assert len(rows) == 23
    task2 = rows[2]
    assert task2[0] == "（二）知识产权公共服务基础能力提升活动" and task2[1] == 2
    assert task2[3] == "省局知识产权公共服务处" and task2[4].date().isoformat() == "2024-05-15"
    assert ws.cell(row=3, column=5).number_format == "yyyy-mm-dd"
    assert task2[7] == "进行中 1" and (task2[8], task2[9]) == (50, 0)
    task3 = rows[3]
    assert (task3[8], task3[9]) == (11.1, 11.1)  # 100 / 9 units, to one decimal
    assert rows[11][3] == "各市州市场监管局，省局知识产权公共服务处，省局商标品牌处，各知识产权信息公共服务机构"
    # Columns sized to their text: the long titles at the cap, the numbers at the minimum.
    assert (ws.column_dimensions["C"].width, ws.column_dimensions["B"].width) == (80, 8)


def _report(task_number, unit_name, text="完成培训", when=None, **figures):
    assignment = Assignment.objects.get(task__number=task_number, unit__name=unit_name)
    author = assignment.unit.memberships.first().user
    report = ProgressReport.objects.create(
        assignment=assignment, author=author, text=text, percent=40, status="in_progress", **figures
    )
    if when:
        ProgressReport.objects.filter(pk=report.pk).update(created_at=when)
    return report


def test_every_task_row_reads_back_as_the_plan_says_in_xlsx_and_csv(demo, login, django_user_model):
    """Whole rows, written out from the demo plan (fixtures/qinghai_2024.json)."""
    Assignment.objects.filter(task__campaign=demo, task__number=3, unit__name="省局知识产权公共服务处").update(
        percent=100, status="verified")
    _report(3, "西宁市市场监管局", text="走访企业12家", when=datetime(2024, 5, 4, 3, 4, tzinfo=UTC))
    client = login(django_user_model.objects.get(username="province"))
    rows = list(sheet(export(client, demo.code, "tasks", "xlsx")).iter_rows(values_only=True))
    assert rows[3] == (
        "（二）知识产权公共服务基础能力提升活动", 3, "根据问卷情况组织开展实地调研、座谈交流等工作",
        "省局知识产权公共服务处，各市州市场监管局", datetime(2024, 7, 31), None, datetime(2024, 7, 31),
        "已核验 1；未开始 8", 11.1, 11.1, "2024-05-04 西宁市市场监管局：走访企业12家",
    )
    assert rows[22] == (
        "（五）知识产权公共服务产品宣传推广活动", 22,
        "扩大新能源、新材料等12个新兴产业专利数据库知晓度，助力我省创新主体快速掌握竞争企业的技术水平和行业最新技术动向",
        "青海省青藏知识产权服务中心", datetime(2024, 9, 13), None, datetime(2024, 9, 13), "未开始 1", 0, 0, None,
    )
    lines = csv_rows(export(client, demo.code, "tasks", "csv"))
    assert len(lines) == 23
    assert lines[3] == [
        "（二）知识产权公共服务基础能力提升活动", "3", "根据问卷情况组织开展实地调研、座谈交流等工作",
        "省局知识产权公共服务处，各市州市场监管局", "2024-07-31", "", "2024-07-31", "已核验 1；未开始 8", "11.1",
        "11.1", "2024-05-04 西宁市市场监管局：走访企业12家",
    ]
    assert lines[8] == [
        "（二）知识产权公共服务基础能力提升活动", "8", "面向西宁市中小学校组织开展首届青海省中小学生学习知识产权绘画大赛",
        "省局知识产权保护处，西宁市市场监管局，西宁市教育局", "2024-06-28", "", "2024-06-28", "未开始 3", "0", "0", "",
    ]


def test_a_bureau_exports_only_its_own_assignments(demo, login, django_user_model):
    client = login(django_user_model.objects.get(username="xining"))
    rows = list(sheet(export(client, demo.code, "assignments", "xlsx")).iter_rows(values_only=True))
    assert rows[0][:5] == ("编号", "任务", "单位", "职责", "状态")
    assert sorted((r[0], r[2], r[3]) for r in rows[1:]) == [
        (3, "西宁市市场监管局", "配合"),
        (6, "西宁市市场监管局", "配合"),
        (8, "西宁市市场监管局", "配合"),
        (11, "西宁市市场监管局", "牵头"),
        (14, "西宁市市场监管局", "牵头"),
    ]
    assert len(csv_rows(export(client, demo.code, "assignments", "csv"))) == 6
    # The whole plan with everyone's progress is the coordinating unit's.
    assert export(client, demo.code, "tasks", "xlsx").status_code == 403


def test_assignment_rows_read_back_whole_with_completion_times_in_local_time(demo, login, django_user_model):
    Assignment.objects.filter(task__number=14, unit__name="西宁市市场监管局").update(
        status="submitted", percent=100, completed_on="2024-07-30",
        completed_at=datetime(2024, 8, 1, 2, 5, tzinfo=UTC), completed_late=True)
    client = login(django_user_model.objects.get(username="xining"))
    ws = sheet(export(client, demo.code, "assignments", "xlsx"))
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("编号", "任务", "单位", "职责", "状态", "完成百分比", "完成时限", "实际完成日期", "提交完成时间",
                       "逾期完成")
    assert rows[1] == (3, "根据问卷情况组织开展实地调研、座谈交流等工作", "西宁市市场监管局", "配合", "未开始", 0,
                       datetime(2024, 7, 31), None, None, None)
    # 02:05 UTC is 10:05 in Xining (Asia/Shanghai).
    assert rows[5] == (14, "举办西宁市生物医药领域专利信息利用培训班", "西宁市市场监管局", "牵头", "待核验", 100,
                       datetime(2024, 7, 31), datetime(2024, 7, 30), datetime(2024, 8, 1, 10, 5), "是")
    assert ws.cell(row=6, column=9).number_format == "yyyy-mm-dd hh:mm"
    lines = csv_rows(export(client, demo.code, "assignments", "csv"))
    assert lines[5] == ["14", "举办西宁市生物医药领域专利信息利用培训班", "西宁市市场监管局", "牵头", "待核验", "100",
                        "2024-07-31", "2024-07-30", "2024-08-01 10:05", "是"]


def test_coordinator_exports_every_assignment(demo, login, django_user_model):
    client = login(django_user_model.objects.get(username="province"))
    rows = list(sheet(export(client, demo.code, "assignments", "xlsx")).iter_rows())
    assert len(rows) - 1 == 56  # the demo plan's assignments (fixtures/qinghai_2024.json)
    assert len(rows) - 1 == Assignment.objects.filter(task__campaign=demo).count()


def _snapshot():
    return (Job.objects.count(), ProgressReport.objects.count(),
            sorted(Assignment.objects.values_list("pk", "status", "percent", "version")))


def test_refused_exports_answer_404_or_403_and_change_nothing(demo, login, django_user_model, settings):
    settings.EXPORT_QUEUE_ROWS = 0  # any export allowed would become a job
    before = _snapshot()
    outsider = login(make_user(make_unit()))
    for what in ("tasks", "assignments", "reports"):
        for fmt in ("xlsx", "csv"):
            assert export(outsider, demo.code, what, fmt).status_code == 404
    bureau = login(django_user_model.objects.get(username="xining"))
    for fmt in ("xlsx", "csv"):
        assert export(bureau, demo.code, "tasks", fmt).status_code == 403
    assert _snapshot() == before
    # What is allowed does queue a job with that setting: the refusals above were refusals.
    assert export(bureau, demo.code, "assignments", "csv").status_code == 302
    assert Job.objects.count() == 1


def test_unknown_export_is_404(demo, login, django_user_model):
    client = login(django_user_model.objects.get(username="province"))
    before = _snapshot()
    assert export(client, demo.code, "secrets", "xlsx").status_code == 404
    assert export(client, demo.code, "tasks", "pdf").status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("what", ["tasks", "assignments"])
def test_exports_make_the_same_number_of_queries_for_20_and_200_tasks(db, login, monkeypatch, what, fmt):
    # Rows read seven at a time: reading in chunks must not add a query per chunk.
    monkeypatch.setattr(exporting, "CHUNK", 7)
    office = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION)
    bureaus = [make_unit() for _ in range(3)]
    client = login(make_user(office, Membership.Role.COORDINATOR))
    counts = []
    for size in (20, 200):
        campaign = make_plan(size, office, units=bureaus)
        with CaptureQueriesContext(connection) as ctx:
            # The csv is read from the database as it streams: consume it inside the count.
            response = export(client, campaign.code, what, fmt)
            data = body(response)
        if fmt == "xlsx":
            rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows())
        else:
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert len(rows) == 1 + size * (1 if what == "tasks" else 3)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_tasks_export_shows_each_tasks_latest_report(demo, login, django_user_model):
    _report(14, "西宁市市场监管局", text="已发培训通知")
    _report(14, "西宁市市场监管局", text="培训班已举办，120人参加")
    client = login(django_user_model.objects.get(username="province"))
    rows = list(sheet(export(client, demo.code, "tasks", "xlsx")).iter_rows(values_only=True))
    by_number = {r[1]: r for r in rows[1:]}
    assert by_number[14][10].endswith("西宁市市场监管局：培训班已举办，120人参加")
    assert by_number[13][10] in ("", None)


def test_progress_report_export_holds_figures_and_only_what_the_unit_may_see(demo, login, django_user_model):
    _report(14, "西宁市市场监管局", text="=HYPERLINK(\"http://x\")", events_held=2, participants=120,
            enterprises_served=30, consultations=5)
    _report(16, "海西州市场监管局", events_held=1, participants=85)
    xining = login(django_user_model.objects.get(username="xining"))
    rows = list(sheet(export(xining, demo.code, "reports", "xlsx")).iter_rows())
    headers = [c.value for c in rows[0]]
    assert headers[:8] == ["编号", "任务", "单位", "填报时间", "填报人", "状态", "完成百分比", "工作进展"]
    assert len(rows) == 2  # xining's own report only
    values = {h: c for h, c in zip(headers, rows[1], strict=True)}
    assert values["单位"].value == "西宁市市场监管局"
    assert (values["开展活动（场）"].value, values["参与人数（人次）"].value, values["服务企业（家）"].value) == (2, 120, 30)
    assert values["工作进展"].value == '=HYPERLINK("http://x")' and values["工作进展"].data_type == "s"
    assert values["工作进展"].quotePrefix
    province = login(django_user_model.objects.get(username="province"))
    lines = csv_rows(export(province, demo.code, "reports", "csv"))
    assert len(lines) == 3
    assert lines[1][7] == "'=HYPERLINK(\"http://x\")"  # inert in csv too


def test_report_rows_read_back_whole_with_author_and_evidence(demo, login, django_user_model):
    first = _report(14, "西宁市市场监管局", text="已发培训通知", when=datetime(2024, 5, 2, 3, 4, tzinfo=UTC),
                    events_held=1, participants=10)
    second = _report(16, "海西州市场监管局", text="培训班已举办", when=datetime(2024, 5, 3, 3, 4, tzinfo=UTC),
                     events_held=2, participants=85, enterprises_served=12, consultations=3, materials_distributed=200)
    second.author.first_name, second.author.last_name = "张敏", ""
    second.author.save()
    for name in ("通知.pdf", "照片.jpg"):
        Evidence.objects.create(report=second, file=f"x/{name}", original_name=name, content_type="application/pdf",
                                extension="pdf", size=1, sha256="0" * 64)
    client = login(django_user_model.objects.get(username="province"))
    rows = list(sheet(export(client, demo.code, "reports", "xlsx")).iter_rows(values_only=True))
    assert rows == [
        ("编号", "任务", "单位", "填报时间", "填报人", "状态", "完成百分比", "工作进展", "开展活动（场）",
         "参与人数（人次）", "服务企业（家）", "提供咨询（次）", "发放资料（份）", "佐证材料（个）"),
        (14, "举办西宁市生物医药领域专利信息利用培训班", "西宁市市场监管局", datetime(2024, 5, 2, 11, 4),
         first.author.first_name, "进行中", 40, "已发培训通知", 1, 10, 0, 0, 0, 0),
        (16, "与德令哈工业园管委会联合举办知识产权培训班暨新材料产业专利导航发布会", "海西州市场监管局",
         datetime(2024, 5, 3, 11, 4), "张敏", "进行中", 40, "培训班已举办", 2, 85, 12, 3, 200, 2),
    ]
    assert first.author.first_name == "西宁市"  # the demo account's name, as the export shows it
    lines = csv_rows(export(client, demo.code, "reports", "csv"))
    assert lines[2] == ["16", "与德令哈工业园管委会联合举办知识产权培训班暨新材料产业专利导航发布会", "海西州市场监管局",
                        "2024-05-03 11:04", "张敏", "进行中", "40", "培训班已举办", "2", "85", "12", "3", "200", "2"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_progress_report_export_makes_the_same_number_of_queries_for_10_and_100_reports(
    demo, login, django_user_model, monkeypatch, fmt
):
    monkeypatch.setattr(exporting, "CHUNK", 7)
    client = login(django_user_model.objects.get(username="province"))
    counts = []
    for total in (10, 100):
        while ProgressReport.objects.count() < total:
            report = _report(14, "西宁市市场监管局", events_held=1)
            Evidence.objects.create(report=report, file="x/a.pdf", original_name="a.pdf", content_type="application/pdf",
                                    extension="pdf", size=1, sha256="0" * 64)
        with CaptureQueriesContext(connection) as ctx:
            data = body(export(client, demo.code, "reports", fmt))
        if fmt == "xlsx":
            assert openpyxl.load_workbook(io.BytesIO(data)).active.max_row == 1 + total
        else:
            assert len(data.decode("utf-8-sig").splitlines()) == 1 + total
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_a_big_export_runs_as_a_job_and_its_file_matches_the_download(demo, login, django_user_model, settings):
    for i in range(12):
        _report(14, "西宁市市场监管局", text=f"第{i}次进展", when=datetime(2024, 5, 1, i, 0, tzinfo=UTC), participants=i)
    client = login(django_user_model.objects.get(username="province"))
    direct = list(sheet(export(client, demo.code, "reports", "xlsx")).iter_rows(values_only=True))
    settings.EXPORT_QUEUE_ROWS = 10
    response = export(client, demo.code, "reports", "xlsx")
    job = Job.objects.get()
    assert response.status_code == 302 and job.arguments == {"code": demo.code, "what": "reports", "fmt": "xlsx"}
    assert run(job.pk) == "succeeded"
    job.refresh_from_db()
    assert job.result_name.startswith("qinghai-2024-进度报告-") and job.result_name.endswith(".xlsx")
    with job.result_file.open("rb") as f:
        queued = list(openpyxl.load_workbook(f).active.iter_rows(values_only=True))
    assert queued == direct and len(queued) == 13
    assert [r[9] for r in queued[1:]] == list(range(12))


def test_a_queued_task_export_for_someone_no_longer_overseeing_fails_with_nothing_written(demo, django_user_model):
    bureau = django_user_model.objects.get(username="xining")
    job = Job.objects.create(title="导出任务总表", function="campaigns.exporting.export_job", owner=bureau,
                             arguments={"code": demo.code, "what": "tasks", "fmt": "csv"})
    assert run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.error == "只有本活动的协调单位可以导出任务总表"
    assert not job.result_file and job.result_name == ""
