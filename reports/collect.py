"""Build ReportData from the database in a fixed number of queries, whatever the size.

`collect(campaign)` is the whole campaign; `collect(campaign, unit_ids=...)` is the same
report limited to those units' own work (their assignments, summaries and cases).
"""
import re
from datetime import date

from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone

from campaigns import lifecycle
from campaigns.models import Assignment, ProgressReport, Region, Task

from .data import (
    CaseEntry,
    NumberStats,
    OpenItem,
    OptionCount,
    Overview,
    PairingResults,
    PairingRow,
    PrefectureRow,
    ProgressFigures,
    QuestionResult,
    RegionFigures,
    ReportData,
    SectionTable,
    SummaryExcerpt,
    SurveyResults,
    TaskRow,
)
from .models import TypicalCase, WrittenSummary

EXCERPT_CHARS = 200
LIVE = Assignment.Status
OPEN_STATUSES = lifecycle.OPEN


# ------------------------------------------------------------ figures from other apps
# One collector per app the summary draws on.


def collect_progress_figures(campaign, unit_ids=None):
    """Events, participants, enterprises served and consultations summed from the units'
    progress reports (each report holds what it adds), in total and per prefecture name
    of the reporting unit. One query."""
    reports = ProgressReport.objects.filter(assignment__task__campaign=campaign)
    if unit_ids is not None:
        reports = reports.filter(assignment__unit_id__in=unit_ids)
    rows = reports.values("assignment__unit__region__name").annotate(
        events=Sum("events_held"), people=Sum("participants"),
        firms=Sum("enterprises_served"), consults=Sum("consultations"),
    )
    figures = ProgressFigures()
    for row in rows:
        figures.events_held += row["events"] or 0
        figures.participants += row["people"] or 0
        figures.enterprises_served += row["firms"] or 0
        figures.consultations += row["consults"] or 0
        region = row["assignment__unit__region__name"]
        if region:
            figures.by_region[region] = RegionFigures(row["events"] or 0, row["people"] or 0, row["firms"] or 0)
    return figures


def collect_survey_results(campaign, unit_ids=None):
    """The baseline survey: invitations sent/opened/submitted and, per choice or number
    question, the counts and shares (text answers are left to the surveys app's export).
    Empty when the campaign has no survey. A fixed number of queries."""
    from surveys.results import campaign_survey, survey_summary

    survey = campaign_survey(campaign)
    if survey is None:
        return SurveyResults()
    summary = survey_summary(survey, unit_ids)
    questions = []
    for item in summary["items"]:
        options = [OptionCount(label, count, share) for label, count, share in item.get("choices", [])]
        numbers = item.get("numbers")
        if not options and not numbers:
            continue
        questions.append(QuestionResult(
            item["question"].title, options,
            NumberStats(numbers["n"], numbers["min"], numbers["max"], numbers["mean"]) if numbers else None,
        ))
    totals = summary["totals"]
    return SurveyResults(summary["title"], totals["invited"], totals["opened"], totals["submitted"], questions)


def collect_pairing_results(campaign, unit_ids=None):
    """The campaign's pairings (rejected proposals left out) with their focus and
    mentoring-activity counts; for a unit, the pairings it is a side of. Two queries."""
    from pairing.models import Pairing

    pairings = (
        Pairing.objects.filter(campaign=campaign)
        .exclude(status=Pairing.Status.REJECTED)
        .select_related("mentor", "mentee")
        .prefetch_related("focus_services", "focus_industries")
        .annotate(activity_count=Count("activities"))
        .order_by("mentee__ordinal", "mentee__name", "mentor__ordinal")
    )
    if unit_ids is not None:
        pairings = pairings.filter(Q(mentor_id__in=unit_ids) | Q(mentee_id__in=unit_ids))
    rows = [
        PairingRow(
            mentor=p.mentor.name,
            mentee=p.mentee.name,
            focus="、".join([s.name for s in p.focus_services.all()] + [i.name for i in p.focus_industries.all()]),
            status=p.get_status_display(),
            activities=p.activity_count,
        )
        for p in pairings
    ]
    return PairingResults(rows=rows)


# ------------------------------------------------------------ this app and campaigns


def report_title(campaign):
    title = campaign.title
    if title.endswith("活动方案"):
        return title[: -len("方案")] + "总结"
    if title.endswith("方案"):
        return title[: -len("方案")] + "工作总结"
    return title + "工作总结"


def excerpt(text, limit=EXCERPT_CHARS):
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= limit else text[:limit].rstrip() + "……"


def _is_late(assignment, deadline, today):
    return lifecycle.is_late(assignment.status, deadline, assignment.completed_late, today)


def task_status(assignments, deadline, today):
    """A task's status in words, from its (in-scope) live assignments."""
    if not assignments:
        return "已取消"
    statuses = {a.status for a in assignments}
    if statuses == {LIVE.VERIFIED}:
        return "已完成"
    if statuses & OPEN_STATUSES:
        done = sum(1 for a in assignments if a.status == LIVE.VERIFIED)
        word = "逾期未完成" if lifecycle.deadline_passed(deadline, today) else (
            "未开始" if statuses == {LIVE.NOT_STARTED} else "进行中")
        return f"{word}（{done}/{len(assignments)}）" if len(assignments) > 1 else word
    return "待核验"


def collect(campaign, unit_ids=None, today=None, units_label=""):
    """Everything the final summary shows for `campaign` (optionally limited to `unit_ids`)."""
    today = today or timezone.localdate()
    scoped = unit_ids is not None
    unit_ids = set(unit_ids or ())

    tasks = list(
        Task.objects.filter(campaign=campaign)
        .select_related("section")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("unit", "via_group").order_by("position", "pk"),
            )
        )
        .order_by("section__ordinal", "number")
    )
    prefectures = list(Region.objects.filter(kind=Region.Kind.PREFECTURE).order_by("ordinal", "name"))
    pref_rows = {r.pk: PrefectureRow(name=r.name) for r in prefectures}

    overview = Overview()
    sections, by_section = [], {}
    open_items = []
    responsible = {}  # unit id -> unit, the units with a live assignment in scope
    for task in tasks:
        all_assignments = list(task.assignments.all())
        mine = [a for a in all_assignments if not scoped or a.unit_id in unit_ids]
        if scoped and not mine:
            continue
        live = [a for a in mine if a.status != LIVE.CANCELLED]
        for a in live:
            responsible[a.unit_id] = a.unit
            row = pref_rows.get(a.unit.region_id)
            if row is not None:
                row.assignments_total += 1
                row.assignments_verified += a.status == LIVE.VERIFIED
                row.assignments_late += _is_late(a, task.deadline, today)
                row.assignments_open += a.status in OPEN_STATUSES
        overview.tasks_total += 1
        verified = bool(live) and all(a.status == LIVE.VERIFIED for a in live)
        overview.tasks_verified += verified
        overview.tasks_late += any(_is_late(a, task.deadline, today) for a in live)
        still_open = [a for a in live if a.status in OPEN_STATUSES]
        overview.tasks_open += bool(still_open)
        completed_on = None
        if verified:
            dates = [a.completed_at for a in live if a.completed_at]
            completed_on = timezone.localdate(max(dates)) if dates else None
        if still_open:
            names = "、".join(a.unit.display_name for a in still_open)
            open_items.append(OpenItem("任务", f"{task.number}. {task.title}（尚未完成：{names}）"))
        table = by_section.get(task.section_id)
        if table is None:
            table = by_section[task.section_id] = SectionTable(heading=str(task.section))
            sections.append(table)
        units_text = task.responsible_display() if not scoped else "，".join(
            a.unit.name for a in all_assignments if a.unit_id in unit_ids)
        status = task_status(live, task.deadline, today)
        table.rows.append(TaskRow(task.number, task.title, units_text, task.deadline, status, completed_on))

    progress = collect_progress_figures(campaign, unit_ids if scoped else None)
    overview.events_held = progress.events_held
    overview.participants = progress.participants
    overview.enterprises_served = progress.enterprises_served
    overview.consultations = progress.consultations
    for row in pref_rows.values():
        figures = progress.by_region.get(row.name)
        if figures:
            row.events_held, row.participants, row.enterprises_served = (
                figures.events_held, figures.participants, figures.enterprises_served)

    survey = collect_survey_results(campaign, unit_ids if scoped else None)
    overview.survey_invited, overview.survey_opened = survey.invited, survey.opened
    overview.survey_submitted, overview.survey_response_rate = survey.submitted, survey.response_rate
    pairing = collect_pairing_results(campaign, unit_ids if scoped else None)
    overview.pairings, overview.mentoring_activities = len(pairing.rows), pairing.activities

    summaries_qs = WrittenSummary.objects.current().filter(campaign=campaign).select_related("unit")
    if scoped:
        summaries_qs = summaries_qs.filter(unit_id__in=unit_ids)
    summaries = []
    submitted_units = set()
    for s in sorted(summaries_qs, key=lambda s: (s.unit.ordinal, s.unit.name)):
        s.campaign = campaign  # is_late reads the due date; no extra query
        submitted_units.add(s.unit_id)
        local = timezone.localtime(s.first_submitted_at)
        summaries.append(SummaryExcerpt(s.unit.name, local, s.is_late, excerpt(s.text)))
    for unit in sorted(responsible.values(), key=lambda u: (u.ordinal, u.name)):
        if unit.pk not in submitted_units:
            open_items.append(OpenItem("书面总结", f"{unit.name}尚未报送书面总结"))

    cases_qs = (
        TypicalCase.objects.filter(campaign=campaign)
        .select_related("unit")
        .prefetch_related(Prefetch("related_tasks", queryset=Task.objects.order_by("number")), "photos")
        .order_by("submitted_at", "pk")
    )
    # The whole campaign's report carries the recommended cases; a unit's report its own.
    cases_qs = cases_qs.filter(unit_id__in=unit_ids) if scoped else cases_qs.filter(recommended=True)
    cases = [
        CaseEntry(
            title=c.title, unit=c.unit.name, institution=c.institution, institution_type=c.get_institution_type_display(),
            summary=c.summary, actions=c.actions, results=c.results,
            related_tasks=[f"{t.number}. {t.title}" for t in c.related_tasks.all()],
            photos=[p.image.path for p in c.photos.all()], photo_captions=[p.caption for p in c.photos.all()],
        )
        for c in cases_qs
    ]

    return ReportData(
        title=report_title(campaign),
        campaign_title=campaign.title,
        document_number=campaign.document_number,
        issuing_authority=campaign.issuing_authority or campaign.coordinating_unit.name,
        report_date=today if isinstance(today, date) else timezone.localdate(),
        scope=units_label,
        overview=overview,
        sections=sections,
        prefectures=list(pref_rows.values()),
        survey=survey,
        pairing=pairing,
        cases=cases,
        summaries=summaries,
        open_items=open_items,
    )
