"""A job: one piece of long work run on the task queue, with progress and a result file."""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def result_upload_to(instance, filename):
    """A generated folder per job; the file keeps the name the job gave it (for the download)."""
    return f"jobs/{instance.created_at:%Y/%m}/{instance.pk.hex}/{filename}"


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(_("任务名称"), max_length=200)
    function = models.CharField(_("执行函数"), max_length=200)
    arguments = models.JSONField(_("参数"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="jobs",
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    percent = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    message = models.CharField(_("进度说明"), max_length=300, blank=True)
    result_file = models.FileField(_("结果文件"), upload_to=result_upload_to, max_length=300, blank=True)
    result_name = models.CharField(_("下载文件名"), max_length=255, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    backend = models.CharField(_("队列后端"), max_length=50, blank=True)
    task_id = models.CharField(_("队列任务编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self):
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def is_finished(self):
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class ScheduledRun(models.Model):
    """A daily schedule's run for one day: unique, so however many machines run the
    scheduler, each daily job is queued once."""

    name = models.CharField(_("计划"), max_length=50)
    day = models.DateField(_("日期"))
    job = models.ForeignKey(Job, verbose_name=_("后台任务"), null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-day", "name"]
        verbose_name = _("定时运行记录")
        verbose_name_plural = _("定时运行记录")
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="scheduled_run_once_a_day")]

    def __str__(self):
        return f"{self.name} · {self.day}"
