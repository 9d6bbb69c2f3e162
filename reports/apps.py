from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "总结报告"

    def ready(self):
        from . import purpose

        purpose.register()  # the task page shows this module's progress (campaigns.purposes)

        from . import chase

        chase.register()
