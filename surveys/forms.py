import json

from django import forms

from campaigns.evidence import check_upload
from campaigns.forms import label_blank_choices

from .models import Survey
from .spreadsheet import MAX_BYTES as SHEET_MAX_BYTES
from .spreadsheet import SpreadsheetInvalid, read_rows, rows_to_schema
from .validation import MAX_JSON_DEPTH, BodyInvalid, SchemaInvalid, bounded_number, check_schema, json_depth, no_constant

MAX_JSON_UPLOAD = 2 * 1024 * 1024


# Python's json messages (English) and what they mean for someone editing a questionnaire.
JSON_PROBLEMS = [
    ("Expecting property name enclosed in double quotes", "属性名应使用英文双引号括起来（也可能是末尾多了逗号）"),
    ("Expecting ',' delimiter", "缺少英文逗号“,”"),
    ("Expecting ':' delimiter", "缺少英文冒号“:”"),
    ("Expecting value", "此处应为一个值（文字要用英文双引号括起来，也可能是末尾多了逗号）"),
    ("Unterminated string", "文字缺少结尾的英文双引号"),
    ("Invalid control character", "文字中有不允许的字符（如直接换行或制表符）"),
    ("Invalid \\escape", "反斜杠“\\”的写法无效"),
    ("Illegal trailing comma", "末尾多了逗号"),
    ("Extra data", "JSON 结束后还有多余的内容"),
]


def json_problem(message):
    """A Chinese reading of a json.JSONDecodeError message."""
    for english, chinese in JSON_PROBLEMS:
        if message.startswith(english):
            return chinese
    return "写法不正确"


class QuestionnaireForm(forms.Form):
    """The questionnaire itself: pasted JSON, an uploaded JSON file, or a spreadsheet."""

    schema_text = forms.CharField(label="SurveyJS 定义（JSON）", required=False, widget=forms.Textarea(attrs={"rows": 18}))
    schema_file = forms.FileField(label="或上传 JSON 文件", required=False)
    sheet = forms.FileField(label="或上传题目表（xlsx/csv，每行一题）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schema_text"].widget.attrs.update({"class": "form-control font-monospace small"})
        for name in ("schema_file", "sheet"):
            self.fields[name].widget.attrs.update({"class": "form-control form-control-sm"})

    def clean(self):
        data = super().clean()
        sheet, upload, text = data.get("sheet"), data.get("schema_file"), data.get("schema_text", "")
        if sheet:
            head = sheet.read(4)
            sheet.seek(0)
            if head == b"PK\x03\x04":
                # An Excel workbook: judged by the site's one upload checker (content, size).
                check_upload(sheet, kinds={"xlsx"}, max_bytes=SHEET_MAX_BYTES, label="题目表")
                sheet.seek(0)
            try:
                schema, _ = rows_to_schema(read_rows(sheet.read()), title=self.data.get("title", ""))
            except SpreadsheetInvalid as exc:
                raise forms.ValidationError(exc.errors) from None
        else:
            if upload:
                if upload.size > MAX_JSON_UPLOAD:
                    raise forms.ValidationError("JSON 文件过大（上限 2 MB）")
                raw = upload.read()
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise forms.ValidationError("上传的文件不是 UTF-8 文本的 JSON") from None
            if not text.strip():
                raise forms.ValidationError("请粘贴 SurveyJS 定义，或上传 JSON 文件或题目表")
            if json_depth(text, stop=MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
                raise forms.ValidationError(f"JSON 嵌套过深（超过 {MAX_JSON_DEPTH} 层）")
            try:
                schema = json.loads(text, parse_int=bounded_number(int), parse_float=bounded_number(float),
                                    parse_constant=no_constant)
            except BodyInvalid as exc:
                raise forms.ValidationError(f"JSON 内容有误：{exc}") from None
            except json.JSONDecodeError as exc:
                raise forms.ValidationError(
                    f"JSON 格式有误：第 {exc.lineno} 行第 {exc.colno} 列，{json_problem(exc.msg)}"
                ) from None
        try:
            check_schema(schema)
        except SchemaInvalid as exc:
            raise forms.ValidationError(exc.errors) from None
        data["schema"] = schema
        return data


class SurveySettingsForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["campaign", "task", "title", "description", "status", "access", "allow_resume", "opens_at", "closes_at"]
        widgets = {
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        tasks = self.fields["task"].queryset.select_related("campaign").order_by("campaign", "number", "pk")
        if self.instance.pk:
            # A survey stays in its campaign: only that campaign's tasks are offered.
            del self.fields["campaign"]
            self.fields["task"].queryset = tasks.filter(campaign_id=self.instance.campaign_id)
        else:
            self.fields["campaign"].queryset = campaigns
            self.fields["task"].queryset = tasks.filter(campaign__in=campaigns)
            if campaigns.count() > 1:
                # Several campaigns: each task says which one it belongs to (numbers repeat).
                self.fields["task"].label_from_instance = lambda t: f"{t.campaign.title} · {t.number}. {t.title}"
        for name, field in self.fields.items():
            css = "form-check-input" if name == "allow_resume" else (
                "form-select" if name in ("campaign", "task", "status", "access") else "form-control")
            field.widget.attrs.setdefault("class", css)
        label_blank_choices(self)

    def clean(self):
        data = super().clean()
        task, campaign = data.get("task"), data.get("campaign", self.instance.campaign if self.instance.pk else None)
        if task and campaign and task.campaign_id != campaign.pk:
            self.add_error("task", "所选任务不属于该活动方案")
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", "截止时间应晚于开始时间")
        return data
