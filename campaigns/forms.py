import uuid

from django import forms
from django.core.exceptions import ValidationError

from . import lifecycle
from .evidence import ALLOWED_DESCRIPTION, check_upload, evidence_max_bytes
from .models import AdjustmentRequest, Assignment, ProgressReport


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("allow_empty_file", True)  # evidence.check_upload refuses it, naming the file
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


BLANK_LABEL = "请选择"


def label_blank_choices(form, label=BLANK_LABEL):
    """Replace Django's "---------" blank choice in the form's selects with a Chinese prompt."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField):
            if field.empty_label is not None:
                field.empty_label = label
        elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
            choices = list(field.choices)
            if any(value == "" and text == "---------" for value, text in choices):
                field.choices = [(value, label if value == "" and text == "---------" else text) for value, text in choices]


class BootstrapForm(forms.Form):
    """Gives every visible widget Bootstrap's class."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if widget.is_hidden:
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
        label_blank_choices(self)


class VersionedForm(BootstrapForm):
    """Carries the assignment version the user saw (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ProgressReportForm(VersionedForm):
    STATUS_CHOICES = [
        (Assignment.Status.IN_PROGRESS, "进行中（报告阶段性进展）"),
        (Assignment.Status.SUBMITTED, "已完成，提交核验"),
    ]

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    text = forms.CharField(label="工作进展", widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="本次完成了哪些工作：时间、地点、形式、对象、成效。")
    percent = forms.IntegerField(label="完成百分比", min_value=0, max_value=100)
    status = forms.ChoiceField(label="状态", choices=STATUS_CHOICES)
    done_on = forms.DateField(
        label="实际完成日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="工作实际完成（如活动举办）的日期，不是填报日期；默认今天。是否逾期按这一天与当时的完成时限比较。",
    )
    events_held = forms.IntegerField(label="开展活动（场）", min_value=0, initial=0)
    participants = forms.IntegerField(label="参与人数（人次）", min_value=0, initial=0)
    enterprises_served = forms.IntegerField(label="服务企业（家）", min_value=0, initial=0)
    consultations = forms.IntegerField(label="提供咨询（次）", min_value=0, initial=0)
    materials_distributed = forms.IntegerField(label="发放资料（份）", min_value=0, initial=0)
    files = MultipleFileField(label="佐证材料", required=False)

    def __init__(self, *args, campaign=None, **kwargs):
        self.campaign = campaign
        super().__init__(*args, **kwargs)
        today = lifecycle.today()
        self.fields["done_on"].widget.attrs["max"] = today.isoformat()
        if campaign is not None and campaign.starts_on:
            self.fields["done_on"].widget.attrs["min"] = campaign.starts_on.isoformat()
        if not self.is_bound:
            self.initial.setdefault("done_on", today)
        self.fields["files"].help_text = (
            f"可多选：{ALLOWED_DESCRIPTION}，每个文件不超过 {evidence_max_bytes() // (1024 * 1024)} MB。"
            "提交核验时至少要有一份佐证材料。"
        )
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)

    def clean_files(self):
        checked, errors = [], []
        for upload in self.cleaned_data.get("files") or []:
            try:
                checked.append(check_upload(upload))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return checked

    def clean(self):
        data = super().clean()
        if data.get("status") == Assignment.Status.SUBMITTED:
            done_on = data.get("done_on") or lifecycle.today()
            data["done_on"] = done_on
            problem = self.campaign is not None and lifecycle.check_done_on(done_on, self.campaign)
            if problem:
                self.add_error("done_on", problem)
        else:
            data["done_on"] = None
        return data

    def figures(self):
        return {name: self.cleaned_data.get(name) or 0 for name in ProgressReport.FIGURES}


class ReviewForm(VersionedForm):
    comment = forms.CharField(label="核验意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    done_on = forms.DateField(
        label="实际完成日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="核验时可更正单位填写的实际完成日期（请在核验意见中写明理由）。",
    )

    def __init__(self, *args, campaign=None, **kwargs):
        self.campaign = campaign
        super().__init__(*args, **kwargs)
        self.fields["done_on"].widget.attrs["max"] = lifecycle.today().isoformat()
        if campaign is not None and campaign.starts_on:
            self.fields["done_on"].widget.attrs["min"] = campaign.starts_on.isoformat()


class AdjustmentRequestForm(BootstrapForm):
    kind = forms.ChoiceField(label="调整类别", choices=AdjustmentRequest.Kind.choices)
    proposed_deadline = forms.DateField(label="拟调整的完成时限", required=False,
                                        widget=forms.DateInput(attrs={"type": "date"}))
    proposed_title = forms.CharField(label="调整后的任务内容", required=False, max_length=500)
    proposed_description = forms.CharField(label="调整后的说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label="调整理由", widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("kind") == AdjustmentRequest.Kind.DEADLINE and not data.get("proposed_deadline"):
            self.add_error("proposed_deadline", "请填写拟调整的完成时限。")
        if data.get("kind") == AdjustmentRequest.Kind.CONTENT and not (
            data.get("proposed_title") or data.get("proposed_description")
        ):
            self.add_error("proposed_title", "请填写调整后的任务内容或说明。")
        return data


class AdjustmentDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "批准"), ("reject", "不批准")])
    comment = forms.CharField(label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))
