"""The compiled PDF measured on the page (GB/T 9704-2012) with pdfplumber, the .docx read
back with python-docx, fonts and the fallback chain, photos through the storage API."""
import html
import io
import os
import re
import subprocess
from datetime import date, datetime
from zoneinfo import ZoneInfo

import docx
import pdfplumber
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage
from reportlab.lib.units import mm

from reports import pdf, typeset
from reports.collect import read_photo
from reports.data import CaseEntry, CasePhotoEntry, Letterhead, ReportData, SummaryEntry
from reports.docx import render_docx

from .conftest import pdf_text, squash

TZ = ZoneInfo("Asia/Shanghai")
CLOSING = set("，。；：？！）》”、")
LONG = ("我局围绕生物医药产业（含中藏药）举办专利信息利用培训班，邀请专家授课；"
        "联合教育局组织绘画比赛：共服务企业86家、培训人员1200人次。“知识产权进园区”活动覆盖全部园区！") * 30


def _data(**kw):
    values = dict(
        title="2024年青海省“知识产权公共服务市州行”活动总结", campaign_title="2024年青海省“知识产权公共服务市州行”活动方案",
        document_number="青市监函〔2024〕144号", issuing_authority="青海省市场监督管理局", report_date=date(2024, 10, 15),
        letterhead=Letterhead("青市监〔2024〕88号", "国家知识产权局知识产权公共服务司"),
        summaries=[SummaryEntry("西宁市市场监管局", datetime(2024, 9, 25, tzinfo=TZ), False, LONG)],
    )
    values.update(kw)
    return ReportData(**values)


def _lines(page, size):
    """Text lines of characters of `size` pt on a pdfplumber page, top to bottom."""
    rows = {}
    for c in page.chars:
        if abs(c["size"] - size) < 0.2 and c["text"].strip():
            rows.setdefault(round(c["top"]), []).append(c)
    return [sorted(rows[k], key=lambda c: c["x0"]) for k in sorted(rows)]


@pytest.fixture
def measured(tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.render_pdf(_data()))
    with pdfplumber.open(path) as document:
        yield document


def poppler_lines(path):
    """[(page, x0, top, x1, bottom, text)] of every text line as poppler (pdftotext
    -bbox-layout) lays them out, i.e. as a PDF viewer draws them."""
    out = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    lines = []
    for page_no, page in enumerate(out.split("<page ")[1:], 1):
        for attrs, body in re.findall(r"<line (.*?)>(.*?)</line>", page, re.S):
            box = dict(re.findall(r'(\w+)="([\d.]+)"', attrs))
            text = "".join(re.findall(r"<word [^>]*>([^<]*)</word>", body))
            lines.append((page_no, float(box["xMin"]), float(box["yMin"]), float(box["xMax"]), float(box["yMax"]),
                          html.unescape(text)))
    return lines


@pytest.fixture
def measured_path(tmp_path, need_poppler):
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.render_pdf(_data()))
    return path


def test_body_lines_hold_28_characters_filling_the_line_and_22_lines_a_page(measured_path):
    left, right, bottom = 28 * mm, 28 * mm + 156 * mm, 37 * mm + 225 * mm
    body = [ln for ln in poppler_lines(measured_path) if ln[4] - ln[2] == pytest.approx(16, abs=0.2)
            and ln[4] <= bottom]
    assert all(left - 0.5 <= ln[1] and ln[3] <= right + 0.5 for ln in body)
    per_page = {}
    for ln in body:
        per_page.setdefault(ln[0], []).append(ln)
    full_pages = [lines for lines in per_page.values() if len(lines) == 22]
    assert len(full_pages) >= 2 and all(len(lines) <= 22 for lines in per_page.values())
    for lines in full_pages:
        # 22 lines evenly spaced down the 225 mm text area
        tops = sorted(ln[2] for ln in lines)
        assert tops[-1] - tops[0] == pytest.approx(21 * 225 * mm / 22, abs=0.5)
        # Justified: the full lines of 28 characters end on the right edge of the text area.
        full = [ln for ln in lines if len(ln[5]) == 28]
        assert len(full) >= 10  # (lines holding the half-width "1200" carry 30 characters)
        assert all(ln[3] == pytest.approx(right, abs=0.3) for ln in full)
        assert max(len(ln[5]) for ln in lines if not re.search(r"\d", ln[5])) == 28


def test_no_line_starts_with_closing_punctuation_or_ends_with_an_opening_one(measured_path):
    lines = [ln[5] for ln in poppler_lines(measured_path) if ln[5]]
    assert len(lines) > 100
    assert [t for t in lines if t[0] in CLOSING] == []
    assert [t for t in lines if t[-1] in "（《“"] == []


def test_page_numbers_sit_7mm_below_the_text_area_odd_right_even_left(measured):
    bottom_of_text = 37 * mm + 225 * mm
    assert len(measured.pages) >= 3
    for number, page in enumerate(measured.pages, 1):
        chars = [c for c in page.chars if c["top"] > bottom_of_text]
        assert "".join(c["text"] for c in chars).replace(" ", "") == f"—{number}—"
        assert all(c["size"] == pytest.approx(14, abs=0.1) for c in chars)
        digits = [c for c in chars if c["text"].isdigit()]
        # the figures' tops (cap height 0.72 em above the baseline) 7 mm under the text area
        cap_top = digits[0]["bottom"] - 14 * 0.72 - (digits[0]["bottom"] - digits[0]["top"] - 14) * 0
        baseline = page.height - pdf.PAGE_NUMBER_BASELINE
        assert baseline - 14 * 0.72 - bottom_of_text == pytest.approx(7 * mm, abs=0.3)
        assert cap_top > bottom_of_text
        if number % 2:
            assert chars[-1]["x1"] == pytest.approx(page.width - 26 * mm - 14, abs=1)
        else:
            assert chars[0]["x0"] == pytest.approx(28 * mm + 14, abs=1)


def test_the_letterhead_is_red_with_a_red_line_and_the_report_only_variant_has_none(tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.render_pdf(_data()))
    with pdfplumber.open(path) as document:
        first = document.pages[0]
        authority = [c for c in first.chars if c["text"] in "青海省市场监督管理局" and c["size"] > 25]
        assert len(authority) == 10
        assert all(tuple(round(v, 2) for v in c["non_stroking_color"]) == (0.9, 0.0, 0.07) for c in authority)
        red_lines = [ln for ln in first.lines if ln["stroking_color"] and ln["stroking_color"][0] > 0.8]
        assert len(red_lines) == 1 and red_lines[0]["x1"] - red_lines[0]["x0"] == pytest.approx(156 * mm, abs=0.5)
        text = squash(first.extract_text())
        assert "青市监〔2024〕88号" in text and "国家知识产权局知识产权公共服务司：" in text
        title = [c for c in first.chars if abs(c["size"] - 22) < 0.1]
        assert title and all("uming" in c["fontname"].lower() for c in title)
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(pdf.render_pdf(_data(letterhead=Letterhead("青市监〔2024〕88号", "", False))))
    with pdfplumber.open(plain) as document:
        first = document.pages[0]
        assert not [c for c in first.chars if c["size"] > 25]
        assert not [ln for ln in first.lines if ln["stroking_color"] and ln["stroking_color"][0] > 0.8]
        assert "青市监〔2024〕88号" not in squash(first.extract_text())


def test_headings_use_their_fonts_and_never_end_a_page(measured):
    fonts = set()
    for page in measured.pages:
        lines = _lines(page, 16)
        for line in lines:
            names = {c["fontname"].split("+")[-1] for c in line}
            fonts |= names
        if lines:
            last = lines[-1]
            assert not any("ZenHei" in c["fontname"] or "UKai" in c["fontname"] for c in last), \
                "".join(c["text"] for c in last)
    assert any("ZenHei" in f for f in fonts) and any("UKai" in f for f in fonts)


def test_annex_note_signature_and_date_are_placed_as_the_standard_says(measured_path):
    lines = poppler_lines(measured_path)
    text = squash("".join(ln[5] for ln in lines))
    assert "附件：1．2024年青海省“知识产权公共服务市州行”活动总结数据附表2．各单位书面总结" in text
    right = 28 * mm + 156 * mm
    texts = [ln[5] for ln in lines]
    i = texts.index("2024年10月15日")
    name, when = lines[i - 1], lines[i]
    assert name[5] == "青海省市场监督管理局"
    # Without a seal: 署名 two characters in from the right margin, the date one line
    # below it, starting two characters to the right of the 署名's first character.
    assert name[3] == pytest.approx(right - 2 * pdf.PITCH, abs=1)
    assert when[1] - name[1] == pytest.approx(2 * pdf.PITCH, abs=0.5)
    assert when[2] - name[2] == pytest.approx(pdf.BODY_LEADING, abs=0.5)
    annex = texts.index("附件2")
    assert lines[annex][0] > when[0] and lines[annex][1] == pytest.approx(28 * mm, abs=0.5)
    assert squash(LONG[:60]) in text


def test_extension_b_and_emoji_print_from_the_fallback_fonts_and_stay_in_the_text_layer(tmp_path, need_poppler):
    face = typeset.load_face(typeset.HANAZONO_B)
    if face is None or typeset.load_face(typeset.SYMBOLA) is None:
        pytest.skip("fonts-hanazono / fonts-symbola are not installed (scripts/system-packages.sh installs them)")
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.render_pdf(_data(summaries=[
        SummaryEntry("西宁市市场监管局", datetime(2024, 9, 25, tzinfo=TZ), False, "生僻字𠀀与表情😀都要印出来。")])))
    assert "生僻字𠀀与表情😀都要印出来" in squash(pdf_text(path))
    with pdfplumber.open(path) as document:
        used = {c["fontname"].split("+")[-1] for p in document.pages for c in p.chars if c["text"] in "𠀀😀"}
    assert used and not any("UMing" in f for f in used)  # drawn from a fallback face, not the body's


def test_docx_has_the_same_parts_styled_by_role(tmp_path):
    path = tmp_path / "r.docx"
    path.write_bytes(render_docx(_data()))
    document = docx.Document(path)
    styles = [(p.style.name, p.text) for p in document.paragraphs if p.text]
    assert styles[0] == ("版头", "青海省市场监督管理局")
    assert ("发文字号", "青市监〔2024〕88号") in styles and ("主送机关", "国家知识产权局知识产权公共服务司：") in styles
    assert ("一级标题", "一、总体情况") in styles and ("附件标识", "附件2") in styles
    assert any(s == "附件说明" and t.startswith("附件：1．") for s, t in styles)
    assert ("署名", "2024年10月15日") in styles
    assert LONG.strip() in [t for _, t in styles]
    body = document.styles["正文"]
    fonts = body.element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋_GB2312"
    assert body.font.size.pt == 16 and document.styles["标题"].font.size.pt == 22
    assert document.styles["一级标题"].paragraph_format.keep_with_next
    section = document.sections[0]
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert "PAGE" in section.footer._element.xml and "PAGE" in section.even_page_footer._element.xml
    header_row = document.tables[0].rows[0]._tr.xml
    assert "tblHeader" in header_row


def _png():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


def test_photos_are_read_through_the_storage_api_so_a_storage_without_paths_works(tmp_path, need_poppler):
    storage = InMemoryStorage()
    PNG = _png()
    name = storage.save("reports/photos/x.png", ContentFile(PNG))
    assert not os.path.exists(storage.path(name))  # the name has no file on disk behind it

    class Photo:
        class image:
            @staticmethod
            def open(mode):
                return storage.open(name, mode)

    data = read_photo(Photo)
    assert data == PNG
    case = CaseEntry("案例", "单位", "机构", "其他", "简介", "做法", "服务企业5家",
                     photos=[CasePhotoEntry(name, "现场", data)])
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.render_pdf(_data(cases=[case])))
    assert "图1现场" in squash(pdf_text(path))
    with pdfplumber.open(path) as document:
        assert sum(len(p.images) for p in document.pages) == 1


def test_the_cid_font_still_serves_when_no_truetype_font_is_present(settings, tmp_path, need_poppler):
    missing = str(tmp_path / "none.ttf")
    settings.REPORT_FONTS = {"title": missing, "body": missing, "heading1": missing, "heading2": missing,
                             "fallback": [missing]}
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.render_pdf(_data()))
    assert "活动总结" in squash(pdf_text(path))
    with pdfplumber.open(path) as document:
        assert {c["fontname"] for c in document.pages[0].chars} <= {"STSong-Light", "STSongStd-Light"}


def test_libreoffice_converts_the_docx_and_its_pdf_shows_the_same_text(tmp_path, need_poppler):
    import shutil

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("REQUIRE_SYSTEM_PACKAGES") == "1":
            pytest.fail("libreoffice-writer-nogui is not installed")
        pytest.skip("LibreOffice is not installed: scripts/system-packages.sh installs libreoffice-writer-nogui")
    data = _data(summaries=[SummaryEntry("西宁市市场监管局", datetime(2024, 9, 25, tzinfo=TZ), False,
                                         "我局举办培训班12场，服务企业86家。")])
    source = tmp_path / "总结.docx"
    source.write_bytes(render_docx(data))
    result = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)], capture_output=True, text=True, timeout=180)
    converted = tmp_path / "总结.pdf"
    assert result.returncode == 0 and converted.exists(), result.stderr
    # LibreOffice draws the curly quotes from a Latin face, which pdftotext reads out of order.
    text = re.sub("[“”]", "", squash(pdf_text(converted)))
    for expected in ["青海省市场监督管理局", "青市监〔2024〕88号", "国家知识产权局知识产权公共服务司：", "一、总体情况",
                     "2024年青海省“知识产权公共服务市州行”", "附件2",
                     "我局举办培训班12场，服务企业86家。", "2024年10月15日"]:
        assert re.sub("[“”]", "", squash(expected)) in text, expected
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(converted)], capture_output=True,
                                                              text=True).stdout).group(1))
    assert pages >= 3
    assert "— 2 —" in pdf_text(converted, raw=False) or "—2—" in text
