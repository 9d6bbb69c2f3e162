"""The xlsx annex of the final summary: the same tables as the PDF, one sheet each."""
import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from campaigns.formulas import guard_xlsx_cell, xlsx_text

SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _clean(value):
    return xlsx_text(value) if isinstance(value, str) else value


def _sheet(wb, title, header, rows, widths=None):
    ws = wb.create_sheet(SHEET_NAME_FORBIDDEN.sub("", title)[:31] or "Sheet")
    ws.append([_clean(h) for h in header])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        guard_xlsx_cell(cell)
    for row in rows:
        ws.append([_clean(v) for v in row])
        for cell in ws[ws.max_row]:
            # A user's text that starts with "=" (or ＝ + - @) stays text, never a formula.
            guard_xlsx_cell(cell)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, width in enumerate(widths or [], 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    return ws


def render_xlsx(data, out=None):
    """Write `data` (ReportData) as an xlsx workbook; bytes, or into the file-like/path `out`."""
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "总体情况", ["指标", "数值"], data.overview.rows(), [24, 14])
    task_header = ["序号", "任务", "责任单位", "完成时限", "状态", "完成日期"]
    for section in data.sections:
        _sheet(wb, section.heading, task_header,
               [(r.number, r.title, r.units, r.deadline, r.status, r.completed_on) for r in section.rows],
               [6, 60, 40, 12, 16, 12])
    from .data import AREA_HEADER

    _sheet(wb, f"各{data.area_label}情况", [data.area_label] + AREA_HEADER[1:],
           [r.cells() for r in data.prefectures], [14] + [10] * 10)
    _sheet(wb, "省直单位情况", AREA_HEADER, [r.cells() for r in data.provincial], [30] + [10] * 10)
    rows = []
    for q in data.survey.questions:
        rows += [(q.title, opt.label, opt.count, opt.share) for opt in q.options]
        if q.numbers:
            n = q.numbers
            stats = f"有效回答{n.count}，最小{n.minimum:g}，最大{n.maximum:g}，平均{n.mean}"
            rows.append((q.title, stats, n.count, None))
    _sheet(wb, "问卷结果", ["问题", "选项", "人数", "占比（%）"], rows, [40, 30, 8, 10])
    _sheet(wb, "结对帮扶", ["帮扶机构", "受帮扶机构", "帮扶重点", "状态", "已确认帮扶活动（次）", "待确认帮扶活动（次）"],
           [(r.mentor, r.mentee, r.focus, r.status, r.activities, r.unconfirmed) for r in data.pairing.rows],
           [30, 30, 40, 10, 12, 12])
    _sheet(wb, "待确认结对提议", ["帮扶机构", "受帮扶机构", "帮扶重点", "状态"],
           [(r.mentor, r.mentee, r.focus, r.status) for r in data.pairing.proposals], [30, 30, 40, 10])
    _sheet(wb, "典型案例", ["标题", "报送单位", "机构", "机构类型", "案例简介", "主要做法", "工作成效", "相关任务"],
           [(c.title, c.unit, c.institution, c.institution_type, c.summary, c.actions, c.results, "；".join(c.related_tasks))
            for c in data.cases], [30, 24, 24, 12, 50, 50, 50, 40])
    _sheet(wb, "书面总结", ["单位", "首次报送时间", "是否逾期", "总结全文"],
           [(s.unit, s.submitted_at.replace(tzinfo=None), "逾期" if s.late else "按时", s.text) for s in data.summaries],
           [30, 18, 10, 80])
    _sheet(wb, "尚未完成事项", ["类别", "事项"], [(i.kind, i.text) for i in data.open_items], [12, 100])
    buffer = io.BytesIO() if out is None else out
    wb.save(buffer)
    return buffer.getvalue() if out is None else None
