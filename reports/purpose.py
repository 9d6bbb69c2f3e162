"""Progress of a task linked to the written summaries (Task.purpose), for the task page."""
from django.urls import reverse

from campaigns.access import responsible_unit_ids
from campaigns.purposes import PurposeProgress

from .models import TypicalCase, WrittenSummary


def summaries_progress(task):
    """Written summaries and typical cases submitted, against the campaign's responsible units."""
    campaign = task.campaign
    expected = responsible_unit_ids(campaign)
    submitted = set(WrittenSummary.objects.current().filter(campaign=campaign).values_list("unit_id", flat=True))
    cases = TypicalCase.objects.filter(campaign=campaign).count()
    return PurposeProgress(
        title="书面总结和典型案例",
        figures=[
            ("应报送单位", len(expected)),
            ("已报送书面总结", len(submitted & expected)),
            ("典型案例（篇）", cases),
        ],
        url=reverse("reports:campaign", args=[campaign.code]),
        done_unit_ids=submitted,
    )


def register():
    from campaigns.models import Task
    from campaigns.purposes import register as add

    add(Task.Purpose.SUMMARIES, summaries_progress)
