from django.contrib import admin

from .models import Job, ScheduledRun


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "percent", "owner", "created_at", "finished_at"]
    list_filter = ["status"]
    search_fields = ["title", "function"]
    readonly_fields = [f.name for f in Job._meta.fields]


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    list_display = ["name", "day", "job", "created_at"]
