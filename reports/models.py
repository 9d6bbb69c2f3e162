"""Written summaries (书面总结) and typical cases (典型案例) that units submit at the end
of a campaign; the final report is compiled from these and the campaign's own data.

Resubmitting a summary keeps history: every submission is a row, the latest is the one in
force (`is_current`, at most one per unit and campaign). Lateness is judged on a unit's
first submission, so correcting an on-time summary after the due date does not make it late.
"""
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Task, Unit


def _upload_path(folder, instance, filename):
    # Never reuse the client's file name in the path: a fresh name, the checked extension.
    ext = getattr(instance, "_checked_ext", "") or PurePosixPath(filename).suffix.lstrip(".").lower()[:8]
    return f"reports/{folder}/{uuid.uuid4().hex}.{ext or 'bin'}"


def summary_upload_to(instance, filename):
    return _upload_path("summaries", instance, filename)


def photo_upload_to(instance, filename):
    return _upload_path("photos", instance, filename)


class WrittenSummaryQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)


class WrittenSummary(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("活动方案"), on_delete=models.CASCADE, related_name="written_summaries"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="written_summaries")
    text = models.TextField(_("总结正文"))
    document = models.FileField(_("附件"), upload_to=summary_upload_to, blank=True)
    document_name = models.CharField(_("附件原文件名"), max_length=200, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    first_submitted_at = models.DateTimeField(_("首次提交时间"), default=timezone.now)
    is_current = models.BooleanField(_("现行版本"), default=True)

    objects = WrittenSummaryQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "unit", "-submitted_at", "-pk"]
        verbose_name = _("书面总结")
        verbose_name_plural = _("书面总结")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit"], condition=Q(is_current=True), name="written_summary_one_current_per_unit"
            )
        ]

    def __str__(self):
        return f"{self.unit} · {self.campaign}"

    @property
    def is_late(self):
        """Late when the unit first submitted after the campaign's summary due date (local date)."""
        return timezone.localdate(self.first_submitted_at) > self.campaign.summary_due

    @property
    def is_revision(self):
        return self.submitted_at != self.first_submitted_at


class TypicalCase(models.Model):
    class InstitutionType(models.TextChoices):
        RESEARCH = "research", _("科研院所")
        SUBORDINATE = "subordinate", _("下属单位")
        UNIVERSITY = "university", _("高校")
        MARKET = "market", _("市场化机构")
        OTHER = "other", _("其他")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("活动方案"), on_delete=models.CASCADE, related_name="typical_cases"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("报送单位"), on_delete=models.PROTECT, related_name="typical_cases")
    title = models.CharField(_("案例标题"), max_length=200)
    institution = models.CharField(_("机构名称"), max_length=200)
    institution_type = models.CharField(_("机构类型"), max_length=20, choices=InstitutionType.choices)
    summary = models.TextField(_("案例简介"))
    actions = models.TextField(_("主要做法"))
    results = models.TextField(_("工作成效"), help_text=_("请写明具体数字，如服务企业数、培训人次、专利申请量"))
    related_tasks = models.ManyToManyField(Task, verbose_name=_("相关任务"), blank=True, related_name="typical_cases")
    recommended = models.BooleanField(_("推荐"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    class Meta:
        ordering = ["campaign", "-recommended", "submitted_at", "pk"]
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")

    def __str__(self):
        return self.title


class CasePhoto(models.Model):
    case = models.ForeignKey(TypicalCase, verbose_name=_("典型案例"), on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to=photo_upload_to)
    caption = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = _("案例照片")
        verbose_name_plural = _("案例照片")

    def __str__(self):
        return self.caption or self.image.name


class ReportSetting(models.Model):
    """What the coordinator chose when last compiling the campaign's summary (remembered
    for the next compile): 发文字号, 主送机关, the report date, with or without 版头."""

    campaign = models.OneToOneField(
        Campaign, verbose_name=_("活动方案"), on_delete=models.CASCADE, related_name="report_setting"
    )
    document_number = models.CharField(_("发文字号"), max_length=100, blank=True,
                                       help_text=_("如：青市监〔2024〕88号"))
    recipients = models.CharField(_("主送机关"), max_length=200, blank=True,
                                  help_text=_("如：国家知识产权局知识产权公共服务司"))
    report_date = models.DateField(_("成文日期"), null=True, blank=True,
                                   help_text=_("数据截至该日；留空为汇编当天"))
    with_letterhead = models.BooleanField(_("带版头"), default=True,
                                          help_text=_("不勾选则只生成报告正文（作为其他公文的附件）"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("设置人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("设置时间"), auto_now=True)

    class Meta:
        verbose_name = _("总结报告汇编设置")
        verbose_name_plural = _("总结报告汇编设置")

    def __str__(self):
        return f"{self.campaign} · {self.document_number or '无文号'}"

    def letterhead(self):
        from .data import Letterhead

        return Letterhead(self.document_number, self.recipients, self.with_letterhead)


class Bulletin(models.Model):
    """A numbered 工作简报 (第N期): what was done between the previous issue and this one.
    Kept, so the office can issue one a week; the content is compiled from the data each
    time it is downloaded, for the period recorded here."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("活动方案"), on_delete=models.CASCADE,
                                 related_name="bulletins")
    number = models.PositiveIntegerField(_("期号"))
    period_start = models.DateField(_("本期起始日期"))
    period_end = models.DateField(_("本期截止日期"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("编发人"), null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("编发时间"), auto_now_add=True)

    class Meta:
        ordering = ["campaign", "-number"]
        verbose_name = _("工作简报")
        verbose_name_plural = _("工作简报")
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="bulletin_number_once")]

    def __str__(self):
        return f"{self.campaign} 工作简报第{self.number}期"
