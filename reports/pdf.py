"""Render ReportData as a PDF in the official document layout (GB/T 9704-2012).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (the frame below is exactly
that text area, without padding); title at 22 pt, body at 16 pt in a Song (Ming) face;
page numbers "— N —" centred below the text area at 14 pt. As Word and WPS do by default
(允许标点溢出边界), reportlab lets a closing punctuation mark that may not start a line hang
in the right margin rather than begin the next line. Tables use 10.5 pt (五号) so six
columns fit the 156 mm line. Chinese text is set in an embedded TrueType CJK font
(settings.REPORT_FONT_PATH, else the first installed of DEFAULT_FONTS), otherwise in
reportlab's built-in CID font STSong-Light.

Every string from the data passes through `esc()` before it reaches Paragraph markup, so
user text such as '<font color="[[[...]]]">' prints literally and is never interpreted.
"""
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    Image,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 37 * mm, 35 * mm, 28 * mm, 26 * mm
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 156 mm
TEXT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM  # 225 mm
TITLE_SIZE, BODY_SIZE, PAGE_NUMBER_SIZE, TABLE_SIZE = 22, 16, 14, 10.5
# 22 lines of body text fill the 225 mm text area, as the standard lays it out.
BODY_LEADING = TEXT_HEIGHT / 22
# The page number sits 7 mm below the text area (GB/T 9704-2012, 7.5).
PAGE_NUMBER_BASELINE = MARGIN_BOTTOM - 7 * mm - PAGE_NUMBER_SIZE * 0.8

DEFAULT_FONTS = [
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),  # AR PL UMing CN, a Ming (Song) face
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # WenQuanYi Zen Hei
]
CID_FALLBACK = "STSong-Light"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def esc(value):
    """User text made safe for Paragraph markup: control characters dropped, &<> escaped,
    line breaks kept as <br/>."""
    text = _CONTROL.sub("", "" if value is None else str(value))
    return escape(text).replace("\r\n", "\n").replace("\n", "<br/>")


@dataclass(frozen=True)
class FontChoice:
    name: str
    path: str  # empty for the built-in CID font
    embedded: bool


_registered = {}


def choose_font():
    """The configured or first installed TrueType CJK font, registered once; else STSong-Light."""
    candidates = []
    if getattr(settings, "REPORT_FONT_PATH", ""):
        candidates.append((settings.REPORT_FONT_PATH, getattr(settings, "REPORT_FONT_INDEX", 0)))
    else:
        candidates.extend(DEFAULT_FONTS)
    for path, index in candidates:
        if not Path(path).is_file():
            continue
        key = (path, index)
        if key not in _registered:
            name = f"ReportCJK{len(_registered)}"
            try:
                pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
            except Exception:  # noqa: BLE001 - a broken or PostScript-outline font: try the next one
                continue
            _registered[key] = FontChoice(name, path, True)
        return _registered[key]
    if CID_FALLBACK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return FontChoice(CID_FALLBACK, "", False)


def _styles(font):
    base = {"fontName": font, "wordWrap": "CJK"}
    return {
        "title": ParagraphStyle("title", fontSize=TITLE_SIZE, leading=TITLE_SIZE * 1.5, alignment=TA_CENTER, **base),
        "number": ParagraphStyle("number", fontSize=BODY_SIZE, leading=BODY_LEADING, alignment=TA_CENTER, **base),
        "body": ParagraphStyle("body", fontSize=BODY_SIZE, leading=BODY_LEADING, alignment=TA_JUSTIFY,
                               firstLineIndent=2 * BODY_SIZE, **base),
        "plain": ParagraphStyle("plain", fontSize=BODY_SIZE, leading=BODY_LEADING, **base),
        "right": ParagraphStyle("right", fontSize=BODY_SIZE, leading=BODY_LEADING, alignment=TA_RIGHT, **base),
        "h1": ParagraphStyle("h1", fontSize=BODY_SIZE, leading=BODY_LEADING, spaceBefore=6, **base),
        "h2": ParagraphStyle("h2", fontSize=BODY_SIZE, leading=BODY_LEADING, firstLineIndent=2 * BODY_SIZE, **base),
        "cell": ParagraphStyle("cell", fontSize=TABLE_SIZE, leading=TABLE_SIZE * 1.3, **base),
        "cellc": ParagraphStyle("cellc", fontSize=TABLE_SIZE, leading=TABLE_SIZE * 1.3, alignment=TA_CENTER, **base),
        "caption": ParagraphStyle("caption", fontSize=TABLE_SIZE, leading=TABLE_SIZE * 1.4, alignment=TA_CENTER, **base),
    }


def _date(d):
    return f"{d.year}年{d.month}月{d.day}日" if d else "—"


def _short_date(d):
    return d.strftime("%Y-%m-%d") if d else "—"


class _Renderer:
    def __init__(self, data, font):
        self.data, self.font = data, font
        self.s = _styles(font.name)
        self.story = []

    # -- helpers
    def p(self, text, style="body"):
        """A paragraph of our own markup-free wording with user text already escaped."""
        self.story.append(Paragraph(text, self.s[style]))

    def h1(self, text):
        self.story.append(CondPageBreak(4 * BODY_LEADING))
        self.p(esc(text), "h1")

    def table(self, header, rows, widths, numeric_from=None):
        cells = [[Paragraph(esc(h), self.s["cellc"]) for h in header]]
        for row in rows:
            cells.append([
                Paragraph(esc(v), self.s["cellc"] if numeric_from is not None and i >= numeric_from else self.s["cell"])
                for i, v in enumerate(row)
            ])
        scale = TEXT_WIDTH / sum(widths)
        t = Table(cells, colWidths=[w * scale for w in widths], repeatRows=1, hAlign="LEFT")
        t.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]))
        self.story.append(t)
        self.story.append(Spacer(1, 6))

    # -- parts
    def cover(self):
        d = self.data
        self.story.append(Spacer(1, 40 * mm))
        # Break a long title after its closing quote, as printed notices do, not mid-word.
        head, quote, tail = d.title.rpartition("”")
        title = f"{esc(head + quote)}<br/>{esc(tail)}" if quote and tail and len(d.title) > 20 else esc(d.title)
        self.p(title, "title")
        if d.scope:
            self.p(esc(f"（{d.scope}）"), "number")
        self.story.append(Spacer(1, BODY_LEADING))
        if d.document_number:
            self.p(esc(f"依据：{d.document_number}"), "number")
        self.p(esc(f"《{d.campaign_title}》"), "number")
        self.story.append(Spacer(1, 60 * mm))
        self.p(esc(d.issuing_authority), "right")
        self.p(esc(_date(d.report_date)), "right")
        self.story.append(PageBreak())

    def overview(self):
        o = self.data.overview
        self.h1("一、总体情况")
        self.p(esc(
            f"本次活动共部署任务{o.tasks_total}项，已核验完成{o.tasks_verified}项，逾期{o.tasks_late}项，"
            f"尚未完成{o.tasks_open}项。各单位共举办活动{o.events_held}场，参与{o.participants}人次，"
            f"服务企业{o.enterprises_served}家，提供咨询{o.consultations}次。"
            f"摸底调研问卷发放{o.survey_invited}份，打开{o.survey_opened}份，回收{o.survey_submitted}份，"
            f"回收率{o.survey_response_rate:.1f}%。建立结对帮扶关系{o.pairings}对，开展帮扶活动{o.mentoring_activities}次。"
        ))
        rows = [(label, f"{v:.1f}" if isinstance(v, float) else v) for label, v in o.rows()]
        self.table(["指标", "数值"], rows, [3, 2], numeric_from=1)

    def sections(self):
        self.h1("二、重点任务完成情况")
        if not self.data.sections:
            self.p("无。")
        for section in self.data.sections:
            self.story.append(CondPageBreak(6 * BODY_LEADING))
            self.p(esc(section.heading), "h2")
            rows = [(r.number, r.title, r.units, _short_date(r.deadline), r.status, _short_date(r.completed_on))
                    for r in section.rows]
            self.table(["序号", "任务", "责任单位", "完成时限", "状态", "完成日期"], rows, [10, 41, 32, 23, 27, 23])

    def _bar_chart(self, title, names, series, legend):
        drawing = Drawing(TEXT_WIDTH, 82 * mm)
        chart = VerticalBarChart()
        chart.x, chart.y = 12 * mm, 16 * mm
        chart.width, chart.height = TEXT_WIDTH - 16 * mm, 52 * mm
        chart.data = [list(s) for s in series] or [[0] * len(names)]
        top = max([v for s in chart.data for v in s] + [1])
        step = max(1, -(-top // 5))
        chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, step * 5, step
        chart.valueAxis.labels.fontName = self.font.name
        chart.categoryAxis.categoryNames = [str(n) for n in names]
        chart.categoryAxis.labels.fontName = self.font.name
        chart.categoryAxis.labels.fontSize = 10
        palette = [colors.HexColor(c) for c in ("#2f5597", "#c55a11", "#7f7f7f", "#548235")]
        for i in range(len(chart.data)):
            chart.bars[i].fillColor = palette[i % len(palette)]
        drawing.add(chart)
        drawing.add(String(TEXT_WIDTH / 2, 76 * mm, title, fontName=self.font.name, fontSize=12, textAnchor="middle"))
        key = Legend()
        key.x, key.y = 12 * mm, 5 * mm
        key.fontName, key.fontSize = self.font.name, 10
        key.alignment, key.columnMaximum, key.dx, key.dy = "right", 1, 8, 8
        key.deltax = 40 * mm
        key.colorNamePairs = [(palette[i % len(palette)], label) for i, label in enumerate(legend)]
        drawing.add(key)
        self.story.append(drawing)

    def prefectures(self):
        self.h1("三、各市州工作情况")
        rows = self.data.prefectures
        if not rows:
            self.p("无。")
            return
        self.table(
            ["市州", "任务分工", "已核验", "逾期", "未完成", "活动场次", "参与人次", "服务企业"],
            [(r.name, r.assignments_total, r.assignments_verified, r.assignments_late, r.assignments_open,
              r.events_held, r.participants, r.enterprises_served) for r in rows],
            [22, 14, 13, 12, 13, 14, 14, 14], numeric_from=1,
        )
        names = [r.name for r in rows]
        self._bar_chart("各市州任务分工完成情况", names,
                        [[r.assignments_verified for r in rows], [r.assignments_open for r in rows],
                         [r.assignments_late for r in rows]], ["已核验", "未完成", "逾期"])
        self._bar_chart("各市州活动开展情况", names,
                        [[r.events_held for r in rows], [r.enterprises_served for r in rows]], ["活动场次", "服务企业"])

    def survey(self):
        sv = self.data.survey
        self.h1("四、摸底调研问卷主要结果")
        if not sv.invited and not sv.questions:
            self.p("暂无问卷数据。")
            return
        self.p(esc(f"{sv.title + '：' if sv.title else ''}共发放问卷{sv.invited}份，打开{sv.opened}份，"
                   f"回收{sv.submitted}份，回收率{sv.response_rate:.1f}%。"))
        for i, q in enumerate(sv.questions, 1):
            self.story.append(CondPageBreak(4 * BODY_LEADING))
            self.p(esc(f"{i}. {q.title}"), "plain")
            if q.options:
                self.table(["选项", "人数", "占比"], [(o.label, o.count, f"{o.share:.1f}%") for o in q.options],
                           [6, 2, 2], numeric_from=1)
            if q.numbers:
                n = q.numbers
                self.table(["有效回答", "最小值", "最大值", "平均值"],
                           [(n.count, f"{n.minimum:g}", f"{n.maximum:g}", f"{n.mean:.1f}")], [1, 1, 1, 1], numeric_from=0)

    def pairing(self):
        pr = self.data.pairing
        self.h1("五、结对帮扶情况")
        if not pr.rows:
            self.p("暂无结对帮扶数据。")
            return
        self.p(esc(f"共建立结对帮扶关系{len(pr.rows)}对，开展帮扶活动{pr.activities}次。"))
        self.table(["帮扶机构", "受帮扶机构", "帮扶重点", "状态", "帮扶活动（次）"],
                   [(r.mentor, r.mentee, r.focus, r.status, r.activities) for r in pr.rows], [30, 30, 40, 14, 16])

    def cases(self):
        self.h1("六、典型案例" if not self.data.scope else "六、本单位典型案例")
        if not self.data.cases:
            self.p("暂无推荐的典型案例。" if not self.data.scope else "暂无典型案例。")
        for i, c in enumerate(self.data.cases, 1):
            self.story.append(CondPageBreak(5 * BODY_LEADING))
            self.p(esc(f"案例{i}：{c.title}"), "h2")
            self.p(esc(f"报送单位：{c.unit}；机构：{c.institution}（{c.institution_type}）"))
            for label, text in (("案例简介", c.summary), ("主要做法", c.actions), ("工作成效", c.results)):
                self.p(f"{label}：{esc(text)}")
            if c.related_tasks:
                self.p(esc("相关任务：" + "；".join(c.related_tasks)))
            for path, caption in zip(c.photos, c.photo_captions or [""] * len(c.photos), strict=False):
                self._photo(path, caption)

    def _photo(self, path, caption):
        try:
            from reportlab.lib.utils import ImageReader

            w, h = ImageReader(path).getSize()
        except Exception:  # noqa: BLE001 - a missing or unreadable file is left out, not fatal
            return
        scale = min(120 * mm / w, 80 * mm / h)
        self.story.append(Image(path, width=w * scale, height=h * scale))
        if caption:
            self.p(esc(caption), "caption")

    def summaries(self):
        self.h1("七、各单位书面总结摘要")
        if not self.data.summaries:
            self.p("暂无书面总结。")
        for s in self.data.summaries:
            late = "，逾期报送" if s.late else ""
            self.p(esc(f"{s.unit}（{_short_date(s.submitted_at.date())}报送{late}）：{s.excerpt}"))

    def open_items(self):
        self.h1("八、尚未完成事项")
        if not self.data.open_items:
            self.p("无。")
        for i, item in enumerate(self.data.open_items, 1):
            self.p(esc(f"{i}. 【{item.kind}】{item.text}"))

    def build(self):
        self.cover()
        self.overview()
        self.sections()
        self.prefectures()
        self.survey()
        self.pairing()
        self.cases()
        self.summaries()
        self.open_items()
        return self.story


def frame():
    """The text area: exactly the page minus the GB/T 9704 margins, no inner padding."""
    return Frame(MARGIN_LEFT, MARGIN_BOTTOM, TEXT_WIDTH, TEXT_HEIGHT, id="body",
                 leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)


def render_pdf(data, out=None):
    """Render `data` (ReportData) to PDF bytes, or into the file-like/path `out`."""
    font = choose_font()

    def page_number(canvas, doc):
        canvas.saveState()
        canvas.setFont(font.name, PAGE_NUMBER_SIZE)
        canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_NUMBER_BASELINE, f"— {doc.page} —")
        canvas.restoreState()

    buffer = io.BytesIO() if out is None else (str(out) if isinstance(out, os.PathLike) else out)
    doc = BaseDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, initialFontName=font.name, initialFontSize=BODY_SIZE,
        title=data.title, author=data.issuing_authority, subject=data.campaign_title,
    )
    doc.addPageTemplates([PageTemplate(id="official", frames=[frame()], onPage=page_number)])
    doc.build(_Renderer(data, font).build())
    return buffer.getvalue() if out is None else None
