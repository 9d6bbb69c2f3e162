"""The compiled final summary: what the PDF says (read back with pdftotext), its official
layout, the hostile strings, the xlsx annex and the compile's query count."""
import re
import subprocess
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from reportlab.lib.units import mm

from campaigns.models import Assignment, Region, Task
from reports import pdf
from reports.collect import collect
from reports.data import (
    CaseEntry,
    Figures,
    NumberStats,
    OpenItem,
    OptionCount,
    Overview,
    PairingResults,
    PairingRow,
    PrefectureRow,
    QuestionResult,
    ReportData,
    SectionTable,
    SummaryExcerpt,
    SurveyResults,
    TaskRow,
)
from reports.demo import load_demo_extras
from reports.xlsx import render_xlsx
from tests.factories import make_plan, make_region, make_unit

from .conftest import pdf_text, squash

PREFECTURES = ["西宁市", "海东市", "海北州", "黄南州", "海南州", "果洛州", "玉树州", "海西州"]
HOSTILE = ['<font color="[[[getattr(pow,\'__globals__\')]]]">', "0.1 < x", "S&P"]
TZ = ZoneInfo("Asia/Shanghai")


def _progress_demo(campaign):
    """Some work done: tasks 1 and 2 verified on time, task 7 verified late, task 18 submitted."""
    when = datetime(2024, 5, 10, 10, tzinfo=TZ)
    Assignment.objects.filter(task__campaign=campaign, task__number__in=[1, 2]).update(
        status="verified", percent=100, completed_at=when)
    Assignment.objects.filter(task__campaign=campaign, task__number=7).update(
        status="verified", percent=100, completed_at=datetime(2024, 7, 5, tzinfo=TZ), completed_late=True)
    Assignment.objects.filter(task__campaign=campaign, task__number=18).update(status="submitted", percent=100)


@pytest.fixture
def demo_pdf(demo, tmp_path, need_poppler):
    load_demo_extras(demo)
    _progress_demo(demo)
    out = tmp_path / "demo.pdf"
    call_command("compile_report", demo.code, "--out", str(out), "--xlsx", str(tmp_path / "demo.xlsx"),
                 "--date", "2024-10-15")
    return out


def _expected_overview(campaign, today):
    total = verified = late = still_open = 0
    for task in Task.objects.filter(campaign=campaign).prefetch_related("assignments"):
        live = [a for a in task.assignments.all() if a.status != "cancelled"]
        total += 1
        verified += all(a.status == "verified" for a in live)
        late += any(a.completed_late or (a.is_open and task.deadline < today) for a in live)
        still_open += any(a.is_open for a in live)
    return total, verified, late, still_open


def test_demo_report_reads_back_with_title_all_tasks_prefectures_and_figures(demo, demo_pdf):
    text = squash(pdf_text(demo_pdf))
    assert squash(demo.title) in text
    assert "2024年青海省“知识产权公共服务市州行”活动总结" in text
    assert demo.document_number in text and "青海省市场监督管理局" in text and "2024年10月15日" in text

    tasks = list(Task.objects.filter(campaign=demo).order_by("number"))
    assert len(tasks) == 22
    for task in tasks:
        # In a table row the number cell is followed directly by the title cell.
        assert f"{task.number}{squash(task.title)}" in text, task.number
    for name in PREFECTURES:
        assert name in text

    total, verified, late, still_open = _expected_overview(demo, date(2024, 10, 15))
    assert (total, verified) == (22, 3)
    assert f"共部署任务{total}项，已核验完成{verified}项，逾期{late}项，尚未完成{still_open}项" in text
    for label, value in [("任务总数（项）", total), ("已核验完成（项）", verified), ("逾期（项）", late),
                         ("尚未完成（项）", still_open)]:
        assert f"{label}{value}" in text

    # Per prefecture: the assignments of units in that prefecture, as the table claims them.
    for region in Region.objects.filter(kind="prefecture"):
        # A prefecture's own units; universities form the provincial table with the institutions.
        live = (Assignment.objects.filter(task__campaign=demo, unit__region=region)
                .exclude(status="cancelled").exclude(unit__kind="university"))
        late = sum(1 for a in live.select_related("task")
                   if a.completed_late or (a.is_open and a.task.deadline < date(2024, 10, 15)))
        row = (f"{region.name}{live.count()}{live.filter(status='verified').count()}{late}"
               f"{live.filter(status__in=['not_started', 'in_progress', 'returned']).count()}000000")
        assert row in text, region.name

    # Recommended cases in full, the other one left out; summaries excerpted, late one marked.
    assert "聚焦新能源产业链深挖高价值专利" in text
    assert "指导企业提交发明专利申请17件" in text
    assert "全球盐湖专利大数据平台走进园区" in text
    assert "新材料产业专利导航发布助力德令哈工业园企业精准研发" not in text
    assert "黄南州市场监管局（2024年10月9日报送，逾期报送）" in text
    assert "西宁市市场监管局（2024年9月25日报送）" in text
    # Open items: units without a summary.
    assert "青海大学尚未报送书面总结" in text


def test_demo_report_pages_are_a4_with_the_official_margins_and_sizes(demo_pdf):
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(demo_pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert pages > 5 and len(sizes) == pages
    assert all((round(float(w), 1), round(float(h), 1)) == (595.3, 841.9) for w, h in sizes)

    # The frame is exactly the text area left by the margins, with no inner padding.
    f = pdf.frame()
    assert (f._x1, f._y1) == (pytest.approx(28 * mm), pytest.approx(35 * mm))
    assert (f._width, f._height) == (pytest.approx(210 * mm - 54 * mm, abs=0.5), pytest.approx(297 * mm - 72 * mm, abs=0.5))
    assert (f._leftPadding, f._rightPadding, f._topPadding, f._bottomPadding) == (0, 0, 0, 0)

    # Every word printed stays inside the text area, except the page numbers below it.
    bbox = subprocess.run(["pdftotext", "-bbox", str(demo_pdf), "-"], capture_output=True, text=True).stdout
    page_w, page_h = 595.2756, 841.8898
    left, right, top, bottom = 28 * mm, page_w - 26 * mm, 37 * mm, page_h - 35 * mm
    page_numbers, words, hanging = [], 0, []
    for page_no, page in enumerate(bbox.split("<page ")[1:], 1):
        for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page
        ):
            x0, y0, x1, y1 = map(float, (x0, y0, x1, y1))
            if y0 > bottom:
                page_numbers.append((page_no, word, x0, x1, y1 - y0))
                continue
            words += 1
            assert left - 0.5 <= x0 and top - 0.5 <= y0 and y1 <= bottom + 0.5, (page_no, word, x0, y0, y1)
            if x1 > right + 0.5:
                hanging.append(word)
    assert hanging == []  # nothing hangs in the margin: 避头尾 carries characters down instead
    assert words > 500
    # "— N —" at 14 pt, odd pages on the right, even pages on the left, one character in.
    for page_no in range(1, pages + 1):
        parts = [p for p in page_numbers if p[0] == page_no]
        assert [w for _, w, *_ in parts] == ["—", str(page_no), "—"]
        if page_no % 2:
            assert max(p[3] for p in parts) == pytest.approx(right - 14, abs=1)
        else:
            assert min(p[2] for p in parts) == pytest.approx(left + 14, abs=1)
        assert all(p[4] == pytest.approx(14, abs=0.1) for p in parts)

    # Title 22 pt, body 16 pt (pdftotext's word boxes are as tall as the font size).
    sizes = {w: float(y1) - float(y0) for y0, y1, w in re.findall(
        r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', bbox)}
    assert sizes["活动总结"] == pytest.approx(22, abs=0.1)
    assert sizes["一、总体情况"] == pytest.approx(16, abs=0.1)


def test_report_embeds_an_installed_truetype_cjk_font(demo_pdf):
    fonts = subprocess.run(["pdffonts", str(demo_pdf)], capture_output=True, text=True).stdout
    chosen = pdf.choose_font()
    if not chosen.embedded:
        pytest.fail("no TrueType CJK font installed: run scripts/system-packages.sh (make test does)")
    cjk = [line for line in fonts.splitlines() if "UMing" in line or "ZenHei" in line or "Hei" in line]
    assert cjk and all(" yes yes yes " in line for line in cjk)


def test_without_a_truetype_font_the_report_falls_back_to_stsong(settings, tmp_path, need_poppler):
    settings.REPORT_FONT_PATH = str(tmp_path / "missing.ttf")
    assert pdf.choose_font().name == "STSong-Light"
    out = tmp_path / "cid.pdf"
    out.write_bytes(pdf.render_pdf(_full_data()))
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    assert "STSong-Light" in fonts


def _full_data(hostile=None):
    """A report with every part filled in, optionally with a hostile string everywhere."""
    h = hostile or ""
    return ReportData(
        title="测试活动总结" + h, campaign_title="测试活动方案" + h, document_number="青市监函〔2024〕1号",
        issuing_authority="青海省市场监督管理局" + h, report_date=date(2024, 10, 8), scope=h,
        overview=Overview(tasks_total=40, tasks_verified=31, tasks_late=4, tasks_open=6,
                          verified=Figures(57, 4321, 389, 912), survey_invited=120,
                          survey_opened=101, survey_submitted=90, survey_response_rate=Decimal("75.0"), pairings=9,
                          mentoring_activities=27),
        sections=[SectionTable("（一）活动启动" + h, [
            TaskRow(1, "发布活动方案" + h, "省局知识产权公共服务处" + h, date(2024, 4, 26), "已完成" + h, date(2024, 4, 25)),
            TaskRow(2, "发放摸底调研问卷", "省局知识产权公共服务处", date(2024, 5, 15), "进行中", None),
        ])],
        prefectures=[PrefectureRow("西宁市" + h, 12, 9, 1, 3, Figures(21, 1800, 150)),
                     PrefectureRow("海西州", 5, 4, 0, 1, Figures(8, 640, 77))],
        survey=SurveyResults("知识产权公共服务基础摸底调研问卷" + h, 120, 101, 90, [
            QuestionResult("本地区是否设有知识产权信息公共服务网点" + h,
                           [OptionCount("是" + h, 54, Decimal("60.0")), OptionCount("否", 36, Decimal("40.0"))]),
            QuestionResult("专职服务人员人数", numbers=NumberStats(88, 0, 12, Decimal("3.4"))),
        ]),
        pairing=PairingResults([PairingRow("青海省青藏知识产权服务中心" + h, "海西州知识产权服务站", "专利检索分析" + h,
                                           "进行中", 7),
                                PairingRow("中国科学院青海盐湖研究所", "格尔木市网点", "盐湖专利数据利用", "已完成", 20)]),
        cases=[CaseEntry("高价值专利挖掘" + h, "青藏中心" + h, "青藏中心", "下属单位", "简介" + h, "做法" + h,
                         "服务企业5家" + h, ["18. 针对新能源产业" + h])],
        summaries=[SummaryExcerpt("西宁市市场监管局" + h, datetime(2024, 9, 25, 10, tzinfo=TZ), False, "摘要" + h)],
        open_items=[OpenItem("任务", "2. 发放问卷" + h)],
    )


def test_every_part_of_the_report_prints_the_figures_it_is_given(tmp_path, need_poppler):
    out = tmp_path / "full.pdf"
    out.write_bytes(pdf.render_pdf(_full_data()))
    text = squash(pdf_text(out))
    for expected in [
        "举办活动（场，已核验）57", "参与人次（已核验）4321", "服务企业（家，已核验）389", "提供咨询（次，已核验）912",
        "问卷发放（份）120", "问卷打开（份）101", "问卷回收（份）90", "问卷回收率（%）75.0", "已建立结对帮扶（对）9",
        "帮扶活动（次，受帮扶方已确认）27",
        "共发放问卷120份，打开101份，回收90份，回收率75.0%",
        "本地区是否设有知识产权信息公共服务网点", "是5460.0%", "否3640.0%", "880123.4",
        "已建立结对帮扶关系2对，开展经受帮扶方确认的帮扶活动27次",
        "青海省青藏知识产权服务中心海西州知识产权服务站专利检索分析进行中7",
        "西宁市1291321180015000", "海西州5401864077000",
        "1发布活动方案省局知识产权公共服务处2024-04-26已完成2024-04-25",
    ]:
        assert expected in text, expected


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_strings_print_literally_everywhere(tmp_path, need_poppler, hostile):
    out = tmp_path / "hostile.pdf"
    out.write_bytes(pdf.render_pdf(_full_data(hostile)))
    text = pdf_text(out)
    squashed, needle = squash(text), squash(hostile)
    for expected in ["测试活动总结", "发布活动方案", "省局知识产权公共服务处", "（一）活动启动", "西宁市",
                     "本地区是否设有知识产权信息公共服务网点", "青海省青藏知识产权服务中心", "高价值专利挖掘",
                     "西宁市市场监管局", "2.发放问卷"]:
        assert squash(expected) + needle in squashed, expected
    assert "<font color=" not in text or hostile.startswith("<font")


def test_hostile_task_title_from_the_database_prints_literally(db, tmp_path, need_poppler):
    unit = make_unit("S&P 服务站")
    campaign = make_plan(3, units=[unit])
    for task, hostile in zip(Task.objects.filter(campaign=campaign).order_by("number"), HOSTILE, strict=True):
        task.title = hostile
        task.save()
    out = tmp_path / "db.pdf"
    out.write_bytes(pdf.render_pdf(collect(campaign)))
    text = squash(pdf_text(out))
    for n, hostile in enumerate(HOSTILE, 1):
        assert f"{n}{squash(hostile)}S&P服务站" in text


def test_xlsx_annex_holds_the_same_tables(demo, demo_pdf, tmp_path):
    wb = load_workbook(tmp_path / "demo.xlsx")
    assert wb.sheetnames[0] == "总体情况" and "各市州情况" in wb.sheetnames
    overview = {row[0]: row[1] for row in wb["总体情况"].iter_rows(min_row=2, values_only=True)}
    assert overview["任务总数（项）"] == 22 and overview["已核验完成（项）"] == 3
    section_sheets = [ws for ws in wb.worksheets if ws.title.startswith("（")]
    assert len(section_sheets) == 5
    rows = [r for ws in section_sheets for r in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted(r[0] for r in rows) == list(range(1, 23))
    titles = dict(Task.objects.filter(campaign=demo).values_list("number", "title"))
    assert all(r[1] == titles[r[0]] for r in rows)
    assert [r[0] for r in wb["各市州情况"].iter_rows(min_row=2, values_only=True)] == PREFECTURES
    cases = [r[0] for r in wb["典型案例"].iter_rows(min_row=2, values_only=True)]
    assert len(cases) == 2 and cases[0].startswith("全球盐湖专利大数据平台")


def test_xlsx_keeps_hostile_and_formula_like_text_as_text(tmp_path):
    data = _full_data(HOSTILE[0])
    data.sections[0].rows[1].title = "=HYPERLINK(\"http://example.invalid\",\"x\")"
    out = tmp_path / "annex.xlsx"
    out.write_bytes(render_xlsx(data))
    ws = load_workbook(out).worksheets[1]
    assert ws.title.startswith("（一）活动启动")
    assert ws["B2"].value == "发布活动方案" + HOSTILE[0]
    assert ws["B3"].value == "=HYPERLINK(\"http://example.invalid\",\"x\")" and ws["B3"].data_type == "s"
    assert load_workbook(out)["结对帮扶"]["E3"].value == 20


def test_compiling_makes_the_same_number_of_queries_for_20_and_200_tasks(db):
    region = make_region("测试州")
    units = [make_unit(region=region) for _ in range(3)]

    def queries(n):
        campaign = make_plan(n, units=units)
        Assignment.objects.filter(task__campaign=campaign, task__number__lte=n // 2).update(
            status="verified", completed_at=timezone.now() - timedelta(days=1))
        with CaptureQueriesContext(connection) as ctx:
            pdf.render_pdf(collect(campaign))
        return len(ctx.captured_queries)

    assert queries(20) == queries(200)


def test_summary_dates_are_the_local_dates_of_qinghai(db):
    from reports.models import WrittenSummary

    bureau = make_unit("某州市场监管局")
    campaign = make_plan(1, units=[bureau])
    when = datetime(2024, 9, 30, 23, 30, tzinfo=TZ)  # 15:30 UTC, still 30 September in Xining
    WrittenSummary.objects.create(campaign=campaign, unit=bureau, text="总结", submitted_at=when, first_submitted_at=when)
    (excerpt,) = collect(campaign).summaries
    assert excerpt.submitted_at.date() == date(2024, 9, 30) and not excerpt.late
