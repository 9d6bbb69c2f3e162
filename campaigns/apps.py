from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "活动方案"

    def ready(self):
        from config import checks  # noqa: F401 (registers the project's deployment checks)
