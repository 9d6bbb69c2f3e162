"""Progress of a task linked to the baseline survey (Task.purpose), for the task page."""
from django.urls import reverse

from campaigns.purposes import PurposeProgress

from .models import Survey
from .results import response_rate


def survey_progress(task):
    """Invited, opened and submitted across the task's surveys (else the campaign's baseline survey)."""
    surveys = list(Survey.objects.filter(task=task).exclude(status=Survey.Status.DRAFT).order_by("created_at", "pk"))
    if not surveys:
        return PurposeProgress(title="摸底调研问卷", empty="尚未发出与该任务关联的问卷（在问卷中选择“对应任务”）。")
    invited = opened = submitted = 0
    done = set()
    for survey in surveys:
        rows, totals = response_rate(survey)
        invited, opened, submitted = invited + totals["invited"], opened + totals["opened"], submitted + totals["submitted"]
        done |= {row.unit_id for row in rows if row.submitted_at}
    rate = round(100 * submitted / invited, 1) if invited else 0
    return PurposeProgress(
        title="、".join(s.title for s in surveys),
        figures=[("邀请单位", invited), ("已打开", opened), ("已提交", submitted), ("回收率", f"{rate:g}%")],
        url=reverse("surveys:detail", args=[surveys[0].pk]),
        done_unit_ids=done,
    )


def register():
    from campaigns.models import Task
    from campaigns.purposes import register as add

    add(Task.Purpose.BASELINE_SURVEY, survey_progress)
