"""The small grammars of a Chinese work plan's task line: who is responsible, and by when.

Pure text, no database: the reader calls these on each numbered item, and the preview
resolves the names it returns against the directory (campaigns/directory.py).

Responsible parties come as
- trailing parentheses, with or without role words: "（省局知识产权公共服务处）",
  "（市发展改革委牵头，市财政局、市商务局配合）", "（商务部等有关部门按职责分工负责）";
- labels, inside parentheses or as suffix lines: "牵头单位：市发展改革委；配合单位：……",
  "责任单位：……";
- "A会同B负责" (A leads, B shares), "……，下同" (these parties carry on to the following
  tasks that name none), "排在第一位的为牵头单位" (the convention this reader applies anyway:
  without role words the first named party leads).

Time limits come as "（2024年6月底前）", "6月30日前完成", "时间：4月", "完成时限：2024年底",
"长期坚持", "持续推进".
"""

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

LEAD, CO = "lead", "co"

# Role words at the end of a party phrase, longest first.
ROLE_SUFFIXES = [
    ("按职责分工负责", None),
    ("按职责分工落实", None),
    ("按职能分工负责", None),
    ("按职责负责", None),
    ("分别负责", None),
    ("共同负责", None),
    ("牵头负责", LEAD),
    ("牵头落实", LEAD),
    ("负责落实", None),
    ("牵头", LEAD),
    ("负责", None),
    ("配合", CO),
    ("参与", CO),
    ("协助", CO),
    ("协办", CO),
    ("落实", None),
]
LABELS = {
    "牵头责任单位": LEAD,
    "协同责任单位": CO,
    "配合责任单位": CO,
    "协同单位": CO,
    "协办部门": CO,
    "参与部门": CO,
    "牵头单位": LEAD,
    "牵头部门": LEAD,
    "主责单位": LEAD,
    "主办单位": LEAD,
    "责任单位": None,
    "责任部门": None,
    "实施单位": None,
    "承办单位": None,
    "配合单位": CO,
    "配合部门": CO,
    "参与单位": CO,
    "参加单位": CO,
    "协办单位": CO,
}
TIME_LABELS = ("完成时限", "完成时间", "时间节点", "时间安排", "时限", "时间")
# Labels naming a person, not a unit ("牵头负责领导：金力"): their content is left out.
PERSON_LABELS = ("牵头负责领导", "牵头市领导", "牵头领导", "责任领导", "分管领导", "负责领导", "责任人", "联系人")
_LABEL = re.compile(
    r"(" + "|".join(sorted([*LABELS, *TIME_LABELS, *PERSON_LABELS], key=len, reverse=True)) + r")\s*[：:]"
)
# Where a plan states its convention instead of a party ("排在第一位的为牵头单位").
_CONVENTION = re.compile(r"(排在|排名|列在|列于|位列)?(第一位|首位|第一个|最前)")
_CARRY = re.compile(r"[，,、]?\s*(以下同|下同)\s*")
# "商务部等有关部门" -> "商务部" + the vague "有关部门".
_ETC = re.compile(r"等(有关|相关|其他)?(单位|部门|机构)?$")
# Parties that name nobody in particular: shown as a warning, never an error.
VAGUE = re.compile(
    r"^(各?有关|各?相关|其他|各级|各地|各部门|各单位|各地区|各成员单位|各类|全市|全省|社会各界)"
    r"|(有关|相关)(单位|部门|机构|方面|企业|地区)$"
)
# How a responsible party's name ends; a trailing remark that ends otherwise is not a party.
_ORG_END = re.compile(
    r"(局|委|厅|办|部|署|院|处|室|科|股|中心|政府|公司|大学|学院|学校|馆|会|所|站|队|银行|社|团|联|网点|机构|集团|"
    r"单位|部门|市|县|区|州|旗|镇|乡|街道|园|组|团体|企业|协会|银行|总局|法院|检察院|医院|基地|平台|国资委|"
    r"TISC|各方|方面|办公室|海关|机关)$",
    re.IGNORECASE,
)
_DESCRIPTION = re.compile(r"\s*(——|—|--).*$")
_TRAILING_TISC = re.compile(r"\s*[（(]?TISC[）)]?\s*$", re.IGNORECASE)
ONGOING = re.compile(
    r"^(长期坚持|长期推进|长期|持续推进|持续开展|持续实施|持续|常态化推进|常态化开展|常态化|长期有效|逐年推进)$"
)


@dataclass
class Party:
    """A phrase that names responsible units, with the role the text gives it (None: by position)."""

    phrase: str
    role: str | None = None


@dataclass
class Parties:
    parties: list = field(default_factory=list)
    deadline: str = ""  # the time limit as written, "" if none
    carry: bool = False  # "下同": these parties apply to the following tasks that name none
    same_as_previous: bool = False  # "（同上）": the previous task's parties

    def __bool__(self):
        return bool(self.parties) or self.same_as_previous

    @property
    def display(self):
        """The parties as one line for the preview: "A（牵头）、B、C"."""
        names = []
        for p in self.parties:
            names.append(p.phrase + ("（牵头）" if p.role == LEAD else ""))
        return "，".join(names)


# ---------------------------------------------------------------- time limits


def _month_end(year, month):
    return date(year, month, calendar.monthrange(year, month)[1])


_QUARTER = {"一": 3, "二": 6, "三": 9, "四": 12, "1": 3, "2": 6, "3": 9, "4": 12}


def _clean_time(text):
    s = re.sub(r"\s+", "", str(text))
    s = re.sub(r"^(" + "|".join(TIME_LABELS) + r")[：:]", "", s)
    s = s.strip("（）()，,。；;")
    s = re.sub(r"^(于|在|截至|截止|到)", "", s)
    s = re.sub(r"(以前|之前|前)(完成|基本完成|全面完成|建成|启动|出台|举办|开展|实现)[^，,。；;]{0,8}$", "", s)
    s = re.sub(r"(以前|之前|前|完成|基本完成|全面完成|建成|启动|出台|举办|开展|实现|结束|止)+$", "", s)
    s = re.sub(r"(以前|之前|前)$", "", s)
    return s


def read_time_limit(text, year):
    """(deadline date or None, ongoing) for a time limit as plans write it; ValueError if unreadable.

    "2024年6月底前" -> end of June 2024; "6月30日前完成" -> that day in `year`; "时间：4月" ->
    30 April; "2024年底" -> 31 December; "上半年", "第三季度"; "2024年4—9月" -> 30 September;
    "长期坚持", "持续推进" -> (None, True).
    """
    s = _clean_time(text)
    if not s:
        raise ValueError(text)
    if ONGOING.fullmatch(s):
        return None, True
    try:
        if m := re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", s):
            return date(*map(int, m.groups())), False
        if m := re.fullmatch(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日?", s):
            return date(int(m.group(1) or year), int(m.group(2)), int(m.group(3))), False
        if m := re.fullmatch(r"(?:(\d{4})年)?(\d{1,2})月(上旬|中旬|下旬|中下旬|底|末|份|)", s):
            y, month = int(m.group(1) or year), int(m.group(2))
            day = {"上旬": 10, "中旬": 20}.get(m.group(3))
            return (date(y, month, day) if day else _month_end(y, month)), False
        if m := re.fullmatch(r"(?:(\d{4})年)?(\d{1,2})月?[—\-–~至到](\d{1,2})月(底|末|)", s):
            y, first, last = int(m.group(1) or year), int(m.group(2)), int(m.group(3))
            if first <= last:
                return _month_end(y, last), False
        if m := re.fullmatch(r"(\d{4})年?[—\-–~至到](\d{4})年(底|末|)", s):
            return date(int(m.group(2)), 12, 31), False
        if m := re.fullmatch(r"(?:(\d{4})年)?(年底|年末|年内|全年|底|末)", s):
            return date(int(m.group(1) or year), 12, 31), False
        if m := re.fullmatch(r"(\d{4})年", s):
            return date(int(m.group(1)), 12, 31), False
        if m := re.fullmatch(r"(?:(\d{4})年)?(上半年|下半年)(底|末|)", s):
            first_half = m.group(2) == "上半年"
            return date(int(m.group(1) or year), 6 if first_half else 12, 30 if first_half else 31), False
        if m := re.fullmatch(r"(?:(\d{4})年)?第?([一二三四1-4])季度(末|底|)", s):
            return _month_end(int(m.group(1) or year), _QUARTER[m.group(2)]), False
    except ValueError:
        pass
    raise ValueError(text)


def is_time_limit(text):
    try:
        read_time_limit(text, 2000)
    except ValueError:
        return False
    return True


# A time clause at the end of a sentence: "……，2024年6月30日前完成".
_TRAILING_TIME = re.compile(
    r"[，,；;]\s*((?:时间|完成时限)?[：:]?\s*(?:\d{4}\s*年\s*)?(?:\d{1,2}\s*月\s*(?:\d{1,2}\s*日|底|末)?|年?底|年?末|年内|上半年|下半年|第[一二三四]季度)"
    r"\s*(?:前|以前|之前)\s*(?:(?:完成|启动|建成|出台)[^，,。；;]{0,8})?|长期坚持|持续推进)\s*[。.]?\s*$"
)


# ---------------------------------------------------------------- parties


def clean_name(raw):
    """A unit's name as the directory keys it: no spaces, no "——description", no trailing "TISC"."""
    name = _DESCRIPTION.sub("", raw.strip())
    name = _TRAILING_TISC.sub("", name)
    return re.sub(r"\s+", "", name)


def _strip_role(phrase):
    role, found = None, False
    changed = True
    while changed:
        changed = False
        for suffix, suffix_role in ROLE_SUFFIXES:
            if phrase.endswith(suffix) and len(phrase) > len(suffix):
                phrase = phrase[: -len(suffix)].rstrip("，,、 ")
                if not found or suffix_role == LEAD:
                    role = suffix_role if suffix_role is not None or not found else role
                found = True
                changed = True
                break
    return phrase, role, found


def _phrases(segment, role):
    """Party phrases of one comma-free segment: "A会同B", "商务部等有关部门", role words stripped."""
    segment, own_role, _ = _strip_role(segment.strip())
    role = own_role if own_role is not None else role
    out = []
    parts = re.split(r"会同|以及|及(?=各|市|省|区|县)", segment)
    for index, part in enumerate(parts):
        part = part.strip("，,、 ")
        if not part:
            continue
        part_role = role if index == 0 else CO
        if index == 0 and len(parts) > 1 and role is None:
            part_role = LEAD
        m = _ETC.search(part)
        if m and m.start() > 0:
            head = part[: m.start()].strip("、，, ")
            if head:
                out.append(Party(head, part_role))
            if m.group(1) or m.group(2):
                out.append(Party((m.group(1) or "有关") + (m.group(2) or "部门"), CO))
            continue
        out.append(Party(part, part_role))
    return out


def looks_like_party(phrase):
    name = clean_name(phrase)
    return bool(name) and (bool(_ORG_END.search(name)) or bool(VAGUE.search(name))) and len(name) <= 60


def parse_party_zone(text, trusted=False):
    """Parties (and any time limit) from the text of a trailing parenthesis or a labelled suffix.

    Returns Parties, or None when the text does not read as responsible parties (a trailing
    remark such as "（试行）" stays in the title); `trusted` text (a table's unit column) is
    parties whatever the names look like.
    """
    result = Parties()
    text = text.strip().strip("（）()").strip()
    if re.fullmatch(r"(责任单位[：:])?\s*同上\s*[。.]?", text):
        result.same_as_previous = True
        return result
    if _CARRY.search(text):
        result.carry = True
        text = _CARRY.sub("，", text).strip("，, ")
    labelled = bool(_LABEL.search(text))
    segments = re.split(r"[；;。\n]", text)
    for segment in segments:
        segment = segment.strip("，, ")
        if not segment:
            continue
        if _CONVENTION.search(segment) and ("牵头" in segment or "责任" in segment):
            continue
        role, any_label = None, False
        pieces = [(None, segment)]
        if labelled:
            pieces = []
            position = 0
            label = None
            for m in _LABEL.finditer(segment):
                if m.start() > position and label is not None:
                    pieces.append((label, segment[position : m.start()]))
                elif m.start() > position:
                    pieces.append((None, segment[position : m.start()]))
                label, position = m.group(1), m.end()
                any_label = True
            pieces.append((label, segment[position:]))
        for label, piece in pieces:
            piece = piece.strip("，, ")
            if not piece or label in PERSON_LABELS:
                continue
            if label in TIME_LABELS or (label is None and is_time_limit(piece)):
                if is_time_limit(piece):
                    result.deadline = piece
                    continue
                if label in TIME_LABELS:
                    result.deadline = piece  # unreadable: the preview reports it
                    continue
            role = LABELS.get(label) if label else None
            for sub in re.split(r"[，,]", piece):
                sub = sub.strip()
                if not sub:
                    continue
                if is_time_limit(sub):
                    result.deadline = sub
                    continue
                result.parties.extend(_phrases(sub, role))
        del any_label
    if not result.parties and not result.deadline and not result.same_as_previous:
        return None
    if not trusted and not labelled and not all(looks_like_party(n) for p in result.parties for n in p.phrase.split("、")):
        return None  # not a list of parties ("（试行）", "（以下简称“三库”）")
    return result


def _matching_open(text, close_index):
    depth = 0
    for index in range(close_index, -1, -1):
        if text[index] in "）)":
            depth += 1
        elif text[index] in "（(":
            depth -= 1
            if depth == 0:
                return index
    return None


def split_task_text(text):
    """(body, Parties) of a task's text: trailing parentheses, labelled suffixes and a final time
    clause are read off the end; what remains is the task's own wording."""
    found = Parties()
    body = text.strip()
    for _ in range(6):  # a task ends with at most a few such groups
        body = body.rstrip(" \n。.；;，,")
        if not body:
            break
        if body[-1] in "）)":
            start = _matching_open(body, len(body) - 1)
            if start is None:
                break
            zone = parse_party_zone(body[start + 1 : -1])
            if zone is None:
                break
            found.parties[:0] = zone.parties
            found.deadline = found.deadline or zone.deadline
            found.carry = found.carry or zone.carry
            found.same_as_previous = found.same_as_previous or zone.same_as_previous
            body = body[:start]
            continue
        labels = list(_LABEL.finditer(body))
        if labels:
            # The first label of the trailing chain: labels back to back at the end of the text.
            first = labels[-1]
            for m in reversed(labels[:-1]):
                between = body[m.end() : first.start()]
                if "。" in between.rstrip("。；; ") or len(between) > 120:
                    break
                first = m
            zone = parse_party_zone(body[first.start() :])
            if zone is not None:
                found.parties[:0] = zone.parties
                found.deadline = found.deadline or zone.deadline
                found.carry = found.carry or zone.carry
                body = body[: first.start()]
                continue
        if m := _TRAILING_TIME.search(body):
            found.deadline = found.deadline or m.group(1)
            body = body[: m.start()]
            continue
        break
    return body.rstrip(" \n，,；;"), found
