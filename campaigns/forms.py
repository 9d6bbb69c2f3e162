from django import forms

from .models import Assignment


class AssignmentStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="状态",
        choices=[
            (Assignment.Status.NOT_STARTED, Assignment.Status.NOT_STARTED.label),
            (Assignment.Status.IN_PROGRESS, Assignment.Status.IN_PROGRESS.label),
        ],
    )
    percent = forms.IntegerField(label="完成百分比", min_value=0, max_value=100)
