from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Assignment, Campaign, Membership, Region, Section, Task, Unit, UnitGroup


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
