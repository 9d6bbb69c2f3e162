"""The directory (units) from a spreadsheet: administrators only, preview then all-or-nothing commit."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns import importing
from campaigns.models import Unit

from .io_helpers import _media_root, csv_bytes, xlsx_bytes  # noqa: F401

HEADERS = ["名称", "简称", "别名", "类别", "地区", "说明", "排序"]
ROWS = [
    ["海东市知识产权服务中心", "海东知服", "海东市知识产权中心、海东知产中心", "服务机构", "海东市", "市级网点", 40],
    ["西宁市市场监管局", "西宁市", "西宁市市场监督管理局", "市州市场监管局", "西宁市", "", 11],  # unchanged
    ["青海民族大学", "民大", "", "高校", "西宁市", "", 26],  # short name changes
]


def units_file(rows=ROWS, name="units.xlsx"):
    data = xlsx_bytes(rows, headers=HEADERS) if name.endswith("xlsx") else csv_bytes(rows, headers=HEADERS)
    return SimpleUploadedFile(name, data)


def directory():
    return sorted(
        Unit.objects.values_list("name", "short_name", "aliases", "kind", "region__name", "description", "ordinal")
    )


def test_admin_previews_then_imports_units(demo, login, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", password="pw-admin-123")
    client = login(admin)
    before = directory()
    response = client.post(reverse("campaigns:units_import"), {"file": units_file()})
    assert response.status_code == 200
    assert [(r.row, r.status) for r in response.context["rows"]] == [
        (2, importing.NEW),
        (3, importing.UNCHANGED),
        (4, importing.CHANGED),
    ]
    assert ("简称", "", "民大") in response.context["rows"][2].changes
    assert directory() == before  # the preview wrote nothing
    response = client.post(reverse("campaigns:units_import"), {"token": response.context["token"]})
    assert response.status_code == 302
    unit = Unit.objects.get(name="海东市知识产权服务中心")
    assert (unit.short_name, unit.aliases, unit.kind, unit.region.name) == (
        "海东知服",
        ["海东市知识产权中心", "海东知产中心"],
        Unit.Kind.SERVICE_INSTITUTION,
        "海东市",
    )
    assert Unit.objects.get(name="青海民族大学").short_name == "民大"
    # The new unit is known to plan imports at once, by its alias too.
    from campaigns.directory import Directory

    assert Directory().resolve("海东知产中心")[0].units == [unit]


def test_a_unit_row_with_an_unknown_region_imports_nothing(demo, login, django_user_model):
    client = login(django_user_model.objects.create_superuser("admin", password="pw-admin-123"))
    rows = [*ROWS, ["某新机构", "", "", "服务机构", "火星", "", 1], ["某机构二", "", "", "不知道", "", "", 1]]
    before = directory()
    response = client.post(reverse("campaigns:units_import"), {"file": units_file(rows, "units.csv")})
    assert response.status_code == 422
    html = response.content.decode()
    assert "第5行" in html and "未知地区“火星”" in html
    assert "第6行" in html and "类别“不知道”无效" in html
    assert "token" not in response.context
    assert directory() == before


def test_only_administrators_import_units(demo, login, django_user_model):
    client = login(django_user_model.objects.get(username="province"))
    before = directory()
    assert client.get(reverse("campaigns:units_import")).status_code == 403
    assert client.post(reverse("campaigns:units_import"), {"file": units_file()}).status_code == 403
    assert directory() == before


def test_duplicate_names_in_the_file_are_row_errors(demo):
    rows = [["新单位甲", "", "", "服务机构", "", "", 1], ["新单位甲", "", "", "高校", "", "", 2]]
    dataset = importing.read_units_file("u.xlsx", xlsx_bytes(rows, headers=HEADERS))
    preview = importing.preview_units(dataset)
    assert [(r.row, r.status, r.errors) for r in preview] == [
        (2, importing.NEW, []),
        (3, importing.ERROR, ["单位名称与第2行重复"]),
    ]


def test_units_preview_queries_do_not_grow_per_row(demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (20, 200):
        rows = [[f"新机构{size}-{i}", "", "", "服务机构", "西宁市", "", i] for i in range(size)]
        rows += [["青海民族大学", "民大", "", "高校", "西宁市", "", 26]]
        dataset = importing.read_units_file("u.xlsx", xlsx_bytes(rows, headers=HEADERS))
        with CaptureQueriesContext(connection) as ctx:
            preview = importing.preview_units(dataset)
        assert sum(r.status == importing.NEW for r in preview) == size
        counts.append(len(ctx.captured_queries))
    # Ten times the rows: at most one more INSERT batch (SQLite caps a statement at 999
    # variables, so Django splits a bulk insert of eight-column rows every 124 rows).
    assert counts[1] - counts[0] <= 1, counts
