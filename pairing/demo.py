"""Demo pairing data for the Qinghai 2024 campaign: institution profiles, needs, one running pairing.

`load_demo_extras(campaign)` is called by `seed_demo` after the plan is loaded; a second
run changes nothing.
"""

from datetime import date, timedelta

from django.db import transaction

from campaigns.models import Unit

from .models import Industry, InstitutionProfile, MentoringActivity, Need, Pairing, Service
from .services import default_task, ensure_vocabularies

# (unit, capacity, services, industries, notes) — from what the plan says each one does.
PROFILES = [
    (
        "青海省青藏知识产权服务中心",
        3,
        ["检索分析", "专利导航", "高价值专利挖掘", "知识产权体检", "风险预警", "培训", "信息咨询"],
        ["新能源", "新材料", "生物医药", "装备制造", "信息技术"],
        "TISC；新能源高价值专利挖掘、园区企业知识产权体检、12 个新兴产业专利数据库（任务 18、19、22）",
    ),
    (
        "中国科学院青海盐湖研究所",
        2,
        ["检索分析", "专利导航", "风险预警", "信息咨询"],
        ["盐湖化工", "新材料"],
        "TISC；全球盐湖专利大数据平台（任务 21）",
    ),
    (
        "青海之也科技咨询有限公司",
        2,
        ["信息咨询", "培训", "商标品牌指导", "维权援助"],
        ["生物医药", "信息技术", "农牧", "文化旅游"],
        "TISC；专题培训、答疑解惑和专利商标申请指导（任务 12）",
    ),
    (
        "西宁市科技创新促进中心",
        1,
        ["信息咨询", "培训", "商标品牌指导"],
        ["生物医药", "装备制造", "信息技术"],
        "省级网点；工业园区免费咨询和申请指导（任务 15）",
    ),
    (
        "青海大学",
        2,
        ["检索分析", "培训", "信息咨询"],
        ["农牧", "生物医药", "文化旅游"],
        "国家网点；专利信息检索培训（任务 9）",
    ),
    (
        "青海省生产力促进中心有限公司",
        2,
        ["专利导航", "风险预警", "信息咨询", "质押融资"],
        ["盐湖化工", "新材料", "装备制造"],
        "盐湖—镁产业专利导航成果应用（任务 17）",
    ),
]

# (unit, services needed, industries, notes)
NEEDS = [
    (
        "西宁市市场监管局",
        ["检索分析", "专利导航", "培训"],
        ["生物医药", "装备制造", "信息技术"],
        "生物医药领域专利信息利用（任务 14）",
    ),
    ("海东市市场监管局", ["商标品牌指导", "培训", "信息咨询"], ["农牧", "文化旅游"], "富硒农产品、特色品牌培育"),
    ("海北州市场监管局", ["信息咨询", "培训", "商标品牌指导"], ["农牧", "文化旅游"], "“城市书房”知识产权阅读推广（任务 7）"),
    ("黄南州市场监管局", ["商标品牌指导", "维权援助", "培训"], ["文化旅游", "农牧"], "热贡艺术等地理标志与品牌保护"),
    ("海南州市场监管局", ["专利导航", "高价值专利挖掘", "培训"], ["新能源", "农牧"], "清洁能源基地企业专利挖掘"),
    ("果洛州市场监管局", ["信息咨询", "培训", "商标品牌指导"], ["农牧", "文化旅游"], "畜牧产品商标注册指导"),
    ("玉树州市场监管局", ["商标品牌指导", "信息咨询", "维权援助"], ["农牧", "文化旅游"], "牦牛产品品牌建设与维权"),
    (
        "海西州市场监管局",
        ["专利导航", "风险预警", "检索分析"],
        ["盐湖化工", "新材料", "新能源"],
        "新材料产业专利导航（任务 16）",
    ),
    ("黄南州图书馆", ["信息咨询", "检索分析", "培训"], ["文化旅游"], "拓宽知识产权基础性公共服务（任务 13）"),
]

# One pairing already running, to show the timeline: 青海大学 mentors 黄南州图书馆 (task 13's aim).
RUNNING = {
    "mentor": "青海大学",
    "mentee": "黄南州图书馆",
    "services": ["检索分析", "培训"],
    "industries": ["文化旅游"],
    "goals": "帮助黄南州图书馆建立专利信息检索服务窗口，培养 2 名能独立开展检索的馆员。",
    "starts_on": date(2024, 5, 20),
    "reasons": ["服务对口：信息咨询、检索分析、培训", "产业对口：文化旅游"],
    "activities": [
        (
            date(2024, 6, 5),
            MentoringActivity.Kind.TRAINING,
            26,
            "在黄南州图书馆举办专利信息检索入门培训，讲解检索平台使用。",
            True,
        ),
        (date(2024, 7, 10), MentoringActivity.Kind.TALENT, 2, "两名馆员到青海大学图书馆跟班学习检索与查新服务一周。", False),
    ],
}


def _set_m2m(manager, wanted):
    if set(manager.values_list("pk", flat=True)) != {o.pk for o in wanted}:
        manager.set(wanted)


@transaction.atomic
def load_demo_extras(campaign):
    """Profiles for the plan's institutions, needs for the eight bureaus and 黄南州图书馆, one running pairing."""
    ensure_vocabularies()
    units = {u.name: u for u in Unit.objects.all()}
    services = {s.name: s for s in Service.objects.all()}
    industries = {i.name: i for i in Industry.objects.all()}
    for name, capacity, svc, ind, notes in PROFILES:
        profile, created = InstitutionProfile.objects.get_or_create(
            unit=units[name], defaults={"capacity": capacity, "notes": notes}
        )
        if created:  # a profile edited since stays as edited
            profile.services.set([services[s] for s in svc if s in services])
            profile.industries.set([industries[i] for i in ind if i in industries])
    for name, svc, ind, notes in NEEDS:
        need, created = Need.objects.get_or_create(campaign=campaign, unit=units[name], defaults={"notes": notes})
        if created:
            need.services.set([services[s] for s in svc if s in services])
            need.industries.set([industries[i] for i in ind if i in industries])
    r = RUNNING
    from campaigns.demo import at_moment, demo_clock

    # Dated in 2024 (a few days before it starts), like the rest of the demo year: the final
    # report, read as of its date, counts it.
    with demo_clock(at_moment(r["starts_on"] - timedelta(days=3), 10)):
        pairing, created = Pairing.objects.get_or_create(
            campaign=campaign,
            mentor=units[r["mentor"]],
            mentee=units[r["mentee"]],
            defaults={
                "task": default_task(campaign),
                "status": Pairing.Status.ACTIVE,
                "goals": r["goals"],
                "starts_on": r["starts_on"],
                "reasons": r["reasons"],
                "score": 3 * 3 + 2,
            },
        )
    if created:
        _set_m2m(pairing.focus_services, [services[s] for s in r["services"] if s in services])
        _set_m2m(pairing.focus_industries, [industries[i] for i in r["industries"] if i in industries])
        for day, kind, participants, summary, by_mentee in r["activities"]:
            MentoringActivity.objects.create(
                pairing=pairing,
                date=day,
                kind=kind,
                participants=participants,
                summary=summary,
                logged_by_unit=pairing.mentee if by_mentee else pairing.mentor,
                confirmed_at=at_moment(day + timedelta(days=2), 15) if by_mentee else None,
            )
    return campaign


# The rest of 2024's pairings: (mentor, mentee, services, industries, goals, starts_on, activities)
# with activities as (date, kind, participants, summary, logged by the mentee).
PAIRINGS_2024 = [
    ("青海省青藏知识产权服务中心", "海西州市场监管局", ["专利导航", "风险预警"], ["盐湖化工", "新材料"],
     "帮助海西州建立园区企业专利预警服务，培养 3 名能独立检索的业务骨干。", date(2024, 6, 20), [
         (date(2024, 7, 9), MentoringActivity.Kind.ON_SITE, 18, "赴德令哈工业园为 6 家企业开展专利预警现场指导。", True),
         (date(2024, 8, 22), MentoringActivity.Kind.TRAINING, 42, "举办新材料产业专利检索实务培训。", True),
     ]),
    ("青海之也科技咨询有限公司", "西宁市市场监管局", ["培训", "商标品牌指导"], ["生物医药"],
     "为西宁市生物医药企业开展商标品牌培育，协助建立企业知识产权联络员制度。", date(2024, 6, 25), [
         (date(2024, 7, 16), MentoringActivity.Kind.TRAINING, 55, "生物医药企业商标品牌建设专题培训。", True),
         (date(2024, 9, 3), MentoringActivity.Kind.QA, 12, "企业知识产权联络员集中答疑。", False),
     ]),
    ("青海省生产力促进中心有限公司", "海东市市场监管局", ["信息咨询", "培训"], ["农牧"],
     "围绕富硒农产品开展品牌与专利信息服务，形成 1 份产业专利信息简报。", date(2024, 6, 26), [
         (date(2024, 7, 25), MentoringActivity.Kind.RESOURCES, 6, "编制富硒农产品产业专利信息简报并送达 6 家企业。", True),
         (date(2024, 8, 28), MentoringActivity.Kind.ON_SITE, 23, "赴平安区企业开展知识产权现场咨询。", True),
     ]),
    ("中国科学院青海盐湖研究所", "海南州市场监管局", ["检索分析", "专利导航"], ["新能源"],
     "为海南州清洁能源企业开通全球盐湖专利大数据平台账号并开展检索培训。", date(2024, 6, 27), [
         (date(2024, 8, 8), MentoringActivity.Kind.TRAINING, 31, "在共和县举办专利数据平台使用培训。", True),
     ]),
]


@transaction.atomic
def play_demo_life(campaign):
    """The rest of 2024's pairing programme: four more pairings with their mentoring
    activities, and every pairing completed at the end of September. Idempotent."""
    from campaigns.demo import at_moment, demo_clock

    ensure_vocabularies()
    units = {u.name: u for u in Unit.objects.all()}
    services = {s.name: s for s in Service.objects.all()}
    industries = {i.name: i for i in Industry.objects.all()}
    task = default_task(campaign)
    for mentor, mentee, svc, ind, goals, starts_on, activities in PAIRINGS_2024:
        with demo_clock(at_moment(starts_on - timedelta(days=3), 10)):
            pairing, created = Pairing.objects.get_or_create(
                campaign=campaign, mentor=units[mentor], mentee=units[mentee],
                defaults={"task": task, "status": Pairing.Status.ACTIVE, "goals": goals, "starts_on": starts_on,
                          "reasons": [f"服务对口：{'、'.join(svc)}", f"产业对口：{'、'.join(ind)}"], "score": 9},
            )
        if not created:
            continue
        _set_m2m(pairing.focus_services, [services[s] for s in svc if s in services])
        _set_m2m(pairing.focus_industries, [industries[i] for i in ind if i in industries])
        for day, kind, participants, summary, by_mentee in activities:
            MentoringActivity.objects.create(
                pairing=pairing, date=day, kind=kind, participants=participants, summary=summary,
                logged_by_unit=pairing.mentee if by_mentee else pairing.mentor,
                confirmed_at=at_moment(day + timedelta(days=2), 15) if by_mentee else None,
            )
    Pairing.objects.filter(campaign=campaign, status=Pairing.Status.ACTIVE).update(
        status=Pairing.Status.COMPLETED, ends_on=date(2024, 9, 30))
