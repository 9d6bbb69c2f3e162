import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The campaign kept on each progress report: added empty here, filled by 0007, required by 0008."""

    dependencies = [
        ("campaigns", "0005_campaign_history_task_purpose"),
    ]

    operations = [
        migrations.AddField(
            model_name="progressreport",
            name="campaign",
            field=models.ForeignKey(
                editable=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                to="campaigns.campaign", verbose_name="活动方案",
            ),
        ),
    ]
