import re

from django import forms

from campaigns.evidence import check_upload, describe_kinds, human_size
from campaigns.forms import label_blank_choices
from campaigns.models import Task

from .models import TypicalCase

MAX_PHOTOS = 6

# Uploads are checked by content (campaigns.evidence), against these kinds and limits.
DOCUMENT_KINDS = frozenset({"pdf", "docx", "doc", "odt"})
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
PHOTO_KINDS = frozenset({"jpg", "png"})
PHOTO_MAX_BYTES = 5 * 1024 * 1024


class WrittenSummaryForm(forms.Form):
    text = forms.CharField(
        label="总结正文", widget=forms.Textarea(attrs={"rows": 12}), min_length=20,
        error_messages={"min_length": "总结正文至少 %(limit_value)d 个字。", "required": "请填写总结正文。"},
    )
    document = forms.FileField(
        label=f"附件（可选，{describe_kinds(DOCUMENT_KINDS)}，不超过 {human_size(DOCUMENT_MAX_BYTES)}）", required=False
    )

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if upload:
            checked = check_upload(upload, kinds=DOCUMENT_KINDS, max_bytes=DOCUMENT_MAX_BYTES, label="总结附件")
            self.document_ext = checked.extension
        return upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class TypicalCaseForm(forms.ModelForm):
    photos = MultipleFileField(
        label=f"照片（可选，{describe_kinds(PHOTO_KINDS)}，每张不超过 {human_size(PHOTO_MAX_BYTES)}，最多 {MAX_PHOTOS} 张）",
        required=False,
    )

    class Meta:
        model = TypicalCase
        fields = ["title", "institution", "institution_type", "summary", "actions", "results", "related_tasks"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "actions": forms.Textarea(attrs={"rows": 6}),
            "results": forms.Textarea(attrs={"rows": 4}),
            "related_tasks": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["related_tasks"].queryset = Task.objects.filter(campaign=campaign).order_by("number")
        self.fields["related_tasks"].label_from_instance = lambda t: f"{t.number}. {t.title}"
        label_blank_choices(self)

    def clean_results(self):
        results = self.cleaned_data["results"]
        if not re.search(r"\d", results):
            raise forms.ValidationError("工作成效请写明具体数字（如服务企业数、培训人次）。")
        return results

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > MAX_PHOTOS:
            raise forms.ValidationError(f"照片最多 {MAX_PHOTOS} 张。")
        self.checked_photos = [
            (p, check_upload(p, kinds=PHOTO_KINDS, max_bytes=PHOTO_MAX_BYTES, label="案例照片").extension) for p in photos
        ]
        return photos


class CompileForm(forms.ModelForm):
    """What the coordinator chooses when compiling: 发文字号, 主送机关, 成文日期, 版头."""

    class Meta:
        from .models import ReportSetting

        model = ReportSetting
        fields = ["document_number", "recipients", "report_date", "with_letterhead"]
        widgets = {"report_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        error_messages = {"report_date": {"invalid": "成文日期格式应为 年-月-日，如 2024-10-15。"}}

    def clean_document_number(self):
        value = self.cleaned_data["document_number"].strip()
        if value and not re.search(r"\d+号$", value):
            raise forms.ValidationError("发文字号应以“××号”结尾，如：青市监〔2024〕88号。")
        return value
