from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AdjustmentRequest,
    Assignment,
    Campaign,
    Evidence,
    Membership,
    ProgressReport,
    Region,
    ReminderLog,
    Section,
    Task,
    Unit,
    UnitGroup,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "ordinal"]
    list_filter = ["kind"]
    filter_horizontal = ["neighbours"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "region", "ordinal"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "short_name"]
    inlines = [MembershipInline]


@admin.register(UnitGroup)
class UnitGroupAdmin(admin.ModelAdmin):
    list_display = ["name"]
    filter_horizontal = ["members"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role", "unit__kind"]
    search_fields = ["user__username", "unit__name"]
    autocomplete_fields = ["user", "unit"]


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "document_number", "status", "starts_on", "ends_on", "summary_due"]
    list_filter = ["status"]
    search_fields = ["title", "code", "document_number"]
    prepopulated_fields = {"code": ["title"]}
    inlines = [SectionInline]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["unit"]
    fields = ["unit", "role", "via_group", "position", "status", "percent", "completed_at", "completed_late"]


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "campaign", "section", "deadline"]
    list_display_links = ["number", "title"]
    list_filter = ["campaign", "section"]
    search_fields = ["title", "description"]
    list_select_related = ["campaign", "section"]
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["task", "unit", "role", "status", "percent", "completed_late"]
    list_filter = ["role", "status", "task__campaign"]
    search_fields = ["task__title", "unit__name"]
    list_select_related = ["task", "unit"]
    autocomplete_fields = ["unit"]


# ---------------------------------------------------------------- progress (read-only journal)


class ReadOnlyAdmin(admin.ModelAdmin):
    """The journal is append-only: the admin may look, never edit or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["original_name", "content_type", "size", "file"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "author", "created_at", "status", "percent"]
    list_filter = ["status", "assignment__task__campaign"]
    search_fields = ["text", "assignment__unit__name"]
    list_select_related = ["assignment__task", "assignment__unit", "author"]
    inlines = [EvidenceInline]


@admin.register(AdjustmentRequest)
class AdjustmentRequestAdmin(ReadOnlyAdmin):
    list_display = ["task", "assignment", "kind", "status", "requested_by", "created_at", "decided_by"]
    list_filter = ["status", "kind", "task__campaign"]
    list_select_related = ["task", "assignment__unit", "assignment__task", "requested_by", "decided_by"]


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "kind", "threshold", "sent_at", "recipients"]
    list_filter = ["kind"]
    list_select_related = ["assignment__task", "assignment__unit"]
