"""Every upload that reads a spreadsheet — the question sheet of /surveys/new/, a plan import,
the unit directory import — refuses both spreadsheet bombs with a clear Chinese message,
writes nothing, and stays within a small, bounded amount of memory doing it."""
import tracemalloc
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import Unit
from surveys.models import Survey, SurveyVersion

from .bombs import dimension_bomb, shared_strings_bomb
from .io_helpers import _media_root, snapshot  # noqa: F401

# The worker the issue saw passed 1.5 GB; a refused bomb must cost a few tens of MB at most.
PYTHON_PEAK_LIMIT = 40 * 1024 * 1024
RSS_GROWTH_LIMIT = 150 * 1024 * 1024

QUESTION_SHEET = ("页面", "代码", "题型", "标题", "选项", "必答", "显示条件", "校验")
PLAN_SHEET = ("活动安排", "编号", "任务", "责任单位", "完成时限", "备注")
UNIT_SHEET = ("名称", "简称", "别名", "类别", "地区", "说明", "排序")

BOMBS = {
    "dimension": (dimension_bomb, "行的上限"),
    "shared-strings": (shared_strings_bomb, "疑似压缩炸弹"),
}


def _kib(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(field)


def measured(send):
    """(response, Python allocation peak, growth of the process's resident-set peak)."""
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    rss_before = _kib("VmRSS")
    tracemalloc.start()
    try:
        response = send()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return response, peak, _kib("VmHWM") - rss_before


def assert_bounded(peak, rss_growth):
    assert peak < PYTHON_PEAK_LIMIT, f"Python allocations peaked at {peak // 2**20} MB"
    assert rss_growth < RSS_GROWTH_LIMIT, f"resident memory grew by {rss_growth // 2**20} MB"


def surveys_state():
    return Survey.objects.count(), SurveyVersion.objects.count()


@pytest.mark.parametrize("bomb", BOMBS)
def test_the_question_sheet_refuses_a_bomb(demo, login, django_user_model, bomb):
    build, message = BOMBS[bomb]
    client = login(django_user_model.objects.get(username="province"))
    before = surveys_state()
    data = {"s-campaign": demo.pk, "s-title": "炸弹问卷", "s-status": "draft", "s-access": "invitation",
            "q-sheet": SimpleUploadedFile("题目.xlsx", build(QUESTION_SHEET))}
    response, peak, growth = measured(lambda: client.post(reverse("surveys:create"), data))
    assert response.status_code == 200 and message in response.content.decode()
    assert surveys_state() == before
    assert_bounded(peak, growth)


@pytest.mark.parametrize("bomb", BOMBS)
def test_a_plan_import_refuses_a_bomb(demo, login, django_user_model, bomb):
    build, message = BOMBS[bomb]
    client = login(django_user_model.objects.get(username="province"))
    before = snapshot()
    upload = SimpleUploadedFile("计划.xlsx", build(PLAN_SHEET))
    response, peak, growth = measured(
        lambda: client.post(reverse("campaigns:import", args=[demo.code]), {"file": upload}))
    assert response.status_code == 400 and message in response.content.decode()
    assert snapshot() == before
    assert_bounded(peak, growth)


@pytest.mark.parametrize("bomb", BOMBS)
def test_the_unit_directory_import_refuses_a_bomb(demo, login, django_user_model, bomb):
    build, message = BOMBS[bomb]
    client = login(django_user_model.objects.create_superuser("admin-bomb", password="pw-admin-123"))
    before = sorted(Unit.objects.values_list())
    upload = SimpleUploadedFile("单位.xlsx", build(UNIT_SHEET))
    response, peak, growth = measured(lambda: client.post(reverse("campaigns:units_import"), {"file": upload}))
    assert response.status_code in (200, 400) and message in response.content.decode()
    assert sorted(Unit.objects.values_list()) == before
    assert_bounded(peak, growth)
