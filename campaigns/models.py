"""The directory (regions, units, memberships) and the campaign plan.

Progress is derived from assignments (see the QuerySet annotations below), never stored
on tasks, sections or campaigns.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import lifecycle
from .lifecycle import mean_progress  # noqa: F401 - re-exported: callers import it from here

CHINESE_NUMERALS = "零一二三四五六七八九十"


def chinese_ordinal(n):
    """1 -> 一, 12 -> 十二, 21 -> 二十一 (enough for section numbers)."""
    if n <= 10:
        return CHINESE_NUMERALS[n]
    tens, ones = divmod(n, 10)
    return (CHINESE_NUMERALS[tens] if tens > 1 else "") + "十" + (CHINESE_NUMERALS[ones] if ones else "")


# ---------------------------------------------------------------- directory


class Region(models.Model):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("省")
        PREFECTURE = "prefecture", _("市州")

    name = models.CharField(_("名称"), max_length=50, unique=True)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    neighbours = models.ManyToManyField("self", verbose_name=_("相邻地区"), blank=True, symmetrical=True)
    ordinal = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["ordinal", "name"]
        verbose_name = _("地区")
        verbose_name_plural = _("地区")

    def __str__(self):
        return self.name


class Unit(models.Model):
    class Kind(models.TextChoices):
        PROVINCIAL_DIVISION = "division", _("省局处室")
        PREFECTURE_BUREAU = "bureau", _("市州市场监管局")
        SERVICE_INSTITUTION = "institution", _("服务机构")
        UNIVERSITY = "university", _("高校")
        OTHER = "other", _("其他公共机构")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    aliases = models.JSONField(_("别名"), default=list, blank=True, help_text=_("其他写法，如旧称、缩写"))
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("地区"), null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )
    description = models.CharField(
        _("说明"), max_length=200, blank=True, help_text=_("如“国家知识产权信息公共服务网点”“TISC”")
    )
    ordinal = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["ordinal", "name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return self.short_name or self.name


class UnitGroup(models.Model):
    """A phrase of the plan that stands for several units, e.g. 各市州市场监管局."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    aliases = models.JSONField(_("别名"), default=list, blank=True)
    members = models.ManyToManyField(Unit, verbose_name=_("成员单位"), related_name="groups", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("单位组")
        verbose_name_plural = _("单位组")

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("协调人")
        REPORTER = "reporter", _("填报人")
        VIEWER = "viewer", _("查看人")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.REPORTER)

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="membership_once_per_unit")]

    def __str__(self):
        return f"{self.user} @ {self.unit}（{self.get_role_display()}）"


# ---------------------------------------------------------------- plan


class CampaignQuerySet(models.QuerySet):
    def with_progress(self):
        """Annotate reported_progress, verified_progress (means over all the campaign's live
        assignments) and returned_count; pages that weigh every task alike use
        Task.with_progress() and mean_progress instead."""
        return self.annotate(**lifecycle.progress_annotations("tasks__assignments__"))


class Campaign(models.Model):
    Status = lifecycle.CampaignStatus

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    issuing_authority = models.CharField(_("发文机关"), max_length=100, blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    coordinating_unit = models.ForeignKey(
        Unit, verbose_name=_("协调单位"), on_delete=models.PROTECT, related_name="coordinated_campaigns"
    )
    theme = models.TextField(_("活动主题"), blank=True)
    content_areas = models.JSONField(
        _("活动内容"), default=list, blank=True, help_text=_("列表，每项含 title 与 text")
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    summary_due = models.DateField(_("总结报送截止日期"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    # Header edits, publishing, closing and reopening are kept with who, when and why.
    history = HistoricalRecords(verbose_name=_("活动方案变更记录"), excluded_fields=["created_at"])

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("活动方案")
        verbose_name_plural = _("活动方案")

    def __str__(self):
        return self.title


class Section(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name=_("活动方案"), on_delete=models.CASCADE, related_name="sections")
    ordinal = models.PositiveIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=200)

    history = HistoricalRecords(verbose_name=_("活动安排变更记录"))

    class Meta:
        ordering = ["campaign", "ordinal"]
        verbose_name = _("重点活动安排")
        verbose_name_plural = _("重点活动安排")
        constraints = [models.UniqueConstraint(fields=["campaign", "ordinal"], name="section_ordinal_unique")]

    def __str__(self):
        return f"（{self.numeral}）{self.title}"

    @property
    def numeral(self):
        return chinese_ordinal(self.ordinal)


class TaskQuerySet(models.QuerySet):
    def with_progress(self):
        """Annotate the two progress figures (lifecycle.progress_annotations):
        reported_progress, verified_progress, and returned_count; `progress` is the
        reported figure under its old name."""
        return self.annotate(**lifecycle.progress_annotations("assignments__")).annotate(
            progress=models.F("reported_progress")
        )

    def for_plan(self):
        """Everything the plan page and task lists show, in a fixed number of queries."""
        return (
            self.select_related("section", "campaign")
            .prefetch_related(
                models.Prefetch(
                    "assignments",
                    queryset=Assignment.objects.select_related("unit", "via_group")
                    .with_deadline_state()
                    .order_by("position", "pk"),
                )
            )
            .with_progress()
        )


class Task(models.Model):
    class Purpose(models.TextChoices):
        """What fulfils the task, so its module's progress shows on it (and not a title search)."""

        NONE = "", _("无")
        BASELINE_SURVEY = "baseline_survey", _("摸底调研问卷")
        PAIRING = "pairing", _("结对帮扶")
        SUMMARIES = "summaries", _("书面总结和典型案例")

    campaign = models.ForeignKey(Campaign, verbose_name=_("活动方案"), on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(Section, verbose_name=_("活动安排"), on_delete=models.PROTECT, related_name="tasks")
    number = models.PositiveIntegerField(_("编号"))
    title = models.CharField(_("任务"), max_length=500)
    description = models.TextField(_("说明"), blank=True)
    original_deadline = models.DateField(_("原定完成时限"), null=True, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    purpose = models.CharField(
        _("对应工作"), max_length=20, choices=Purpose.choices, default=Purpose.NONE, blank=True,
        help_text=_("由哪项工作完成该任务：摸底调研问卷、结对帮扶或书面总结"),
    )

    # Every change (deadline, content) is kept with who, when and why (`_change_reason`).
    history = HistoricalRecords(verbose_name=_("任务变更记录"))

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "number"]
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="task_number_unique")]
        # The dashboard's overdue and due-soon lists (by deadline, the first 50) walk this
        # index from the right deadline and stop, instead of sorting every assignment.
        indexes = [models.Index(fields=["campaign", "deadline", "number"], name="task_campaign_deadline")]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def save(self, *args, **kwargs):
        if self.original_deadline is None:
            self.original_deadline = self.deadline
        super().save(*args, **kwargs)

    @property
    def leads(self):
        return [a for a in self.assignments.all() if a.role == Assignment.Role.LEAD]

    def responsible_display(self):
        """The units as the notice writes them: lead first, groups by their own phrase."""
        rows = [(a.unit.name, a.via_group_id, a.via_group.name if a.via_group_id else None) for a in self.assignments.all()]
        return join_responsible(rows)


def join_responsible(rows):
    """“甲，乙，各市州市场监管局” from (unit name, group id, group name) rows in plan order."""
    parts, seen_groups = [], set()
    for unit_name, group_id, group_name in rows:
        if group_id is None:
            parts.append(unit_name)
        elif group_id not in seen_groups:
            seen_groups.add(group_id)
            parts.append(group_name)
    return "，".join(parts)


def responsible_by_task(assignments):
    """{task id: (responsible text, set of unit ids)} for an Assignment queryset, in one
    light query (tuples, not model instances: the plan page of a 500-task campaign reads
    thousands of assignments)."""
    rows = assignments.order_by("task_id", "position", "pk").values_list(
        "task_id", "unit_id", "unit__name", "via_group_id", "via_group__name"
    )
    grouped = {}
    for task_id, unit_id, unit_name, group_id, group_name in rows:
        grouped.setdefault(task_id, []).append((unit_id, unit_name, group_id, group_name))
    return {
        task_id: (join_responsible([r[1:] for r in items]), {r[0] for r in items}) for task_id, items in grouped.items()
    }


class AssignmentQuerySet(models.QuerySet):
    """The lifecycle rules (campaigns/lifecycle.py) as queryset methods."""

    def open(self):
        return self.filter(status__in=lifecycle.OPEN)

    def overdue(self, today=None):
        return self.filter(lifecycle.overdue_q(today or lifecycle.today()))

    def due_soon(self, today=None, days=None):
        days = lifecycle.reminder_days() if days is None else days
        return self.filter(lifecycle.due_soon_q(today or lifecycle.today(), days))

    def with_deadline_state(self, today=None, days=None):
        """Annotate days_left, is_overdue, is_due_soon and is_completed_late as of `today`."""
        return lifecycle.with_deadline_state(self, today, days)


class Assignment(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("牵头")
        CO = "co", _("配合")

    Status = lifecycle.AssignmentStatus

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("职责"), max_length=10, choices=Role.choices)
    via_group = models.ForeignKey(
        UnitGroup,
        verbose_name=_("来自单位组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("方案中以单位组写法（如“各市州市场监管局”）列出时"),
    )
    position = models.PositiveIntegerField(_("方案中的次序"), default=0)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    percent = models.PositiveSmallIntegerField(_("完成百分比"), default=0)
    # When the unit submitted the work as done (the system's clock) ...
    completed_at = models.DateTimeField(_("提交完成时间"), null=True, blank=True)
    # ... and the day the work was actually done, as the unit states it (实际完成日期).
    completed_on = models.DateField(_("实际完成日期"), null=True, blank=True)
    # completed_on compared with the deadline in force that day (lifecycle.is_completed_late).
    completed_late = models.BooleanField(_("逾期完成"), default=False)
    # Optimistic locking: every save through services bumps it; a stale form is refused.
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(verbose_name=_("分工变更记录"), excluded_fields=["updated_at"])

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["task__campaign", "task__number", "position", "pk"]
        verbose_name = _("任务分工")
        verbose_name_plural = _("任务分工")
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="assignment_unit_once_per_task"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="assignment_percent_at_most_100"),
        ]

    def __str__(self):
        return f"{self.task.number}. {self.unit}（{self.get_role_display()}）"

    @property
    def is_open(self):
        return lifecycle.is_open(self.status)


# ---------------------------------------------------------------- progress


class ProgressReportQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Fill each report's campaign from its assignment (one query for the lot), as save() does."""
        objs = list(objs)
        missing = {o.assignment_id for o in objs if o.campaign_id is None}
        if missing:
            campaign_of = dict(
                Assignment.objects.filter(pk__in=missing).values_list("pk", "task__campaign_id")
            )
            for o in objs:
                if o.campaign_id is None:
                    o.campaign_id = campaign_of.get(o.assignment_id)
        return super().bulk_create(objs, *args, **kwargs)


class ProgressReport(models.Model):
    """One entry of an assignment's append-only journal.

    Units write reports (what was done, percent, the figures the final summary adds up,
    evidence); a coordinator's return or verification is an entry too, so the timeline
    tells the whole story. Figures are what this report adds (new since the last one),
    so the summary sums them.
    """

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("任务分工"), on_delete=models.CASCADE, related_name="reports"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="progress_reports"
    )
    # The assignment's campaign, kept on the report (filled on save and by bulk_create, never
    # changed: a task stays in its campaign) so "the campaign's latest reports" reads the
    # index (campaign, created_at, id) instead of sorting every report of the campaign.
    campaign = models.ForeignKey(
        "Campaign", verbose_name=_("活动方案"), on_delete=models.CASCADE, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True, db_index=True)
    text = models.TextField(_("工作进展"))
    percent = models.PositiveSmallIntegerField(_("完成百分比"), default=0)
    status = models.CharField(_("状态"), max_length=20, choices=Assignment.Status.choices)
    events_held = models.PositiveIntegerField(_("开展活动（场）"), default=0)
    participants = models.PositiveIntegerField(_("参与人数（人次）"), default=0)
    enterprises_served = models.PositiveIntegerField(_("服务企业（家）"), default=0)
    consultations = models.PositiveIntegerField(_("提供咨询（次）"), default=0)
    # 实际完成日期: on a completion report, the day the unit says the work was done; on a
    # verification, the date as the coordinator confirmed or corrected it.
    done_on = models.DateField(_("实际完成日期"), null=True, blank=True)
    materials_distributed = models.PositiveIntegerField(_("发放资料（份）"), default=0)
    # The form's one-time token: a double-clicked submit finds its first report instead of making two.
    token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    objects = ProgressReportQuerySet.as_manager()

    FIGURES = ("events_held", "participants", "enterprises_served", "consultations", "materials_distributed")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("进度报告")
        verbose_name_plural = _("进度报告")
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="report_percent_at_most_100")]
        indexes = [models.Index(fields=["campaign", "created_at", "id"], name="report_campaign_latest")]

    def __str__(self):
        return f"{self.assignment} · {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("进度报告只能追加，不能修改")
        if self.campaign_id is None:
            assignment = self._state.fields_cache.get("assignment")
            if assignment is not None and "task" in assignment._state.fields_cache:
                self.campaign_id = assignment.task.campaign_id
            elif assignment is not None:
                self.campaign_id = Task.objects.filter(pk=assignment.task_id).values_list("campaign_id", flat=True).first()
            else:
                self.campaign_id = (
                    Assignment.objects.filter(pk=self.assignment_id).values_list("task__campaign_id", flat=True).first()
                )
        super().save(*args, **kwargs)

    @property
    def is_decision(self):
        """A coordinator's return or verification (rather than a unit's report)."""
        return self.status in (Assignment.Status.RETURNED, Assignment.Status.VERIFIED)

    def figures(self):
        """(label, value) of the figures this report gives, leaving out zeros."""
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name))
            for name in self.FIGURES
            if getattr(self, name)
        ]


def evidence_upload_to(instance, filename):
    """A generated name: nothing the uploader chose reaches the file system."""
    from uuid import uuid4

    now = timezone.now()
    return f"evidence/{now:%Y/%m}/{uuid4().hex}.{instance.extension}"


class Evidence(models.Model):
    """A file attached to a progress report; its type was checked by content (evidence.py)."""

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("进度报告"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("文件"), upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=120)
    extension = models.CharField(_("扩展名"), max_length=10)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self):
        return self.original_name

    @property
    def is_image(self):
        return self.content_type.startswith("image/")


class AdjustmentRequest(models.Model):
    """调整报备: a unit asks to move a task's deadline or change what it will do."""

    class Kind(models.TextChoices):
        DEADLINE = "deadline", _("调整完成时限")
        CONTENT = "content", _("调整任务内容")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("任务分工"), on_delete=models.CASCADE, related_name="adjustments"
    )
    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="adjustments")
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    # What the task said when the request was made, so the decision shows old against new.
    current_deadline = models.DateField(_("原完成时限"), null=True, blank=True)
    current_title = models.CharField(_("原任务内容"), max_length=500, blank=True)
    current_description = models.TextField(_("原说明"), blank=True)
    proposed_deadline = models.DateField(_("拟调整为（完成时限）"), null=True, blank=True)
    proposed_title = models.CharField(_("拟调整为（任务内容）"), max_length=500, blank=True)
    proposed_description = models.TextField(_("拟调整为（说明）"), blank=True)
    reason = models.TextField(_("调整理由"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="adjustment_requests"
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjustment_decisions",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    comment = models.TextField(_("审核意见"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("调整报备")
        verbose_name_plural = _("调整报备")

    def __str__(self):
        return f"{self.task.number}. {self.get_kind_display()}（{self.get_status_display()}）"


class ReminderLog(models.Model):
    """One reminder sent; unique so the same reminder is never sent twice.

    The threshold is the deadline the reminder was about: if an approved adjustment moves
    the deadline, the new date earns its own reminders.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("即将到期")
        OVERDUE = "overdue", _("已逾期")

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("任务分工"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    threshold = models.DateField(_("截止日期"))
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    recipients = models.TextField(_("收件人"), blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "kind", "threshold"], name="reminder_once_per_threshold")
        ]

    def __str__(self):
        return f"{self.assignment} · {self.get_kind_display()} · {self.threshold}"
