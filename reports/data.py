"""What the final summary shows, as plain data: collect.py fills it from the database,
pdf.py and xlsx.py render it. Nothing here touches the database or reportlab, so the
renderers can be exercised with any figures (tests build ReportData directly).
"""
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class Overview:
    tasks_total: int = 0
    tasks_verified: int = 0  # every live assignment of the task verified
    tasks_late: int = 0  # some assignment completed late, or still open past the deadline
    tasks_open: int = 0  # some assignment not started, in progress or returned
    events_held: int = 0
    participants: int = 0
    enterprises_served: int = 0
    consultations: int = 0
    survey_invited: int = 0
    survey_opened: int = 0
    survey_submitted: int = 0
    survey_response_rate: float = 0.0  # percent, submitted / invited
    pairings: int = 0
    mentoring_activities: int = 0

    def rows(self):
        """(label, value) pairs as the overview table shows them (PDF and xlsx alike)."""
        return [
            ("任务总数（项）", self.tasks_total), ("已核验完成（项）", self.tasks_verified),
            ("逾期（项）", self.tasks_late), ("尚未完成（项）", self.tasks_open),
            ("举办活动（场）", self.events_held), ("参与人次", self.participants),
            ("服务企业（家）", self.enterprises_served), ("提供咨询（次）", self.consultations),
            ("问卷发放（份）", self.survey_invited), ("问卷打开（份）", self.survey_opened),
            ("问卷回收（份）", self.survey_submitted), ("问卷回收率（%）", self.survey_response_rate),
            ("结对帮扶（对）", self.pairings), ("帮扶活动（次）", self.mentoring_activities),
        ]


@dataclass
class TaskRow:
    number: int
    title: str
    units: str
    deadline: date | None
    status: str
    completed_on: date | None = None


@dataclass
class SectionTable:
    heading: str  # e.g. "（一）活动启动"
    rows: list[TaskRow] = field(default_factory=list)


@dataclass
class PrefectureRow:
    name: str
    assignments_total: int = 0
    assignments_verified: int = 0
    assignments_late: int = 0
    assignments_open: int = 0
    events_held: int = 0
    participants: int = 0
    enterprises_served: int = 0


@dataclass
class OptionCount:
    label: str
    count: int
    share: float  # percent of the question's answers


@dataclass
class NumberStats:
    count: int
    minimum: float
    maximum: float
    mean: float


@dataclass
class QuestionResult:
    title: str
    options: list[OptionCount] = field(default_factory=list)
    numbers: NumberStats | None = None


@dataclass
class SurveyResults:
    title: str = ""
    invited: int = 0
    opened: int = 0
    submitted: int = 0
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def response_rate(self):
        return round(100 * self.submitted / self.invited, 1) if self.invited else 0.0


@dataclass
class PairingRow:
    mentor: str
    mentee: str
    focus: str
    status: str
    activities: int = 0


@dataclass
class PairingResults:
    rows: list[PairingRow] = field(default_factory=list)

    @property
    def activities(self):
        return sum(r.activities for r in self.rows)


@dataclass
class RegionFigures:
    events_held: int = 0
    participants: int = 0
    enterprises_served: int = 0


@dataclass
class ProgressFigures:
    events_held: int = 0
    participants: int = 0
    enterprises_served: int = 0
    consultations: int = 0
    by_region: dict[str, RegionFigures] = field(default_factory=dict)  # prefecture name -> figures


@dataclass
class CaseEntry:
    title: str
    unit: str
    institution: str
    institution_type: str
    summary: str
    actions: str
    results: str
    related_tasks: list[str] = field(default_factory=list)  # "18. 针对新能源……"
    photos: list[str] = field(default_factory=list)  # local file paths
    photo_captions: list[str] = field(default_factory=list)


@dataclass
class SummaryExcerpt:
    unit: str
    submitted_at: datetime
    late: bool
    excerpt: str


@dataclass
class OpenItem:
    kind: str  # "任务" / "书面总结"
    text: str


@dataclass
class ReportData:
    title: str
    campaign_title: str
    document_number: str
    issuing_authority: str
    report_date: date
    scope: str = ""  # empty for the whole campaign, else the unit(s) the report is limited to
    overview: Overview = field(default_factory=Overview)
    sections: list[SectionTable] = field(default_factory=list)
    prefectures: list[PrefectureRow] = field(default_factory=list)
    survey: SurveyResults = field(default_factory=SurveyResults)
    pairing: PairingResults = field(default_factory=PairingResults)
    cases: list[CaseEntry] = field(default_factory=list)
    summaries: list[SummaryExcerpt] = field(default_factory=list)
    open_items: list[OpenItem] = field(default_factory=list)
