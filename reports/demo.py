"""Demo written summaries and typical cases for the Qinghai 2024 campaign (idempotent).

Called by `seed_demo` through `load_demo_extras(campaign)` after the plan is loaded.
"""
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from campaigns.models import Membership, Task, Unit

from .models import TypicalCase, WrittenSummary

TZ = ZoneInfo("Asia/Shanghai")

SUMMARIES = [
    ("省局知识产权公共服务处", datetime(2024, 9, 27, 16, 30, tzinfo=TZ),
     "2024年4月，我处在全省知识产权宣传周期间发布《2024年青海省“知识产权公共服务市州行”活动方案》，正式启动活动。"
     "5月向八个市州发放知识产权公共服务基础摸底调研问卷，据此赴海东、海北、海南、海西等地开展实地调研和座谈交流，"
     "梳理出基层网点人员不足、检索资源利用率低等问题。7月举办全省知识产权公共服务能力提升培训班，"
     "组织各知识产权信息公共服务机构与市州结对帮扶。下一步将巩固结对成果，推动公共服务网点在市州全覆盖。"),
    ("西宁市市场监管局", datetime(2024, 9, 25, 10, 0, tzinfo=TZ),
     "我局围绕生物医药产业举办西宁市生物医药领域专利信息利用培训班，邀请青藏知识产权服务中心专家授课，"
     "联合西宁市教育局组织首届青海省中小学生学习知识产权绘画比赛，配合开展市州实地调研。"
     "活动期间共举办各类活动12场，服务企业86家。"),
    ("海西州市场监管局", datetime(2024, 9, 29, 15, 20, tzinfo=TZ),
     "我局与德令哈工业园管委会联合举办知识产权培训班暨新材料产业专利导航发布会，"
     "面向园区企业发布新材料产业专利导航成果，组织省生产力促进中心为盐湖化工企业提供预警分析服务，"
     "并与青藏知识产权服务中心建立结对帮扶关系。"),
    ("青海省青藏知识产权服务中心", datetime(2024, 9, 30, 11, 45, tzinfo=TZ),
     "中心作为技术与创新支持中心（TISC），针对新能源产业重点企业开展高价值专利挖掘，面向全省重点园区企业开展知识产权体检，"
     "推动各市州公共服务网点线上接入青海省知识产权公共服务平台，宣传推广新能源、新材料等12个新兴产业专利数据库。"),
    ("黄南州市场监管局", datetime(2024, 10, 9, 9, 10, tzinfo=TZ),
     "我局引导黄南州图书馆拓宽公共服务领域，在馆内设立知识产权信息服务窗口，为创新主体提供专利检索、商标查询等基础服务，"
     "配合省局开展实地调研和公共服务进基层活动。因节假日原因，总结报送有所延迟。"),
]

CASES = [
    {
        "unit": "青海省青藏知识产权服务中心",
        "title": "聚焦新能源产业链 深挖高价值专利——青藏知识产权服务中心助力光伏企业提质增效",
        "institution": "青海省青藏知识产权服务中心",
        "institution_type": TypicalCase.InstitutionType.SUBORDINATE,
        "summary": "中心围绕我省清洁能源产业高地建设，选取西宁经济技术开发区南川工业园区的5家光伏、锂电重点企业，"
                   "开展高价值专利挖掘服务，帮助企业把研发成果转化为高质量专利布局。",
        "actions": "一是“一企一策”摸清家底，逐家梳理企业近三年研发项目和技术交底材料；"
                   "二是检索分析定方向，利用新能源产业专利数据库对单晶硅拉制、电池片钝化等关键技术开展专利检索和技术功效分析；"
                   "三是专家辅导促布局，组织专利代理师与企业研发人员共同挖掘可专利技术点，形成专利布局建议。",
        "results": "累计服务重点企业5家，挖掘技术点43个，形成高价值专利布局建议12份，"
                   "指导企业提交发明专利申请17件，其中2件进入优先审查通道。",
        "recommended": True,
        "tasks": [18, 22],
        "submitted_at": datetime(2024, 9, 30, 11, 50, tzinfo=TZ),
    },
    {
        "unit": "中国科学院青海盐湖研究所",
        "title": "全球盐湖专利大数据平台走进园区 为盐湖产业企业装上“技术雷达”",
        "institution": "中国科学院青海盐湖研究所",
        "institution_type": TypicalCase.InstitutionType.RESEARCH,
        "summary": "研究所依托TISC，将自建的全球盐湖专利大数据平台推广到柴达木循环经济试验区"
                   "和西宁经济技术开发区的盐湖化工企业，"
                   "让企业及时掌握锂、镁、钾等盐湖资源综合利用的技术动向。",
        "actions": "在格尔木、德令哈两地举办平台推介会，为企业开通免费账号；编写平台操作指南，"
                   "按企业需求定制专题数据库推送；选派科研人员驻点答疑，开展专利信息利用实务培训。",
        "results": "举办推介会和培训4场，参加人员260余人次，为38家企业开通平台账号，"
                   "定制推送专题数据库9个，平台累计检索量较活动前增长约3倍。",
        "recommended": True,
        "tasks": [21],
        "submitted_at": datetime(2024, 9, 28, 17, 5, tzinfo=TZ),
    },
    {
        "unit": "海西州市场监管局",
        "title": "新材料产业专利导航发布 助力德令哈工业园企业精准研发",
        "institution": "海西州市场监管局",
        "institution_type": TypicalCase.InstitutionType.OTHER,
        "summary": "海西州市场监管局与德令哈工业园管委会联合举办知识产权培训班暨新材料产业专利导航发布会，"
                   "把专利导航成果送到园区企业手中。",
        "actions": "邀请省内专家解读新材料产业专利导航报告，组织企业围绕碳酸锂、纯碱等产品开展专利检索实操，"
                   "现场收集企业知识产权需求并转交结对帮扶机构跟进。",
        "results": "参加培训企业31家、人员112人次，发放专利导航报告60册，收集企业需求19条，已跟进解决11条。",
        "recommended": False,
        "tasks": [16],
        "submitted_at": datetime(2024, 9, 29, 15, 40, tzinfo=TZ),
    },
]


def _reporter(unit):
    membership = Membership.objects.filter(unit=unit).select_related("user").order_by("pk").first()
    return membership.user if membership else None


@transaction.atomic
def load_demo_extras(campaign):
    """Add the demo summaries and typical cases to `campaign`; a second run changes nothing.
    Units the directory lacks are skipped."""
    units = {u.name: u for u in Unit.objects.filter(name__in=[s[0] for s in SUMMARIES] + [c["unit"] for c in CASES])}
    for name, when, text in SUMMARIES:
        unit = units.get(name)
        if unit is None or WrittenSummary.objects.filter(campaign=campaign, unit=unit).exists():
            continue
        WrittenSummary.objects.create(
            campaign=campaign, unit=unit, text=text, submitted_by=_reporter(unit), submitted_at=when, first_submitted_at=when
        )
    tasks = {t.number: t for t in Task.objects.filter(campaign=campaign)}
    for spec in CASES:
        unit = units.get(spec["unit"])
        if unit is None:
            continue
        values = {k: spec[k] for k in ("institution", "institution_type", "summary", "actions", "results",
                                       "recommended", "submitted_at")}
        case, created = TypicalCase.objects.get_or_create(
            campaign=campaign, unit=unit, title=spec["title"], defaults={**values, "submitted_by": _reporter(unit)}
        )
        if created:
            case.related_tasks.set([tasks[n] for n in spec["tasks"] if n in tasks])
