from django import forms
from django.conf import settings
from django.utils import timezone

from campaigns.access import campaign_units
from campaigns.evidence import check_upload, describe_kinds
from campaigns.forms import label_blank_choices
from campaigns.models import Unit

from .models import Industry, InstitutionProfile, MentoringActivity, Pairing, Service

# Uploads are checked by content (campaigns.evidence): a signed agreement is a PDF, a Word
# document or a photo of the paper; an activity's evidence may also be a spreadsheet.
AGREEMENT_KINDS = frozenset({"pdf", "docx", "doc", "png", "jpg"})
ACTIVITY_EVIDENCE_KINDS = frozenset({"pdf", "docx", "doc", "xlsx", "xls", "png", "jpg"})


def upload_max_bytes():
    """The largest agreement or evidence file (setting PAIRING_MAX_UPLOAD_BYTES, default 20 MB)."""
    return getattr(settings, "PAIRING_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)


class BootstrapMixin:
    """Give every widget its Bootstrap class (checkbox lists are laid out by the template)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
        label_blank_choices(self)


class VocabularyForm(BootstrapMixin, forms.Form):
    services = forms.ModelMultipleChoiceField(
        label="服务", queryset=Service.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    industries = forms.ModelMultipleChoiceField(
        label="产业", queryset=Industry.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )


class NeedForm(VocabularyForm):
    notes = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if not data.get("services") and not data.get("industries"):
            raise forms.ValidationError("请至少选择一项需要的服务或所属产业。")
        return data


class AddNeedForm(BootstrapMixin, forms.Form):
    unit = forms.ModelChoiceField(label="受帮扶单位", queryset=Unit.objects.none())

    def __init__(self, *args, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.exclude(pairing_needs__campaign=campaign).exclude(
            kind=Unit.Kind.PROVINCIAL_DIVISION
        )


class ProfileForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = InstitutionProfile
        fields = ["services", "industries", "capacity", "active", "notes"]
        widgets = {
            "services": forms.CheckboxSelectMultiple,
            "industries": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class PairingForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Pairing
        fields = ["task", "focus_services", "focus_industries", "goals", "starts_on", "ends_on", "status"]
        widgets = {
            "focus_services": forms.CheckboxSelectMultiple,
            "focus_industries": forms.CheckboxSelectMultiple,
            "goals": forms.Textarea(attrs={"rows": 3}),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = self.instance.campaign.tasks.all()
        self.fields["status"].choices = [c for c in Pairing.Status.choices if c[0] != Pairing.Status.REJECTED]

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise forms.ValidationError("结束日期不能早于开始日期。")
        return data


class ChangeMentorForm(BootstrapMixin, forms.Form):
    mentor = forms.ModelChoiceField(label="改为帮扶机构", queryset=Unit.objects.none())

    def __init__(self, *args, pairing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = (
            campaign_units(pairing.campaign).filter(pairing_profile__active=True)
            .exclude(pk__in=[pairing.mentor_id, pairing.mentee_id])
        )


class NewPairingForm(BootstrapMixin, forms.Form):
    mentee = forms.ModelChoiceField(label="受帮扶单位", queryset=Unit.objects.none())
    mentor = forms.ModelChoiceField(label="帮扶机构", queryset=Unit.objects.none())

    def __init__(self, *args, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the campaign's units (work in it, or its province): never the whole country.
        units = campaign_units(campaign)
        self.fields["mentee"].queryset = units.filter(pairing_needs__campaign=campaign)
        self.fields["mentor"].queryset = units.filter(pairing_profile__active=True)


class AgreementForm(BootstrapMixin, forms.Form):
    agreement = forms.FileField(label="帮扶协议（PDF、Word 或图片）")

    def clean_agreement(self):
        file = self.cleaned_data["agreement"]
        check_upload(file, kinds=AGREEMENT_KINDS, max_bytes=upload_max_bytes(), label="帮扶协议")
        return file


class ActivityForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = MentoringActivity
        fields = ["date", "kind", "participants", "summary", "evidence"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"evidence": f"可上传：{describe_kinds(ACTIVITY_EVIDENCE_KINDS)}（按文件内容判断）。"}

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("活动日期不能晚于今天。")
        return date

    def clean_evidence(self):
        file = self.cleaned_data.get("evidence")
        if file and hasattr(file, "content_type"):  # a new upload, not the stored file
            check_upload(file, kinds=ACTIVITY_EVIDENCE_KINDS, max_bytes=upload_max_bytes(), label="活动佐证材料")
        return file
