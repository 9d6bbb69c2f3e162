from django.apps import AppConfig


class PairingConfig(AppConfig):
    name = "pairing"
    verbose_name = "结对帮扶"

    def ready(self):
        from . import receivers

        receivers.connect()

        from . import purpose

        purpose.register()  # the task page shows this module's progress (campaigns.purposes)
