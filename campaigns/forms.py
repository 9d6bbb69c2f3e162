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


# ---------------------------------------------------------------- plan editor (campaigns/editor.py)

from .models import Campaign, Membership, Section, Task, Unit  # noqa: E402

DATE_INPUT = {"type": "date"}


def date_widget():
    """A browser date picker; its value must be ISO (the locale's format would leave it empty)."""
    return forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d")


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label="修改原因", required=False, max_length=80,
                             help_text="记入变更记录；已发布的方案请写明原因。")


def parse_content_areas(text):
    """“标题：正文” per line → [{"title", "text"}] (a line without “：” is a title alone)."""
    areas = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        if "：" not in line:
            line = line.replace(":", "：", 1)
        title, _, body = line.partition("：")
        areas.append({"title": title.strip(), "text": body.strip()})
    return areas


def format_content_areas(areas):
    return "\n".join(f"{a.get('title', '')}：{a.get('text', '')}" if a.get("text") else a.get("title", "")
                     for a in areas or [])


class CampaignHeaderForm(ReasonForm):
    title = forms.CharField(label="标题", max_length=200)
    document_number = forms.CharField(label="文号", max_length=100, required=False,
                                      help_text="如 青市监函〔2024〕144号")
    issuing_authority = forms.CharField(label="发文机关", max_length=100, required=False)
    issued_on = forms.DateField(label="印发日期", required=False, widget=date_widget())
    starts_on = forms.DateField(label="开始日期", widget=date_widget())
    ends_on = forms.DateField(label="结束日期", widget=date_widget())
    summary_due = forms.DateField(label="书面总结报送截止日期", widget=date_widget())
    theme = forms.CharField(label="活动主题", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    content_areas = forms.CharField(label="活动内容", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                    help_text="每行一项，写作“标题：内容”。")

    field_order = ["title", "document_number", "issuing_authority", "issued_on", "starts_on", "ends_on",
                   "summary_due", "theme", "content_areas", "reason"]

    @classmethod
    def for_campaign(cls, campaign):
        initial = {name: getattr(campaign, name) for name in ("title", "document_number", "issuing_authority",
                                                              "issued_on", "starts_on", "ends_on", "summary_due",
                                                              "theme")}
        initial["content_areas"] = format_content_areas(campaign.content_areas)
        return cls(initial=initial)

    def clean_content_areas(self):
        return parse_content_areas(self.cleaned_data.get("content_areas"))

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "结束日期不能早于开始日期。")
        return data

    def values(self):
        return {k: v for k, v in self.cleaned_data.items() if k != "reason"}


class NewCampaignForm(BootstrapForm):
    title = forms.CharField(label="标题", max_length=200)
    code = forms.SlugField(label="代码", max_length=50, help_text="网址中使用的简短英文代码，如 qinghai-2025。")
    coordinating_unit = forms.ModelChoiceField(label="协调单位", queryset=Unit.objects.none())
    document_number = forms.CharField(label="文号", max_length=100, required=False)
    issuing_authority = forms.CharField(label="发文机关", max_length=100, required=False)
    starts_on = forms.DateField(label="开始日期", widget=date_widget())
    ends_on = forms.DateField(label="结束日期", widget=date_widget())
    summary_due = forms.DateField(label="书面总结报送截止日期", widget=date_widget())

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinating_unit"].queryset = units if units is not None else Unit.objects.none()
        if units is not None and len(units) == 1:
            self.fields["coordinating_unit"].initial = units[0].pk

    def clean_code(self):
        code = self.cleaned_data["code"]
        if Campaign.objects.filter(code=code).exists():
            raise ValidationError("该代码已被其他活动方案使用，请换一个。")
        return code


class SectionForm(ReasonForm):
    title = forms.CharField(label="活动安排标题", max_length=200)


class TaskForm(ReasonForm):
    section = forms.ModelChoiceField(label="活动安排", queryset=Section.objects.none())
    title = forms.CharField(label="任务内容", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    units = forms.CharField(
        label="责任单位", max_length=1000,
        help_text="按通知的写法填写，第一个为牵头单位，如“省局知识产权公共服务处，各市州市场监管局”；也可从下方单位目录中选取。",
    )
    deadline = forms.DateField(label="完成时限", required=False, widget=date_widget())
    purpose = forms.ChoiceField(label="对应工作", choices=Task.Purpose.choices, required=False,
                                help_text="由哪项工作完成该任务；任务页将显示该工作的进展。")
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["section", "title", "units", "deadline", "purpose", "description", "reason"]

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = campaign.sections.order_by("ordinal")
        self.fields["units"].widget.attrs.update({"data-units-input": "1", "autocomplete": "off"})


class CopyPlanForm(BootstrapForm):
    INTERVALS = [("year", "顺延一年"), ("days", "顺延指定天数")]

    title = forms.CharField(label="新方案标题", max_length=200)
    code = forms.SlugField(label="新方案代码", max_length=50)
    document_number = forms.CharField(label="新方案文号", max_length=100, required=False)
    interval = forms.ChoiceField(label="日期顺延", choices=INTERVALS, initial="year", widget=forms.RadioSelect)
    days = forms.IntegerField(label="顺延天数", required=False, min_value=-3660, max_value=3660,
                              help_text="选择“顺延指定天数”时填写；负数为提前。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interval"].widget.attrs["class"] = "form-check-input"

    def clean_code(self):
        code = self.cleaned_data["code"]
        if Campaign.objects.filter(code=code).exists():
            raise ValidationError("该代码已被其他活动方案使用，请换一个。")
        return code

    def clean(self):
        data = super().clean()
        if data.get("interval") == "days" and data.get("days") is None:
            self.add_error("days", "请填写顺延天数。")
        return data


class LifecycleForm(BootstrapForm):
    reason = forms.CharField(label="理由", required=False, max_length=80)


class UnitAccountForm(BootstrapForm):
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none())
    username = forms.CharField(label="用户名", max_length=150, help_text="登录用，字母、数字或 _ . @ + -。")
    full_name = forms.CharField(label="姓名", max_length=150, required=False)
    email = forms.EmailField(label="电子邮箱", required=False, help_text="用于接收任务提醒。")
    role = forms.ChoiceField(label="角色", choices=[(Membership.Role.REPORTER, "填报人（填报进度）"),
                                                   (Membership.Role.VIEWER, "查看人（只读）")])

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class CompleteFromPurposeForm(BootstrapForm):
    done_on = forms.DateField(label="完成日期", widget=date_widget())
    comment = forms.CharField(label="说明", required=False, max_length=500)
