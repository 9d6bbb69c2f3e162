from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Inbox, channels, reminders and chase-ups. Sits above campaigns, surveys and pairing
    and listens to their signals; none of them imports it."""

    name = "notifications"
    verbose_name = "消息与催报"

    def ready(self):
        from . import receivers

        receivers.connect()
