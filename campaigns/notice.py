"""The structural reader of Chinese government work plans (工作方案, 实施方案, 活动方案).

A plan is written for people: numbered items nest along the ladder 一、 → （一） → 1./1、 →
（1） → ①; a heading line may run on into its first sentence ("（一）产业提升人才行动计划。
围绕……"); a copy from a PDF leaves page numbers ("— 7 —", "- 3 -", "第 3 页"), running
headers, and lines broken wherever the page was; Markdown marks ("##### **(一) 活动启动**")
come from converters. This module reads the text into a tree of numbered items, picks the
task level (the level whose items name responsible parties, unless the coordinator picks
another), and returns the tasks with their section path (every level above, flattened),
their parties and time limits as written (campaigns/plan_grammar.py reads those).

Tasks are read from every part that holds them (一、二、三、 each with tasks), whatever the
part is called (重点活动安排, 主要任务, 重点任务, 工作措施, ...), or from the whole document.
Nothing is dropped silently: an item of the task level in a task part that names no party
is still a task (the preview reports it).
"""

import calendar
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from .plan_grammar import Parties, split_task_text

CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u201c\u201d\u2018\u2019\u2014"
NUMERAL = "一二三四五六七八九十"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# Whitespace next to a CJK character is a line-wrapping or typesetting artefact ("在 2024 年").
_SPACE_NEAR_CJK = re.compile(rf"\s+(?=[{CJK}])|(?<=[{CJK}])\s+")
_COMMA_NEAR_CJK = re.compile(rf"(?<=[{CJK}\d])\s*,\s*(?=[{CJK}\d])")
_MARKDOWN = re.compile(r"^\s*#+\s*|\*\*|__")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

# The numbering ladder, outermost first: (kind, pattern of the marker at the start of a line).
LADDER = [
    ("part", re.compile(rf"^([{NUMERAL}]{{1,3}})\s*[、．.](?![{NUMERAL}])\s*")),
    ("section", re.compile(rf"^[（(]\s*([{NUMERAL}]{{1,3}})\s*[)）]\s*")),
    ("item", re.compile(r"^(\d{1,4})\s*(?:[、．]|\.(?!\d))\s*")),
    ("subitem", re.compile(r"^[（(]\s*(\d{1,3})\s*[)）]\s*")),
    ("circled", re.compile(rf"^([{CIRCLED}])\s*")),
]
# "para": an unnumbered paragraph that names its own parties under a heading (State Council style).
KINDS = [kind for kind, _ in LADDER] + ["para"]
RANK = {kind: index for index, kind in enumerate(KINDS)}
LEVEL_LABELS = {
    "part": "一、",
    "section": "（一）",
    "item": "1.",
    "subitem": "（1）",
    "circled": "①",
    "para": "不编号的段落",
}
# Part headings under which a plan lists its tasks.
TASK_PARTS = re.compile(
    r"(重点活动安排|活动安排|主要任务|重点任务|工作任务|具体任务|任务分工|工作措施|具体措施|主要措施|重点措施|"
    r"主要内容|重点工作|工作重点|重点活动|活动内容安排|实施步骤|行动内容|重点行动|主要举措|具体举措)"
)

# Page-number lines from a PDF copy: "— 7 —", "- 3 -", "-7-", "第 3 页", "第3页 共10页", "3/10".
_PAGE_LINE = re.compile(
    r"^\s*(?:[—–\-－]{1,2}\s*\d{1,4}\s*[—–\-－]{1,2}|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页|\d{1,4}\s*/\s*\d{1,4}|\d{1,3})\s*$"
)
# ... and the same glued inside a line ("检索校园培—4—训讲座"), never between digits (2024-06-30).
_PAGE_GLUED = re.compile(r"(?<![\d—–\-－])\s*[—–\-－]{1,2}\s*\d{1,4}\s*[—–\-－]{1,2}\s*(?![\d—–\-－])")
_TERMINAL = "。；！？;!?：:）)”"
_SUFFIX_LINE = re.compile(
    r"^[（(]|^(牵头责任单位|协同责任单位|配合责任单位|协同单位|责任单位|牵头单位|牵头部门|配合单位|配合部门|责任部门|参与单位"
    r"|完成时限|完成时间|时间节点|时限|时间|牵头负责领导|牵头市领导|牵头领导|责任领导|分管领导|负责领导|责任人)\s*[：:]"
)
_TAIL = re.compile(r"^(附件|抄送|印发|主送|联系人|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$)")

_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]+〔\d{4}〕\d+号")
_FULL_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_PERIOD = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*[月]?\s*[—\-–~至到]+\s*(\d{1,2})\s*月")
_SUMMARY_DUE = re.compile(r"于\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*前[^。]*总结")


class NoticeError(ValueError):
    """The text is not a plan we can read (no numbered task naming responsible parties)."""


@dataclass
class Item:
    """One numbered item of the document, with the text that belongs to it."""

    kind: str
    number: int
    marker: str  # as written, normalised: "二、", "（一）", "3.", "（2）", "①"
    head: str  # the marker line's text after the marker
    text: str  # head and every continuation line, joined
    line: int
    parent: "Item | None" = None
    children: list = field(default_factory=list)
    parties: Parties | None = None
    body: str = ""

    @property
    def rank(self):
        return RANK[self.kind]

    @property
    def heading(self):
        """The item as a heading: its first sentence ("产业提升人才行动计划。围绕……" -> the first part)."""
        first = re.split(r"[。：:；;]", self.head, maxsplit=1)[0]
        return normalise_text(first)[:200]

    def ancestors(self):
        node, out = self.parent, []
        while node is not None:
            out.append(node)
            node = node.parent
        return out[::-1]


@dataclass
class NoticeTask:
    line: int  # line number in the text where the task starts
    section: int  # ordinal of its (flattened) section
    number: int
    title: str
    units: str  # the parties as written (display)
    parties: list = field(default_factory=list)  # [plan_grammar.Party]
    deadline: str = ""  # the time limit as written
    description: str = ""
    path: list = field(default_factory=list)  # headings above the task, outermost first
    label: str = ""  # the published numbering, e.g. "二、（一）3."
    carried: bool = False  # parties taken from an earlier "下同"


@dataclass
class Notice:
    sections: dict = field(default_factory=dict)  # ordinal -> title
    tasks: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)  # campaign details found in the notice
    level: str = ""  # the task level's kind
    levels: list = field(default_factory=list)  # [(kind, label, items naming parties)] to choose from
    dropped_lines: int = 0  # page numbers and running headers removed
    section_paths: dict = field(default_factory=dict)  # ordinal -> full path


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


# ---------------------------------------------------------------- lines


def clean_lines(text):
    """(line number, text) of every meaningful line, with page numbers, running headers and
    footers and Markdown marks removed; how many lines were dropped; and the numbers of the
    lines that fill the page's width (when most long lines share one length: a hard wrap)."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").translate(_FULLWIDTH_DIGITS).split("\n")
    lines = []
    dropped = 0
    widths = Counter(len(line.strip()) for line in raw if len(line.strip()) >= 12)
    width, seen = widths.most_common(1)[0] if widths else (0, 0)
    if seen < 5:
        width = 0  # no sign of a fixed line width: the text was not hard-wrapped
    full_lines = set()
    for number, line in enumerate(raw, start=1):
        if width and len(line.strip()) >= width - 1:
            full_lines.add(number)
        line = _MARKDOWN.sub("", line).replace("**", "").replace("\u3000", " ").strip()
        if not line:
            continue
        if _PAGE_LINE.fullmatch(line):
            dropped += 1
            continue
        line = _PAGE_GLUED.sub("", line).strip()
        if line:
            lines.append((number, line))
    # Running headers and footers: a short line repeated on page after page.
    counts = Counter(re.sub(r"\d+", "0", re.sub(r"\s+", "", line)) for _, line in lines)
    kept = []
    for number, line in lines:
        key = re.sub(r"\d+", "0", re.sub(r"\s+", "", line))
        # A header has no sentence punctuation: a repeated piece of a sentence is not one.
        header_like = not re.search(r"[，。；：、,;:（）()“”]", key)
        if counts[key] >= 3 and len(key) <= 40 and header_like and not _marker(line):
            dropped += 1
            continue
        kept.append((number, line))
    return kept, dropped, full_lines


def _marker(line):
    """(kind, number, marker, rest) if the line starts with a numbering marker."""
    for kind, pattern in LADDER:
        if m := pattern.match(line):
            numeral = m.group(1)
            if kind in ("part", "section"):
                number = chinese_number(numeral)
                marker = f"{numeral}、" if kind == "part" else f"（{numeral}）"
            elif kind == "circled":
                number = CIRCLED.index(numeral) + 1
                marker = numeral
            else:
                number = int(numeral)
                marker = f"{number}." if kind == "item" else f"（{number}）"
            rest = line[m.end() :].strip()
            if not rest:
                return None
            return kind, number, marker, rest
    return None


def _ends_sentence(text):
    return text.rstrip()[-1:] in _TERMINAL


def read_items(lines, full_lines=frozenset()):
    """The numbered items of the document as a tree (a list of roots), continuation lines joined.

    A plain line continues the item before it when that item's text was cut mid-sentence (a
    hard wrap), when it is a suffix line ("（省局……）", "责任单位：……", "完成时限：……"), or when
    the item has not yet named its parties; otherwise it is a paragraph of the part above.
    """
    roots, stack, items = [], [], []
    current = None
    for number, line in lines:
        found = _marker(line)
        if found is not None:
            kind, ordinal, marker, rest = found
            item = Item(kind=kind, number=ordinal, marker=marker, head=rest, text=rest, line=number)
            while stack and stack[-1].rank >= item.rank:
                stack.pop()
            if stack:
                item.parent = stack[-1]
                stack[-1].children.append(item)
            else:
                roots.append(item)
            stack.append(item)
            items.append(item)
            current = item
            continue
        if current is None:
            continue
        if _TAIL.match(line):
            current = None
            continue
        if not _ends_sentence(current.text):  # a line broken by copying: join without a break
            if current.text == current.head and (len(current.head) >= 15 or current.line in full_lines):
                current.head += line
            current.text += line
        elif _SUFFIX_LINE.match(line):
            current.text += "\n" + line
        elif split_task_text(line)[1] and (current.kind == "para" or not current.children):
            # An unnumbered paragraph naming its own parties: a task of its own under the heading
            # above (a lone one is merged back into its heading below), never dropped.
            parent = current.parent if current.kind == "para" else current
            item = Item(kind="para", number=len(parent.children) + 1, marker="", head=line, text=line, line=number)
            item.parent = parent
            parent.children.append(item)
            items.append(item)
            current = item
        elif not current.children and not split_task_text(current.text)[1]:
            current.text += "\n" + line
        else:
            current = None  # a paragraph: belongs to the part above, not to the item
    several = any(sum(c.kind == "para" for c in i.children) > 1 for i in items)
    lone = [i for i in items if i.kind != "para" and len(i.children) == 1 and i.children[0].kind == "para"]
    for item in [] if several else lone:
        # "（一）产业提升人才行动计划。" + one paragraph naming parties: one task, heading and text (unless
        # the plan lists several such paragraphs under a heading elsewhere: then each is a task)
        child = item.children.pop()
        item.text += "\n" + child.text
        items.remove(child)
    return roots, items


# ---------------------------------------------------------------- details of the campaign


def _meta(lines, roots):
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
            if len(line) <= 80 and not _marker(line):
                meta["title"] = normalise_text(line)
        if "issued_on" not in meta and (m := _FULL_DATE.fullmatch(line.strip())):
            try:
                meta["issued_on"] = date(*map(int, m.groups()))
            except ValueError:
                pass
    parts = {re.sub(r"\s+", "", item.heading): item for item in roots if item.kind == "part"}
    if "活动主题" in parts:
        meta["theme"] = normalise_text(_part_paragraphs(parts["活动主题"], lines)) + "。"
    if "活动时间" in parts and (m := _PERIOD.search(_part_paragraphs(parts["活动时间"], lines))):
        year, first, last = map(int, m.groups())
        if 1 <= first <= last <= 12:
            meta["starts_on"] = date(year, first, 1)
            meta["ends_on"] = date(year, last, calendar.monthrange(year, last)[1])
    if "活动内容" in parts:
        areas = []
        for child in parts["活动内容"].children:
            title, _, rest = child.text.partition("。")
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


def _part_paragraphs(part, lines):
    """The paragraphs right under a part heading (before its first numbered child)."""
    text = part.head.partition("。")[2] if "。" in part.head else ""
    if part.text != part.head:
        text += part.text[len(part.head) :]
    if not text:
        # the paragraph after the heading line was not joined (the heading ended a sentence)
        try:
            index = lines.index(next(line for line in lines if line.endswith(part.head)))
        except StopIteration:
            return ""
        following = [line for line in lines[index + 1 : index + 4] if line and not _marker(line)]
        text = following[0] if following else ""
    return text


# ---------------------------------------------------------------- the plan


def _tree_items(roots):
    out = []
    for root in roots:
        out.append(root)
        out.extend(_tree_items(root.children))
    return out


def parse_notice(text, *, level=None):
    """Read a plan's `text` into a Notice: flattened sections, tasks (with parties and time limits as
    written), the campaign's details, and the levels a coordinator could choose as the task level.

    `level` ("part", "section", "item", "subitem", "circled") overrides the task level read from
    the text. Raises NoticeError when no task can be found.
    """
    lines, dropped, full_lines = clean_lines(text)
    roots, items = read_items(lines, full_lines)
    plain = [line for _, line in lines]
    notice = Notice(meta=_meta(plain, roots), dropped_lines=dropped)

    for item in items:
        item.body, item.parties = split_task_text(item.text)
    counts = Counter(item.kind for item in items if item.parties)
    notice.levels = [(kind, LEVEL_LABELS[kind], counts[kind]) for kind in KINDS if counts[kind]]
    if level in RANK and any(item.kind == level for item in items):
        task_kind = level
    elif counts:
        # the level whose items name parties most often; on a tie the deeper one
        task_kind = max(counts, key=lambda kind: (counts[kind], RANK[kind]))
    else:
        raise NoticeError(
            "没有找到带责任单位的编号任务。任务应编号（如“一、”“（一）”“1.”），并在括号或“责任单位：”中写明责任单位"
            "（如“重点活动安排”“主要任务”下的“1. ……（牵头单位）”）。"
        )
    notice.level = task_kind

    def in_task_part(item):
        """Whether the item sits in a part that holds tasks (or the document has no parts above it)."""
        top = ([*item.ancestors(), item])[0]
        if top.kind == task_kind or top is item:
            return True
        return bool(TASK_PARTS.search(top.heading)) or any(
            d.kind == task_kind and d.parties for d in _tree_items(top.children)
        )

    candidates = [
        item
        for item in items
        if item.kind == task_kind and in_task_part(item) and (item.parties or not _is_bare_heading(item))
    ]
    if not candidates:
        raise NoticeError("没有找到编号任务。")

    paths = []
    for item in candidates:
        path = [a.heading for a in item.ancestors() if a.heading]
        paths.append(path)
    common = 0
    if paths:
        # Headings every task shares (the "重点活动安排" part) are left out of section titles,
        # but one level is kept when every task has the same path (it names the section).
        shortest = min(len(p) for p in paths)
        while common < shortest and len({p[common] for p in paths}) == 1:
            common += 1
        if all(len(p) == common for p in paths):
            common = max(common - 1, 0)

    numbers = [item.number for item in candidates]
    renumber = len(set(numbers)) != len(numbers)
    carry = None
    section_of = {}
    for index, (item, path) in enumerate(zip(candidates, paths, strict=True)):
        title_path = path[common:] or ["主要任务"]
        key = " · ".join(title_path)[:200]
        if key not in section_of:
            section_of[key] = len(section_of) + 1
            notice.sections[section_of[key]] = key
            notice.section_paths[section_of[key]] = path
        parties = item.parties
        carried = False
        if parties.same_as_previous and notice.tasks:
            previous = notice.tasks[-1]
            parties, carried = Parties(parties=list(previous.parties), deadline=parties.deadline), True
        if parties and parties.carry:
            carry = parties
        if not parties and carry is not None:
            parties, carried = Parties(parties=list(carry.parties), deadline=item.parties.deadline), True
        title, description = split_heading(item.body)
        label = "".join(a.marker for a in item.ancestors()) + item.marker
        notice.tasks.append(
            NoticeTask(
                line=item.line,
                section=section_of[key],
                number=index + 1 if renumber else item.number,
                title=title,
                units=_units_display(item.text, parties),
                parties=list(parties.parties),
                deadline=parties.deadline or (item.parties.deadline if item.parties else ""),
                description=description,
                path=path,
                label=label,
                carried=carried,
            )
        )
    return notice


def _is_bare_heading(item):
    """A short title with no sentence in it ("一、总体要求"): a heading, not a task."""
    return len(item.head) <= 40 and not re.search(r"[，。；,;]", item.head.rstrip("。"))


def _units_display(text, parties):
    """The parties as the published text writes them: the trailing parentheses' content when that
    is all they were, else the phrases joined."""
    if not parties:
        return ""
    m = re.search(r"[（(]([^（）()]*(?:[（(][^（）()]*[)）][^（）()]*)*)[)）]\s*[。.]?\s*$", text.strip())
    plain = m and not parties.deadline and not any(p.role for p in parties.parties)
    if plain and ":" not in m.group(1) and "：" not in m.group(1):
        inner = normalise_units(m.group(1))
        joined = "".join(p.phrase for p in parties.parties)
        if re.sub(r"[\s，,、；;]", "", inner) == re.sub(r"[\s，,、；;]", "", joined):
            return inner
    return parties.display


def split_heading(body):
    """(title, description) of a task's wording: a short first sentence with no comma in it is the
    title ("产业提升人才行动计划。围绕……"), the rest its description; a wording too long for a title
    keeps its first sentence as the title and the whole as the description."""
    text = normalise_text(body)
    first, sep, rest = text.partition("。")
    if sep and rest.strip() and len(first) <= 30 and not re.search(r"[，,；;：:]", first):
        return first, rest.strip()
    if len(text) > 500:
        return first[:500], text
    return text, ""


def open_docx(data):
    """A python-docx Document of `data` (bytes), the main part first scanned with defusedxml so a
    DTD or entity declaration is refused before lxml reads it. The caller has already checked the
    archive (campaigns/intake.check_zip)."""
    import io
    import zipfile

    import defusedxml.ElementTree as SafeET
    import docx

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        SafeET.fromstring(archive.read("word/document.xml"), forbid_dtd=True)
    return docx.Document(io.BytesIO(data))
