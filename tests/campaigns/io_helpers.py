"""Building spreadsheets and notices for the import tests."""

import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings

# A copy of the published notice (shared/seeds/003), kept with the demo fixture.
NOTICE = Path(settings.BASE_DIR) / "fixtures" / "qinghai_2024_notice.txt"
SHARED_SEED = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "003_d311640a58962c0b.txt"
FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "qinghai_2024.json"
HEADERS = ["活动安排", "编号", "任务", "责任单位", "完成时限", "备注"]


def fixture():
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def xlsx_bytes(rows, headers=HEADERS):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, headers=HEADERS, encoding="utf-8-sig"):
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def plan_rows(n, units="西宁市市场监管局", bad_row=None, bad_units="西宁市场督察局"):
    """n task rows; the task on spreadsheet row `bad_row` (header is row 1) names an unknown unit."""
    rows = []
    for i in range(1, n + 1):
        sheet_row = i + 1
        rows.append(
            [
                f"（{'一二三'[i % 3]}）活动安排{i % 3 + 1}",
                i,
                f"导入任务{i}",
                bad_units if sheet_row == bad_row else units,
                "2024-06-30",
                "",
            ]
        )
    return rows


def snapshot(campaign=None):
    """Everything an import could write, to compare before and after."""
    from campaigns.models import Assignment, Campaign, Section, Task

    tasks = Task.objects.all() if campaign is None else Task.objects.filter(campaign=campaign)
    return (
        sorted(Campaign.objects.values_list("code", "title", "status")),
        sorted(Section.objects.values_list("campaign_id", "ordinal", "title")),
        sorted(tasks.values_list("campaign_id", "number", "title", "deadline", "notes", "section_id")),
        sorted(Assignment.objects.values_list("task_id", "unit_id", "role", "status")),
        Task.history.count(),
        Assignment.history.count(),
    )


def plan_of(campaign):
    """(number, section ordinal, section title, title, deadline, [(unit, role, group)]) for every task."""
    from campaigns.models import Task

    result = []
    for task in Task.objects.filter(campaign=campaign).for_plan().order_by("number"):
        units = [(a.unit.name, a.role, a.via_group.name if a.via_group else None) for a in task.assignments.all()]
        result.append((task.number, task.section.ordinal, task.section.title, task.title, task.deadline, units))
    return result


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Stashed uploads go to a throwaway MEDIA_ROOT (import this fixture into a test module)."""
    settings.MEDIA_ROOT = tmp_path / "media"
