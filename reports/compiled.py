"""The compiled final summary as a file, for the download views and the report job alike:
whose report (the user's scope), which formats (renderer, content type, Chinese file name,
job title), and how many tasks it covers (big reports are compiled on the job queue)."""
from campaigns.models import Task, Unit

from . import access as report_access
from .collect import collect
from .docx import render_docx
from .models import ReportSetting
from .pdf import render_pdf
from .xlsx import render_xlsx


def report_setting(campaign):
    """The campaign's remembered compile settings (unsaved defaults the first time)."""
    return ReportSetting.objects.filter(campaign=campaign).first() or ReportSetting(campaign=campaign)


def compiled_for(user, campaign, variant=None):
    """(campaign, report data) as `user` may see it; variant "report" leaves out the 版头."""
    unit_ids = report_access.report_unit_ids(user, campaign)
    label = ""
    if unit_ids is not None:
        label = "、".join(Unit.objects.filter(pk__in=unit_ids).order_by("ordinal", "name").values_list("name", flat=True))
    setting = report_setting(campaign)
    letterhead = setting.letterhead()
    if variant == "report":
        letterhead.with_letterhead = False
    data = collect(campaign, unit_ids=unit_ids, today=setting.report_date, units_label=label, letterhead=letterhead)
    return campaign, data


def _file_stem(data):
    return data.title + (f"（{data.scope}）" if data.scope else "")


def _body_suffix(data):
    return "（报告正文）" if not data.letterhead.with_letterhead else ""


# The compiled report's formats: (renderer, content type, file name from the data, job title).
FORMATS = {
    "pdf": (render_pdf, "application/pdf", lambda d: f"{_file_stem(d)}{_body_suffix(d)}.pdf", "生成总结报告 PDF"),
    "docx": (render_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             lambda d: f"{_file_stem(d)}{_body_suffix(d)}.docx", "生成总结报告 Word 文档"),
    "xlsx": (render_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             lambda d: f"{_file_stem(d)}数据附表.xlsx", "生成数据附表"),
}


def rendered(data, fmt):
    """(file name, bytes) of the compiled report in `fmt`."""
    render, _, name, _ = FORMATS[fmt]
    return name(data), render(data)


def report_task_count(campaign, unit_ids):
    """How many tasks the report covers: the whole campaign (unit_ids None) or the units' own."""
    tasks = Task.objects.filter(campaign=campaign)
    if unit_ids is not None:
        tasks = tasks.filter(assignments__unit_id__in=unit_ids).distinct()
    return tasks.count()
