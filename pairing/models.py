"""Pairing (结对帮扶): vocabularies, institution profiles, needs, pairings and mentoring activities."""

from django.conf import settings
from django.db import models
from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Task, Unit


class Vocabulary(models.Model):
    name = models.CharField(_("名称"), max_length=40, unique=True)
    ordinal = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        abstract = True
        ordering = ["ordinal", "name"]

    def __str__(self):
        return self.name


class Service(Vocabulary):
    """A kind of service a mentor offers and a mentee may need (信息咨询, 专利导航, …)."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("服务类别")
        verbose_name_plural = _("服务类别")


class Industry(Vocabulary):
    """An industry a mentor knows and a mentee's region works in (盐湖化工, 新能源, …)."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("产业领域")
        verbose_name_plural = _("产业领域")


class InstitutionProfile(models.Model):
    """A unit able to mentor: what it offers, which industries it knows, how many it can take."""

    unit = models.OneToOneField(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="pairing_profile")
    services = models.ManyToManyField(Service, verbose_name=_("提供的服务"), blank=True)
    industries = models.ManyToManyField(Industry, verbose_name=_("熟悉的产业"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("最多帮扶单位数"), default=1)
    active = models.BooleanField(_("参与结对"), default=True)
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["unit__ordinal", "unit__name"]
        verbose_name = _("帮扶机构档案")
        verbose_name_plural = _("帮扶机构档案")

    def __str__(self):
        return str(self.unit)


class Need(models.Model):
    """What a unit to be helped needs in one campaign (from its baseline survey or the coordinator)."""

    class Source(models.TextChoices):
        COORDINATOR = "coordinator", _("协调人填写")
        SURVEY = "survey", _("摸底问卷")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("活动方案"), on_delete=models.CASCADE, related_name="pairing_needs"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("受帮扶单位"), on_delete=models.CASCADE, related_name="pairing_needs")
    services = models.ManyToManyField(Service, verbose_name=_("需要的服务"), blank=True)
    industries = models.ManyToManyField(Industry, verbose_name=_("所属产业"), blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, default=Source.COORDINATOR)
    notes = models.TextField(_("说明"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["campaign", "unit__ordinal", "unit__name"]
        verbose_name = _("帮扶需求")
        verbose_name_plural = _("帮扶需求")
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="need_once_per_unit")]

    def __str__(self):
        return f"{self.unit}（{self.campaign.code}）"


class PairingQuerySet(models.QuerySet):
    def live(self):
        """Pairings that count: everything but rejected suggestions."""
        return self.exclude(status=Pairing.Status.REJECTED)

    def with_activity(self):
        """Annotate `activity_count` and `last_activity_on` (one query for any number of pairings)."""
        return self.annotate(activity_count=Count("activities"), last_activity_on=Max("activities__date"))


class Pairing(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待确认")
        ACTIVE = "active", _("帮扶中")
        COMPLETED = "completed", _("已完成")
        ENDED_EARLY = "ended_early", _("提前结束")
        # A suggestion the coordinator turned down: kept so it is not suggested again.
        REJECTED = "rejected", _("已否决")

    campaign = models.ForeignKey(Campaign, verbose_name=_("活动方案"), on_delete=models.CASCADE, related_name="pairings")
    task = models.ForeignKey(
        Task, verbose_name=_("对应任务"), null=True, blank=True, on_delete=models.SET_NULL, related_name="pairings"
    )
    mentor = models.ForeignKey(Unit, verbose_name=_("帮扶机构"), on_delete=models.PROTECT, related_name="mentor_pairings")
    mentee = models.ForeignKey(Unit, verbose_name=_("受帮扶单位"), on_delete=models.PROTECT, related_name="mentee_pairings")
    focus_services = models.ManyToManyField(Service, verbose_name=_("重点服务"), blank=True)
    focus_industries = models.ManyToManyField(Industry, verbose_name=_("重点产业"), blank=True)
    goals = models.TextField(_("帮扶目标"), blank=True)
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    score = models.PositiveIntegerField(_("匹配得分"), default=0)
    reasons = models.JSONField(_("匹配理由"), default=list, blank=True)
    suggested = models.BooleanField(_("系统建议"), default=False, help_text=_("由配对建议生成、尚未经协调人改动"))
    agreement = models.FileField(_("帮扶协议"), upload_to="pairing/agreements/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "mentee__ordinal", "mentor__ordinal", "pk"]
        verbose_name = _("结对")
        verbose_name_plural = _("结对")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "mentor", "mentee"], name="pairing_once_per_pair"),
            models.CheckConstraint(condition=~Q(mentor=models.F("mentee")), name="pairing_not_with_itself"),
        ]

    def __str__(self):
        return f"{self.mentor.display_name} → {self.mentee.display_name}"


class MentoringActivity(models.Model):
    class Kind(models.TextChoices):
        TRAINING = "training", _("培训")
        ON_SITE = "on_site", _("实地指导")
        RESOURCES = "resources", _("资源建设")
        QA = "qa", _("答疑")
        TALENT = "talent", _("人才培养")

    pairing = models.ForeignKey(Pairing, verbose_name=_("结对"), on_delete=models.CASCADE, related_name="activities")
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    participants = models.PositiveIntegerField(_("参与人数"), default=0)
    summary = models.TextField(_("内容摘要"))
    evidence = models.FileField(_("佐证材料"), upload_to="pairing/evidence/%Y/%m/", blank=True)
    logged_by_unit = models.ForeignKey(Unit, verbose_name=_("填报单位"), on_delete=models.PROTECT, related_name="+")
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("受帮扶单位确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        ordering = ["pairing", "-date", "-pk"]
        verbose_name = _("帮扶活动")
        verbose_name_plural = _("帮扶活动")

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"

    @property
    def confirmed(self):
        return self.confirmed_at is not None
