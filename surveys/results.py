"""A survey's results (counted by the database: surveys/aggregate.py) and its exports (streamed)."""
import csv
import io
import tempfile

from django.utils import timezone
from openpyxl import Workbook

from campaigns.formulas import csv_text, xlsx_row
from jobs.registry import job_function
from jobs.services import JobRefused

from .aggregate import cached_summarize
from .validation import MULTI_TYPES, walk_questions

CHUNK = 2000


def survey_questions(survey):
    """The current version's questions, then any only older versions had (answers keep them)."""
    versions = list(survey.versions.order_by("-number").values_list("schema", flat=True))
    questions, seen, commented = [], set(), set()
    for index, schema in enumerate(versions):
        for q in walk_questions(schema):
            if index:
                q.number = None  # asked only by an older version: its number there means nothing now
            if q.has_other or q.has_comment:
                commented.add(q.name)  # some answers may hold "<name>-Comment"
            if q.name and q.name not in seen:
                seen.add(q.name)
                questions.append(q)
    for q in questions:
        q.had_comment = q.name in commented
    return questions


def response_rate(survey, unit_ids=None):
    """Per invited unit: invited / opened / submitted, and the totals."""
    invitations = survey.invitations.select_related("unit").order_by("unit__ordinal", "pk")
    if unit_ids is not None:
        invitations = invitations.filter(unit_id__in=unit_ids)
    rows = list(invitations)
    totals = {
        "invited": len(rows),
        "opened": sum(1 for i in rows if i.opened_at),
        "submitted": sum(1 for i in rows if i.submitted_at),
    }
    totals["rate"] = round(100 * totals["submitted"] / totals["invited"], 1) if rows else 0
    return rows, totals


def campaign_survey(campaign):
    """The campaign's main survey: the oldest serving the task linked to the baseline survey
    (Task.purpose); else the one serving the earliest task, then the oldest. Surveys without
    a task come after those with one on every database (SQLite sorts NULL first, PostgreSQL
    last: said explicitly, the report picks the same survey)."""
    from django.db.models import F

    from campaigns.models import Task

    from .models import Survey

    surveys = Survey.objects.filter(campaign=campaign).exclude(status=Survey.Status.DRAFT)
    linked = surveys.filter(task__purpose=Task.Purpose.BASELINE_SURVEY).order_by("created_at", "pk").first()
    return linked or surveys.order_by(F("task__number").asc(nulls_last=True), "created_at", "pk").first()


def survey_summary(survey, unit_ids=None):
    """Response rate and per-question results of submitted responses (of `unit_ids` if given),
    for other apps' reports. A fixed number of queries whatever the number of responses."""
    _, totals = response_rate(survey, unit_ids)
    responses = survey.responses.submitted()
    if unit_ids is not None:
        responses = responses.filter(unit_id__in=unit_ids)
    found = cached_summarize(survey_questions(survey), responses, with_texts=False)
    total, items = found.total, found.items
    return {"title": survey.title, "totals": totals, "responses": total, "items": items}


# ---------------------------------------------------------------- exports


def export_columns(questions, labels=True):
    """[(heading, getter(answers) -> cell)] — multiple choice, matrix and multi-text spread out."""
    cols = []

    def lab(q, v):
        return q.choice_label(v) if labels else v

    for q in questions:
        name = q.name
        head = q.numbered_title if labels else name
        if q.type in ("checkbox", "tagbox"):
            options = list(q.choices) + ([("other", q.choice_label("other"))] if q.has_other else []) + (
                [("none", q.choice_label("none"))] if q.has_none else [])
            for v, label in options:
                cols.append((f"{head}[{label if labels else v}]",
                             lambda a, n=name, v=v: (1 if v in (a.get(n) or []) else 0) if n in a else None))
        elif q.type == "ranking":
            for v, label in q.choices:
                cols.append((f"{head}[{label if labels else v}]",
                             lambda a, n=name, v=v: (a.get(n).index(v) + 1) if v in (a.get(n) or []) else None))
        elif q.type == "matrix":
            for r, rlabel in q.rows:
                cols.append((f"{head}[{rlabel if labels else r}]",
                             lambda a, n=name, r=r, q=q: (
                                 lab_col(q, (a.get(n) or {}).get(str(r)), labels) if isinstance(a.get(n), dict) else None)))
        elif q.type == "multipletext":
            for item, ilabel in q.items:
                cols.append((f"{head}[{ilabel if labels else item}]",
                             lambda a, n=name, i=item: (a.get(n) or {}).get(i) if isinstance(a.get(n), dict) else None))
        elif q.type in ("radiogroup", "dropdown"):
            cols.append((head, lambda a, n=name, q=q: lab(q, a[n]) if a.get(n) is not None else None))
        elif q.type == "boolean":
            cols.append((head, lambda a, n=name, q=q: (q.boolean_label(a[n]) if labels else
                                                         int(a[n] == q.raw.get("valueTrue", True)))
                         if a.get(n) is not None else None))
        else:
            cols.append((head, lambda a, n=name: a.get(n)))
        if q.has_other or q.has_comment:
            cols.append((f"{head}[{'其他说明' if labels else 'comment'}]", lambda a, n=name: a.get(f"{n}-Comment")))
    return cols


def lab_col(q, value, labels):
    if value is None or not labels:
        return value
    for c, clabel in q.columns:
        if str(c) == str(value):
            return clabel
    return value


def export_rows(survey, responses, labels=True):
    """Heading row, then one row per response; reads responses in chunks, never all at once.

    Values are raw; the writers (csv_stream, write_xlsx) apply the formula guard to every
    cell, headings (question titles) included."""
    questions = survey_questions(survey)
    cols = export_columns(questions, labels)
    yield ["答卷编号", "单位", "问卷版本", "提交时间"] + [h for h, _ in cols]
    rows = responses.order_by("pk").values_list("pk", "unit__name", "version__number", "submitted_at", "answers")
    for pk, unit, version, submitted_at, answers in rows.iterator(chunk_size=CHUNK):
        when = submitted_at.astimezone().strftime("%Y-%m-%d %H:%M:%S") if submitted_at else ""
        cells = [pk, unit or "", version, when]
        for _, get in cols:
            value = get(answers or {})
            if isinstance(value, (list, dict)):
                value = str(value)
            cells.append(value)
        yield cells


class _Echo:
    def write(self, value):
        return value


def csv_stream(rows):
    """CSV lines (with a BOM so Excel reads the Chinese) as a generator."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(["" if v is None else csv_text(v) if isinstance(v, str) else v for v in row])


def write_xlsx(rows, fileobj):
    """Write rows to an xlsx in openpyxl's write-only mode (rows are not kept in memory)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("答卷")
    for row in rows:
        ws.append(xlsx_row(ws, row))
    wb.save(fileobj)


def xlsx_tempfile(rows):
    tmp = tempfile.TemporaryFile()
    write_xlsx(rows, tmp)
    tmp.seek(0)
    return tmp


def write_csv(rows, fileobj):
    """Write rows as csv text (BOM first) to a text file, one line at a time."""
    for line in csv_stream(rows):
        fileobj.write(line)


def safe_filename(text):
    return "".join("_" if ch in '\\/:*?"<>|\r\n' else ch for ch in text).strip()[:80] or "问卷"


def export_filename(survey, labels, fmt):
    """A Chinese file name saying what the export holds: which survey, labels or codes, which day."""
    kind = "答卷（选项文字）" if labels else "答卷（选项代码）"
    return f"{safe_filename(survey.title)}-{kind}-{timezone.localdate():%Y%m%d}.{fmt}"


def write_export(rows, fmt, fileobj, total=0, progress=None):
    """Write an export's rows (heading first) to a binary file in flat memory: csv line by
    line, xlsx in openpyxl's write-only mode. `progress(done, total)` every CHUNK rows."""

    def counted():
        for done, row in enumerate(rows):
            if progress and done and done % CHUNK == 0:
                progress(done, total)
            yield row
        if progress:
            progress(total, total)

    if fmt == "csv":
        text = io.TextIOWrapper(fileobj, encoding="utf-8", newline="", write_through=True)
        write_csv(counted(), text)
        text.flush()
        text.detach()
    else:
        write_xlsx(counted(), fileobj)


@job_function
def recount_job(job, survey_id, unit=None, texts=None, page=None):
    """A survey's results counted on the job queue for the results page (too many responses
    to count in a request), as its owner may see them; the figures go to the shared cache."""
    from django.http import Http404

    from . import access
    from .aggregate import recount

    try:
        survey = access.get_survey_for_user(job.owner, survey_id)
    except Http404:
        raise JobRefused("没有找到该问卷，或您已无权查看") from None
    responses = access.visible_responses(job.owner, survey)
    if unit is not None:
        responses = responses.filter(unit_id=unit)
    figures = recount(survey_questions(survey), responses, {texts: page} if texts else None)
    return f"统计完成：{figures[0]} 份答卷"


@job_function
def export_job(job, survey_id, fmt, labels=True):
    """A survey's responses exported on the job queue for its owner, with progress, the file
    kept for download. The owner's access is checked again here, as the view checked it."""
    from django.http import Http404

    from . import access

    if fmt not in ("csv", "xlsx"):
        raise JobRefused("不支持的导出格式")
    try:
        survey = access.get_survey_for_user(job.owner, survey_id)
    except Http404:
        raise JobRefused("没有找到该问卷，或您已无权查看") from None
    responses = access.visible_responses(job.owner, survey)
    total = responses.count()
    job.progress(1, f"共 {total} 份答卷，正在写入")

    def progress(done, count):
        job.progress(1 + 98 * done // max(count, 1), f"已写入 {done} / {count} 份答卷")

    name = export_filename(survey, labels, fmt)
    with tempfile.TemporaryFile() as tmp:
        write_export(export_rows(survey, responses, labels=labels), fmt, tmp, total, progress)
        tmp.seek(0)
        job.save_result(name, tmp)
    return f"导出完成：{total} 份答卷"


# ---------------------------------------------------------------- one unit's answers as a document


def display_answer(q, answers):
    """The answer to `q` in `answers` as a person reads it (labels, 是/否 as worded), or ""."""
    value = answers.get(q.name)
    comment = answers.get(f"{q.name}-Comment")
    if value in (None, "", [], {}):
        text = ""
    elif q.type == "boolean":
        text = q.boolean_label(value)
    elif q.type in ("radiogroup", "dropdown"):
        text = q.choice_label(value)
    elif q.type in MULTI_TYPES and isinstance(value, list):
        text = "、".join(q.choice_label(v) for v in value)
    elif q.type == "matrix" and isinstance(value, dict):
        rows = dict((str(r), label) for r, label in q.rows)
        text = "；".join(f"{rows.get(str(r), r)}：{lab_col(q, c, True)}" for r, c in value.items())
    elif q.type == "multipletext" and isinstance(value, dict):
        items = dict(q.items)
        text = "；".join(f"{items.get(k, k)}：{v}" for k, v in value.items())
    elif q.type in ("matrixdynamic", "paneldynamic") and isinstance(value, list):
        text = "\n".join(f"第 {i} 项：" + "；".join(f"{k}：{v}" for k, v in row.items())
                         for i, row in enumerate(value, 1) if isinstance(row, dict))
    elif q.type == "matrixdropdown" and isinstance(value, dict):
        text = "\n".join(f"{r}：" + "；".join(f"{k}：{v}" for k, v in row.items())
                         for r, row in value.items() if isinstance(row, dict))
    else:
        text = str(value)
    if isinstance(comment, str) and comment.strip():
        text = f"{text}（{'说明' if q.has_comment else '其他'}：{comment}）" if text else comment
    return text


def answer_lines(response):
    """[(numbered question title, answer text)] of one response, in questionnaire order."""
    questions = [q for q in walk_questions(response.version.schema) if q.visible]
    return [(q.numbered_title, display_answer(q, response.answers or {})) for q in questions]


def response_docx(response):
    """One unit's answers as a Word document (bytes)."""
    import io

    from docx import Document

    doc = Document()
    doc.add_heading(response.survey.title, level=1)
    when = response.submitted_at.astimezone().strftime("%Y-%m-%d %H:%M") if response.submitted_at else "未提交"
    doc.add_paragraph(f"填报单位：{response.unit.name if response.unit else '（公开链接）'}    提交时间：{when}    "
                      f"问卷版本：第 {response.version.number} 版")
    for title, text in answer_lines(response):
        doc.add_paragraph(title).runs[0].bold = True
        doc.add_paragraph(text or "（未作答）")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def response_pdf(response):
    """One unit's answers as a PDF (bytes), in reportlab's built-in Chinese font."""
    import io
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, spaceAfter=8)
    head = ParagraphStyle("h", fontName=font, fontSize=10.5, leading=15, spaceBefore=6, textColor="#222222")
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=15, leftIndent=12, wordWrap="CJK")
    when = response.submitted_at.astimezone().strftime("%Y-%m-%d %H:%M") if response.submitted_at else "未提交"
    story = [Paragraph(escape(response.survey.title), title),
             Paragraph(escape(f"填报单位：{response.unit.name if response.unit else '（公开链接）'}　提交时间：{when}　"
                              f"问卷版本：第 {response.version.number} 版"), body), Spacer(1, 6)]
    for q_title, text in answer_lines(response):
        story.append(Paragraph("<b>" + escape(q_title) + "</b>", head))
        story.append(Paragraph(escape(text or "（未作答）").replace("\n", "<br/>"), body))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=response.survey.title).build(story)
    return out.getvalue()
