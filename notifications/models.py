"""The inbox (one Notification per person), the channels that reach people outside the
site (unit group robots, each person's email and mobile), every outgoing message
(Delivery) and every chase-up (ChaseUp)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Unit


class Kind(models.TextChoices):
    TASK_ASSIGNED = "task_assigned", _("新任务")
    RETURNED = "returned", _("任务被退回")
    VERIFIED = "verified", _("任务已核验")
    ADJUSTMENT_FILED = "adjustment_filed", _("待审核的调整报备")
    ADJUSTMENT_DECIDED = "adjustment_decided", _("调整报备已审核")
    SURVEY_INVITATION = "survey_invitation", _("问卷邀请")
    ACTIVITY_TO_CONFIRM = "activity_to_confirm", _("待确认的帮扶活动")
    DUE_SOON = "due_soon", _("任务即将到期")
    OVERDUE = "overdue", _("任务已逾期")
    REMINDER = "reminder", _("任务提醒")
    DIGEST = "digest", _("每日提醒汇总")
    CHASE_UP = "chase_up", _("催报")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One event for one person; read state is per person."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="notifications")
    campaign = models.ForeignKey(Campaign, verbose_name=_("活动方案"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类别"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    # Same key for the same person = the same event (daily reminders are not repeated in the inbox).
    key = models.CharField(_("事件键"), max_length=120, blank=True, db_index=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return f"{self.recipient} · {self.title}"


class Channel(models.TextChoices):
    EMAIL = "email", _("邮件")
    SMS = "sms", _("短信")
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    FEISHU = "feishu", _("飞书群机器人")


ROBOTS = (Channel.WECOM, Channel.DINGTALK, Channel.FEISHU)


class UnitRobot(models.Model):
    """A unit's group robot (企业微信 / 钉钉 / 飞书): its webhook URL as the vendor gives it,
    and for 钉钉 the signing secret (加签). Neither is ever shown back in full."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="robots")
    kind = models.CharField(_("类型"), max_length=20, choices=[(c.value, c.label) for c in ROBOTS])
    name = models.CharField(_("群名称"), max_length=100, blank=True)
    webhook_url = models.CharField(_("Webhook 地址"), max_length=500)
    secret = models.CharField(_("加签密钥"), max_length=200, blank=True, help_text=_("钉钉机器人“加签”的密钥（SEC 开头）"))
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("添加时间"), auto_now_add=True)

    class Meta:
        ordering = ["unit", "pk"]
        verbose_name = _("单位群机器人")
        verbose_name_plural = _("单位群机器人")

    def __str__(self):
        return f"{self.unit} · {self.get_kind_display()}"

    @property
    def masked_url(self):
        from .channels import mask_url

        return mask_url(self.webhook_url)


class ContactPreference(models.Model):
    """A person's mobile and the channels they want messages by (email address is the account's)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="contact_preference"
    )
    mobile = models.CharField(_("手机号"), max_length=20, blank=True)
    by_email = models.BooleanField(_("接收邮件"), default=True)
    by_sms = models.BooleanField(_("接收短信"), default=False)

    class Meta:
        verbose_name = _("个人接收设置")
        verbose_name_plural = _("个人接收设置")

    def __str__(self):
        return str(self.user)


class Delivery(models.Model):
    """One message through one channel to one target (a person's email or mobile, or a unit's robot).

    SENT only once the channel accepted it. A failure is retried after
    settings.NOTIFY_RETRY_MINUTES, then FAILED (and shown to the coordinator).
    `reminder_items` are the reminders (assignment, kind, deadline) this message carries:
    their ReminderLog rows are written when it is accepted, not before.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        RETRYING = "retrying", _("发送失败，等待重试")
        SENT = "sent", _("已送达")
        FAILED = "failed", _("发送失败")

    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="deliveries")
    campaign = models.ForeignKey(Campaign, verbose_name=_("活动方案"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="deliveries")
    robot = models.ForeignKey(UnitRobot, verbose_name=_("群机器人"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="deliveries")
    target = models.CharField(_("发送到"), max_length=300, help_text=_("已隐去密钥"))
    kind = models.CharField(_("类别"), max_length=30, choices=Kind.choices)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次重试时间"), null=True, blank=True, db_index=True)
    last_error = models.CharField(_("最近的错误"), max_length=500, blank=True)
    reminder_items = models.JSONField(_("所含提醒"), default=list, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")

    def __str__(self):
        return f"{self.get_channel_display()} → {self.target}（{self.get_status_display()}）"


class ChaseUp(models.Model):
    """催报: a coordinator chased a unit (at most once a day per campaign); kept for the unit's record."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("活动方案"), on_delete=models.CASCADE,
                                 related_name="chase_ups")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="chase_ups")
    about = models.CharField(_("催报事项"), max_length=100)
    message = models.TextField(_("催报内容"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("催报人"), on_delete=models.PROTECT,
                                related_name="chase_ups_sent")
    sent_on = models.DateField(_("催报日期"))
    created_at = models.DateTimeField(_("催报时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("催报记录")
        verbose_name_plural = _("催报记录")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "sent_on"], name="chase_up_once_a_day"),
        ]

    def __str__(self):
        return f"{self.unit} · {self.about} · {self.sent_on}"
