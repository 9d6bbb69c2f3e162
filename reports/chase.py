"""The summary page's chase-up source: responsible units with no written summary yet.

Registered with notifications (below reports) in ReportsConfig.ready().
"""
from django.urls import reverse

from campaigns.access import responsible_unit_ids
from campaigns.models import Unit

from .models import WrittenSummary


def summary_source(campaign, user, ref):
    from notifications.chase import Silent

    submitted = set(WrittenSummary.objects.filter(campaign=campaign).current().values_list("unit_id", flat=True))
    units = Unit.objects.filter(pk__in=responsible_unit_ids(campaign) - submitted).order_by("ordinal", "name")
    return Silent(
        about="书面总结",
        units=[(u, "尚未报送书面总结") for u in units],
        message=f"本单位尚未报送《{campaign.title}》书面总结（截止日期 {campaign.summary_due:%Y-%m-%d}），请尽快报送。",
        back_url=reverse("reports:campaign", args=[campaign.code]),
        target_url=reverse("reports:campaign", args=[campaign.code]),
    )


def register():
    from django.apps import apps

    if apps.is_installed("notifications"):
        from notifications import chase

        chase.register("summary", summary_source)
