"""Reading the plan's own wording of responsible units against the directory.

"（省局知识产权公共服务处、商标品牌处，各知识产权信息公共服务机构）" becomes a list of
entries: the first is the lead (one unit, or every member of a group such as
各市州市场监管局), the rest are co-responsible.
"""
import re
from dataclasses import dataclass, field

from django.db import transaction

from .models import Region, Unit, UnitGroup
from .plan_grammar import CO, LEAD, VAGUE, clean_name

SEPARATORS = re.compile(r"[，、,;；]")
PROVINCIAL_PREFIX = "省局"


class DirectoryRefused(ValueError):
    """A change to the directory from an import preview was refused (Chinese message)."""


class UnknownUnit(ValueError):
    """A name that matches no unit or group of the directory."""

    def __init__(self, name, suggestion=None):
        self.name = name
        self.suggestion = suggestion
        message = f"未知单位“{name}”"
        if suggestion:
            message += f"，是否为“{suggestion}”？"
        super().__init__(message)


@dataclass
class Entry:
    """One entry of a task's parentheses: a unit, or a group and its members."""

    text: str
    units: list = field(default_factory=list)
    group: UnitGroup | None = None
    role: str | None = None  # "lead" or "co" as the text says; None: by position


def split_units(text):
    """Split a responsible-units cell into cleaned names, parentheses removed."""
    text = text.strip().strip("（）()").strip()
    return [clean_name(part) for part in SEPARATORS.split(text) if clean_name(part)]


class Directory:
    """An in-memory index of units and groups by every name they go by.

    Built once per import or seed (two queries), so resolving thousands of rows costs no
    further queries.
    """

    def __init__(self, units=None, groups=None):
        units = list(units if units is not None else Unit.objects.all())
        groups = list(groups if groups is not None else UnitGroup.objects.prefetch_related("members"))
        self.units = {}
        for unit in units:
            for name in [unit.name, unit.short_name, *unit.aliases]:
                if name:
                    self.units.setdefault(clean_name(name), unit)
        self.groups = {}
        for group in groups:
            for name in [group.name, *group.aliases]:
                if name:
                    self.groups[clean_name(name)] = group

    def lookup(self, name, previous=None):
        """The Entry for one cleaned name; `previous` is the entry before it in the same
        cell, so "…公共服务处、商标品牌处" reads the second as 省局商标品牌处."""
        if name in self.groups:
            group = self.groups[name]
            members = sorted(group.members.all(), key=lambda u: (u.ordinal, u.name))
            return Entry(text=name, units=members, group=group)
        if name in self.units:
            return Entry(text=name, units=[self.units[name]])
        if previous is not None and previous.text.startswith(PROVINCIAL_PREFIX):
            expanded = PROVINCIAL_PREFIX + name
            if expanded in self.units:
                return Entry(text=expanded, units=[self.units[expanded]])
        raise UnknownUnit(name, self.suggest(name))

    def resolve(self, text):
        """All entries of a responsible-units cell, in order; raises UnknownUnit."""
        entries, previous = [], None
        for name in split_units(text):
            previous = self.lookup(name, previous)
            entries.append(previous)
        if not entries:
            raise UnknownUnit(text.strip() or "（空）")
        return entries

    def resolve_parties(self, parties):
        """(entries with roles, unknown names, vague phrases) for a task's parties (plan_grammar.Party).

        A phrase is looked up whole first, so a group written with 、 ("各区、县级市") resolves;
        otherwise it is split on 、 and each name looked up (a phrase starting with 各 whose
        pieces are not all known stays one unknown name, to be added as a whole). A phrase that names nobody in
        particular ("各有关单位", "有关部门") is returned as vague, not unknown. Without a
        lead named in the text the first entry leads and the others share the work.
        """
        entries, unknown, vague, previous = [], [], [], None
        for party in parties:
            whole = clean_name(party.phrase)
            names = [whole]
            if whole not in self.units and whole not in self.groups and "、" in whole:
                pieces = [n for n in (clean_name(p) for p in party.phrase.split("、")) if n]
                known = [n in self.units or n in self.groups or VAGUE.search(n) for n in pieces]
                # "各市、县人民政府" is one group phrase: unknown as a whole unless every piece is known
                if not (whole.startswith("各") and not all(known)):
                    names = pieces
            for name in names:
                try:
                    previous = self.lookup(name, previous)
                except UnknownUnit:
                    if VAGUE.search(name):
                        vague.append(name)
                    elif name not in unknown:
                        unknown.append(name)
                    continue
                entries.append(Entry(previous.text, previous.units, previous.group, party.role))
        if any(e.role == LEAD for e in entries):
            for e in entries:
                e.role = e.role if e.role == LEAD else CO
        else:
            for index, e in enumerate(entries):
                e.role = LEAD if index == 0 else CO
        return entries, unknown, vague

    def suggestions(self, name, n=3):
        """Up to `n` canonical unit names closest to `name` (for fixing the directory from a preview)."""
        import difflib

        names = {}
        for key, unit in self.units.items():
            names.setdefault(key, unit.name)
        found = []
        for key in sorted((k for k in names if len(k) >= 4 and name.startswith(k)), key=len, reverse=True):
            found.append(names[key])
        for key in difflib.get_close_matches(name, list(names), n=n * 3, cutoff=0.45):
            found.append(names[key])
        out = []
        for unit_name in found:
            if unit_name not in out:
                out.append(unit_name)
        return out[:n]

    def suggest(self, name):
        """The known unit or group name closest to `name`, for an error message.

        A known name that the text begins with wins ("青海大学知识产权中心" -> 青海大学);
        otherwise the closest spelling (difflib), then any name containing or contained
        in it. Always the canonical name, even when an alias was the closest.
        """
        import difflib

        candidates = list(self.units) + list(self.groups)
        best = sorted((c for c in candidates if len(c) >= 4 and name.startswith(c)), key=len, reverse=True)[:1]
        if not best:
            best = difflib.get_close_matches(name, candidates, n=1, cutoff=0.4)
        if not best:
            best = [c for c in candidates if name and (name in c or c in name)][:1]
        if not best:
            return None
        match = best[0]
        return self.groups[match].name if match in self.groups else self.units[match].name


def assignments_from_entries(entries):
    """(unit, role, via_group, position) for each unit, lead first, each unit once."""
    rows, seen = [], set()
    for index, entry in enumerate(entries):
        role = entry.role or ("lead" if index == 0 else "co")
        for unit in entry.units:
            if unit.pk in seen:
                continue
            seen.add(unit.pk)
            rows.append((unit, role, entry.group, len(rows)))
    return rows


# ---------------------------------------------------------------- fixing the directory from a preview


@transaction.atomic
def map_unit_name(name, unit):
    """Keep `name` as an alias of `unit`, so the plan's wording resolves from now on.

    The caller checked that the user may change the directory (access.can_fix_directory).
    Refused (DirectoryRefused) when the name already belongs to another unit or group."""
    name = clean_name(name)
    if not name:
        raise DirectoryRefused("单位名称不能为空。")
    directory = Directory()
    owner = directory.units.get(name)
    if owner is not None and owner.pk != unit.pk:
        raise DirectoryRefused(f"“{name}”已是单位“{owner.name}”的名称或别名。")
    if name in directory.groups:
        raise DirectoryRefused(f"“{name}”已是单位组“{directory.groups[name].name}”的名称。")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if owner is None and name not in unit.aliases:
        unit.aliases = [*unit.aliases, name]
        unit.save(update_fields=["aliases"])
    return unit


@transaction.atomic
def create_unit_from_name(name, kind, region=None):
    """Create a unit named as the plan writes it (kind and region chosen by the coordinator).

    The caller checked that the user may change the directory (access.can_fix_directory).
    Refused (DirectoryRefused) when the name is taken, too long, or the kind is unknown."""
    name = clean_name(name)
    if not name:
        raise DirectoryRefused("单位名称不能为空。")
    if len(name) > Unit._meta.get_field("name").max_length:
        raise DirectoryRefused(f"单位名称“{name[:20]}…”过长。")
    if kind not in Unit.Kind.values:
        raise DirectoryRefused("请选择单位类别。")
    if region is not None and not isinstance(region, Region):
        raise DirectoryRefused("地区无效。")
    directory = Directory()
    if name in directory.units or name in directory.groups:
        raise DirectoryRefused(f"单位“{name}”已存在。")
    return Unit.objects.create(name=name, kind=kind, region=region)


@transaction.atomic
def apply_directory_fixes(fixes):
    """Apply the fixes chosen in an import preview, all or nothing; returns how many were applied.

    `fixes` is [(name, "map", unit)] (keep the name as an alias of an existing unit) or
    [(name, "create", kind, region)] (create the unit). The caller checked that the user may
    change the directory (access.can_fix_directory); any refusal (DirectoryRefused) rolls
    back every fix of the batch."""
    for fix in fixes:
        if fix[1] == "map":
            map_unit_name(fix[0], fix[2])
        elif fix[1] == "create":
            create_unit_from_name(fix[0], fix[2], fix[3])
        else:
            raise DirectoryRefused("无效的操作。")
    return len(fixes)
