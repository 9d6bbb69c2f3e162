"""The published notice (seeds/003) read into the demo's sections, 22 tasks and units."""

import io
import zipfile

import docx
import pytest

from campaigns import importing
from campaigns.models import Campaign
from campaigns.notice import normalise_text, parse_notice

from .io_helpers import NOTICE, SHARED_SEED, fixture, plan_of


def test_the_kept_notice_is_the_published_one():
    if SHARED_SEED.exists():
        assert NOTICE.read_bytes() == SHARED_SEED.read_bytes()
    assert "青市监函〔2024〕144号" in NOTICE.read_text(encoding="utf-8")


def test_notice_gives_exactly_the_fixtures_22_tasks_sections_and_units():
    notice = parse_notice(NOTICE.read_text(encoding="utf-8"))
    data = fixture()
    assert notice.sections == {s["ordinal"]: s["title"] for s in data["sections"]}
    got = [(t.number, t.section, t.title, t.units) for t in notice.tasks]
    assert got == [(t["number"], t["section"], t["title"], t["units"]) for t in data["tasks"]]


def test_notice_details_fill_a_new_campaign(db):
    meta = parse_notice(NOTICE.read_text(encoding="utf-8")).meta
    campaign = fixture()["campaign"]
    assert meta["title"] == campaign["title"]
    assert meta["document_number"] == "青市监函〔2024〕144号"
    assert meta["issuing_authority"] == "青海省市场监督管理局"
    assert str(meta["issued_on"]) == "2024-04-24"
    assert (str(meta["starts_on"]), str(meta["ends_on"]), str(meta["summary_due"])) == (
        "2024-04-01",
        "2024-09-30",
        "2024-09-30",
    )
    assert meta["theme"] == campaign["theme"]
    assert meta["content_areas"] == campaign["content_areas"]


def test_lines_broken_mid_sentence_and_units_on_the_next_line_are_joined():
    notice = parse_notice(NOTICE.read_text(encoding="utf-8"))
    by_number = {t.number: t for t in notice.tasks}
    assert by_number[1].title == "在2024年青海省知识产权宣传周期间发布活动方案并正式启动"
    assert by_number[18].units == "青海省青藏知识产权服务中心 TISC"
    assert by_number[22].title.startswith("扩大新能源、新材料等12个新兴产业专利数据库知晓度，助力")


def test_title_normalisation():
    assert normalise_text("在 2024 年青海省宣传周期间。") == "在2024年青海省宣传周期间"
    assert normalise_text("需求,深入各地") == "需求，深入各地"
    assert normalise_text("Patent search 培训") == "Patent search培训"


def test_importing_the_notice_as_a_new_campaign_gives_the_demo_plan(demo):
    source = importing.read_plan_file("003.txt", NOTICE.read_bytes())
    preview = importing.build_preview(source, None, new_code="from-notice")
    assert not preview.has_errors and preview.count(importing.NEW) == 22
    campaign = importing.commit_preview(preview)
    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.title == demo.title and campaign.document_number == demo.document_number
    assert campaign.coordinating_unit == demo.coordinating_unit
    # Same tasks, sections and units; deadlines are not in the notice, so they stay empty.
    strip = [row[:4] + row[5:] for row in plan_of(campaign)]
    assert strip == [row[:4] + row[5:] for row in plan_of(demo)]
    assert {row[4] for row in plan_of(campaign)} == {None}
    assert campaign.tasks.get(number=11).assignments.filter(role="lead").count() == 8


def test_importing_the_notice_into_the_demo_changes_nothing(demo):
    source = importing.read_plan_file("003.txt", NOTICE.read_bytes())
    preview = importing.build_preview(source, demo)
    assert preview.count(importing.UNCHANGED) == 22, preview.as_text()
    assert preview.section_changes == []


def _docx(paragraphs):
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_docx_notice_gives_the_same_tasks(db):
    data = _docx(NOTICE.read_text(encoding="utf-8").splitlines())
    source = importing.read_plan_file("方案.docx", data)
    assert source.kind == "notice"
    data_tasks = fixture()["tasks"]
    assert [(r.number, r.title, r.units) for r in source.rows] == [(t["number"], t["title"], t["units"]) for t in data_tasks]


def test_a_docx_with_an_entity_declaration_is_refused(db):
    good = _docx(["四、重点活动安排", "(一) 活动启动", "1.启动。(省局知识产权公共服务处)"])
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        b"<w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, hostile if item.filename == "word/document.xml" else src.read(item.filename))
    with pytest.raises(importing.ImportRefused, match="无法读取 Word 文件"):
        importing.read_plan_file("方案.docx", out.getvalue())


def test_text_without_any_numbered_task_is_refused(db):
    with pytest.raises(importing.ImportRefused, match="没有找到带责任单位的编号任务"):
        importing.read_plan_file("随便.txt", "这是一份普通的文件。".encode())


def hard_wrapped(text, width=23):
    """The notice as copied from a typeset page: every line cut at `width` characters."""
    out = []
    for line in text.splitlines():
        while len(line) > width:
            out.append(line[:width])
            line = line[width:]
        out.append(line)
    return "\n".join(out)


def with_page_numbers(text):
    """Page-number lines between tasks, and page numbers glued inside a title and inside units."""
    text = text.replace("\n3.根据问卷", "\n— 3 —\n3.根据问卷")
    text = text.replace("\n7.在海北州", "\n- 4 -\n\n7.在海北州")
    text = text.replace("\n14.举办西宁市", "\n-7-\n14.举办西宁市")
    text = text.replace("\n(青海省青藏知识产权服务中心 TISC)\n", "\n第 9 页\n(青海省青藏知识产权服务中心 TISC)\n", 1)
    text = text.replace("检索校园培训讲座", "检索校园培—4—训讲座")
    text = text.replace("(省局知识产权公共服务处,各市州市场监管局)", "(省局知识产权公共服务处,- 5 -各市州市场监管局)", 1)
    text = text.replace("(省局商标品牌处)", "(省局商标品牌处)— 6 —")
    return text


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda t: t, id="as published"),
        pytest.param(hard_wrapped, id="hard-wrapped"),
        pytest.param(with_page_numbers, id="page numbers between and inside tasks"),
        pytest.param(lambda t: with_page_numbers(hard_wrapped(t, 31)), id="both"),
    ],
)
@pytest.mark.parametrize("as_docx", [False, True], ids=["txt", "docx"])
def test_the_notice_reimported_into_the_demo_is_22_unchanged_however_it_was_copied(demo, variant, as_docx):
    text = variant(NOTICE.read_text(encoding="utf-8"))
    assert text != NOTICE.read_text(encoding="utf-8") or variant.__name__ == "<lambda>"
    data, name = (_docx(text.splitlines()), "方案.docx") if as_docx else (text.encode("utf-8"), "方案.txt")
    preview = importing.build_preview(importing.read_plan_file(name, data), demo)
    assert preview.count(importing.UNCHANGED) == 22, preview.as_text()
    assert len(preview.rows) == 22 and preview.section_changes == []


def test_page_numbers_glued_in_a_title_are_taken_out():
    notice = parse_notice(with_page_numbers(NOTICE.read_text(encoding="utf-8")))
    by_number = {t.number: t for t in notice.tasks}
    assert by_number[9].title == "举办知识产权素养培养、专利知识及专利信息检索校园培训讲座"
    assert by_number[3].units == "省局知识产权公共服务处，各市州市场监管局"
    assert by_number[4].units == "省局商标品牌处"
    assert notice.dropped_lines == 4
