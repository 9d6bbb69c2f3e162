"""A deterministic national-scale data set (seeds/001 population) for benchmarks.

31 provinces with their prefectures and market-regulation bureaus, four provincial
divisions each, 101 TISCs, 80 university centres and 88 national network points spread
over the provinces, and campaigns of up to 500 tasks with realistic unit spreads: about a
fifth of tasks led by every bureau of the province (the 各市州市场监管局 pattern), the
rest by a division or an institution, with up to three co-responsible units.
"""
import random
from datetime import date, timedelta

PROVINCES = [
    ("北京市", 16), ("天津市", 16), ("河北省", 11), ("山西省", 11), ("内蒙古自治区", 12), ("辽宁省", 14),
    ("吉林省", 9), ("黑龙江省", 13), ("上海市", 16), ("江苏省", 13), ("浙江省", 11), ("安徽省", 16),
    ("福建省", 9), ("江西省", 11), ("山东省", 16), ("河南省", 17), ("湖北省", 13), ("湖南省", 14),
    ("广东省", 21), ("广西壮族自治区", 14), ("海南省", 4), ("重庆市", 26), ("四川省", 21), ("贵州省", 9),
    ("云南省", 16), ("西藏自治区", 7), ("陕西省", 10), ("甘肃省", 14), ("青海省", 8), ("宁夏回族自治区", 5),
    ("新疆维吾尔自治区", 14),
]
DIVISIONS = ["知识产权公共服务处", "商标品牌处", "知识产权保护处", "知识产权运用促进处"]
INSTITUTIONS = [("TISC", "institution", 101), ("高校知识产权信息服务中心", "university", 80),
                ("国家知识产权信息公共服务网点", "institution", 88)]
VERBS = ["举办", "组织开展", "推动", "面向重点园区企业开展", "宣传推广", "建立"]
OBJECTS = ["专利信息利用培训班", "知识产权公共服务能力提升培训", "高价值专利挖掘服务", "知识产权体检活动",
           "商标品牌建设专题讲座", "专利导航成果发布会", "知识产权维权援助咨询", "专题数据库推广活动"]


def generate_directory(seed=2024):
    """Create regions, units, groups and one coordinator per province. Returns a dict
    province name -> {"region", "divisions", "bureaus", "institutions", "group"}."""
    from campaigns.models import Region, Unit, UnitGroup

    rng = random.Random(seed)
    regions = Region.objects.bulk_create(
        [Region(name=name, short_name=name[:2], kind=Region.Kind.PROVINCE, ordinal=i)
         for i, (name, _) in enumerate(PROVINCES)]
    )
    prefectures = []
    for region, (name, count) in zip(regions, PROVINCES, strict=True):
        prefectures += [
            Region(name=f"{name[:2]}第{n}市州", kind=Region.Kind.PREFECTURE, parent=region, ordinal=n)
            for n in range(1, count + 1)
        ]
    prefectures = Region.objects.bulk_create(prefectures)
    by_province = {r.pk: [] for r in regions}
    for p in prefectures:
        by_province[p.parent_id].append(p)

    units = []
    for region in regions:
        units += [Unit(name=f"{region.name}局{d}", short_name=d, kind=Unit.Kind.PROVINCIAL_DIVISION, region=region)
                  for d in DIVISIONS]
        units += [Unit(name=f"{p.name}市场监管局", short_name=p.name, kind=Unit.Kind.PREFECTURE_BUREAU, region=p)
                  for p in by_province[region.pk]]
    for label, kind, count in INSTITUTIONS:
        for n in range(1, count + 1):
            region = rng.choice(regions)
            units.append(Unit(name=f"{region.name}{label}{n:03d}", kind=kind, region=region, description=label))
    units = Unit.objects.bulk_create(units)

    out = {r.name: {"region": r, "divisions": [], "bureaus": [], "institutions": []} for r in regions}
    region_province = {p.pk: p.parent_id for p in prefectures}
    names = {r.pk: r.name for r in regions}
    for unit in units:
        province = names[region_province.get(unit.region_id, unit.region_id)]
        key = {"division": "divisions", "bureau": "bureaus"}.get(unit.kind, "institutions")
        out[province][key].append(unit)
    for name, entry in out.items():
        group = UnitGroup.objects.create(name=f"{name}各市州市场监管局")
        group.members.set(entry["bureaus"])
        entry["group"] = group
    return out


def give_every_unit_a_reporter():
    """One reporter per unit of the directory, reached by email (unit<pk>@example.cn)."""
    from django.contrib.auth import get_user_model

    from campaigns.models import Membership, Unit

    User = get_user_model()
    units = list(Unit.objects.order_by("pk"))
    users = User.objects.bulk_create([User(username=f"unit{u.pk}", email=f"unit{u.pk}@example.cn") for u in units])
    Membership.objects.bulk_create([Membership(user=user, unit=unit, role=Membership.Role.REPORTER)
                                    for user, unit in zip(users, units, strict=True)])
    return users


def generate_campaign(province, n_tasks, seed=2024, code=None, coordinator_username=None):
    """A campaign of `n_tasks` tasks for one province entry of generate_directory()."""
    from django.contrib.auth import get_user_model

    from campaigns.models import Assignment, Campaign, Membership, Section, Task

    rng = random.Random(seed + n_tasks)
    office = province["divisions"][0]
    campaign = Campaign.objects.create(
        code=code or f"bench-{province['region'].pk}-{n_tasks}",
        title=f"{province['region'].name}知识产权公共服务市州行（{n_tasks}项任务）",
        document_number="基准测试〔2024〕1号",
        issuing_authority=f"{province['region'].name}市场监督管理局",
        coordinating_unit=office,
        starts_on=date(2024, 4, 1), ends_on=date(2024, 9, 30), summary_due=date(2024, 9, 30),
        status=Campaign.Status.ACTIVE,
    )
    sections = Section.objects.bulk_create(
        [Section(campaign=campaign, ordinal=i, title=f"重点活动安排{i}") for i in range(1, 6)]
    )
    tasks = Task.objects.bulk_create([
        Task(campaign=campaign, section=sections[(n - 1) * 5 // n_tasks], number=n,
             title=f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}（{n}）",
             deadline=date(2024, 4, 20) + timedelta(days=rng.randrange(0, 160)))
        for n in range(1, n_tasks + 1)
    ])
    for t in tasks:
        t.original_deadline = t.deadline
    Task.objects.bulk_update(tasks, ["original_deadline"])
    others = province["divisions"][1:] + province["institutions"]
    statuses = ["not_started", "in_progress", "in_progress", "submitted", "verified", "verified", "returned"]
    rows = []
    for task in tasks:
        if rng.random() < 0.2:
            leads = [(u, province["group"]) for u in province["bureaus"]]
            co = [(office, None)]
        else:
            leads = [(rng.choice([office, *others]), None)]
            co = [(u, None) for u in rng.sample(province["bureaus"] + others, k=rng.randint(0, 3))]
        seen = set()
        for position, (unit, group) in enumerate(leads + co):
            if unit.pk in seen:
                continue
            seen.add(unit.pk)
            status = rng.choice(statuses)
            percent = {"not_started": 0, "verified": 100, "submitted": 100}.get(status, rng.randrange(10, 95, 5))
            rows.append(Assignment(task=task, unit=unit, role="lead" if position < len(leads) else "co",
                                   via_group=group, position=position, status=status, percent=percent))
    Assignment.objects.bulk_create(rows, batch_size=2000)
    if coordinator_username:
        user = get_user_model().objects.create_user(coordinator_username, password="bench-password")
        Membership.objects.create(user=user, unit=office, role=Membership.Role.COORDINATOR)
    return campaign


def generate_progress_reports(campaign, n, seed=2024):
    """`n` progress reports spread over the campaign's assignments, with figures."""
    from django.contrib.auth import get_user_model

    from campaigns.models import Assignment, ProgressReport

    rng = random.Random(seed + n)
    author, _ = get_user_model().objects.get_or_create(username="bench-reporter")
    assignment_ids = list(Assignment.objects.filter(task__campaign=campaign).values_list("pk", flat=True))
    texts = ["完成专题培训一场", "走访园区企业并提供检索服务", "召开座谈会，收集企业需求", "发布专利导航成果"]
    reports = [
        ProgressReport(
            assignment_id=rng.choice(assignment_ids), author=author, text=rng.choice(texts),
            percent=rng.randrange(10, 100, 10), status="in_progress",
            events_held=rng.randint(0, 3), participants=rng.randint(0, 200),
            enterprises_served=rng.randint(0, 40), consultations=rng.randint(0, 30),
        )
        for _ in range(n)
    ]
    ProgressReport.objects.bulk_create(reports, batch_size=2000)
    return n


# One complete, valid answer to fixtures/baseline_survey.json (what a bureau submits).
BASELINE_ANSWERS = {
    "respondent_unit": "西宁市市场监管局", "prefecture": "西宁市", "ip_department": "由其他科室兼管",
    "staff_total": 6, "staff_public_service": 2, "institutions": ["tisc", "national_point"],
    "institution_names": "青海大学TISC；青海省科技信息研究所", "tisc_count": 1, "has_service_window": True,
    "service_outlets": 3, "services_offered": ["信息咨询", "检索分析", "培训"], "consultations_2023": 120,
    "enterprises_served_2023": 40, "training_held": True, "training_sessions": 4, "training_participants": 220,
    "training_topics": ["专利申请与布局"], "service_satisfaction": 3, "key_industries": ["盐湖化工", "新能源"],
    "help_needed": ["专利导航", "培训"], "difficulties": ["专业人员不足"], "difficulty_details": "专职人员少",
    "capability": {"search": 2, "protection": 1, "operation": 1, "brand": 2}, "wants_pairing": True,
    "preferred_mentor": "TISC", "contact_name": "张敏", "contact_phone": "0971-1234567",
}


def baseline_answers(rng, schema):
    """An answer of the right shape for every question of `schema`, varied by `rng` (for
    volume: exports and results; not every value passes the questionnaire's validators)."""
    answers = {}
    for page in schema.get("pages", []):
        for q in page.get("elements", []):
            kind, name = q.get("type"), q.get("name")
            choices = [c["value"] if isinstance(c, dict) else c for c in q.get("choices", [])]
            if kind == "checkbox" and choices:
                answers[name] = rng.sample(choices, k=rng.randint(1, min(3, len(choices))))
            elif kind in ("radiogroup", "dropdown") and choices:
                answers[name] = rng.choice(choices)
            elif kind == "boolean":
                answers[name] = rng.random() < 0.6
            elif kind == "rating":
                answers[name] = rng.randint(q.get("rateMin", 1), q.get("rateMax", 5))
            elif kind == "text" and q.get("inputType") == "number":
                answers[name] = rng.randint(0, 300)
            elif kind in ("text", "comment"):
                answers[name] = rng.choice(["西宁", "专职人员少", "需要检索培训", "0971-1234567"])
    return answers


def generate_survey(campaign, n_invitations=0, seed=2024):
    """The baseline questionnaire, open, with `n_invitations` invitations (no unit: one per respondent)."""
    import json
    from pathlib import Path

    from django.conf import settings
    from django.utils import timezone

    from surveys import services
    from surveys.models import Invitation, Survey

    data = json.loads((Path(settings.BASE_DIR) / "fixtures" / "baseline_survey.json").read_text(encoding="utf-8"))
    survey = services.create_survey(campaign, data["survey"]["title"], data["schema"], status=Survey.Status.OPEN,
                                    opens_at=timezone.now() - timedelta(days=1))
    Invitation.objects.bulk_create(
        [Invitation(survey=survey, contact=f"受访人{i}", sent_at=timezone.now()) for i in range(n_invitations)],
        batch_size=2000,
    )
    return survey


def generate_responses(survey, n, seed=2024, units=()):
    """`n` submitted responses to `survey`, answers generated from its current questionnaire."""
    from django.utils import timezone

    from surveys.models import Response

    rng = random.Random(seed + n)
    version = survey.current_version
    units = list(units) or [None]
    now = timezone.now()
    batch = []
    for _ in range(n):
        batch.append(Response(survey=survey, version=version, unit=rng.choice(units), status=Response.Status.SUBMITTED,
                              answers=baseline_answers(rng, version.schema), submitted_at=now))
        if len(batch) == 2000:
            Response.objects.bulk_create(batch)
            batch = []
    Response.objects.bulk_create(batch)
    return n
