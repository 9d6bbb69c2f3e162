from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    """Every existing report gets its assignment's campaign, in one UPDATE."""
    ProgressReport = apps.get_model("campaigns", "ProgressReport")
    Assignment = apps.get_model("campaigns", "Assignment")
    campaign_of = Assignment.objects.filter(pk=OuterRef("assignment_id")).values("task__campaign_id")[:1]
    ProgressReport.objects.filter(campaign__isnull=True).update(campaign_id=Subquery(campaign_of))


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0006_progressreport_campaign"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
