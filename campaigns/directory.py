"""Reading the plan's own wording of responsible units against the directory.

"（省局知识产权公共服务处、商标品牌处，各知识产权信息公共服务机构）" becomes a list of
entries: the first is the lead (one unit, or every member of a group such as
各市州市场监管局), the rest are co-responsible.
"""
import re
from dataclasses import dataclass, field

from .models import Unit, UnitGroup

SEPARATORS = re.compile(r"[，、,;；]")
# "青海大学——国家知识产权信息公共服务网点": the part after the dash describes the unit.
DESCRIPTION = re.compile(r"\s*(——|—|--).*$")
# "青海之也科技咨询有限公司 TISC": a trailing TISC says what the unit is, not who.
TRAILING_TISC = re.compile(r"\s*[（(]?TISC[）)]?\s*$", re.IGNORECASE)
PROVINCIAL_PREFIX = "省局"


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


def clean_name(raw):
    """Strip spaces, a trailing description after "——" and a trailing "TISC"."""
    name = DESCRIPTION.sub("", raw.strip())
    name = TRAILING_TISC.sub("", name)
    return re.sub(r"\s+", "", name)


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
        role = "lead" if index == 0 else "co"
        for unit in entry.units:
            if unit.pk in seen:
                continue
            seen.add(unit.pk)
            rows.append((unit, role, entry.group, len(rows)))
    return rows
