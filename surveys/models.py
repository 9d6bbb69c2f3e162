"""Questionnaires (SurveyJS JSON), their immutable versions, invitations and responses."""
import hashlib
import json
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns import lifecycle
from campaigns.models import Campaign, Task, Unit


def new_token():
    """An unguessable invitation token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("收集中")
        CLOSED = "closed", _("已结束")

    class Access(models.TextChoices):
        INVITATION = "invitation", _("凭邀请链接")
        OPEN_LINK = "open_link", _("公开链接")

    campaign = models.ForeignKey(Campaign, verbose_name=_("活动方案"), on_delete=models.CASCADE, related_name="surveys")
    task = models.ForeignKey(
        Task, verbose_name=_("对应任务"), null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys"
    )
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    closes_at = models.DateTimeField(_("截止时间"), null=True, blank=True)
    access = models.CharField(_("填写方式"), max_length=20, choices=Access.choices, default=Access.INVITATION)
    open_token = models.CharField(_("公开链接令牌"), max_length=64, unique=True, default=new_token, editable=False)
    allow_resume = models.BooleanField(_("允许保存后继续填写"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["campaign", "-created_at"]
        verbose_name = _("调研问卷")
        verbose_name_plural = _("调研问卷")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("surveys:detail", args=[self.pk])

    @property
    def current_version(self):
        """The newest version (what new respondents fill)."""
        return self.versions.order_by("-number").first()

    def is_accepting(self, now=None):
        """Open, started and not past its closing time, in a campaign that is in progress
        (a draft or closed campaign takes no answers: lifecycle.campaign_accepts_reports)."""
        now = now or timezone.now()
        if self.status != self.Status.OPEN or not lifecycle.campaign_accepts_reports(self.campaign):
            return False
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)


class SurveyVersion(models.Model):
    """An immutable snapshot of a questionnaire's SurveyJS JSON.

    Editing a questionnaire that already has answers creates a new version; every response
    keeps the version it answered. Rows are never updated (see `save`)."""

    survey = models.ForeignKey(Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    schema = models.JSONField(_("SurveyJS 定义"))
    checksum = models.CharField(_("校验和"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["survey", "number"]
        verbose_name = _("问卷版本")
        verbose_name_plural = _("问卷版本")
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="survey_version_number_unique")]

    def __str__(self):
        return f"{self.survey} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("SurveyVersion is immutable: create a new version instead")
        self.checksum = self.checksum_of(self.schema)
        super().save(*args, **kwargs)

    @staticmethod
    def checksum_of(schema):
        return hashlib.sha256(json.dumps(schema, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class Invitation(models.Model):
    survey = models.ForeignKey(Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="invitations")
    unit = models.ForeignKey(
        Unit, verbose_name=_("受邀单位"), null=True, blank=True, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    contact = models.CharField(_("联系人"), max_length=100, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    token = models.CharField(_("令牌"), max_length=64, unique=True, default=new_token, editable=False)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    opened_at = models.DateTimeField(_("首次打开时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["survey", "unit__ordinal", "pk"]
        verbose_name = _("邀请")
        verbose_name_plural = _("邀请")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "unit"], condition=Q(unit__isnull=False), name="invitation_once_per_unit"
            )
        ]

    def __str__(self):
        return f"{self.survey} → {self.unit or self.contact}"

    def get_absolute_url(self):
        return reverse("surveys:respond", args=[self.token])


class ResponseQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(status=Response.Status.SUBMITTED)


class Response(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        # An earlier submission the office sent back for correction: kept as history.
        REOPENED = "reopened", _("已退回修改")

    survey = models.ForeignKey(Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="responses")
    version = models.ForeignKey(
        SurveyVersion, verbose_name=_("问卷版本"), on_delete=models.PROTECT, related_name="responses"
    )
    invitation = models.ForeignKey(
        Invitation, verbose_name=_("邀请"), null=True, blank=True, on_delete=models.CASCADE, related_name="responses"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_responses"
    )
    answers = models.JSONField(_("答案"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # Where the respondent stopped (0-based page of the form), to resume there.
    current_page = models.PositiveSmallIntegerField(_("停留页"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("退回人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    reopen_reason = models.TextField(_("退回原因"), blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["survey", "pk"]
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        constraints = [
            # However many submits race, an invitation ends with at most one submitted
            # response (and at most one draft): the database decides, not the view.
            models.UniqueConstraint(
                fields=["invitation"],
                condition=Q(status="submitted") & Q(invitation__isnull=False),
                name="one_submitted_response_per_invitation",
            ),
            models.UniqueConstraint(
                fields=["invitation"],
                condition=Q(status="draft") & Q(invitation__isnull=False),
                name="one_draft_response_per_invitation",
            ),
        ]
        indexes = [
            # The results page's cache key (aggregate.fingerprint): count, newest and last
            # change of a survey's submitted responses, read from the index alone.
            models.Index(fields=["survey", "status", "unit", "updated_at"], name="response_results_fingerprint"),
            # A page of text answers reads a survey's responses in order and stops at the page's end.
            models.Index(fields=["survey", "id"], name="response_survey_order"),
        ]

    def __str__(self):
        return f"{self.survey} #{self.pk}"
