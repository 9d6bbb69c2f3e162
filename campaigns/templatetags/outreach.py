from django import template
from django.utils.html import format_html

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


@register.simple_tag
def days_left_badge(assignment):
    """“剩余 N 天” / “今天到期” / “逾期 N 天” for an open assignment, nothing once done."""
    left = assignment.days_left()
    if left is None or not assignment.is_open:
        return ""
    if left < 0:
        return format_html('<span class="badge text-bg-danger">逾期 {} 天</span>', -left)
    if left == 0:
        return format_html('<span class="badge text-bg-warning">今天到期</span>')
    colour = "warning" if left <= 7 else "light"
    return format_html('<span class="badge text-bg-{}">剩余 {} 天</span>', colour, left)


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
