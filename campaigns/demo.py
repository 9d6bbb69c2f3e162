"""Loading the demo directory and plan from fixtures/ (idempotent: a second run changes nothing)."""
import json
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from . import services
from .directory import Directory
from .models import Assignment, Campaign, Membership, Region, Section, Task, Unit, UnitGroup

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
    campaign = Campaign.objects.filter(code=c["code"]).first()
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
            # The fixture's status on creation only: seed_demo closes the campaign at the
            # end of its demo life, and a second run must not reopen it.
            "status": campaign.status if campaign else c["status"],
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


# ---------------------------------------------------------------- a demo that lives in today (seed_demo)
#
# seed_demo plays the 2024 campaign's whole life (every task reported and verified, some
# late, adjustments decided) and closes it, then copies it into a live campaign for the
# seeding day's year whose deadlines sit around that day, with some work done, some due
# within the week and some overdue. Every step goes through the services, under a demo
# clock that makes "now" the moment the step happened, so timestamps, history and the
# deadline rules read as they would have on the day.

DEMO_ANCHOR = date(2024, 7, 31)  # the live copy puts this deadline within the coming week
TZ = ZoneInfo("Asia/Shanghai")

# What each task's units did, in the words of their reports.
TASK_WORK = {
    1: "在知识产权宣传周期间印发活动方案，召开全省启动会，部署市州行各项工作",
    2: "通过问卷系统向八个市州发放基础摸底调研问卷，跟踪填报并汇总分析",
    3: "赴市州开展实地调研，与基层网点、企业座谈交流，形成调研纪要",
    4: "举办商标地理标志品牌建设暨监管执法专题培训大讲堂",
    5: "举办全省知识产权公共服务能力提升培训班，各市州业务骨干参训",
    6: "深入市州开展知识产权公共服务进基层活动，现场提供咨询和申请指导",
    7: "在海北州“城市书房”举办知识产权专题读书分享会",
    8: "组织首届青海省中小学生学习知识产权绘画比赛，完成作品征集和评选",
    9: "举办知识产权素养培养与专利信息检索校园培训讲座",
    10: "组织高校学生开展知识产权主题辩论赛",
    11: "与结对帮扶机构签订帮扶协议，开展市州知识产权信息公共服务帮扶",
    12: "为西宁市创新主体和服务机构开展知识产权专题培训、答疑解惑和申请指导",
    13: "引导黄南州图书馆设立知识产权服务窗口，提供基础检索和查询服务",
    14: "举办西宁市生物医药领域专利信息利用培训班",
    15: "组织科技服务业联盟成员单位深入工业园区开展免费咨询和申请指导",
    16: "与德令哈工业园管委会联合举办知识产权培训班暨新材料产业专利导航发布会",
    17: "运用盐湖—镁产业专利导航成果为园区中小企业提供预警分析服务",
    18: "针对新能源产业重点企业开展高价值专利挖掘服务",
    19: "面向全省重点园区企业开展知识产权体检活动",
    20: "推动各市州公共服务网点线上接入青海省知识产权公共服务平台",
    21: "宣传推广全球盐湖专利大数据平台，为企业开通账号并培训",
    22: "宣传推广新能源、新材料等12个新兴产业专利数据库",
}

# 2024: (task, unit) finished after the deadline in force on the day of the work.
LATE_2024 = {(9, "青海大学"): 4, (5, "省局知识产权公共服务处"): 4, (17, "青海省生产力促进中心有限公司"): 7,
             (6, "果洛州市场监管局"): 4, (11, "玉树州市场监管局"): 26}


def at_moment(day, hour=10, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


@contextmanager
def demo_clock(moment):
    """Make `moment` "now" for everything the services write (timestamps, history dates,
    today's date) while the demo replays a step of a campaign's past."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


_IMAGES = {}


def _demo_png(colour):
    """A small JPEG photo stand-in (checked by content like any upload)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 210), colour)
    ImageDraw.Draw(image).rectangle((20, 20, 300, 190), outline=(255, 255, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=75)
    return buffer.getvalue()


def minimal_pdf(width=595, height=842, content=None):
    """A valid one-page PDF (cross-reference table and all), built byte by byte: blank, or
    with `content` (bytes) as the page's unfiltered content stream."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>"]
    if content is None:
        objects.append(b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 %d %d]>>" % (width, height))
    else:
        objects.append(b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 %d %d]/Contents 4 0 R>>" % (width, height))
        objects.append(b"<</Length %d>>\nstream\n%s\nendstream" % (len(content), content))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _evidence(name, colour):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .evidence import check_upload

    if colour not in _IMAGES:
        _IMAGES[colour] = _demo_png(colour)
    return check_upload(SimpleUploadedFile(name, _IMAGES[colour]))


def _reporter(unit):
    User = get_user_model()
    user = User.objects.filter(memberships__unit=unit).order_by("pk").first()
    if user is None:  # a unit without a demo account reports through the coordinator
        user = User.objects.filter(memberships__role=Membership.Role.COORDINATOR).order_by("pk").first()
    return user


def _coordinator(campaign):
    return get_user_model().objects.filter(
        memberships__unit=campaign.coordinating_unit, memberships__role=Membership.Role.COORDINATOR
    ).order_by("pk").first()


def _figures(number, position, scale=1):
    """Plausible, fixed figures for a report (the same on every run)."""
    n = number * 7 + position * 13
    return {
        "events_held": scale * (1 + n % 3),
        "participants": scale * (20 + n * 11 % 130),
        "enterprises_served": scale * (n * 5 % 40),
        "consultations": scale * (n * 3 % 30),
        "materials_distributed": scale * (50 * (n % 5)),
    }


def _fresh(assignment):
    return Assignment.objects.select_related("task__campaign", "unit").get(pk=assignment.pk)


def _report(assignment, when, percent, text, figures=None):
    with demo_clock(when):
        a = _fresh(assignment)
        return services.submit_progress(a, _reporter(a.unit), expected_version=a.version, text=text, percent=percent,
                                        figures=figures or {})


def _submit(assignment, when, done_on, text, figures=None):
    with demo_clock(when):
        a = _fresh(assignment)
        files = [_evidence(f"任务{a.task.number}现场照片.jpg", (40 + a.task.number * 9 % 200, 90, 140))]
        return services.submit_for_verification(a, _reporter(a.unit), expected_version=a.version, text=text,
                                                figures=figures or {}, files=files, done_on=done_on)


def _verify(assignment, when, comment="材料齐全，核验通过。", done_on=None):
    with demo_clock(when):
        a = _fresh(assignment)
        return services.verify_assignment(a, _coordinator(a.task.campaign), expected_version=a.version,
                                          comment=comment, done_on=done_on)


def _return(assignment, when, comment):
    with demo_clock(when):
        a = _fresh(assignment)
        return services.return_assignment(a, _coordinator(a.task.campaign), expected_version=a.version, comment=comment)


def _assignments(campaign, number):
    return list(
        Assignment.objects.filter(task__campaign=campaign, task__number=number)
        .select_related("task", "unit").order_by("position", "pk")
    )


def _work_text(assignment, extra=""):
    return f"{TASK_WORK.get(assignment.task.number, assignment.task.title)}（{assignment.unit.display_name}）。{extra}"


@transaction.atomic
def play_2024_life(campaign):
    """The 2024 campaign from start to finish: every assignment reported (with evidence)
    and verified, five of them late, one returned and redone, one date corrected at
    verification, one deadline adjustment approved and two requests declined."""
    from .models import AdjustmentRequest

    coordinator = _coordinator(campaign)
    # June: 玉树州 asks to move task 11 (the pairing) to the end of July for the caterpillar-fungus
    # season — declined, and it finishes late; 果洛州 asks to drop the field visits of task 6 —
    # declined. September: the TISC asks two more weeks for task 20 — approved, so its work
    # done after the first deadline is still on time (the deadline in force that day).
    def adjust(number, unit_name, asked, decided, approve, comment, **request):
        a = Assignment.objects.get(task__campaign=campaign, task__number=number, unit__name=unit_name)
        if AdjustmentRequest.objects.filter(assignment=a, reason=request["reason"]).exists():
            return
        with demo_clock(asked):
            filed = services.request_adjustment(a, _reporter(a.unit), **request)
        with demo_clock(decided):
            (services.approve_adjustment if approve else services.reject_adjustment)(filed, coordinator, comment)

    adjust(11, "玉树州市场监管局", at_moment(date(2024, 6, 12), 9, 30), at_moment(date(2024, 6, 14), 15), False,
           "结对帮扶机制须按期建立，现场活动可在签约后分批开展。", kind=AdjustmentRequest.Kind.DEADLINE,
           proposed_deadline=date(2024, 7, 31), reason="虫草采挖季企业人员外出，结对帮扶现场活动需顺延至 7 月底。")
    adjust(6, "果洛州市场监管局", at_moment(date(2024, 7, 2), 11), at_moment(date(2024, 7, 4), 16), False,
           "请至少安排一场县级现场活动，其余可线上开展。", kind=AdjustmentRequest.Kind.CONTENT,
           proposed_title="以线上讲座代替深入各地开展公共服务进基层活动", reason="牧区路途远、交通不便，拟改为线上讲座。")
    adjust(20, "青海省青藏知识产权服务中心", at_moment(date(2024, 9, 2), 10), at_moment(date(2024, 9, 5), 15), True,
           "同意顺延至 9 月 27 日。", kind=AdjustmentRequest.Kind.DEADLINE, proposed_deadline=date(2024, 9, 27),
           reason="省知识产权公共服务平台接口升级，网点接入需顺延两周。")

    for number in sorted(TASK_WORK):
        for position, a in enumerate(_assignments(campaign, number)):
            if a.status != Assignment.Status.NOT_STARTED:
                continue  # someone worked on it by hand: their progress stays
            late = LATE_2024.get((number, a.unit.name))
            if late:
                done_on = a.task.deadline + timedelta(days=late)
            else:
                done_on = a.task.deadline - timedelta(days=1 + (number * 7 + position * 3) % 12)
            if a.role == Assignment.Role.LEAD and number % 3 == 0:
                _report(a, at_moment(done_on - timedelta(days=12), 17), 50, _work_text(a, "前期筹备已完成，正在组织实施。"),
                        _figures(number, position, 0))
            submitted = at_moment(done_on + timedelta(days=1 + position % 3), 16, 30)
            _submit(a, submitted, done_on, _work_text(a, "已完成，佐证材料见附件。"), _figures(number, position))
            verify_at = at_moment(submitted.date() + timedelta(days=2), 10)
            if (number, a.unit.name) == (13, "黄南州市场监管局"):
                _return(a, verify_at, "请补充服务窗口的服务台账（服务对象、内容、时间）。")
                submitted = at_moment(verify_at.date() + timedelta(days=3), 15)
                _submit(a, submitted, done_on, "已补充服务窗口服务台账（服务对象 32 家次）。")
                verify_at = at_moment(submitted.date() + timedelta(days=1), 10)
            if (number, a.unit.name) == (14, "西宁市市场监管局"):
                _verify(a, verify_at, "核对签到表，培训班实际于前一天举办，已更正实际完成日期。",
                        done_on=done_on - timedelta(days=1))
            else:
                _verify(a, verify_at)
    return campaign


def close_for_demo(campaign):
    """Mark the played campaign 已结束 (the campaign lifecycle's close action belongs to the
    plan editor; the demo only needs the end state)."""
    if campaign.status != Campaign.Status.CLOSED:
        campaign.status = Campaign.Status.CLOSED
        campaign.save(update_fields=["status"])


def live_shift_days(today):
    """Whole weeks (weekdays stay weekdays) that put DEMO_ANCHOR 1–7 days after `today`."""
    days = (today + timedelta(days=4) - DEMO_ANCHOR).days
    return 7 * round(days / 7)


def live_code(today):
    return f"qinghai-{today.year}"


@transaction.atomic
def load_live_campaign(source, today):
    """The current year's campaign, copied from `source` (services.copy_plan) with its
    deadlines around `today`, published, and in progress as of `today`: the early tasks
    done and verified (one late), one waiting for verification, some overdue by days or
    weeks, two due within the week, one returned, one adjustment waiting. Nothing is done
    if the campaign already exists. Returns it."""
    code = live_code(today)
    existing = Campaign.objects.filter(code=code).first()
    if existing is not None:
        return existing
    shift = live_shift_days(today)
    year = today.year
    with demo_clock(at_moment(today - timedelta(days=130), 9)):
        live = services.copy_plan(
            source, code=code, title=source.title.replace("2024年", f"{year}年"),
            document_number=f"青市监函〔{year}〕58号", shift_days=shift,
        )
        live.status = Campaign.Status.ACTIVE  # published on the day it was copied
        live.save(update_fields=["status"])

    def deadline(number):
        return live.tasks.get(number=number).deadline

    def finish(a, done_on, verify=True, late_days=0):
        done_on = min(done_on + timedelta(days=late_days), today - timedelta(days=2))
        submitted = at_moment(done_on + timedelta(days=1), 16)
        _submit(a, submitted, done_on, _work_text(a, "已完成，佐证材料见附件。"), _figures(a.task.number, a.position))
        if verify:
            _verify(a, at_moment(min(done_on + timedelta(days=3), today - timedelta(days=1)), 10))

    # Long past: every unit done and verified (task 9 two days late).
    for number in (1, 2, 4, 9, 10):
        for position, a in enumerate(_assignments(live, number)):
            finish(a, deadline(number) - timedelta(days=3 + position % 4), late_days=5 if number == 9 else 0)
    # Task 7: done, waiting for the coordinator's verification.
    for a in _assignments(live, 7):
        finish(a, deadline(7) - timedelta(days=2), verify=False)
    # Task 8: two units verified, 西宁市教育局 still at 60 % a month after the deadline.
    for a in _assignments(live, 8):
        if a.unit.name == "西宁市教育局":
            _report(a, at_moment(deadline(8) - timedelta(days=5), 17), 60, _work_text(a, "作品征集完成，评选尚未组织。"))
        else:
            finish(a, deadline(8) - timedelta(days=4))
    # Task 11 (the pairing): five bureaus and the coordinating division done; the others late.
    done_11 = {"西宁市市场监管局", "海北州市场监管局", "黄南州市场监管局", "海南州市场监管局", "海西州市场监管局",
               "省局知识产权公共服务处", "青海省青藏知识产权服务中心"}
    for a in _assignments(live, 11):
        if a.unit.name in done_11:
            finish(a, deadline(11) - timedelta(days=6))
        elif a.unit.name == "海东市市场监管局":
            _report(a, at_moment(deadline(11) - timedelta(days=10), 16), 60,
                    _work_text(a, "已签订结对帮扶协议，确定帮扶清单 12 项。"), _figures(11, a.position))
        elif a.unit.name == "玉树州市场监管局":
            with demo_clock(at_moment(today - timedelta(days=3), 9, 30)):
                services.request_adjustment(
                    a, _reporter(a.unit), kind="deadline", proposed_deadline=deadline(11) + timedelta(days=30),
                    reason="虫草采挖季企业人员外出，结对帮扶现场活动需顺延一个月。")
    # Task 5: the training course is under way, past its deadline by days.
    for a in _assignments(live, 5):
        _report(a, at_moment(deadline(5) - timedelta(days=8), 17), 70, _work_text(a, "培训班已开班，正在组织结业考核。"))
    # Due within the week: task 3 (field research) and task 14 (西宁 training).
    for a in _assignments(live, 3):
        if a.unit.name == "海西州市场监管局":
            finish(a, today - timedelta(days=6))
        elif a.role == Assignment.Role.LEAD or a.unit.name in ("西宁市市场监管局", "海东市市场监管局"):
            _report(a, at_moment(today - timedelta(days=4), 17), 60, _work_text(a, "已完成两个县区的座谈，正在整理纪要。"),
                    _figures(3, a.position))
    for a in _assignments(live, 14):
        _report(a, at_moment(today - timedelta(days=2), 11), 40, _work_text(a, "培训通知已印发，报名企业 23 家。"))
    # A month ahead: task 13 returned for more evidence, tasks 16 and 18 started.
    for a in _assignments(live, 13):
        done_on = today - timedelta(days=9)
        _submit(a, at_moment(done_on + timedelta(days=1), 15), done_on, _work_text(a, "服务窗口已设立。"))
        _return(a, at_moment(today - timedelta(days=5), 10), "请补充服务窗口的服务台账（服务对象、内容、时间）。")
    for number in (16, 18):
        for a in _assignments(live, number):
            _report(a, at_moment(today - timedelta(days=3), 16), 30, _work_text(a, "已完成前期对接，活动方案已确定。"))
    return live
