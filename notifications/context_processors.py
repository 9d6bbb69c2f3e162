from django.utils.functional import SimpleLazyObject


def inbox(request):
    """The unread count for the navigation bar (one query, only on pages that show it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .models import Notification

    def count():
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return {"inbox_unread": SimpleLazyObject(count)}
