"""What the final summary shows, as plain data: collect.py fills it from the database,
pdf.py, docx.py and xlsx.py render it. Nothing here touches the database or reportlab, so
the renderers can be exercised with any figures (tests build ReportData directly).

Every figure is defined once, in collect.py (see its module docstring and README
"书面总结、典型案例与总结报告"); the renderers only print what they are given. Numbers
that are not whole are carried as Decimal already rounded half up (`round_half_up`), so
109.25 prints as 109.3 everywhere, as it would be rounded by hand.
"""
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value, places=1):
    """`value` (int, float, Decimal or a fraction given as (numerator, denominator)) rounded
    half up to `places` decimals, as a Decimal. Floats go through their shortest repr, so
    109.25 stays 109.25 (not 109.2499…) and becomes 109.3."""
    if isinstance(value, tuple):
        numerator, denominator = value
        if not denominator:
            return Decimal(0).quantize(Decimal(1).scaleb(-places))
        value = Decimal(numerator) / Decimal(denominator)
    elif not isinstance(value, Decimal):
        value = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(part, whole):
    """part / whole as a percentage with one decimal, rounded half up (0.0 when whole is 0)."""
    return round_half_up((100 * part, whole)) if whole else round_half_up(0)


@dataclass
class Figures:
    """Activity figures a set of progress reports adds up to."""
    events_held: int = 0
    participants: int = 0
    enterprises_served: int = 0
    consultations: int = 0

    NAMES = ("events_held", "participants", "enterprises_served", "consultations")

    def add(self, row):
        for name in self.NAMES:
            setattr(self, name, getattr(self, name) + (row.get(name) or 0))

    def __add__(self, other):
        return Figures(*(getattr(self, n) + getattr(other, n) for n in self.NAMES))


class VerifiedTotals:
    """The verified figures read directly (`row.events_held`): what counts is verified."""

    @property
    def events_held(self):
        return self.verified.events_held

    @property
    def participants(self):
        return self.verified.participants

    @property
    def enterprises_served(self):
        return self.verified.enterprises_served

    @property
    def consultations(self):
        return self.verified.consultations


@dataclass
class Overview(VerifiedTotals):
    tasks_total: int = 0
    tasks_verified: int = 0  # every live assignment of the task verified
    tasks_late: int = 0  # some assignment completed late, or still open past the deadline
    tasks_open: int = 0  # some assignment not started, in progress or returned
    verified: Figures = field(default_factory=Figures)  # from verified reports only
    pending: Figures = field(default_factory=Figures)  # reported, awaiting verification
    survey_invited: int = 0
    survey_opened: int = 0
    survey_submitted: int = 0
    survey_response_rate: Decimal = Decimal("0.0")  # percent, submitted / invited, half up
    pairings: int = 0  # established (active, completed or ended early)
    pairings_proposed: int = 0  # proposals still awaiting confirmation
    mentoring_activities: int = 0  # confirmed by the mentee
    mentoring_unconfirmed: int = 0

    def rows(self):
        """(label, value) pairs as the overview table shows them (PDF, docx and xlsx alike)."""
        v, p = self.verified, self.pending
        return [
            ("任务总数（项）", self.tasks_total), ("已核验完成（项）", self.tasks_verified),
            ("逾期（项）", self.tasks_late), ("尚未完成（项）", self.tasks_open),
            ("举办活动（场，已核验）", v.events_held), ("参与人次（已核验）", v.participants),
            ("服务企业（家，已核验）", v.enterprises_served), ("提供咨询（次，已核验）", v.consultations),
            ("已报送待核验：举办活动（场）", p.events_held), ("已报送待核验：参与人次", p.participants),
            ("已报送待核验：服务企业（家）", p.enterprises_served), ("已报送待核验：提供咨询（次）", p.consultations),
            ("问卷发放（份）", self.survey_invited), ("问卷打开（份）", self.survey_opened),
            ("问卷回收（份）", self.survey_submitted), ("问卷回收率（%）", self.survey_response_rate),
            ("已建立结对帮扶（对）", self.pairings), ("待确认的结对提议（对）", self.pairings_proposed),
            ("帮扶活动（次，受帮扶方已确认）", self.mentoring_activities),
            ("帮扶活动（次，待确认）", self.mentoring_unconfirmed),
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
class AreaRow(VerifiedTotals):
    """One row of the prefecture table (a prefecture and its own units) or of the
    provincial-level table (one provincial division, institution or university)."""
    name: str
    assignments_total: int = 0
    assignments_verified: int = 0
    assignments_late: int = 0
    assignments_open: int = 0
    verified: Figures = field(default_factory=Figures)
    pending: Figures = field(default_factory=Figures)

    def cells(self):
        v, p = self.verified, self.pending
        return [self.name, self.assignments_total, self.assignments_verified, self.assignments_late,
                self.assignments_open, v.events_held, v.participants, v.enterprises_served,
                p.events_held, p.participants, p.enterprises_served]


AREA_HEADER = ["单位", "任务分工", "已核验", "逾期", "未完成", "活动场次", "参与人次", "服务企业",
               "待核验活动场次", "待核验参与人次", "待核验服务企业"]
PrefectureRow = AreaRow  # the name the first version used


@dataclass
class OptionCount:
    label: str
    count: int
    share: Decimal  # percent of the question's answers, half up


@dataclass
class NumberStats:
    count: int
    minimum: float
    maximum: float
    mean: Decimal  # half up, one decimal


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
        return percent(self.submitted, self.invited)


@dataclass
class PairingRow:
    mentor: str
    mentee: str
    focus: str
    status: str
    activities: int = 0  # confirmed by the mentee, dated on or before the report date
    unconfirmed: int = 0


@dataclass
class PairingResults:
    rows: list[PairingRow] = field(default_factory=list)  # established pairings
    proposals: list[PairingRow] = field(default_factory=list)  # awaiting confirmation

    @property
    def activities(self):
        return sum(r.activities for r in self.rows)

    @property
    def unconfirmed(self):
        return sum(r.unconfirmed for r in self.rows)


@dataclass
class CasePhotoEntry:
    name: str  # the storage name, read through the storage API (never a local path)
    caption: str
    data: bytes = b""


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
    photos: list[CasePhotoEntry] = field(default_factory=list)


@dataclass
class SummaryEntry:
    unit: str
    submitted_at: datetime
    late: bool
    text: str  # the full written summary (the version in force on the report date)

    @property
    def excerpt(self):
        return self.text


SummaryExcerpt = SummaryEntry  # the name the first version used


@dataclass
class OpenItem:
    kind: str  # "任务" / "书面总结"
    text: str


@dataclass
class LateItem:
    number: int
    title: str
    units: str
    deadline: date


@dataclass
class Letterhead:
    """What the coordinator chose when compiling (remembered per campaign)."""
    document_number: str = ""  # 发文字号, e.g. 青市监〔2024〕88号
    recipients: str = ""  # 主送机关, e.g. 国家知识产权局知识产权公共服务司
    with_letterhead: bool = True  # False: the "report only" variant, no 版头


@dataclass
class ReportData:
    title: str
    campaign_title: str
    document_number: str  # the plan's own document number (cited in the body)
    issuing_authority: str
    report_date: date
    scope: str = ""  # empty for the whole campaign, else the unit(s) the report is limited to
    letterhead: Letterhead = field(default_factory=Letterhead)
    overview: Overview = field(default_factory=Overview)
    sections: list[SectionTable] = field(default_factory=list)
    prefectures: list[AreaRow] = field(default_factory=list)
    area_label: str = "市州"  # what a row of `prefectures` is (市州, or 省份 for a national campaign)
    provincial: list[AreaRow] = field(default_factory=list)
    provincial_label: str = "省直单位"
    survey: SurveyResults = field(default_factory=SurveyResults)
    pairing: PairingResults = field(default_factory=PairingResults)
    cases: list[CaseEntry] = field(default_factory=list)
    summaries: list[SummaryEntry] = field(default_factory=list)
    open_items: list[OpenItem] = field(default_factory=list)
    late: list[LateItem] = field(default_factory=list)  # open past the deadline on the report date

    @property
    def annexes(self):
        """The 附件说明 lines: what goes with the document."""
        names = [f"{self.title}数据附表"]
        if self.summaries:
            names.append("各单位书面总结")
        return names
