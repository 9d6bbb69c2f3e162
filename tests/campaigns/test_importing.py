"""Spreadsheet imports: resolution, preview, all-or-nothing commit, limits."""

import io
import re
import zipfile
from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import importing
from campaigns.directory import Directory, UnknownUnit
from campaigns.models import Task

from .io_helpers import HEADERS, csv_bytes, plan_of, plan_rows, snapshot, xlsx_bytes


def preview_of(campaign, rows, name="plan.xlsx", **kw):
    data = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    return importing.build_preview(importing.read_plan_file(name, data), campaign, **kw)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-06-30", date(2024, 6, 30)),
        ("2024/6/30", date(2024, 6, 30)),
        ("2024年6月30日", date(2024, 6, 30)),
        ("6月30日", date(2024, 6, 30)),
        ("6 月 30 日", date(2024, 6, 30)),
        (datetime(2024, 6, 30, 0, 0), date(2024, 6, 30)),
        (45473, date(2024, 6, 30)),  # an Excel serial date
        ("2024-06-30 00:00:00", date(2024, 6, 30)),
        ("", None),
        (None, None),
    ],
)
def test_deadlines_in_the_plans_own_formats(value, expected):
    assert importing.parse_deadline(value, 2024) == expected


@pytest.mark.parametrize("value", ["6/31", "2024-02-30", "下周", "2024年13月1日"])
def test_a_bad_deadline_is_an_error(value):
    with pytest.raises(ValueError, match="日期"):
        importing.parse_deadline(value, 2024)


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("省局知识产权公共服务处,各市州市场监管局", ["省局知识产权公共服务处", *["GROUP"] * 8]),
        ("（省局知识产权公共服务处；各市州市场监管局）", ["省局知识产权公共服务处", *["GROUP"] * 8]),
        ("省局知识产权公共服务处、商标品牌处", ["省局知识产权公共服务处", "省局商标品牌处"]),
        ("青海大学——国家知识产权信息公共服务网点", ["青海大学"]),
        ("青海之也科技咨询有限公司 TISC", ["青海之也科技咨询有限公司"]),
        ("(公共服务处)", ["省局知识产权公共服务处"]),
        ("西宁市市场监督管理局", ["西宁市市场监管局"]),
    ],
)
def test_units_cells_in_the_plans_own_wording(demo, cell, expected):
    entries = Directory().resolve(cell)
    names = [name for e in entries for name in ([e.units[0].name] if e.group is None else ["GROUP"] * len(e.units))]
    assert names == expected


def test_an_unknown_unit_suggests_the_closest_known_one(demo):
    with pytest.raises(UnknownUnit) as info:
        Directory().resolve("省局知识产权公共服务处，西宁市市场监管")
    assert info.value.name == "西宁市市场监管"
    assert info.value.suggestion == "西宁市市场监管局"


def test_an_unknown_division_after_a_provincial_one_suggests_the_division(demo):
    with pytest.raises(UnknownUnit) as info:
        Directory().resolve("省局知识产权公共服务处、商标处")
    assert info.value.suggestion == "省局商标品牌处"


def test_row_50_naming_an_unknown_unit_imports_nothing_and_says_so(demo):
    before = snapshot()
    preview = preview_of(demo, plan_rows(60, bad_row=50))
    assert preview.has_errors
    assert preview.errors == ["第50行：未知单位“西宁市场督察局”，是否为“西宁市市场监管局”？"]
    with pytest.raises(ValueError):
        importing.commit_preview(preview)
    assert snapshot() == before


def test_importing_the_same_file_twice_changes_nothing(demo):
    rows = plan_rows(5, units="省局知识产权公共服务处，各市州市场监管局")
    for row in rows:
        row[1] += 100
    first = preview_of(demo, rows)
    assert first.count(importing.NEW) == 5
    importing.commit_preview(first)
    after_first = snapshot()
    second = preview_of(demo, rows)
    assert second.count(importing.UNCHANGED) == 5 and not second.section_changes
    importing.commit_preview(second)
    assert snapshot() == after_first


def test_a_changed_deadline_updates_the_task_in_place_with_history(demo, django_user_model):
    coordinator = django_user_model.objects.get(username="province")
    task = demo.tasks.get(number=4)
    pk, original = task.pk, task.deadline
    rows = [["（二）知识产权公共服务基础能力提升活动", 4, task.title, "省局商标品牌处", "2024年7月15日", ""]]
    preview = preview_of(demo, rows)
    assert [r.status for r in preview.rows] == [importing.CHANGED]
    assert preview.rows[0].changes == [("deadline", original.isoformat(), "2024-07-15")]
    importing.commit_preview(preview, user=coordinator)
    task = Task.objects.get(campaign=demo, number=4)
    assert task.pk == pk and task.deadline == date(2024, 7, 15) and task.original_deadline == original
    latest, previous = task.history.all()[:2]
    assert latest.history_change_reason == "导入：plan.xlsx" and latest.history_user == coordinator
    assert previous.deadline == original


def test_changed_units_are_synced_keeping_reported_work(demo):
    task = demo.tasks.get(number=7)  # 海北州市场监管局 alone
    task.assignments.update(percent=40, status="in_progress")
    rows = [["（二）知识产权公共服务基础能力提升活动", 7, task.title, "海南州市场监管局", "", ""]]
    preview = preview_of(demo, rows)
    assert preview.rows[0].changes == [("units", "海北州市场监管局", "海南州市场监管局")]
    importing.commit_preview(preview)
    states = sorted(task.assignments.values_list("unit__name", "role", "status"))
    assert states == [("海北州市场监管局", "lead", "cancelled"), ("海南州市场监管局", "lead", "not_started")]


def test_errors_name_their_rows(demo):
    rows = [
        ["（一）活动启动", "x", "任务甲", "省局知识产权公共服务处", "", ""],
        ["", 30, "", "省局知识产权公共服务处", "明天", ""],
        ["", 30, "任务丙", "", "", ""],
    ]
    messages = preview_of(demo, rows).errors
    assert "第2行：任务编号“x”不是正整数" in messages
    assert "第3行：缺少任务内容" in messages
    assert any(m.startswith("第3行：无法识别的日期“明天”") for m in messages)
    assert "第4行：任务编号 30 与第3行重复" in messages
    assert "第4行：缺少责任单位" in messages


def test_blank_rows_keep_their_sheet_numbers(demo):
    rows = [["（一）活动启动", 101, "任务甲", "省局知识产权公共服务处", "", ""], ["", "", "", "", "", ""]]
    rows.append(["（一）活动启动", 102, "任务乙", "不存在的单位", "", ""])
    assert preview_of(demo, rows).errors[0].startswith("第4行：未知单位“不存在的单位”")


def test_csv_in_gb18030_and_utf8_reads_the_same(demo):
    rows = plan_rows(3)
    for encoding in ("utf-8-sig", "gb18030"):
        source = importing.read_plan_file("plan.csv", csv_bytes(rows, encoding=encoding))
        assert [r.title for r in source.rows] == ["导入任务1", "导入任务2", "导入任务3"]


def test_excel_date_cells_are_read_as_deadlines(demo):
    rows = [["（一）活动启动", 101, "任务甲", "省局知识产权公共服务处", datetime(2024, 8, 1), ""]]
    assert preview_of(demo, rows).rows[0].deadline == date(2024, 8, 1)


def test_a_missing_required_column_is_refused(db):
    with pytest.raises(importing.ImportRefused, match="缺少以下列：责任单位"):
        importing.read_plan_file("plan.xlsx", xlsx_bytes([["a", 1, "t"]], headers=["活动安排", "编号", "任务"]))


def test_a_file_over_the_size_limit_is_refused(db, settings):
    settings.IMPORT_MAX_BYTES = 1000
    with pytest.raises(importing.ImportRefused, match="超过上限"):
        importing.read_plan_file("plan.xlsx", xlsx_bytes(plan_rows(50)))


def test_a_file_over_the_row_limit_is_refused(db, settings):
    settings.IMPORT_MAX_ROWS = 10
    with pytest.raises(importing.ImportRefused, match="超过 10 行"):
        importing.read_plan_file("plan.csv", csv_bytes(plan_rows(11)))


def test_a_zip_bomb_is_refused_before_it_is_parsed(db, monkeypatch):
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("the bomb was handed to the parser")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx_bytes(plan_rows(1)))) as src,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/media/padding.bin", b"\0" * (20 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 200 * 1024
    with pytest.raises(importing.ImportRefused, match="压缩炸弹"):
        importing.read_plan_file("plan.xlsx", data)


@pytest.mark.parametrize(
    "name, data",
    [
        ("plan.xlsx", "编号,任务\n1,a\n".encode()),  # text posing as Excel
        ("plan.csv", xlsx_bytes([])),  # Excel posing as csv
        ("plan.txt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100),  # an old .doc
        ("plan.pdf", b"%PDF-1.4"),
    ],
)
def test_files_are_checked_for_type_by_content(db, name, data):
    with pytest.raises(importing.ImportRefused):
        importing.read_plan_file(name, data)


def test_xml_is_parsed_safely():
    import openpyxl

    # openpyxl reads every part through defusedxml when it is installed (it is pinned).
    assert openpyxl.xml.DEFUSEDXML is True


def test_preview_costs_the_same_queries_for_20_and_200_rows(demo):
    counts = []
    for size in (20, 200):
        source = importing.read_plan_file("plan.xlsx", xlsx_bytes(plan_rows(size)))
        with CaptureQueriesContext(connection) as ctx:
            importing.build_preview(source, demo)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_a_plan_in_new_sections_creates_them(demo):
    rows = [["六、新增活动", 23, "新任务", "西宁市市场监管局", "9月1日", "补充"]]
    preview = preview_of(demo, rows)
    assert preview.section_changes == [(6, None, "新增活动")]
    importing.commit_preview(preview)
    task = demo.tasks.get(number=23)
    assert (task.section.ordinal, task.section.title, task.deadline, task.notes) == (6, "新增活动", date(2024, 9, 1), "补充")
    assert plan_of(demo)[-1][5] == [("西宁市市场监管局", "lead", None)]


def test_headers_may_be_english_or_alternative(demo):
    data = xlsx_bytes(
        [["Section 1", 99, "t", "西宁市", "2024-05-01", ""]],
        headers=["section", "序号", "任务内容", "units", "截止日期", "notes"],
    )
    preview = importing.build_preview(importing.read_plan_file("p.xlsx", data), demo)
    assert not preview.has_errors, preview.errors
    assert preview.rows[0].deadline == date(2024, 5, 1)


def test_header_row_is_what_exports_write():
    assert HEADERS == [importing.COLUMNS[f][0] for f in ("section", "number", "title", "units", "deadline", "notes")]


@pytest.mark.parametrize(
    "text, suggestion",
    [
        ("各市州市场监督局", "各市州市场监管局"),  # a group's canonical name, not the alias that was closest
        ("青海大学知识产权中心", "青海大学"),  # a known name the text begins with
        ("果洛市场监管局", "果洛州市场监管局"),
        ("中科院盐湖所", "中国科学院青海盐湖研究所"),
    ],
)
def test_suggestions_name_the_canonical_closest_unit(demo, text, suggestion):
    with pytest.raises(UnknownUnit) as info:
        Directory().resolve(text)
    assert info.value.suggestion == suggestion


def test_a_sheet_claiming_huge_dimensions_is_read_by_its_real_cells(demo):
    data = xlsx_bytes(plan_rows(2))
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', body)
            dst.writestr(item, body)
    source = importing.read_plan_file("plan.xlsx", buffer.getvalue())
    assert [r.number for r in source.rows] == [1, 2]


def test_the_row_limit_stops_a_long_sheet(db, settings):
    settings.IMPORT_MAX_ROWS = 5
    with pytest.raises(importing.ImportRefused, match="超过 5 行"):
        importing.read_plan_file("plan.xlsx", xlsx_bytes(plan_rows(6)))


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("（一）活动启动", (1, "活动启动")),
        ("(二) 基础能力提升活动。", (2, "基础能力提升活动")),
        ("三、结对帮扶", (3, "结对帮扶")),
        ("4. 入园惠企", (4, "入园惠企")),
        ("5", (5, "")),
        (5, (5, "")),
        ("一带一路活动", (None, "一带一路活动")),
    ],
)
def test_section_cells(cell, expected):
    assert importing.parse_section(cell) == expected


def test_a_section_given_by_number_takes_the_existing_title(demo):
    task = demo.tasks.get(number=4)
    preview = preview_of(demo, [[2, 4, task.title, "省局商标品牌处", "", ""]])
    assert preview.rows[0].status == importing.UNCHANGED and not preview.section_changes
