"""Published plans in distinct real layouts (fixtures/notices): each is read into exactly its
expected tasks (number, section path, title, lead, co, time limit), then committed."""

import importlib.util
import json
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from campaigns import importing
from campaigns.directory import apply_directory_fixes
from campaigns.models import Task, Unit, UnitGroup

from .io_helpers import _media_root, snapshot  # noqa: F401

NOTICES = Path(settings.BASE_DIR) / "fixtures" / "notices"
CASES = sorted(p.stem for p in NOTICES.glob("*.json"))


def _build_module():
    spec = importlib.util.spec_from_file_location("notice_fixtures_build", NOTICES / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _build_module()


def load(case):
    return json.loads((NOTICES / f"{case}.json").read_text(encoding="utf-8"))


def make_directory(spec):
    for index, name in enumerate(spec["units"]):
        Unit.objects.get_or_create(name=name, defaults={"kind": Unit.Kind.OTHER, "ordinal": index})
    for name, members in spec.get("groups", {}).items():
        group = UnitGroup.objects.create(name=name)
        group.members.set(Unit.objects.filter(name__in=members))


def preview_of(spec, code="from-fixture"):
    filename, data = build.build(spec["source"])
    source = importing.read_plan_file(filename, data)
    coordinator = Unit.objects.get(name=spec["units"][0])
    return importing.build_preview(source, None, new_code=code, year=spec["year"], coordinating_unit=coordinator)


def as_expected(row, expected):
    got = {
        "number": row.number,
        "section": row.section[1],
        "title": row.title,
        "lead": row.leads,
        "co": row.cos,
        "deadline": row.deadline.isoformat() if row.deadline else None,
        "ongoing": row.ongoing,
    }
    if "path" in expected:
        got["path"] = row.path
    if "description" in expected:
        got["description"] = row.description
    if "warnings" in expected:
        got["warnings"] = len(row.warnings)
    return got


def test_there_are_at_least_nine_layouts_each_describing_itself():
    assert len(CASES) >= 9
    assert all(load(case)["layout"] and load(case)["tasks"] for case in CASES)


@pytest.mark.parametrize("case", [c for c in CASES if "unknown" not in load(c)])
def test_each_published_layout_reads_into_exactly_its_tasks(case, db):
    spec = load(case)
    make_directory(spec)
    preview = preview_of(spec)
    assert preview.errors == []
    assert [as_expected(r, e) for r, e in zip(preview.rows, spec["tasks"], strict=False)] == spec["tasks"]
    assert len(preview.rows) == len(spec["tasks"])

    campaign = importing.commit_preview(preview)
    tasks = list(Task.objects.filter(campaign=campaign).order_by("number"))
    assert [(t.number, t.section.title, t.title) for t in tasks] == [
        (e["number"], e["section"], e["title"]) for e in spec["tasks"]
    ]
    expected_deadlines = [date.fromisoformat(e["deadline"]) if e["deadline"] else None for e in spec["tasks"]]
    assert [t.deadline for t in tasks] == expected_deadlines


def test_the_unknown_units_of_every_row_are_listed_at_once_then_fixed_in_one_step(db):
    spec = load("07_unknown_units")
    make_directory(spec)
    before = snapshot()
    preview = preview_of(spec)
    task_of_line = {r.row: r.number for r in preview.rows}
    listed = {u.name: [task_of_line[line] for line in u.rows] for u in preview.unknown_units}
    assert listed == spec["unknown"]
    assert [u.suggestions[0] for u in preview.unknown_units if u.name == "市知识产权保护中心"] == ["江州市知识产权保护中心"]
    third = next(r for r in preview.rows if r.number == 3)
    assert third.unknown == ["市知识产权保护中心", "江州日报社"]  # both, not only the first
    assert snapshot() == before  # the preview wrote nothing

    fixes = []
    for name, (action, value) in spec["fix"].items():
        if action == "map":
            fixes.append((name, "map", Unit.objects.get(name=value)))
        else:
            fixes.append((name, "create", value, None))
    assert apply_directory_fixes(fixes) == 3
    assert "市知识产权保护中心" in Unit.objects.get(name="江州市知识产权保护中心").aliases
    assert Unit.objects.filter(name__in=["江州日报社", "江州轨道交通集团有限公司"]).count() == 2

    again = preview_of(spec)
    assert again.errors == [] and again.unknown_units == []
    assert [as_expected(r, e) for r, e in zip(again.rows, spec["tasks"], strict=True)] == spec["tasks"]


def test_a_refused_fix_in_the_batch_writes_nothing(db):
    spec = load("07_unknown_units")
    make_directory(spec)
    units_before = sorted(Unit.objects.values_list("name", "aliases"))
    fixes = [
        ("市知识产权保护中心", "map", Unit.objects.get(name="江州市知识产权保护中心")),
        ("江州日报社", "create", "other", None),
        ("市教育局", "create", "other", None),  # already a unit: refused
    ]
    from campaigns.directory import DirectoryRefused

    with pytest.raises(DirectoryRefused, match="已存在"):
        apply_directory_fixes(fixes)
    assert sorted(Unit.objects.values_list("name", "aliases")) == units_before


def test_a_scanned_pdf_is_refused_saying_it_has_no_text_layer(db):
    with pytest.raises(importing.ImportRefused, match="没有文字层"):
        importing.read_plan_file("扫描件.pdf", build.scanned_pdf())
