import re

from django import forms

from .channels import ChannelError, robot_token
from .models import ROBOTS, Channel, ContactPreference, UnitRobot

MOBILE = re.compile(r"^1\d{10}$")


class PreferenceForm(forms.ModelForm):
    email = forms.EmailField(label="邮箱", required=False)

    class Meta:
        model = ContactPreference
        fields = ["mobile", "by_email", "by_sms"]

    def clean_mobile(self):
        mobile = re.sub(r"[\s-]", "", self.cleaned_data["mobile"] or "")
        if mobile and not MOBILE.match(mobile):
            raise forms.ValidationError("手机号应为 11 位数字，以 1 开头。")
        return mobile

    def clean(self):
        data = super().clean()
        if data.get("by_email") and not data.get("email"):
            self.add_error("email", "选择接收邮件时请填写邮箱。")
        if data.get("by_sms") and not data.get("mobile"):
            self.add_error("mobile", "选择接收短信时请填写手机号。")
        return data


class RobotForm(forms.ModelForm):
    class Meta:
        model = UnitRobot
        fields = ["kind", "name", "webhook_url", "secret"]
        widgets = {"secret": forms.PasswordInput(render_value=False)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No blank “---------” choice: a robot is always one of the three kinds.
        self.fields["kind"].choices = [(c.value, c.label) for c in ROBOTS]
        self.fields["kind"].widget.attrs["class"] = "form-select form-select-sm"

    def clean(self):
        data = super().clean()
        kind, url = data.get("kind"), (data.get("webhook_url") or "").strip()
        if kind and url:
            try:
                robot_token(kind, url)
            except ChannelError as error:
                self.add_error("webhook_url", str(error))
        secret = (data.get("secret") or "").strip()
        if secret and kind != Channel.DINGTALK:
            self.add_error("secret", "只有钉钉机器人需要加签密钥。")
        if secret and not re.fullmatch(r"[A-Za-z0-9]+", secret):
            self.add_error("secret", "加签密钥只含字母和数字（钉钉机器人设置中以 SEC 开头的一串）。")
        data["webhook_url"], data["secret"] = url, secret
        return data


ROBOT_KINDS = [(c.value, c.label) for c in ROBOTS]


class ChaseForm(forms.Form):
    units = forms.TypedMultipleChoiceField(label="催报单位", coerce=int, error_messages={
        "required": "请至少选择一个要催报的单位。",
        "invalid_choice": "所选单位不在本次可催报的范围内，请刷新页面后重新选择。",
    })
    message = forms.CharField(label="催报内容", max_length=1000, widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": "请填写催报内容。",
                                              "max_length": "催报内容请控制在 1000 字以内。"})

    def __init__(self, *args, silent=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [(u.pk, u.name) for u, _ in (silent.units if silent else [])]
