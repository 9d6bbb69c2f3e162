"""Build ReportData from the database in a fixed number of queries, whatever the size.

`collect(campaign)` is the whole campaign; `collect(campaign, unit_ids=...)` is the same
report limited to those units' own work (their assignments, summaries and cases).

The figures, each defined here once (README "书面总结、典型案例与总结报告" says the same
in Chinese, tests/reports/test_figures.py checks each against a direct count):

- **The report date.** Everything is read as it stood at the end of `report_date` (the
  date chosen when compiling, today by default): journal entries, summaries, cases,
  pairings and activities dated later are left out, and an assignment's status and
  completion date are those its journal shows on that day.
- **Verified figures.** A unit's progress report counts in the activity figures (events,
  participants, enterprises, consultations) once a verification follows it in the
  assignment's journal. Reports with no verification after them yet are "reported,
  awaiting verification", a separate column. A return voids every report of the
  assignment since the previous return: returned reports count nowhere.
- **Completed late.** `completed_late()` below, the one place the report reads it.
- **Where a unit counts.** A prefecture row holds the prefecture's own units: those whose
  region is the prefecture or lies under it in the region tree. Provincial-level units —
  provincial divisions and universities (by kind), and any unit whose region is the
  province itself (the provincial institutions) — form their own table, one row each, even
  when located in the capital. The rows are the children of the campaign's home region
  (the coordinating unit's province); a campaign coordinated without a province (national)
  gets one row per province instead, so a national data set lists 31 rows, not 400.
- **Pairings** count when established (帮扶中, 已完成, 提前结束, started on or before the
  report date); proposals still 待确认 are listed apart; rejected ones nowhere.
- **Mentoring activities** count when the mentee confirmed them (on or before the report
  date); unconfirmed ones are a separate figure.
- **Percentages and means** are rounded half up to one decimal (data.round_half_up).
- **Written summaries** appear in full: the version in force on the report date.
"""
import re
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from campaigns import lifecycle
from campaigns.models import Assignment, ProgressReport, Region, Task, Unit

from .data import (
    AreaRow,
    CaseEntry,
    CasePhotoEntry,
    Figures,
    LateItem,
    Letterhead,
    NumberStats,
    OpenItem,
    OptionCount,
    Overview,
    PairingResults,
    PairingRow,
    QuestionResult,
    ReportData,
    SectionTable,
    SummaryEntry,
    SurveyResults,
    TaskRow,
    percent,
    round_half_up,
)
from .models import TypicalCase, WrittenSummary

LIVE = Assignment.Status
OPEN_STATUSES = lifecycle.OPEN
PROVINCIAL_KINDS = {Unit.Kind.PROVINCIAL_DIVISION, Unit.Kind.UNIVERSITY}
FIGURE_FIELDS = Figures.NAMES


def end_of(day):
    """The first instant after `day` (local time): everything before it is "on or before"."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


# ------------------------------------------------------------ the rules


def completed_late(assignment, completed_on, deadline, from_journal=True):
    """Whether `assignment` was completed after its deadline: THE rule of the report.

    `completed_on` is the 实际完成日期 the journal shows on the report date (None when not
    completed then). When it is the assignment's completion in force, the stored flag
    counts (the lifecycle decided it against the deadline in force on that day);
    otherwise the lifecycle's rule is applied to the task's deadline.
    """
    if completed_on is None:
        return False
    if not from_journal or completed_on == assignment.completed_on:
        return assignment.completed_late
    return lifecycle.is_completed_late(completed_on, deadline)


def is_late(state, deadline, report_date):
    """Late on the report date: completed late, or still open past the deadline."""
    if state.late:
        return True
    return lifecycle.is_overdue(state.status, deadline, report_date)


class AssignmentState:
    """An assignment as its journal shows it at the end of the report date."""

    __slots__ = ("status", "completed_on", "late", "verified", "pending")

    def __init__(self):
        self.status, self.completed_on, self.late = LIVE.NOT_STARTED, None, False
        self.verified, self.pending = Figures(), Figures()


def journal_states(assignments, entries, cutoff, deadlines):
    """{assignment id: AssignmentState} from `entries` (the journal rows, in order).

    Verification moves the reports since the previous return from pending to verified; a
    return voids them all. An assignment without any journal entry (data loaded in bulk)
    keeps its stored status unless its completion is after the cutoff.
    """
    by_assignment = defaultdict(list)
    for row in entries:
        by_assignment[row["assignment_id"]].append(row)
    states = {}
    for a in assignments:
        state = AssignmentState()
        rows = by_assignment.get(a.pk)
        if a.status == LIVE.CANCELLED:
            state.status = LIVE.CANCELLED
        elif rows:
            verified, pending, completed_on = [], [], None
            for row in rows:
                if row["created_at"] >= cutoff:
                    break
                if row["status"] == LIVE.VERIFIED:
                    verified += pending
                    pending = []
                    completed_on = row["done_on"] or completed_on  # a verification may correct the date
                elif row["status"] == LIVE.RETURNED:
                    verified, pending, completed_on = [], [], None
                else:
                    pending.append(row)
                    if row["status"] == LIVE.SUBMITTED:
                        completed_on = row["done_on"] or timezone.localdate(row["created_at"])
                state.status = row["status"]
            for row in verified:
                state.verified.add(row)
            for row in pending:
                state.pending.add(row)
            if completed_on is not None and state.status in (LIVE.SUBMITTED, LIVE.VERIFIED):
                state.completed_on = completed_on  # never after the entry's own date: done_on is not in the future
        elif a.completed_at is None or a.completed_at < cutoff:
            state.status = a.status
            if a.completed_at is not None and a.status in (LIVE.SUBMITTED, LIVE.VERIFIED):
                state.completed_on = a.completed_on or timezone.localdate(a.completed_at)
        state.late = completed_late(a, state.completed_on, deadlines.get(a.pk), from_journal=bool(rows))
        states[a.pk] = state
    return states


# ------------------------------------------------------------ the region tree


class Areas:
    """Which row a unit counts in: a prefecture of the home region, or the provincial table."""

    OTHER = "其他地区"

    def __init__(self, campaign):
        regions = {r["pk"]: r for r in Region.objects.values("pk", "name", "kind", "parent_id", "ordinal")}
        self.regions = regions
        home = regions.get(campaign.coordinating_unit.region_id)
        while home is not None and home["kind"] != Region.Kind.PROVINCE and home["parent_id"] in regions:
            home = regions[home["parent_id"]]
        self.home = home["pk"] if home and home["kind"] == Region.Kind.PROVINCE else None
        children = [r for r in regions.values() if r["parent_id"] == self.home]
        self.rows = sorted(children, key=lambda r: (r["ordinal"], r["name"]))
        self.label = "市州" if self.home else "省份"
        self.provincial_label = "省直单位（省局处室、省级服务机构、高校）" if self.home else "全国性单位"

    def row_of(self, unit):
        """The area row id of `unit`, None for a provincial-level unit, OTHER outside the home region."""
        if unit.kind in PROVINCIAL_KINDS and self.home is not None:
            return None
        region_id = unit.region_id
        if region_id is None or region_id == self.home:
            return None
        seen = 0
        while region_id is not None and seen < 20:
            region = self.regions.get(region_id)
            if region is None:
                break
            if region["parent_id"] == self.home:
                return region_id
            region_id, seen = region["parent_id"], seen + 1
        return self.OTHER


# ------------------------------------------------------------ figures from other apps


def collect_survey_results(campaign, unit_ids=None):
    """The baseline survey: invitations sent/opened/submitted and, per choice or number
    question, the counts and shares (text answers are left to the surveys app's export).
    Shares and means are recomputed from counts and sums and rounded half up. Empty when
    the campaign has no survey. A fixed number of queries."""
    from surveys.results import campaign_survey, survey_summary

    survey = campaign_survey(campaign)
    if survey is None:
        return SurveyResults()
    summary = survey_summary(survey, unit_ids)
    questions = []
    for item in summary["items"]:
        base = item.get("answered")
        options = [
            OptionCount(label, count, percent(count, base) if base is not None else round_half_up(share))
            for label, count, share in item.get("choices", [])
        ]
        numbers = item.get("numbers")
        if not options and not numbers:
            continue
        stats = None
        if numbers:
            mean = round_half_up((round_half_up(numbers["sum"], 6), numbers["n"])) if "sum" in numbers else (
                round_half_up(numbers["mean"]))
            stats = NumberStats(numbers["n"], numbers["min"], numbers["max"], mean)
        questions.append(QuestionResult(item["question"].title, options, stats))
    totals = summary["totals"]
    return SurveyResults(summary["title"], totals["invited"], totals["opened"], totals["submitted"], questions)


def collect_pairing_results(campaign, report_date, unit_ids=None):
    """Established pairings with their focus and mentoring-activity counts (confirmed by
    the mentee / not yet), and the proposals still awaiting confirmation, as they stood on
    `report_date`; for a unit, the pairings it is a side of. Three queries."""
    from pairing.models import Pairing

    cutoff = end_of(report_date)
    in_time = Q(activities__date__lte=report_date)
    confirmed = in_time & Q(activities__confirmed_at__lt=cutoff)
    pairings = (
        Pairing.objects.filter(campaign=campaign, created_at__lt=cutoff)
        .exclude(status=Pairing.Status.REJECTED)
        .select_related("mentor", "mentee")
        .prefetch_related("focus_services", "focus_industries")
        .annotate(
            confirmed_count=Count("activities", filter=confirmed),
            dated_count=Count("activities", filter=in_time),
        )
        .order_by("mentee__ordinal", "mentee__name", "mentor__ordinal", "pk")
    )
    if unit_ids is not None:
        pairings = pairings.filter(Q(mentor_id__in=unit_ids) | Q(mentee_id__in=unit_ids))
    result = PairingResults()
    for p in pairings:
        established = p.status != Pairing.Status.PROPOSED and (p.starts_on is None or p.starts_on <= report_date)
        row = PairingRow(
            mentor=p.mentor.name, mentee=p.mentee.name,
            focus="、".join([s.name for s in p.focus_services.all()] + [i.name for i in p.focus_industries.all()]),
            status=str(p.get_status_display() if established else Pairing.Status.PROPOSED.label),
            activities=p.confirmed_count if established else 0,
            unconfirmed=p.dated_count - p.confirmed_count if established else 0,
        )
        (result.rows if established else result.proposals).append(row)
    return result


# ------------------------------------------------------------ this app and campaigns


def report_title(campaign):
    title = campaign.title
    if title.endswith("活动方案"):
        return title[: -len("方案")] + "总结"
    if title.endswith("方案"):
        return title[: -len("方案")] + "工作总结"
    return title + "工作总结"


def clean_text(text):
    """A written text with its paragraphs kept and runs of spaces folded."""
    paragraphs = [re.sub(r"[ \t\u3000]+", " ", p).strip() for p in (text or "").replace("\r\n", "\n").split("\n")]
    return "\n".join(p for p in paragraphs if p)


def task_status(states, deadline, report_date):
    """A task's status in words, from its (in-scope) live assignments' states."""
    if not states:
        return "已取消"
    statuses = {s.status for s in states}
    if statuses == {LIVE.VERIFIED}:
        return "已完成"
    if statuses & OPEN_STATUSES:
        done = sum(1 for s in states if s.status == LIVE.VERIFIED)
        word = "逾期未完成" if lifecycle.deadline_passed(deadline, report_date) else (
            "未开始" if statuses == {LIVE.NOT_STARTED} else "进行中")
        return f"{word}（{done}/{len(states)}）" if len(states) > 1 else word
    return "待核验"


def default_report_date(campaign, today=None):
    """The report's date when the coordinator chooses none: the day it is compiled."""
    return today or timezone.localdate()


def collect(campaign, unit_ids=None, today=None, units_label="", letterhead=None):
    """Everything the final summary shows for `campaign` (optionally limited to `unit_ids`)
    as it stood at the end of `today` (the report date)."""
    report_date = today or default_report_date(campaign)
    cutoff = end_of(report_date)
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
    entries = ProgressReport.objects.filter(assignment__task__campaign=campaign)
    if scoped:
        entries = entries.filter(assignment__unit_id__in=unit_ids)
    entries = entries.order_by("assignment_id", "created_at", "pk").values(
        "assignment_id", "status", "created_at", "done_on", *FIGURE_FIELDS)
    all_assignments = [a for t in tasks for a in t.assignments.all() if not scoped or a.unit_id in unit_ids]
    deadlines = {a.pk: t.deadline for t in tasks for a in t.assignments.all()}
    states = journal_states(all_assignments, entries.iterator(chunk_size=5000), cutoff, deadlines)

    areas = Areas(campaign)
    area_rows = {r["pk"]: AreaRow(name=r["name"]) for r in areas.rows}
    other_row = AreaRow(name=Areas.OTHER)
    unit_rows = {}  # provincial-level units, one row each

    def row_for(unit):
        key = areas.row_of(unit)
        if key is None:
            if unit.pk not in unit_rows:
                unit_rows[unit.pk] = (unit, AreaRow(name=unit.name))
            return unit_rows[unit.pk][1]
        return other_row if key == Areas.OTHER else area_rows[key]

    overview = Overview()
    sections, by_section = [], {}
    open_items, late = [], []
    responsible = {}  # unit id -> unit, the units with a live assignment in scope
    for task in tasks:
        everyone = list(task.assignments.all())
        mine = [a for a in everyone if not scoped or a.unit_id in unit_ids]
        if scoped and not mine:
            continue
        live = [(a, states[a.pk]) for a in mine if states[a.pk].status != LIVE.CANCELLED]
        for a, state in live:
            responsible[a.unit_id] = a.unit
            row = row_for(a.unit)
            row.assignments_total += 1
            row.assignments_verified += state.status == LIVE.VERIFIED
            row.assignments_late += is_late(state, task.deadline, report_date)
            row.assignments_open += state.status in OPEN_STATUSES
            row.verified = row.verified + state.verified
            row.pending = row.pending + state.pending
            overview.verified = overview.verified + state.verified
            overview.pending = overview.pending + state.pending
        overview.tasks_total += 1
        verified = bool(live) and all(s.status == LIVE.VERIFIED for _, s in live)
        overview.tasks_verified += verified
        overview.tasks_late += any(is_late(s, task.deadline, report_date) for _, s in live)
        still_open = [a for a, s in live if s.status in OPEN_STATUSES]
        overview.tasks_open += bool(still_open)
        if still_open and lifecycle.deadline_passed(task.deadline, report_date):
            late.append(LateItem(task.number, task.title, "、".join(a.unit.display_name for a in still_open),
                                 task.deadline))
        completed_on = None
        if verified:
            dates = [s.completed_on for _, s in live if s.completed_on]
            completed_on = max(dates) if dates else None
        if still_open:
            names = "、".join(a.unit.display_name for a in still_open)
            open_items.append(OpenItem("任务", f"{task.number}. {task.title}（尚未完成：{names}）"))
        table = by_section.get(task.section_id)
        if table is None:
            table = by_section[task.section_id] = SectionTable(heading=str(task.section))
            sections.append(table)
        units_text = task.responsible_display() if not scoped else "，".join(
            a.unit.name for a in everyone if a.unit_id in unit_ids)
        status = task_status([s for _, s in live], task.deadline, report_date)
        table.rows.append(TaskRow(task.number, task.title, units_text, task.deadline, status, completed_on))

    prefecture_rows = list(area_rows.values()) + ([other_row] if other_row.assignments_total else [])
    provincial_rows = [row for unit, row in sorted(unit_rows.values(), key=lambda p: (p[0].kind, p[0].ordinal, p[0].name))]

    survey = collect_survey_results(campaign, unit_ids if scoped else None)
    overview.survey_invited, overview.survey_opened = survey.invited, survey.opened
    overview.survey_submitted, overview.survey_response_rate = survey.submitted, survey.response_rate
    pairing = collect_pairing_results(campaign, report_date, unit_ids if scoped else None)
    overview.pairings, overview.pairings_proposed = len(pairing.rows), len(pairing.proposals)
    overview.mentoring_activities, overview.mentoring_unconfirmed = pairing.activities, pairing.unconfirmed

    summaries_qs = (
        WrittenSummary.objects.filter(campaign=campaign, submitted_at__lt=cutoff)
        .select_related("unit").order_by("unit_id", "-submitted_at", "-pk")
    )
    if scoped:
        summaries_qs = summaries_qs.filter(unit_id__in=unit_ids)
    in_force = {}
    for s in summaries_qs:
        in_force.setdefault(s.unit_id, s)  # the latest version on or before the report date
    summaries = []
    for s in sorted(in_force.values(), key=lambda s: (s.unit.ordinal, s.unit.name)):
        s.campaign = campaign  # is_late reads the due date; no extra query
        summaries.append(SummaryEntry(s.unit.name, timezone.localtime(s.first_submitted_at), s.is_late,
                                      clean_text(s.text)))
    for unit in sorted(responsible.values(), key=lambda u: (u.ordinal, u.name)):
        if unit.pk not in in_force:
            open_items.append(OpenItem("书面总结", f"{unit.name}尚未报送书面总结"))

    cases_qs = (
        TypicalCase.objects.filter(campaign=campaign, submitted_at__lt=cutoff)
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
            photos=[CasePhotoEntry(p.image.name, p.caption, read_photo(p)) for p in c.photos.all()],
        )
        for c in cases_qs
    ]

    return ReportData(
        title=report_title(campaign),
        campaign_title=campaign.title,
        document_number=campaign.document_number,
        issuing_authority=campaign.issuing_authority or campaign.coordinating_unit.name,
        report_date=report_date if isinstance(report_date, date) else timezone.localdate(),
        scope=units_label,
        letterhead=letterhead or Letterhead(),
        overview=overview,
        sections=sections,
        prefectures=prefecture_rows,
        area_label=areas.label,
        provincial=provincial_rows,
        provincial_label=areas.provincial_label,
        survey=survey,
        pairing=pairing,
        cases=cases,
        summaries=summaries,
        open_items=open_items,
        late=late,
    )


PHOTO_MAX_BYTES = 8 * 1024 * 1024


def read_photo(photo):
    """A case photo's bytes through the storage API (works on S3: no local path needed);
    empty when the file is missing or unreadable, so one lost photo does not stop the report."""
    try:
        with photo.image.open("rb") as f:
            data = f.read(PHOTO_MAX_BYTES + 1)
        return data if len(data) <= PHOTO_MAX_BYTES else b""
    except (OSError, ValueError):
        return b""
