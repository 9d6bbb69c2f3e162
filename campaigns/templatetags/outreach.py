from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from campaigns import lifecycle

register = template.Library()

STATUS_COLOURS = {
    "not_started": "secondary",
    "in_progress": "primary",
    "submitted": "info",
    "verified": "success",
    "returned": "warning",
    "cancelled": "light",
}


@register.filter
def status_colour(status):
    return STATUS_COLOURS.get(status, "secondary")


@register.simple_tag
def status_badge(assignment):
    return format_html(
        '<span class="badge text-bg-{}">{}</span>', status_colour(assignment.status), assignment.get_status_display()
    )


def _deadline_state(assignment):
    """(days_left, is_overdue, is_due_soon): the lifecycle annotations
    (Assignment.objects.with_deadline_state()), or the same rules applied to the row."""
    if hasattr(assignment, "is_overdue"):
        return assignment.days_left, assignment.is_overdue, assignment.is_due_soon
    deadline = assignment.task.deadline
    return (lifecycle.days_left(deadline), lifecycle.is_overdue(assignment.status, deadline),
            lifecycle.is_due_soon(assignment.status, deadline))


@register.simple_tag
def days_left_badge(assignment):
    """“剩余 N 天” / “今天到期” / “逾期 N 天” for an open assignment, nothing once done."""
    left, overdue, due_soon = _deadline_state(assignment)
    if left is None or not assignment.is_open:
        return ""
    if overdue:
        return format_html('<span class="badge text-bg-danger">逾期 {} 天</span>', -left)
    if left == 0:
        return mark_safe('<span class="badge text-bg-warning">今天到期</span>')  # noqa: S308 (a constant)
    colour = "warning" if due_soon else "light"
    return format_html('<span class="badge text-bg-{}">剩余 {} 天</span>', colour, left)


@register.simple_tag
def assignment_bar(assignment):
    """One unit's bar, coloured by its status: green only once verified; returned work
    reads 已退回 (whatever percent it had reported)."""
    status = assignment.status
    value = round(assignment.percent or 0)
    if status == lifecycle.S.RETURNED:
        text = f"已退回（曾报 {value}%）"
    elif status == lifecycle.S.SUBMITTED:
        text = f"{value}% 待核验"
    else:
        text = f"{value}%"
    return format_html(
        '<div class="progress" role="progressbar" aria-label="本单位进度" aria-valuenow="{}" aria-valuemin="0" '
        'aria-valuemax="100" data-status="{}"><div class="progress-bar text-bg-{}" style="width: {}%">{}</div></div>',
        value, status, status_colour(status), max(value, 25) if status == lifecycle.S.RETURNED else value, text,
    )


@register.simple_tag
def dual_progress(reported, verified, returned=0, label=""):
    """Verified progress (green) and reported progress (the rest, striped) as one bar, with
    both figures written out and returned work counted beside it."""
    reported, verified = round(reported or 0), round(verified or 0)
    pending = max(reported - verified, 0)
    badge = format_html(' <span class="badge text-bg-warning returned-badge">退回 {}</span>', returned) if returned else ""
    return format_html(
        '<div class="dual-progress" data-reported="{}" data-verified="{}">'
        '<div class="progress-stacked" role="img" aria-label="{}已核验 {}%，已填报 {}%">'
        '<div class="progress" style="width: {}%"><div class="progress-bar bg-success"></div></div>'
        '<div class="progress" style="width: {}%"><div class="progress-bar progress-bar-striped bg-info"></div></div>'
        '</div><div class="small text-muted">已核验 {}% · 已填报 {}%{}</div></div>',
        reported, verified, label, verified, reported, verified, pending, verified, reported, badge,
    )


@register.simple_tag
def progress_bar(value, label=""):
    value = round(value or 0)
    return format_html(
        '<div class="progress" role="progressbar" aria-label="{}进度" aria-valuenow="{}" aria-valuemin="0" '
        'aria-valuemax="100"><div class="progress-bar{}" style="width: {}%">{}%</div></div>',
        label, value, " bg-success" if value >= 100 else "", value, value,
    )


@register.filter
def chinese_reason(exception):
    """The reason an error page was raised with, when it is a sentence for people (Chinese
    text such as “没有找到该单位”); Django's own internals (resolver details) give nothing."""
    text = str(exception or "")
    return text if any("\u4e00" <= ch <= "\u9fff" for ch in text) and len(text) < 200 else ""
