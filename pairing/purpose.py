"""Progress of a task linked to the pairing programme (Task.purpose), for the task page."""
from django.db.models import Q
from django.urls import reverse

from campaigns.purposes import PurposeProgress

from .models import MentoringActivity, Pairing

ESTABLISHED = (Pairing.Status.ACTIVE, Pairing.Status.COMPLETED)


def pairing_progress(task):
    """Pairings proposed, established and completed in the task's campaign, and their mentoring activities."""
    pairings = Pairing.objects.filter(campaign_id=task.campaign_id).filter(Q(task=task) | Q(task__isnull=True))
    rows = list(pairings.values_list("status", "mentor_id", "mentee_id"))
    established = [r for r in rows if r[0] in ESTABLISHED]
    activities = MentoringActivity.objects.filter(pairing__in=pairings).count()
    return PurposeProgress(
        title="结对帮扶",
        figures=[
            ("待确认结对", sum(1 for r in rows if r[0] == Pairing.Status.PROPOSED)),
            ("已建立结对", len(established)),
            ("已完成结对", sum(1 for r in rows if r[0] == Pairing.Status.COMPLETED)),
            ("帮扶活动（次）", activities),
        ],
        url=reverse("pairing:board", args=[task.campaign.code]),
        done_unit_ids={unit for _, mentor, mentee in established for unit in (mentor, mentee)},
    )


def register():
    from campaigns.models import Task
    from campaigns.purposes import register as add

    add(Task.Purpose.PAIRING, pairing_progress)
