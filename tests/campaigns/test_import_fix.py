"""Fixing the directory from an import preview, and choosing the task level: coordinators and
administrators only; a refused fix changes nothing; the preview is shown again."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import Unit

from .io_helpers import _media_root, snapshot  # noqa: F401

PLAN = """二、重点活动

31.举办知识产权宣传周启动仪式。（省知识产权公共服务处，青海日报社）

32.开展知识产权进校园活动。（青海日报社，海东市知识产权保护中心）
"""

TWO_LEVELS = """二、主要任务

（一）开展宣传活动。（省局知识产权公共服务处）

1.举办启动仪式。（西宁市市场监管局）

2.开展进校园活动。（海东市市场监管局）

（二）开展培训活动。（省局商标品牌处）

3.举办培训班。（海北州市场监管局）
"""


def directory():
    return sorted(Unit.objects.values_list("name", "kind", "aliases"))


@pytest.fixture
def province(demo, login, django_user_model):
    return login(django_user_model.objects.get(username="province"))


def preview(client, demo, text):
    return client.post(reverse("campaigns:import", args=[demo.code]), {"text": text})


def test_every_unknown_unit_is_listed_once_with_its_rows_and_closest_units(province, demo):
    response = preview(province, demo, PLAN)
    assert response.status_code == 422
    unknown = {u.name: (u.rows, u.suggestions[:1]) for u in response.context["unknown_units"]}
    assert unknown == {
        "省知识产权公共服务处": ([3], ["省局知识产权公共服务处"]),
        "青海日报社": ([3, 5], unknown["青海日报社"][1]),
        "海东市知识产权保护中心": ([5], unknown["海东市知识产权保护中心"][1]),
    }
    second = next(r for r in response.context["preview"].rows if r.number == 32)
    assert second.unknown == ["青海日报社", "海东市知识产权保护中心"]  # both, not only the first


def test_a_coordinator_maps_one_name_and_creates_two_units_then_sees_the_preview_again(province, demo):
    first = preview(province, demo, PLAN)
    response = province.post(
        reverse("campaigns:import_refresh", args=[demo.code]),
        {
            "token": first.context["token"],
            "unknown": ["省知识产权公共服务处", "青海日报社", "海东市知识产权保护中心"],
            "action-0": "map",
            "target-0": "省局知识产权公共服务处",
            "action-1": "create",
            "kind-1": "other",
            "action-2": "create",
            "kind-2": "institution",
            "region-2": str(Unit.objects.get(name="海东市市场监管局").region_id),
        },
    )
    assert response.status_code == 200, response.context["preview"].errors
    assert response.context["preview"].count("new") == 2 and response.context["unknown_units"] == []
    assert "省知识产权公共服务处" in Unit.objects.get(name="省局知识产权公共服务处").aliases
    created = Unit.objects.get(name="海东市知识产权保护中心")
    assert (created.kind, created.region.name) == ("institution", "海东市")
    assert Unit.objects.get(name="青海日报社").kind == "other"


def test_a_fix_naming_a_unit_that_does_not_exist_changes_nothing(province, demo):
    first = preview(province, demo, PLAN)
    before = directory()
    response = province.post(
        reverse("campaigns:import_refresh", args=[demo.code]),
        {
            "token": first.context["token"],
            "unknown": ["省知识产权公共服务处", "青海日报社"],
            "action-0": "create",
            "kind-0": "other",
            "action-1": "map",
            "target-1": "不存在的单位",
        },
    )
    assert response.status_code == 422
    assert "找不到单位“不存在的单位”" in response.content.decode()
    assert directory() == before


def test_a_batch_with_an_invalid_kind_creates_none_of_its_units(province, demo):
    first = preview(province, demo, PLAN)
    before = directory()
    province.post(
        reverse("campaigns:import_refresh", args=[demo.code]),
        {
            "token": first.context["token"],
            "unknown": ["青海日报社", "省知识产权公共服务处"],
            "action-0": "create",
            "kind-0": "other",
            "action-1": "create",
            "kind-1": "bogus",
        },
    )
    assert directory() == before


def test_a_reporter_cannot_fix_the_directory_and_nothing_changes(demo, login, django_user_model):
    client = login(django_user_model.objects.get(username="xining"))
    before = directory(), snapshot()
    response = client.post(
        reverse("campaigns:import_refresh", args=[demo.code]),
        {"token": "x", "unknown": ["青海日报社"], "action-0": "create", "kind-0": "other"},
    )
    assert response.status_code == 403
    assert (directory(), snapshot()) == before


def test_someone_elses_preview_token_cannot_be_used_to_fix_the_directory(province, demo, login, django_user_model):
    token = preview(province, demo, PLAN).context["token"]
    admin = django_user_model.objects.create_superuser("root2", password="x")
    before = directory()
    response = login(admin).post(
        reverse("campaigns:import_refresh", args=[demo.code]),
        {"token": token, "unknown": ["青海日报社"], "action-0": "create", "kind-0": "other"},
    )
    assert response.status_code == 302 and directory() == before


def test_the_coordinator_picks_another_task_level_when_two_levels_name_units(province, demo):
    first = preview(province, demo, TWO_LEVELS)
    source = first.context["preview"].source
    assert source.level == "item" and [kind for kind, _, _ in source.levels] == ["section", "item"]
    assert [r.title for r in first.context["preview"].rows] == ["举办启动仪式", "开展进校园活动", "举办培训班"]
    again = province.post(
        reverse("campaigns:import_refresh", args=[demo.code]), {"token": first.context["token"], "level": "section"}
    )
    rows = again.context["preview"].rows
    assert [(r.number, r.title, r.leads) for r in rows] == [
        (1, "开展宣传活动", ["省局知识产权公共服务处"]),
        (2, "开展培训活动", ["省局商标品牌处"]),
    ]
    # the level chosen travels with the stashed file to the commit
    before = snapshot()
    province.post(reverse("campaigns:import_commit", args=[demo.code]), {"token": again.context["token"]})
    assert demo.tasks.get(number=2).title == "开展培训活动"
    assert snapshot() != before


def test_a_pdf_upload_is_read_like_the_text(province, demo):
    import importlib.util
    from pathlib import Path

    from django.conf import settings

    spec = importlib.util.spec_from_file_location("b", Path(settings.BASE_DIR) / "fixtures/notices/build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    data = build.plan_pdf(TWO_LEVELS, header="青海省市场监督管理局")
    response = province.post(
        reverse("campaigns:import", args=[demo.code]),
        {"file": SimpleUploadedFile("方案.pdf", data, content_type="application/pdf")},
    )
    assert [r.title for r in response.context["preview"].rows] == ["举办启动仪式", "开展进校园活动", "举办培训班"]


def test_the_preview_shows_lead_co_the_time_limit_as_read_and_warnings(province, demo):
    text = """二、工作措施

31.加强宣传。（省局知识产权公共服务处牵头，西宁市市场监管局配合，2024年6月底前）

32.开展培训。（省局商标品牌处等有关部门负责，持续推进）
"""
    response = preview(province, demo, text)
    assert response.status_code == 200
    html = response.content.decode()
    first = html[html.index('data-row="3"') : html.index('data-row="5"')]
    assert "省局知识产权公共服务处" in first and "西宁市市场监管局" in first
    assert "2024-06-30" in first and "原文：2024年6月底前" in first
    second = html[html.index('data-row="5"') :]
    assert "长期" in second and "提示：“有关部门”是泛指" in second
    rows = response.context["preview"].rows
    assert (rows[0].leads, rows[0].cos) == (["省局知识产权公共服务处"], ["西宁市市场监管局"])
    assert rows[1].notes == "完成时限：持续推进" and rows[1].deadline is None


def test_the_preview_with_unknown_units_costs_the_same_queries_however_many_rows(province, demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def plan(n):
        tasks = [f"{30 + i}.开展第{i}项活动。（省局知识产权公共服务处，新单位{i}号中心）" for i in range(1, n + 1)]
        return "\n".join(["二、重点活动", *tasks])

    counts = []
    for n in (2, 25):
        with CaptureQueriesContext(connection) as queries:
            response = preview(province, demo, plan(n))
        assert len(response.context["unknown_units"]) == n
        counts.append(len(queries))
    assert counts[0] == counts[1]
