"""工作简报 (progress bulletin): numbered issues compiled from the same data layer as the
final summary, rendered by the same PDF and .docx renderers.

An issue covers the days from `period_start` to `period_end` (both local dates, inclusive):
the progress reports units wrote then (highlights, each with at most one photo from its
evidence, read through the storage API), assignments submitted and verified then, who is
late on `period_end`, and the campaign's figures to date as the final summary defines them.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Prefetch
from django.utils import timezone

from campaigns.models import Assignment, Evidence, ProgressReport

from .collect import PHOTO_MAX_BYTES, collect, end_of
from .data import CasePhotoEntry, LateItem, Letterhead, Overview

HIGHLIGHTS = 10
S = Assignment.Status


@dataclass
class BulletinEntry:
    unit: str
    task: str
    day: date
    status: str
    text: str
    figures: str
    photo: CasePhotoEntry | None = None


@dataclass
class BulletinData:
    title: str
    campaign_title: str
    issuing_authority: str
    number: int
    period_start: date
    period_end: date
    report_date: date = None  # = period_end, so shared renderer parts read one name
    entries: list[BulletinEntry] = field(default_factory=list)
    highlights: list[BulletinEntry] = field(default_factory=list)
    submitted: int = 0
    verified: int = 0
    units: int = 0
    late: list[LateItem] = field(default_factory=list)
    overview: Overview = field(default_factory=Overview)
    letterhead: Letterhead = field(default_factory=Letterhead)
    scope: str = ""


def _photo(report):
    for evidence in report.evidence.all():
        if evidence.is_image:
            try:
                with evidence.file.open("rb") as f:
                    data = f.read(PHOTO_MAX_BYTES + 1)
            except (OSError, ValueError):
                continue
            if len(data) <= PHOTO_MAX_BYTES:
                return CasePhotoEntry(evidence.file.name, evidence.original_name.rsplit(".", 1)[0], data)
    return None


def collect_bulletin(bulletin):
    """BulletinData for `bulletin` (a reports.models.Bulletin). A fixed number of queries."""
    campaign = bulletin.campaign
    start = timezone.make_aware(datetime.combine(bulletin.period_start, time.min))
    end = end_of(bulletin.period_end)
    summary = collect(campaign, today=bulletin.period_end)
    reports = list(
        ProgressReport.objects.filter(assignment__task__campaign=campaign, created_at__gte=start, created_at__lt=end)
        .select_related("assignment__unit", "assignment__task")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )
    data = BulletinData(
        title=f"{campaign.title.removesuffix('方案')}工作简报", campaign_title=campaign.title,
        issuing_authority=campaign.issuing_authority or campaign.coordinating_unit.name, number=bulletin.number,
        period_start=bulletin.period_start, period_end=bulletin.period_end, report_date=bulletin.period_end,
        late=summary.late, overview=summary.overview,
    )
    units = set()
    for r in reports:
        if r.status == S.VERIFIED:
            data.verified += 1
            continue
        if r.status == S.RETURNED:
            continue
        units.add(r.assignment.unit_id)
        data.submitted += r.status == S.SUBMITTED
        figures = "，".join(f"{label}{value}" for label, value in r.figures())
        data.entries.append(BulletinEntry(
            unit=r.assignment.unit.name, task=f"{r.assignment.task.number}. {r.assignment.task.title}",
            day=timezone.localdate(r.created_at), status=r.get_status_display(), text=r.text, figures=figures,
        ))
        data.entries[-1].report = r
    data.units = len(units)
    # Highlights: the reports with the most people reached, then events; one photo each.
    ranked = sorted(data.entries, key=lambda e: (-(e.report.participants + e.report.events_held), e.day))
    for entry in ranked[:HIGHLIGHTS]:
        entry.photo = _photo(entry.report)
        data.highlights.append(entry)
    for entry in data.entries:
        del entry.report
    return data


class BulletinParts:
    """The bulletin's parts, written with a renderer's primitives (PDF story or .docx)."""

    def build(self):
        d = self.data
        self.text("工作简报", role="title", size=36, leading=36 * 1.4, align="center", color=self.red)
        self.text(f"第{d.number}期", align="center", kind="发文字号")
        self.text(f"{d.issuing_authority}　　　　{_date(d.period_end)}", align="center", kind="发文字号")
        self.red_line()
        self.blank()
        self.text(d.title, role="title", size=22, leading=self.leading, align="center")
        self.text(f"（{_date(d.period_start)}至{_date(d.period_end)}）", align="center", kind="发文字号")
        self.blank()
        o = d.overview
        self.heading("一、本期工作概况", 1)
        self.para(f"本期共有{d.units}家单位报送进度{len(d.entries)}条，其中提交完成待核验{d.submitted}条；"
                  f"协调人核验通过{d.verified}项。截至{_date(d.period_end)}，活动共部署任务{o.tasks_total}项，"
                  f"已核验完成{o.tasks_verified}项，逾期{o.tasks_late}项；经核验累计举办活动{o.verified.events_held}场，"
                  f"参与{o.verified.participants}人次，服务企业{o.verified.enterprises_served}家。")
        self.heading("二、工作动态", 1)
        if not d.highlights:
            self.para("本期暂无进度报告。")
        for i, e in enumerate(d.highlights, 1):
            self.heading(f"{i}. {e.unit}（{e.day.month}月{e.day.day}日）", 3)
            self.para(e.text + (f"（{e.figures}）" if e.figures else ""))
            if e.photo:
                self._photo(e.photo)
        self.heading("三、逾期未完成事项", 1)
        if not d.late:
            self.para("无。")
        else:
            self.table(["序号", "任务", "责任单位", "完成时限"],
                       [(x.number, x.title, x.units, x.deadline.strftime("%Y-%m-%d")) for x in d.late], [10, 60, 40, 20])
        self.heading("四、本期进度报告一览", 1)
        if not d.entries:
            self.para("无。")
        else:
            self.table(["日期", "单位", "任务", "状态"],
                       [(e.day.strftime("%m-%d"), e.unit, e.task, e.status) for e in d.entries], [14, 36, 70, 16])
        return self.story if hasattr(self, "story") else None


def _date(d):
    return f"{d.year}年{d.month}月{d.day}日"


def render_bulletin_pdf(data):
    from . import pdf

    class Renderer(BulletinParts, pdf._Renderer):
        red, leading = pdf.RED, pdf.BODY_LEADING

    return pdf.render_pdf(data, renderer=Renderer)


def render_bulletin_docx(data):
    from . import docx, pdf

    class Renderer(BulletinParts, docx.DocxRenderer):
        red, leading = pdf.RED, pdf.BODY_LEADING

    return docx.render_docx(data, renderer=Renderer)
