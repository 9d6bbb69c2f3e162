from django.apps import AppConfig


class SurveysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "surveys"
    verbose_name = "调研问卷"

    def ready(self):
        from . import purpose

        purpose.register()  # the task page shows this module's progress (campaigns.purposes)
