from django.contrib import admin

from .models import Invitation, Response, Survey, SurveyVersion


class VersionInline(admin.TabularInline):
    model = SurveyVersion
    extra = 0
    readonly_fields = ["number", "checksum", "created_at", "created_by"]
    fields = readonly_fields
    can_delete = False


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "task", "status", "closes_at"]
    list_filter = ["status", "campaign"]
    inlines = [VersionInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["survey", "unit", "sent_at", "opened_at", "submitted_at"]
    list_filter = ["survey"]
    readonly_fields = ["token"]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["survey", "unit", "version", "status", "submitted_at"]
    list_filter = ["survey", "status"]
    readonly_fields = ["version", "invitation", "answers", "submitted_at"]
