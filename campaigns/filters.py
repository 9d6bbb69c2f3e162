"""Filters for the coordinator's task list and 我的任务. They narrow a queryset the access helpers
already scoped to the user; they are never the access check."""
import django_filters
from django import forms
from django.db.models import Q

from . import lifecycle
from .access import units_with_work_in
from .models import Assignment, Section, Task, Unit


class AnyYesNoWidget(django_filters.widgets.BooleanWidget):
    """django-filter's yes/no select, with 全部 for "no filter" (its own label reads 未知)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", "全部"), ("true", "是"), ("false", "否")]


def _bootstrap(form):
    """Bootstrap's small controls on every field of a filter form."""
    for field in form.fields.values():
        css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
        field.widget.attrs.setdefault("class", css)


class TaskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="关键词", method="filter_text")
    section = django_filters.ModelChoiceFilter(label="活动安排", queryset=Section.objects.none(), empty_label="全部")
    unit = django_filters.ModelChoiceFilter(
        label="责任单位", queryset=Unit.objects.none(), method="filter_unit", empty_label="全部"
    )
    status = django_filters.ChoiceFilter(
        label="分工状态", choices=Assignment.Status.choices, method="filter_status", empty_label="全部"
    )
    overdue = django_filters.BooleanFilter(
        label="仅看逾期", method="filter_overdue", widget=AnyYesNoWidget()
    )
    due_within = django_filters.NumberFilter(label="几天内到期", method="filter_due_within", min_value=0, max_value=3650)

    class Meta:
        model = Task
        fields = ["q", "section", "unit", "status", "overdue", "due_within"]

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["section"].queryset = Section.objects.filter(campaign=campaign)
        self.filters["unit"].queryset = Unit.objects.filter(pk__in=units_with_work_in([campaign]))
        _bootstrap(self.form)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        query = Q(title__icontains=value) | Q(description__icontains=value) | Q(notes__icontains=value)
        if value.isdigit():
            query |= Q(number=int(value))
        return queryset.filter(query)

    def filter_unit(self, queryset, name, value):
        return queryset.filter(assignments__unit=value).distinct() if value else queryset

    def filter_status(self, queryset, name, value):
        return queryset.filter(assignments__status=value).distinct() if value else queryset

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=Assignment.objects.overdue(lifecycle.today()).values("task_id"))

    def filter_due_within(self, queryset, name, value):
        if value is None:
            return queryset
        due = Assignment.objects.due_soon(lifecycle.today(), days=int(value))
        return queryset.filter(pk__in=due.values("task_id"))


class MyTaskFilter(django_filters.FilterSet):
    """我的任务: narrows the user's own assignments (already scoped by campaigns/access.py)
    by text, status, deadline state (the lifecycle's overdue / due soon) and section."""

    DEADLINE_CHOICES = [("overdue", "已逾期"), ("due_soon", "即将到期")]

    q = django_filters.CharFilter(label="关键词", method="filter_text")
    status = django_filters.ChoiceFilter(label="状态", choices=Assignment.Status.choices, empty_label="全部")
    deadline = django_filters.ChoiceFilter(
        label="完成时限", choices=DEADLINE_CHOICES, method="filter_deadline", empty_label="全部"
    )
    section = django_filters.ModelChoiceFilter(
        label="活动安排", field_name="task__section", queryset=Section.objects.none(), empty_label="全部"
    )

    class Meta:
        model = Assignment
        fields = ["q", "status", "deadline", "section"]

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        # Only the sections the user's own assignments are in (the queryset is already scoped).
        self.filters["section"].queryset = (
            Section.objects.filter(pk__in=queryset.values("task__section_id")).select_related("campaign")
            .order_by("campaign__title", "ordinal")
        )
        _bootstrap(self.form)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        query = (
            Q(task__title__icontains=value) | Q(task__description__icontains=value)
            | Q(task__campaign__title__icontains=value) | Q(unit__name__icontains=value)
        )
        if value.isdigit():
            query |= Q(task__number=int(value))
        return queryset.filter(query)

    def filter_deadline(self, queryset, name, value):
        if value == "overdue":
            return queryset.overdue(lifecycle.today())
        if value == "due_soon":
            return queryset.due_soon(lifecycle.today())
        return queryset
