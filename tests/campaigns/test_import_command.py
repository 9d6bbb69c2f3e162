"""python manage.py import_plan: the web's path from the command line."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from campaigns.models import Campaign, Task

from .io_helpers import NOTICE, _media_root, plan_of, plan_rows, snapshot, xlsx_bytes  # noqa: F401


def run(*args):
    import io

    out = io.StringIO()
    call_command("import_plan", *args, stdout=out)
    return out.getvalue()


def test_row_50_with_an_unknown_unit_exits_non_zero_writing_nothing(demo, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(xlsx_bytes(plan_rows(60, bad_row=50)))
    before = snapshot()
    with pytest.raises(CommandError) as info:
        run(str(path), "--campaign", demo.code)
    assert "第50行：未知单位“西宁市场督察局”" in str(info.value)
    assert snapshot() == before
    with pytest.raises(CommandError):
        run(str(path), "--campaign", "brand-new")
    assert not Campaign.objects.filter(code="brand-new").exists()


def test_dry_run_prints_the_preview_and_writes_nothing(demo, tmp_path):
    path = tmp_path / "plan.csv"
    rows = plan_rows(3)
    path.write_text(
        "活动安排,编号,任务,责任单位,完成时限,备注\n" + "\n".join(",".join(map(str, r)) for r in rows), encoding="utf-8"
    )
    before = snapshot()
    out = run(str(path), "--campaign", "dry-2024", "--dry-run")
    assert "第2行 任务1 [新增] 导入任务1" in out and "试运行" in out
    assert snapshot() == before


def test_the_notice_creates_a_draft_campaign(demo):
    out = run(str(NOTICE), "--campaign", "qh-notice")
    assert "新增 22 项" in out
    campaign = Campaign.objects.get(code="qh-notice")
    assert campaign.status == Campaign.Status.DRAFT and campaign.tasks.count() == 22
    assert campaign.coordinating_unit.name == "省局知识产权公共服务处"
    assert (str(campaign.starts_on), str(campaign.ends_on), str(campaign.summary_due)) == (
        "2024-04-01",
        "2024-09-30",
        "2024-09-30",
    )
    # Run again: nothing changes.
    before = snapshot()
    assert "不变 22 项" in run(str(NOTICE), "--campaign", "qh-notice")
    assert snapshot() == before


def test_a_spreadsheet_creates_a_campaign_with_documented_defaults(demo, tmp_path):
    path = tmp_path / "2025年计划.xlsx"
    rows = plan_rows(2)
    rows[0][4] = "2025-03-01"
    rows[1][4] = "7月1日"
    path.write_bytes(xlsx_bytes(rows))
    run(str(path), "--campaign", "plan-2025", "--coordinating-unit", "省局商标品牌处")
    campaign = Campaign.objects.get(code="plan-2025")
    assert campaign.title == "2025年计划" and campaign.coordinating_unit.name == "省局商标品牌处"
    assert (str(campaign.starts_on), str(campaign.ends_on), str(campaign.summary_due)) == (
        "2025-01-01",
        "2025-12-31",
        "2025-12-31",
    )
    assert str(campaign.tasks.get(number=2).deadline) == "2025-07-01"


def test_refused_files_exit_non_zero(db, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"not a spreadsheet")
    with pytest.raises(CommandError, match="扩展名 .xlsx 与其内容不符"):
        run(str(path), "--campaign", "x")
    with pytest.raises(CommandError, match="找不到文件"):
        run(str(tmp_path / "missing.xlsx"), "--campaign", "x")


def test_exported_demo_plan_imported_as_a_new_campaign_is_the_same_plan(demo, login, django_user_model, tmp_path):
    client = login(django_user_model.objects.get(username="province"))
    response = client.get(reverse("campaigns:export", args=[demo.code, "tasks", "xlsx"]))
    assert response.status_code == 200
    path = tmp_path / "demo.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    run(str(path), "--campaign", "copy-2024")
    copy = Campaign.objects.get(code="copy-2024")
    assert plan_of(copy) == plan_of(demo)
    assert list(copy.sections.values_list("ordinal", "title")) == list(demo.sections.values_list("ordinal", "title"))
    assert Task.objects.filter(campaign=copy).count() == 22


def test_exported_csv_imported_back_changes_nothing(demo, login, django_user_model, tmp_path):
    client = login(django_user_model.objects.get(username="province"))
    path = tmp_path / "demo.csv"
    path.write_bytes(b"".join(client.get(reverse("campaigns:export", args=[demo.code, "tasks", "csv"])).streaming_content))
    before = snapshot()
    assert "不变 22" in run(str(path), "--campaign", demo.code)
    assert snapshot() == before


def test_the_notice_as_a_typeset_pdf_changes_nothing_in_the_demo(demo, tmp_path):
    import importlib.util

    from django.conf import settings

    spec = importlib.util.spec_from_file_location("build", Path(settings.BASE_DIR) / "fixtures/notices/build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    path = tmp_path / "方案.pdf"
    path.write_bytes(build.plan_pdf(NOTICE.read_text(encoding="utf-8"), header="青海省市场监督管理局"))
    before = snapshot()
    out = run(str(path), "--campaign", demo.code)
    assert "不变 22" in out and "合计 22 行" in out
    assert snapshot() == before
