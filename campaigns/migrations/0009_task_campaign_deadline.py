from django.db import migrations, models


class Migration(migrations.Migration):
    """The campaign's tasks by deadline: the dashboard's overdue and due-soon lists read it in order."""

    dependencies = [
        ("campaigns", "0008_progressreport_campaign_required"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="task",
            index=models.Index(fields=["campaign", "deadline", "number"], name="task_campaign_deadline"),
        ),
    ]
