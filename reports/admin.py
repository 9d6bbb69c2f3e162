from django.contrib import admin

from .models import Bulletin, CasePhoto, ReportSetting, TypicalCase, WrittenSummary


@admin.register(WrittenSummary)
class WrittenSummaryAdmin(admin.ModelAdmin):
    list_display = ["unit", "campaign", "submitted_at", "first_submitted_at", "is_current"]
    list_filter = ["campaign", "is_current"]
    search_fields = ["unit__name", "text"]


class CasePhotoInline(admin.TabularInline):
    model = CasePhoto
    extra = 0


@admin.register(TypicalCase)
class TypicalCaseAdmin(admin.ModelAdmin):
    list_display = ["title", "unit", "institution_type", "recommended", "submitted_at"]
    list_filter = ["campaign", "institution_type", "recommended"]
    search_fields = ["title", "institution", "summary"]
    filter_horizontal = ["related_tasks"]
    inlines = [CasePhotoInline]


@admin.register(ReportSetting)
class ReportSettingAdmin(admin.ModelAdmin):
    list_display = ["campaign", "document_number", "recipients", "report_date", "with_letterhead", "updated_at"]


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ["campaign", "number", "period_start", "period_end", "created_at"]
