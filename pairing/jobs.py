"""Pairing's work on the job queue (jobs app): a bureau's baseline answers become its needs.

Queued by receivers.apply_baseline_needs after a submit commits, so the respondent's
request does not wait for it; a failure is kept on the job (后台任务) and retried
(jobs.services.retry_failed) until it succeeds or a day has passed.
"""
from django.db import transaction

from jobs.registry import job_function

from . import services


@job_function(retry=True)
def apply_baseline_needs(job, response_id):
    """Set the needs of the response's unit from its answers to the "pairingNeeds" questions.

    Only the unit's current submission counts: a response sent back for correction (or
    gone) is skipped, so a late retry never overwrites what a newer submission set."""
    from surveys.models import Response

    response = (Response.objects.select_related("version", "survey__campaign", "unit")
                .filter(pk=response_id).first())
    if response is None or response.unit_id is None:
        return "答卷已不存在，无需处理"
    if response.status != Response.Status.SUBMITTED:
        return "该答卷已退回修改，以重新提交的答卷为准"
    with transaction.atomic():
        services.apply_survey_needs(response.unit, response.survey.campaign, response.version.schema,
                                    response.answers)
    return f"已按问卷答卷更新“{response.unit.name}”的帮扶需求"
