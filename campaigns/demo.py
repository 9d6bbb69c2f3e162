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
            defaults={"section": sections[t["section"]], "title": t["title"], "deadline": deadline,
                      "purpose": t.get("purpose", "")},
        )
        wanted = (sections[t["section"]].pk, t["title"], t.get("purpose", ""))
        if (task.section_id, task.title, task.purpose) != wanted:
            # Deadlines are left alone once loaded: they may have been moved by an approved adjustment.
            task.section, task.title, task.purpose = sections[t["section"]], t["title"], t.get("purpose", "")
            task.save(update_fields=["section", "title", "purpose"])
        services.set_task_units(task, directory.resolve(t["units"]))
    return campaign, logins


# ---------------------------------------------------------------- demo progress (seed_demo only)


def _demo_png(colour):
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 420), colour)
    ImageDraw.Draw(image).rectangle((40, 40, 600, 380), outline=(255, 255, 255), width=6)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

# (token, account, task number, action, text, figures, files) — replayed in order, each once.
DEMO_PROGRESS = [
    ("demo-haidong-11-a", "haidong", 11, "report", "与青海省青藏知识产权服务中心签订结对帮扶协议，确定帮扶清单 12 项。",
     {"events_held": 1, "participants": 26, "enterprises_served": 5}, [("结对签约现场.jpg", (40, 110, 170))]),
    ("demo-haibei-7-a", "haibei", 7, "done", "5月25日在西海镇城市书房举办知识产权专题读书分享会，发放宣传资料 300 份。",
     {"events_held": 1, "participants": 85, "materials_distributed": 300, "consultations": 14},
     [("读书分享会.jpg", (150, 90, 40)), ("签到表.pdf", None)]),
    ("demo-huangnan-13-a", "huangnan", 13, "done", "黄南州图书馆已设立知识产权服务窗口，配备专职人员 2 名。",
     {"enterprises_served": 9, "consultations": 23}, [("服务窗口.jpg", (60, 140, 90))]),
    ("demo-huangnan-13-b", "province", 13, "return", "请补充服务窗口的服务台账（服务对象、内容、时间）。", {}, []),
    ("demo-haixi-16-a", "haixi", 16, "done", "与德令哈工业园管委会联合举办知识产权培训班暨新材料产业专利导航发布会。",
     {"events_held": 1, "participants": 120, "enterprises_served": 38, "materials_distributed": 150},
     [("培训班现场.jpg", (120, 40, 60)), ("专利导航发布会议程.pdf", None)]),
    ("demo-haixi-16-b", "province", 16, "verify", "材料齐全，核验通过。", {}, []),
    ("demo-yushu-11-a", "yushu", 11, "adjust", "虫草采挖季企业人员外出，结对帮扶现场活动需顺延至 7 月底。", {}, []),
]


def load_demo_progress(campaign):
    """Replay a few realistic reports, a return, a verification and an adjustment request.

    Each step carries a token (a report token, or the request's reason) and is skipped
    once done, so running it again changes nothing. Called by `seed_demo`, not by
    load_demo(), so the tests that load the bare plan are unaffected.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .evidence import check_upload
    from .models import AdjustmentRequest, Assignment, ProgressReport

    User = get_user_model()
    done = 0
    for token, account, number, action, text, figures, files in DEMO_PROGRESS:
        user = User.objects.get(username=account)
        if action in ("report", "done"):
            unit_ids = user.memberships.values_list("unit_id", flat=True)
            assignment = Assignment.objects.get(task__campaign=campaign, task__number=number, unit_id__in=unit_ids)
        else:
            lead = token.split("-")[1]
            assignment = Assignment.objects.get(
                task__campaign=campaign, task__number=number, unit__memberships__user__username=lead
            )
        if action == "adjust":
            if AdjustmentRequest.objects.filter(assignment=assignment, reason=text).exists():
                continue
            from datetime import date as _date

            services.request_adjustment(assignment, user, kind="deadline", reason=text,
                                        proposed_deadline=_date(2024, 7, 31))
            done += 1
            continue
        if ProgressReport.objects.filter(token=token).exists() or (
            action in ("return", "verify") and assignment.reports.filter(text=text).exists()
        ):
            continue
        checked = [
            check_upload(SimpleUploadedFile(name, DEMO_PDF if colour is None else _demo_png(colour)))
            for name, colour in files
        ]
        if action == "report":
            services.submit_progress(assignment, user, expected_version=assignment.version, text=text, percent=60,
                                     figures=figures, files=checked, token=token)
        elif action == "done":
            services.submit_for_verification(assignment, user, expected_version=assignment.version, text=text,
                                             figures=figures, files=checked, token=token)
        elif action == "return":
            services.return_assignment(assignment, user, expected_version=assignment.version, comment=text)
        elif action == "verify":
            services.verify_assignment(assignment, user, expected_version=assignment.version, comment=text)
        done += 1
    return done
