"""Loading the demo directory and plan from fixtures/ (idempotent: a second run changes nothing)."""
import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from . import services
from .directory import Directory
from .models import Campaign, Membership, Region, Section, Task, Unit, UnitGroup

DEMO_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "qinghai_2024.json"
DEMO_PASSWORD = "qinghai2024"


def _sync(model, lookup, values):
    """get_or_create, then write only the fields that differ (so re-runs touch nothing)."""
    obj, created = model.objects.get_or_create(**lookup, defaults=values)
    if not created:
        dirty = [k for k, v in values.items() if getattr(obj, k) != v]
        if dirty:
            for k in dirty:
                setattr(obj, k, values[k])
            obj.save(update_fields=dirty)
    return obj


@transaction.atomic
def load_demo(path=DEMO_FIXTURE):
    """Load regions, units, groups, demo accounts and the campaign plan from `path`.

    Returns the campaign and the list of (username, unit name, role) demo logins.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))

    regions = {}
    for r in data["regions"]:
        regions[r["name"]] = _sync(
            Region,
            {"name": r["name"]},
            {
                "short_name": r.get("short_name", ""),
                "kind": r["kind"],
                "parent": regions.get(r.get("parent")),
                "ordinal": r.get("ordinal", 0),
            },
        )
    for r in data["regions"]:
        wanted = {regions[n].pk for n in r.get("neighbours", [])}
        region = regions[r["name"]]
        if set(region.neighbours.values_list("pk", flat=True)) != wanted:
            region.neighbours.set(wanted)

    units, logins = {}, []
    User = get_user_model()
    for u in data["units"]:
        unit = _sync(
            Unit,
            {"name": u["name"]},
            {
                "short_name": u.get("short_name", ""),
                "aliases": u.get("aliases", []),
                "kind": u["kind"],
                "region": regions.get(u.get("region")),
                "description": u.get("description", ""),
                "ordinal": u.get("ordinal", 0),
            },
        )
        units[unit.name] = unit
        if u.get("account"):
            user = User.objects.filter(username=u["account"]).first()
            if user is None:
                user = User.objects.create_user(u["account"], password=DEMO_PASSWORD, first_name=unit.display_name)
            role = u.get("role", Membership.Role.REPORTER)
            _sync(Membership, {"user": user, "unit": unit}, {"role": role})
            logins.append((user.username, unit.name, Membership.Role(role).label))

    for g in data["groups"]:
        group = _sync(UnitGroup, {"name": g["name"]}, {"aliases": g.get("aliases", [])})
        wanted = {units[n].pk for n in g["members"]}
        if set(group.members.values_list("pk", flat=True)) != wanted:
            group.members.set(wanted)

    c = data["campaign"]
    campaign = _sync(
        Campaign,
        {"code": c["code"]},
        {
            "title": c["title"],
            "document_number": c["document_number"],
            "issuing_authority": c["issuing_authority"],
            "issued_on": date.fromisoformat(c["issued_on"]),
            "coordinating_unit": units[c["coordinating_unit"]],
            "theme": c["theme"],
            "content_areas": c["content_areas"],
            "starts_on": date.fromisoformat(c["starts_on"]),
            "ends_on": date.fromisoformat(c["ends_on"]),
            "summary_due": date.fromisoformat(c["summary_due"]),
            "status": c["status"],
        },
    )
    sections = {
        s["ordinal"]: _sync(Section, {"campaign": campaign, "ordinal": s["ordinal"]}, {"title": s["title"]})
        for s in data["sections"]
    }
    directory = Directory()
    for t in data["tasks"]:
        deadline = date.fromisoformat(t["deadline"])
        task, created = Task.objects.get_or_create(
            campaign=campaign,
            number=t["number"],
            defaults={"section": sections[t["section"]], "title": t["title"], "deadline": deadline},
        )
        if not created and (task.section_id, task.title) != (sections[t["section"]].pk, t["title"]):
            # Deadlines are left alone once loaded: they may have been moved by an approved adjustment.
            task.section, task.title = sections[t["section"]], t["title"]
            task.save(update_fields=["section", "title"])
        services.set_task_units(task, directory.resolve(t["units"]))
    return campaign, logins
