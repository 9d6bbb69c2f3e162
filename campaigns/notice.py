"""Reading a published plan notice (plain text or .docx) into sections and numbered tasks.

The notice is written for people, not machines: headings may carry Markdown marks
("##### **(一) 活动启动**"), a task may be broken over two lines mid-sentence (task 1 of
seeds/003), its units may sit on the next line (task 18), and half-width and full-width
punctuation are mixed. Only the 重点活动安排 part is read for tasks; the campaign's own
details (title, document number, period, theme, content areas, summary due date) are
picked up where the notice states them, for creating a new campaign.
"""

import calendar
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date

CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u201c\u201d\u2018\u2019\u2014"
NUMERAL = "一二三四五六七八九十"
# Whitespace next to a CJK character is a line-wrapping or typesetting artefact ("在 2024 年").
_SPACE_NEAR_CJK = re.compile(rf"\s+(?=[{CJK}])|(?<=[{CJK}])\s+")
_COMMA_NEAR_CJK = re.compile(rf"(?<=[{CJK}\d])\s*,\s*(?=[{CJK}\d])")
_MARKDOWN = re.compile(r"^\s*#+\s*|\*\*|__")
# "四、重点活动安排", "五、工作要求": the notice's top-level parts.
_PART = re.compile(rf"^([{NUMERAL}]+)\s*[、.．]\s*(.+)$")
_SECTION = re.compile(rf"^[（(]\s*([{NUMERAL}]+)\s*[)）]\s*(.+?)\s*$")
_TASK = re.compile(r"^(\d{1,4})\s*[.．、]\s*(.*)$")
# The units in the last parentheses of a task: "…启动。(省局知识产权公共服务处)".
_UNITS = re.compile(r"^(.*?)[。.]?\s*[（(]([^（）()]*(?:[（(][^（）()]*[)）][^（）()]*)*)[)）]\s*[。.]?\s*$", re.S)
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]+〔\d{4}〕\d+号")
_FULL_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_PERIOD = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*[月]?\s*[—\-–~至到]+\s*(\d{1,2})\s*月")
_SUMMARY_DUE = re.compile(r"于\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*前[^。]*总结")


class NoticeError(ValueError):
    """The text is not a plan notice we can read (no 重点活动安排 part, no tasks)."""


@dataclass
class NoticeTask:
    line: int  # line number in the notice where the task starts
    section: int
    number: int
    title: str
    units: str


@dataclass
class Notice:
    sections: dict = field(default_factory=dict)  # ordinal -> title
    tasks: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)  # campaign details found in the notice


def chinese_number(text):
    """一 -> 1, 十二 -> 12, 二十一 -> 21."""
    if not text or any(ch not in NUMERAL for ch in text):
        raise ValueError(text)
    if "十" not in text:
        return NUMERAL.index(text) + 1 if len(text) == 1 else int("".join(str(NUMERAL.index(c) + 1) for c in text))
    tens, _, ones = text.partition("十")
    return (NUMERAL.index(tens) + 1 if tens else 1) * 10 + (NUMERAL.index(ones) + 1 if ones else 0)


def normalise_text(text):
    """The plan's text as the fixture keeps it: no typesetting spaces, "，" between Chinese words, no final "。"."""
    text = _SPACE_NEAR_CJK.sub("", text.strip())
    text = _COMMA_NEAR_CJK.sub("，", text)
    return text.rstrip("。").strip()


def normalise_units(text):
    """A responsible-units phrase: "，" for "," between names, single spaces kept (before "TISC")."""
    text = re.sub(r"\s+", " ", text.strip())
    text = re.sub(r"\s*,\s*", "，", text)
    return text.strip()


def _clean_line(line):
    return _MARKDOWN.sub("", line).replace("**", "").strip()


def docx_text(data):
    """The paragraphs of a .docx (bytes) as text, one per line.

    The caller has already checked the archive's unpacked size (see importing.check_zip);
    the main part is scanned with defusedxml first so a DTD or entity declaration is
    refused before python-docx (lxml) reads it.
    """
    import defusedxml.ElementTree as SafeET
    import docx

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        SafeET.fromstring(archive.read("word/document.xml"), forbid_dtd=True)
    document = docx.Document(io.BytesIO(data))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _meta(lines):
    """Campaign details the notice states (all optional)."""
    meta = {}
    text = "\n".join(lines)
    if m := _DOC_NUMBER.search(text):
        meta["document_number"] = m.group(0)
    for line in lines:
        if (
            line
            and "issuing_authority" not in meta
            and re.fullmatch(r"[\u4e00-\u9fff]{4,30}(局|厅|委员会|办公室|政府)", line)
        ):
            meta["issuing_authority"] = line
        if "title" not in meta and line.endswith("方案") and not line.startswith(("关于", "《")) and "通知" not in line:
            if len(line) <= 80 and not _PART.match(line):
                meta["title"] = normalise_text(line)
        if "issued_on" not in meta and (m := _FULL_DATE.fullmatch(line.strip())):
            try:
                meta["issued_on"] = date(*map(int, m.groups()))
            except ValueError:
                pass
    parts = _parts(lines)
    if "活动主题" in parts:
        meta["theme"] = normalise_text("".join(parts["活动主题"])) + "。"
    if "活动时间" in parts and (m := _PERIOD.search("".join(parts["活动时间"]))):
        year, first, last = map(int, m.groups())
        if 1 <= first <= last <= 12:
            meta["starts_on"] = date(year, first, 1)
            meta["ends_on"] = date(year, last, calendar.monthrange(year, last)[1])
    if "活动内容" in parts:
        areas = []
        for line in parts["活动内容"]:
            if m := _SECTION.match(line):
                title, _, rest = m.group(2).partition("。")
                areas.append({"title": normalise_text(title), "text": normalise_text(rest) + "。" if rest else ""})
        if areas:
            meta["content_areas"] = areas
    year = meta.get("starts_on", meta.get("issued_on"))
    if year and (m := _SUMMARY_DUE.search(text)):
        try:
            meta["summary_due"] = date(year.year, int(m.group(1)), int(m.group(2)))
        except ValueError:
            pass
    return meta


def _parts(lines):
    """Top-level parts of the plan ("一、活动主题" …) -> their lines (after the heading)."""
    parts, current = {}, None
    for line in lines:
        if m := _PART.match(line):
            current = re.sub(r"\s+", "", m.group(2))
            parts[current] = []
        elif current is not None and line:
            parts[current].append(line)
    return parts


def parse_notice(text):
    """Read the notice `text` into a Notice: sections, tasks (title and units as published), details.

    Raises NoticeError when the text has no 重点活动安排 part or no numbered task in it.
    """
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [_clean_line(line) for line in raw_lines]
    notice = Notice(meta=_meta(lines))

    start = None
    for index, line in enumerate(lines):
        m = _PART.match(line)
        if m and re.sub(r"\s+", "", m.group(2)).startswith("重点活动安排"):
            start = index + 1
            break
    if start is None:
        raise NoticeError("通知中没有找到“重点活动安排”部分，无法读取任务。")

    section = None
    pending = None  # [line_no, section, number, text]
    found = []
    for index in range(start, len(lines)):
        line = lines[index]
        if not line:
            continue
        if _PART.match(line):
            break  # the next top-level part ("五、工作要求") ends the task list
        if m := _SECTION.match(line):
            section = chinese_number(m.group(1))
            notice.sections[section] = normalise_text(m.group(2))
            pending = None
            continue
        if m := _TASK.match(line):
            pending = [index + 1, section, int(m.group(1)), m.group(2)]
            found.append(pending)
            continue
        if pending is not None:
            # A continuation: the rest of a sentence broken mid-line, or the units on their own line.
            pending[3] += line
    if not found:
        raise NoticeError("“重点活动安排”部分没有找到编号任务（如“1. ……（责任单位）”）。")

    for line_no, section_ordinal, number, body in found:
        m = _UNITS.match(body.strip())
        if m:
            title, units = normalise_text(m.group(1)), normalise_units(m.group(2))
        else:
            title, units = normalise_text(body), ""
        notice.tasks.append(NoticeTask(line=line_no, section=section_ordinal or 0, number=number, title=title, units=units))
    return notice
