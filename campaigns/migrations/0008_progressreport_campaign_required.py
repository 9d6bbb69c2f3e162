import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The report's campaign becomes required, and the campaign's latest reports read an index."""

    dependencies = [
        ("campaigns", "0007_fill_progressreport_campaign"),
    ]

    operations = [
        migrations.AlterField(
            model_name="progressreport",
            name="campaign",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                to="campaigns.campaign", verbose_name="活动方案",
            ),
        ),
        migrations.AddIndex(
            model_name="progressreport",
            index=models.Index(fields=["campaign", "created_at", "id"], name="report_campaign_latest"),
        ),
    ]
