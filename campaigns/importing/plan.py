"""The plan preview and its commit: compare what a file holds with the campaign, then write
all or nothing.

    source = read_plan_file(filename, data)          # readers: size, type by content, rows
    preview = build_preview(source, campaign)        # resolves units, compares; writes nothing
    if not preview.has_errors:
        commit_preview(preview, user=...)            # one transaction

Rows match existing tasks by (campaign, task number): importing the same file twice
changes nothing, and a changed deadline updates the task in place, with the change kept
in its history. A blank deadline or notes cell leaves the task's value as it is. Tasks of
the campaign that the file does not mention are left alone. Changes are keyed by field
name ("title", "deadline", ...); the Chinese labels are for display only.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .. import services
from ..directory import Directory, assignments_from_entries
from ..models import Assignment, Campaign, Section, Task, Unit, chinese_ordinal
from ..notice import normalise_text
from ..plan_grammar import parse_party_zone
from .readers import FIELD_LABELS, deadline_reading, parse_number, parse_section, text_cell

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
STATUS_LABELS = {NEW: "新增", CHANGED: "变更", UNCHANGED: "不变", ERROR: "错误"}


class Change(NamedTuple):
    field: str  # "title", "section", "deadline", "notes", "units"
    old: object
    new: object

    @property
    def label(self):
        return FIELD_LABELS[self.field]


@dataclass
class RowPreview:
    row: int
    number: int | None = None
    section: tuple = (None, "")  # (ordinal, title)
    title: str = ""
    description: str = ""
    units: str = ""
    deadline: date | None = None
    deadline_text: str = ""  # the time limit as the text writes it
    ongoing: bool = False  # "长期坚持", "持续推进"
    notes: str = ""
    label: str = ""
    path: list = field(default_factory=list)
    entries: list = field(default_factory=list)
    status: str = NEW
    changes: list = field(default_factory=list)  # [Change]
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    unknown: list = field(default_factory=list)  # unit names the directory does not know
    task: Task | None = None

    @property
    def status_display(self):
        return STATUS_LABELS[self.status]

    @property
    def messages(self):
        return [f"第{self.row}行：{e}" for e in self.errors]

    @property
    def leads(self):
        return [u.name for u, role, _, _ in assignments_from_entries(self.entries) if role == "lead"]

    @property
    def cos(self):
        return [u.name for u, role, _, _ in assignments_from_entries(self.entries) if role == "co"]


@dataclass
class UnknownName:
    """A unit name no row could resolve, with the rows naming it and the closest known units."""

    name: str
    rows: list
    suggestions: list


@dataclass
class Preview:
    source: object
    campaign: Campaign | None  # None: a new campaign will be created
    campaign_values: dict  # for a new campaign: the fields it will get
    rows: list
    sections: dict  # ordinal -> title, as they will be after the commit
    section_changes: list  # [(ordinal, old title or None, new title)]
    file_errors: list = field(default_factory=list)
    unknown_units: list = field(default_factory=list)  # [UnknownName], by first appearance

    @property
    def has_errors(self):
        return bool(self.file_errors) or any(r.status == ERROR for r in self.rows)

    @property
    def errors(self):
        return self.file_errors + [m for r in self.rows for m in r.messages]

    def count(self, status):
        return sum(1 for r in self.rows if r.status == status)

    @property
    def counts(self):
        return {label: self.count(status) for status, label in STATUS_LABELS.items()}

    @property
    def warning_count(self):
        return sum(len(r.warnings) for r in self.rows)

    @property
    def fingerprint(self):
        """A digest of what the commit would do; a commit refuses if it changed since the preview."""
        h = hashlib.sha256(self.source.sha256.encode())
        h.update(f"{self.source.level}".encode())
        for r in self.rows:
            h.update(f"{r.row}|{r.number}|{r.status}|{list(r.changes)}|{r.errors}".encode())
        h.update(repr(self.section_changes).encode())
        return h.hexdigest()[:32]

    def as_text(self):
        """The preview for a terminal."""
        target = self.campaign.code if self.campaign else f"{self.campaign_values['code']}（新建，草稿）"
        lines = [f"导入 {self.source.filename}（{self.source.kind_display}）到活动方案 {target}"]
        for ordinal, old, new in self.section_changes:
            lines.append(f"  活动安排（{chinese_ordinal(ordinal)}）：" + (f"“{old}” → “{new}”" if old else f"新增“{new}”"))
        for r in self.rows:
            head = f"  第{r.row}行 任务{r.number or '?'} [{r.status_display}]"
            if r.status == ERROR:
                lines.append(head + " " + "；".join(r.errors))
            elif r.status == CHANGED:
                lines.append(
                    head + " " + "；".join(f"{c.label}：{c.old or '（空）'} → {c.new or '（空）'}" for c in r.changes)
                )
            else:
                lines.append(head + " " + r.title)
            lines.extend(f"      提示：{w}" for w in r.warnings)
        lines.extend(self.file_errors)
        counts = "，".join(f"{label} {n}" for label, n in self.counts.items())
        lines.append(f"合计 {len(self.rows)} 行：{counts}")
        return "\n".join(lines)


def _current_units(task):
    return [
        (a.unit_id, a.role, a.via_group_id)
        for a in sorted(task.assignments.all(), key=lambda a: (a.position, a.pk))
        if a.status != Assignment.Status.CANCELLED
    ]


def _fmt(value):
    if isinstance(value, date):
        return value.isoformat()
    return value or ""


def _row_parties(src):
    if src.parties is not None:
        return src.parties
    zone = parse_party_zone(text_cell(src.units), trusted=True)
    return zone.parties if zone else []


def build_preview(source, campaign=None, *, new_code=None, year=None, directory=None, coordinating_unit=None):
    """Compare `source` with `campaign` (or a new campaign `new_code`) row by row; write nothing.

    Each row comes out new, changed (with its differences), unchanged or error (with the
    row number in every message); vague parties ("各有关单位") are warnings on the row. Every
    unknown unit of every row is gathered in preview.unknown_units. Costs a fixed number of
    queries however many rows the file has.
    """
    directory = directory or Directory()
    campaign_values = {}
    if campaign is None:
        campaign_values = new_campaign_values(new_code, source, coordinating_unit)
        year = year or campaign_values["starts_on"].year
    else:
        year = year or campaign.starts_on.year
    existing_tasks, existing_sections = {}, {}
    if campaign is not None:
        existing_tasks = {
            t.number: t
            for t in Task.objects.filter(campaign=campaign)
            .select_related("section")
            .prefetch_related(Prefetch("assignments", queryset=Assignment.objects.select_related("unit", "via_group")))
        }
        existing_sections = {s.ordinal: s.title for s in campaign.sections.all()}

    sections = dict(existing_sections)
    by_title = {title: ordinal for ordinal, title in existing_sections.items()}
    file_sections = {}  # ordinal -> (title, first row) as the file writes them
    section_changes = []
    rows, seen_numbers = [], {}
    unknown, suggested = {}, {}
    current_section = (None, "")
    notice = source.kind in ("notice", "docx-table")
    for src in source.rows:
        r = RowPreview(row=src.row, label=src.label, path=src.path, description=src.description)
        rows.append(r)
        # section: a blank cell continues the previous row's section
        try:
            ordinal, title = parse_section(src.section)
        except ValueError:
            ordinal, title = None, text_cell(src.section)
        if ordinal is None and not title:
            ordinal, title = current_section
        if ordinal is None and title:
            ordinal = (
                by_title.get(title)
                or next((o for o, (t, _) in file_sections.items() if t == title), None)
                or max([*sections, *file_sections, 0]) + 1
            )
        if not title and ordinal in sections:
            title = sections[ordinal]
        if ordinal is None or not title:
            if source.kind == "docx-table" and ordinal is None:
                ordinal = by_title.get("主要任务") or max([*sections, *file_sections, 0]) + 1
                title = "主要任务"
            else:
                r.errors.append("缺少活动安排（如“（一）活动启动”）")
        if ordinal in file_sections and title and file_sections[ordinal][0] != title:
            other = file_sections[ordinal]
            r.errors.append(f"活动安排（{chinese_ordinal(ordinal)}）在第{other[1]}行写作“{other[0]}”，此处写作“{title}”")
        elif ordinal is not None and title and ordinal not in file_sections:
            file_sections[ordinal] = (title, src.row)
        current_section = (ordinal, title)
        r.section = (ordinal, title)

        try:
            r.number = parse_number(src.number)
        except ValueError:
            r.errors.append(f"任务编号“{text_cell(src.number)}”不是正整数")
        else:
            if r.number in seen_numbers:
                r.errors.append(f"任务编号 {r.number} 与第{seen_numbers[r.number]}行重复")
            else:
                seen_numbers[r.number] = src.row

        r.title = normalise_text(text_cell(src.title)) if notice else text_cell(src.title)
        if not r.title:
            r.errors.append("缺少任务内容")
        elif len(r.title) > Task._meta.get_field("title").max_length:
            r.errors.append("任务内容超过 500 字")

        r.units = text_cell(src.units)
        parties = _row_parties(src)
        if src.carried:
            r.warnings.append("责任单位沿用前文“下同”的写法")
        if not parties:
            r.errors.append("缺少责任单位")
        else:
            r.entries, names, vague = directory.resolve_parties(parties)
            for name in names:
                r.unknown.append(name)
                if name not in suggested:
                    suggested[name] = directory.suggestions(name)
                hint = f"，是否为“{suggested[name][0]}”？" if suggested[name] else ""
                r.errors.append(f"未知单位“{name}”{hint}")
                unknown.setdefault(name, []).append(src.row)
            for phrase in vague:
                r.warnings.append(f"“{phrase}”是泛指，未分配到具体单位")
            if not r.entries and not names:
                r.warnings.append("只写了泛指的责任单位，导入后请指派具体单位")

        try:
            r.deadline, r.ongoing = deadline_reading(src.deadline, year)
        except ValueError as exc:
            r.errors.append(str(exc))
        r.deadline_text = text_cell(src.deadline) if not isinstance(src.deadline, date | datetime) else ""
        r.notes = text_cell(src.notes)
        if r.ongoing and not r.notes:
            r.notes = f"完成时限：{r.deadline_text}"

        if r.errors:
            r.status = ERROR
            continue
        task = existing_tasks.get(r.number)
        r.task = task
        if task is None:
            r.status = NEW
            continue
        wanted_units = [(u.pk, role, g.pk if g else None) for u, role, g, _ in assignments_from_entries(r.entries)]
        if task.title != r.title:
            r.changes.append(Change("title", task.title, r.title))
        if task.section.ordinal != ordinal:
            r.changes.append(Change("section", task.section.title, title))
        if r.deadline is not None and task.deadline != r.deadline:
            r.changes.append(Change("deadline", _fmt(task.deadline), _fmt(r.deadline)))
        if r.notes and task.notes != r.notes:
            r.changes.append(Change("notes", task.notes, r.notes))
        if r.entries and _current_units(task) != wanted_units:
            r.changes.append(Change("units", task.responsible_display(), r.units))
        r.status = CHANGED if r.changes else UNCHANGED

    for ordinal, (title, _) in sorted(file_sections.items()):
        if sections.get(ordinal) != title:
            section_changes.append((ordinal, sections.get(ordinal), title))
            sections[ordinal] = title
    preview = Preview(
        source=source,
        campaign=campaign,
        campaign_values=campaign_values,
        rows=rows,
        sections=sections,
        section_changes=section_changes,
        unknown_units=[
            UnknownName(name, row_numbers, suggested[name]) for name, row_numbers in unknown.items()
        ],
    )
    if campaign is None and campaign_values["coordinating_unit"] is None:
        preview.file_errors.append("单位目录中没有可作为协调单位的省局处室，请先导入单位目录。")
    return preview


# ---------------------------------------------------------------- new campaigns


def default_coordinating_unit():
    """The unit a new campaign is coordinated by when none is named: the coordinating unit of
    the latest campaign, else the first provincial division of the directory."""
    latest = Campaign.objects.order_by("-created_at", "-pk").select_related("coordinating_unit").first()
    if latest is not None:
        return latest.coordinating_unit
    return Unit.objects.filter(kind=Unit.Kind.PROVINCIAL_DIVISION).order_by("ordinal", "name").first()


def new_campaign_values(code, source, coordinating_unit=None):
    """The fields of a campaign created by an import (status draft).

    From the notice where it states them (title, document number, issuing authority,
    issued on, theme, content areas, period, summary due date); otherwise the title is
    the file's name, the period is the whole year of the earliest full date in the file
    (else this year) and the summary is due at the period's end.
    """
    meta = source.meta
    year = None
    for row in source.rows:
        value = row.deadline
        if isinstance(value, date | datetime):
            year = value.year if year is None else min(year, value.year)
        elif isinstance(value, str) and (m := re.match(r"\s*(\d{4})\s*[-/.年]", value)):
            year = int(m.group(1)) if year is None else min(year, int(m.group(1)))
    if year is None:
        year = (meta.get("starts_on") or meta.get("issued_on") or timezone.localdate()).year
    starts_on = meta.get("starts_on") or date(year, 1, 1)
    ends_on = meta.get("ends_on") or date(starts_on.year, 12, 31)
    stem = source.filename.rsplit(".", 1)[0]
    return {
        "code": code,
        "title": meta.get("title") or stem[:200],
        "document_number": meta.get("document_number", ""),
        "issuing_authority": meta.get("issuing_authority", ""),
        "issued_on": meta.get("issued_on"),
        "theme": meta.get("theme", ""),
        "content_areas": meta.get("content_areas", []),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "summary_due": meta.get("summary_due") or ends_on,
        "status": Campaign.Status.DRAFT,
        "coordinating_unit": coordinating_unit or default_coordinating_unit(),
    }


# ---------------------------------------------------------------- commit


class StalePreview(ValueError):
    """The plan or the directory changed since the preview: the coordinator must look again."""


@transaction.atomic
def commit_preview(preview, *, user=None, expected_fingerprint=None):
    """Write an error-free preview: sections, new tasks, changed tasks and their units, all or nothing.

    New tasks and their assignments are written in bulk (with their history rows); a
    changed task is saved in place with "导入：<file>" as the reason in its history, and
    its units synced by services.set_task_units. Returns the campaign.
    """
    if preview.has_errors:
        raise ValueError("a preview with errors cannot be committed")
    if expected_fingerprint is not None and preview.fingerprint != expected_fingerprint:
        raise StalePreview("预览后数据已有变化，请重新核对预览。")
    reason = f"导入：{preview.source.filename}"[:100]
    campaign = preview.campaign
    if campaign is None:
        values = dict(preview.campaign_values)
        if values["coordinating_unit"] is None:
            raise ValueError("no coordinating unit for the new campaign")
        campaign = Campaign.objects.create(**values)

    sections = {s.ordinal: s for s in Section.objects.filter(campaign=campaign)}
    for ordinal, _old, title in preview.section_changes:
        if ordinal in sections:
            sections[ordinal].title = title
            sections[ordinal].save(update_fields=["title"])
        else:
            sections[ordinal] = Section.objects.create(campaign=campaign, ordinal=ordinal, title=title)

    new_rows = [r for r in preview.rows if r.status == NEW]
    tasks = [
        Task(
            campaign=campaign,
            section=sections[r.section[0]],
            number=r.number,
            title=r.title,
            description=r.description,
            deadline=r.deadline,
            original_deadline=r.deadline,
            notes=r.notes,
        )
        for r in new_rows
    ]
    batch = 500
    tasks = bulk_create_with_history(tasks, Task, batch_size=batch, default_user=user, default_change_reason=reason)
    if tasks and tasks[0].pk is None:  # a backend without RETURNING: read the ids back
        ids = dict(Task.objects.filter(campaign=campaign).values_list("number", "pk"))
        for task in tasks:
            task.pk = task.id = ids[task.number]
    assignments = [
        Assignment(task=task, unit=unit, role=role, via_group=group, position=position)
        for task, r in zip(tasks, new_rows, strict=True)
        for unit, role, group, position in assignments_from_entries(r.entries)
    ]
    bulk_create_with_history(assignments, Assignment, batch_size=batch, default_user=user, default_change_reason=reason)

    for r in preview.rows:
        if r.status != CHANGED:
            continue
        task = r.task
        changed = {c.field for c in r.changes}
        fields = []
        if "title" in changed:
            task.title = r.title
            fields.append("title")
        if "section" in changed:
            task.section = sections[r.section[0]]
            fields.append("section")
        if "deadline" in changed:
            task.deadline = r.deadline
            fields.append("deadline")
        if "notes" in changed:
            task.notes = r.notes
            fields.append("notes")
        if fields:
            task._change_reason = reason
            if user is not None:
                task._history_user = user
            task.save(update_fields=fields)
        if "units" in changed:
            services.set_task_units(task, r.entries)
    return campaign
