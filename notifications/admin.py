from django.contrib import admin

from .models import ChaseUp, ContactPreference, Delivery, Notification, UnitRobot


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username"]
    raw_id_fields = ["recipient", "unit", "campaign"]


@admin.register(UnitRobot)
class UnitRobotAdmin(admin.ModelAdmin):
    """The webhook URL and secret are entered here but only ever shown masked."""

    list_display = ["unit", "kind", "name", "masked_url", "active"]
    list_filter = ["kind", "active"]
    exclude = ["secret"]
    readonly_fields = ["masked_url"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["unit", "kind", "name", "webhook_url", "active"]
        return ["unit", "kind", "name", "masked_url", "active"]

    @admin.display(description="Webhook 地址")
    def masked_url(self, obj):
        return obj.masked_url


@admin.register(ContactPreference)
class ContactPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "mobile", "by_email", "by_sms"]
    raw_id_fields = ["user"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "target", "unit", "kind", "status", "attempts", "last_error"]
    list_filter = ["status", "channel", "kind"]
    readonly_fields = [f.name for f in Delivery._meta.fields]


@admin.register(ChaseUp)
class ChaseUpAdmin(admin.ModelAdmin):
    list_display = ["sent_on", "campaign", "unit", "about", "sent_by"]
    list_filter = ["sent_on"]
    readonly_fields = [f.name for f in ChaseUp._meta.fields]
