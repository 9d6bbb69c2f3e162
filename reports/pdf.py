"""Render ReportData as a PDF in the official document layout (GB/T 9704-2012).

Page: A4; margins top 37 mm, left 28 mm, text area 156 × 225 mm (so right 26 mm, bottom
35 mm); the frame is exactly that area, without padding. Body 3号 (16 pt) 仿宋, 28
characters × 22 lines a page, justified, paragraphs indented two characters; title 2号
(22 pt) 小标宋 centred; 一级标题 黑体, 二级 楷体, 三级 仿宋 bold (all 3号); headings are
kept with what follows. 版头: the issuing authority in red 小标宋 35 mm below the top of
the text area, the 发文字号 two lines below it, the red separator line 4 mm under that;
then 主送机关. After the body: 附件说明, 署名 and 成文日期 (no seal: 署名 two characters
from the right margin, the date under it two characters to the right, moved so the date
ends two characters from the margin when it is the longer); the appendix (附件2, the
full written summaries) starts on a new page. Page numbers "— N —" in 4号 (14 pt), 7 mm
below the text area, odd pages on the right and even pages on the left, one character in
from the margin. Tables in 五号 (10.5 pt) with the header row repeated on every page.
`with_letterhead=False` (Letterhead) gives the "report only" variant without 版头.

Fonts come from reports.typeset (settings.REPORT_FONTS, per role, with a fallback chain).
User text is never parsed as markup: CJKText prints strings as they are.
"""
import io
import os

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .typeset import CJKText, FontSet

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_TOP, MARGIN_LEFT = 37 * mm, 28 * mm
TEXT_WIDTH, TEXT_HEIGHT = 156 * mm, 225 * mm
MARGIN_RIGHT = PAGE_WIDTH - MARGIN_LEFT - TEXT_WIDTH  # 26 mm
MARGIN_BOTTOM = PAGE_HEIGHT - MARGIN_TOP - TEXT_HEIGHT  # 35 mm
TITLE_SIZE, BODY_SIZE, PAGE_NUMBER_SIZE, TABLE_SIZE, AUTHORITY_SIZE = 22, 16, 14, 10.5, 30
CHARS_PER_LINE, LINES_PER_PAGE = 28, 22
BODY_LEADING = TEXT_HEIGHT / LINES_PER_PAGE
PITCH = TEXT_WIDTH / CHARS_PER_LINE  # one character cell of the body grid
RED = colors.HexColor("#e60012")
# The page number's figures (cap height ≈ 0.72 em) top out 7 mm below the text area.
PAGE_NUMBER_BASELINE = MARGIN_BOTTOM - 7 * mm - PAGE_NUMBER_SIZE * 0.72


def _date(d):
    return f"{d.year}年{d.month}月{d.day}日" if d else "—"


def _short_date(d):
    return d.strftime("%Y-%m-%d") if d else "—"


def fmt(value):
    """Numbers as printed: Decimals keep their (half-up) rounding, floats print without noise."""
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


class RedLine(Flowable):
    """The 版头's red separator line, as wide as the text area."""

    def __init__(self, space_before):
        super().__init__()
        self.spaceBefore = space_before

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, 2

    def draw(self):
        self.canv.setStrokeColor(RED)
        self.canv.setLineWidth(1.5)
        self.canv.line(0, 1, self.width, 1)


class _Renderer:
    def __init__(self, data, fonts):
        self.data, self.f = data, fonts
        self.story = []
        self.figure_no = 0

    # -- building blocks
    def text(self, text, role="body", **kw):
        kw.setdefault("size", BODY_SIZE)
        kw.setdefault("leading", BODY_LEADING)
        kw.pop("kind", None)  # the .docx style name; the PDF needs only the role
        self.story.append(CJKText(text, self.f, role=role, **kw))

    def para(self, text):
        """A body paragraph: 仿宋 3号, indented two characters, justified."""
        self.text(text, first_indent=2)

    def blank(self, lines=1):
        self.story.append(Spacer(1, BODY_LEADING * lines))

    def space(self, height):
        self.story.append(Spacer(1, height))

    def page_break(self):
        self.story.append(PageBreak())

    def keep_lines(self, lines):
        """Start a new page unless `lines` body lines still fit on this one."""
        self.story.append(CondPageBreak(BODY_LEADING * lines))

    def red_line(self):
        self.story.append(RedLine(4 * mm))

    def heading(self, text, level):
        # Never alone at a page foot: start a new page unless the heading and two lines fit.
        # (a CondPageBreak rather than keepWithNext, which would move the whole next
        # paragraph or table and leave half a page empty).
        self.story.append(CondPageBreak(BODY_LEADING * 4))
        role = {1: "heading1", 2: "heading2", 3: "body"}[level]
        self.text(text, role=role, first_indent=2, bold=level == 3)

    def table(self, header, rows, widths, numeric_from=None):
        def cell(value, centred):
            return CJKText(fmt(value), self.f, size=TABLE_SIZE, leading=TABLE_SIZE * 1.35,
                           align="center" if centred else "left")

        cells = [[cell(h, True) for h in header]]
        for row in rows:
            cells.append([cell(v, numeric_from is not None and i >= numeric_from) for i, v in enumerate(row)])
        scale = TEXT_WIDTH / sum(widths)
        t = Table(cells, colWidths=[w * scale for w in widths], repeatRows=1, hAlign="LEFT")
        t.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]))
        self.story.append(t)
        self.story.append(Spacer(1, 6))

    # -- parts
    def letterhead(self):
        d, lh = self.data, self.data.letterhead
        self.space(35 * mm)
        self.text(d.issuing_authority, role="title", size=AUTHORITY_SIZE, leading=AUTHORITY_SIZE * 1.3,
                  align="center", color=RED)
        self.blank(2)
        if lh.document_number:
            self.text(lh.document_number, align="center", kind="发文字号")
        self.red_line()
        self.blank(2)

    def title(self):
        d = self.data
        # Break a long title after its closing quote, as printed notices do, not mid-word.
        head, quote, tail = d.title.rpartition("”")
        title = f"{head}{quote}\n{tail}" if quote and tail and len(d.title) > 20 else d.title
        self.text(title, role="title", size=TITLE_SIZE, leading=BODY_LEADING, align="center")
        if d.scope:
            self.text(f"（{d.scope}）", align="center", kind="发文字号")
        self.blank()
        if d.letterhead.recipients:
            self.text(d.letterhead.recipients.rstrip("：:") + "：", align="left", kind="主送机关")

    def opening(self):
        d = self.data
        basis = f"（{d.document_number}）" if d.document_number else ""
        self.para(f"根据《{d.campaign_title}》{basis}部署，现将活动开展情况总结如下（数据截至{_date(d.report_date)}）。")

    def overview(self):
        o = self.data.overview
        v, p = o.verified, o.pending
        self.heading("一、总体情况", 1)
        self.para(
            f"本次活动共部署任务{o.tasks_total}项，已核验完成{o.tasks_verified}项，逾期{o.tasks_late}项，"
            f"尚未完成{o.tasks_open}项。经核验，各单位共举办活动{v.events_held}场，参与{v.participants}人次，"
            f"服务企业{v.enterprises_served}家，提供咨询{v.consultations}次；另有已报送待核验的活动{p.events_held}场，"
            f"参与{p.participants}人次，服务企业{p.enterprises_served}家，提供咨询{p.consultations}次，未计入上述数字。"
            f"摸底调研问卷发放{o.survey_invited}份，打开{o.survey_opened}份，回收{o.survey_submitted}份，"
            f"回收率{o.survey_response_rate}%。已建立结对帮扶关系{o.pairings}对（另有待确认提议{o.pairings_proposed}对），"
            f"开展经受帮扶方确认的帮扶活动{o.mentoring_activities}次。"
        )
        self.table(["指标", "数值"], o.rows(), [3, 2], numeric_from=1)

    def sections(self):
        self.heading("二、重点任务完成情况", 1)
        if not self.data.sections:
            self.para("无。")
        for section in self.data.sections:
            self.heading(section.heading, 2)
            rows = [(r.number, r.title, r.units, _short_date(r.deadline), r.status, _short_date(r.completed_on))
                    for r in section.rows]
            self.table(["序号", "任务", "责任单位", "完成时限", "状态", "完成日期"], rows, [10, 41, 32, 23, 27, 23])

    def areas(self):
        d = self.data
        self.heading(f"三、各{d.area_label}和省直单位工作情况" if d.area_label == "市州" else
                     f"三、各{d.area_label}工作情况", 1)
        self.para("下表“活动场次”“参与人次”“服务企业”仅计已核验的进度报告；“待核验”各列为已报送、尚待核验的数字；"
                  "被退回的报告不计入。")
        widths = [26, 12, 12, 10, 12, 12, 13, 13, 14, 14, 14]
        header = [d.area_label] + ["任务分工", "已核验", "逾期", "未完成", "活动场次", "参与人次", "服务企业",
                                   "待核验活动场次", "待核验参与人次", "待核验服务企业"]
        self.heading(f"（一）各{d.area_label}", 2)
        if d.prefectures:
            self.table(header, [r.cells() for r in d.prefectures], widths, numeric_from=1)
        else:
            self.para("无。")
        self.heading(f"（二）{d.provincial_label}", 2)
        if d.provincial:
            self.table(["单位"] + header[1:], [r.cells() for r in d.provincial], widths, numeric_from=1)
        else:
            self.para("无。")

    def survey(self):
        sv = self.data.survey
        self.heading("四、摸底调研问卷主要结果", 1)
        if not sv.invited and not sv.questions:
            self.para("暂无问卷数据。")
            return
        self.para(f"{sv.title + '：' if sv.title else ''}共发放问卷{sv.invited}份，打开{sv.opened}份，"
                  f"回收{sv.submitted}份，回收率{sv.response_rate}%。")
        for i, q in enumerate(sv.questions, 1):
            self.heading(f"{i}. {q.title}", 3)
            if q.options:
                self.table(["选项", "人数", "占比"], [(o.label, o.count, f"{o.share}%") for o in q.options],
                           [6, 2, 2], numeric_from=1)
            if q.numbers:
                n = q.numbers
                self.table(["有效回答", "最小值", "最大值", "平均值"],
                           [(n.count, fmt(n.minimum), fmt(n.maximum), n.mean)], [1, 1, 1, 1], numeric_from=0)

    def pairing(self):
        pr = self.data.pairing
        self.heading("五、结对帮扶情况", 1)
        if not pr.rows and not pr.proposals:
            self.para("暂无结对帮扶数据。")
            return
        self.para(f"已建立结对帮扶关系{len(pr.rows)}对，开展经受帮扶方确认的帮扶活动{pr.activities}次"
                  f"（另有{pr.unconfirmed}次尚待确认，未计入）。")
        if pr.rows:
            self.table(["帮扶机构", "受帮扶机构", "帮扶重点", "状态", "已确认帮扶活动（次）"],
                       [(r.mentor, r.mentee, r.focus, r.status, r.activities) for r in pr.rows], [30, 30, 40, 14, 16])
        if pr.proposals:
            self.para(f"另有待确认的结对提议{len(pr.proposals)}对，不计入已建立的结对：")
            self.table(["帮扶机构", "受帮扶机构", "帮扶重点", "状态"],
                       [(r.mentor, r.mentee, r.focus, r.status) for r in pr.proposals], [30, 30, 40, 14])

    def cases(self):
        self.heading("六、典型案例" if not self.data.scope else "六、本单位典型案例", 1)
        if not self.data.cases:
            self.para("暂无推荐的典型案例。" if not self.data.scope else "暂无典型案例。")
        for i, c in enumerate(self.data.cases, 1):
            self.heading(f"（{_cn(i)}）{c.title}", 2)
            self.para(f"报送单位：{c.unit}；机构：{c.institution}（{c.institution_type}）。")
            for label, text in (("案例简介", c.summary), ("主要做法", c.actions), ("工作成效", c.results)):
                self.para(f"{label}：{text}")
            if c.related_tasks:
                self.para("相关任务：" + "；".join(c.related_tasks) + "。")
            for photo in c.photos:
                self._photo(photo)

    def _photo(self, photo):
        from reportlab.lib.utils import ImageReader

        if not photo.data:
            return
        try:
            reader = ImageReader(io.BytesIO(photo.data))
            w, h = reader.getSize()
        except Exception:  # noqa: BLE001 - an unreadable image is left out, not fatal
            return
        scale = min(120 * mm / w, 80 * mm / h)
        self.figure_no += 1
        caption = f"图{self.figure_no}　{photo.caption}" if photo.caption else f"图{self.figure_no}"
        self.picture(photo.data, w * scale, h * scale, caption)

    def picture(self, data, width, height, caption):
        self.story.append(KeepTogether([
            Spacer(1, 4),
            Image(io.BytesIO(data), width=width, height=height),
            CJKText(caption, self.f, size=TABLE_SIZE, leading=TABLE_SIZE * 1.6, align="center"),
        ]))

    def summaries(self):
        self.heading("七、书面总结报送情况", 1)
        if not self.data.summaries:
            self.para("暂无书面总结。")
            return
        late = sum(1 for s in self.data.summaries if s.late)
        self.para(f"共有{len(self.data.summaries)}家单位报送书面总结，其中逾期报送{late}家，全文见附件2。")
        self.table(["单位", "首次报送日期", "是否逾期"],
                   [(s.unit, _short_date(s.submitted_at.date()), "逾期" if s.late else "按时")
                    for s in self.data.summaries], [6, 3, 2])

    def open_items(self):
        self.heading("八、尚未完成事项", 1)
        if not self.data.open_items:
            self.para("无。")
        for i, item in enumerate(self.data.open_items, 1):
            self.para(f"{i}. 【{item.kind}】{item.text}")

    def annex_note(self):
        """附件说明: one blank line under the body, "附件：" indented two characters, further
        items aligned under the first."""
        names = self.data.annexes
        self.blank()
        for i, name in enumerate(names, 1):
            prefix = "附件：" if i == 1 else ""
            label = f"{i}．{name}" if len(names) > 1 else name
            self.text(prefix + label, first_indent=0, left_indent=(2 if i == 1 else 5) * PITCH, align="left",
                      kind="附件说明")

    def signature(self):
        """署名 and 成文日期 (GB/T 9704-2012 7.3.5.2, without seal)."""
        d = self.data
        name, when = d.issuing_authority, _date(d.report_date)
        name_cells, date_cells = _cells(name), _cells(when)
        if date_cells > name_cells + 2:
            date_start = CHARS_PER_LINE - 2 - date_cells
            name_start = max(0, date_start - 2)
        else:
            name_start = max(0, CHARS_PER_LINE - 2 - name_cells)
            date_start = name_start + 2
        self.keep_lines(3)
        self.blank()
        self.text(name, align="left", left_indent=name_start * PITCH, kind="署名")
        self.text(when, align="left", left_indent=date_start * PITCH, kind="署名")

    def appendix(self):
        """附件2: the full written summaries, on a new page."""
        if not self.data.summaries:
            return
        self.page_break()
        self.text("附件2", role="heading1", align="left", kind="附件标识")
        self.blank()
        self.text("各单位书面总结", role="title", size=TITLE_SIZE, leading=BODY_LEADING, align="center")
        self.blank()
        for i, s in enumerate(self.data.summaries, 1):
            late = "，逾期报送" if s.late else ""
            self.heading(f"{_cn(i)}、{s.unit}（{_date(s.submitted_at.date())}报送{late}）", 1)
            for paragraph in s.text.split("\n"):
                self.para(paragraph)

    def build(self):
        if self.data.letterhead.with_letterhead:
            self.letterhead()
        self.title()
        self.opening()
        self.overview()
        self.sections()
        self.areas()
        self.survey()
        self.pairing()
        self.cases()
        self.summaries()
        self.open_items()
        self.annex_note()
        self.signature()
        self.appendix()
        return self.story


def _cells(text):
    """Width of `text` in full-width cells (Latin letters and digits count half)."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)


CN_DIGITS = "零一二三四五六七八九"


def _cn(n):
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    if n < 100:
        return (CN_DIGITS[tens] if tens > 1 else "") + "十" + (CN_DIGITS[ones] if ones else "")
    return str(n)


def frame():
    """The text area: exactly the page minus the GB/T 9704 margins, no inner padding."""
    return Frame(MARGIN_LEFT, MARGIN_BOTTOM, TEXT_WIDTH, TEXT_HEIGHT, id="body",
                 leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)


def choose_font():
    """The body face (kept for callers that print which font the report uses)."""
    return FontSet().body


def page_number_position(page):
    """(x, anchor) of page `page`'s number: odd pages right, even pages left, one
    character (14 pt) in from the text area's edge."""
    if page % 2:
        return PAGE_WIDTH - MARGIN_RIGHT - PAGE_NUMBER_SIZE, "right"
    return MARGIN_LEFT + PAGE_NUMBER_SIZE, "left"


def render_pdf(data, out=None, renderer=None):
    """Render `data` (ReportData) to PDF bytes, or into the file-like/path `out`;
    `renderer` swaps the document's parts (the 工作简报 uses its own)."""
    fonts = FontSet()
    number_face = fonts.role["body"]

    def page_number(canvas, doc):
        canvas.saveState()
        canvas.setFont(number_face.name, PAGE_NUMBER_SIZE)
        x, anchor = page_number_position(doc.page)
        label = f"— {doc.page} —"
        (canvas.drawRightString if anchor == "right" else canvas.drawString)(x, PAGE_NUMBER_BASELINE, label)
        canvas.restoreState()

    buffer = io.BytesIO() if out is None else (str(out) if isinstance(out, os.PathLike) else out)
    doc = BaseDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, initialFontName=number_face.name, initialFontSize=BODY_SIZE,
        title=data.title, author=data.issuing_authority, subject=data.campaign_title,
    )
    doc.addPageTemplates([PageTemplate(id="official", frames=[frame()], onPage=page_number)])
    doc.build((renderer or _Renderer)(data, fonts).build())
    return buffer.getvalue() if out is None else None
