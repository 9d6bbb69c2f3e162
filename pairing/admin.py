from django.contrib import admin

from .models import Industry, InstitutionProfile, MentoringActivity, Need, Pairing, Service


@admin.register(Service, Industry)
class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["name", "ordinal"]
    list_editable = ["ordinal"]


@admin.register(InstitutionProfile)
class InstitutionProfileAdmin(admin.ModelAdmin):
    list_display = ["unit", "capacity", "active"]
    filter_horizontal = ["services", "industries"]
    autocomplete_fields = ["unit"]


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["unit", "campaign", "source", "updated_at"]
    list_filter = ["campaign", "source"]
    filter_horizontal = ["services", "industries"]
    autocomplete_fields = ["unit"]


class MentoringActivityInline(admin.TabularInline):
    model = MentoringActivity
    extra = 0
    fields = ["date", "kind", "participants", "summary", "logged_by_unit", "confirmed_at"]


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["mentor", "mentee", "campaign", "status", "score", "starts_on", "ends_on"]
    list_filter = ["campaign", "status"]
    filter_horizontal = ["focus_services", "focus_industries"]
    raw_id_fields = ["mentor", "mentee", "task"]
    inlines = [MentoringActivityInline]
