"""Demo data for surveys: the baseline questionnaire of task 2, with invitations for the eight bureaus.

`seed_demo` finds `load_demo_extras` here by itself (campaigns does not import surveys).
Idempotent: a second run changes nothing.
"""
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.dateparse import parse_datetime

from campaigns.models import Unit

from . import services
from .models import Survey

BASELINE_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "baseline_survey.json"


@transaction.atomic
def load_baseline_survey(campaign, path=BASELINE_FIXTURE):
    """The baseline questionnaire (基础摸底调研问卷) for task 2 of `campaign`, open, bureaus invited."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    meta = data["survey"]
    task = campaign.tasks.filter(number=meta["task"]).first()
    survey = Survey.objects.filter(campaign=campaign, title=meta["title"]).first()
    if survey is None:
        survey = services.create_survey(
            campaign, meta["title"], data["schema"],
            task=task, description=meta["description"], status=meta["status"],
            opens_at=parse_datetime(meta["opens_at"]),
        )
    else:
        # Only a changed fixture writes anything (and then keeps answered versions).
        services.save_questionnaire(survey, data["schema"])
    bureaus = Unit.objects.filter(kind=Unit.Kind.PREFECTURE_BUREAU).order_by("ordinal")
    services.invite_units(survey, bureaus)
    return survey


def load_demo_extras(campaign):
    """Hook called by `seed_demo` for every installed app that has one."""
    load_baseline_survey(campaign)


# (ip_department, staff_total, staff_public_service, has_service_window, key_industries, help_needed, difficulties)
BUREAU_PROFILES = {
    "西宁市": ("设有专门的知识产权科（股）", 9, 3, True, ["生物医药", "装备制造", "信息技术"],
            ["检索分析", "专利导航", "培训"], ["数据库和检索工具缺乏"]),
    "海东市": ("由其他科室兼管", 5, 2, True, ["农牧", "文化旅游"], ["商标品牌指导", "培训", "信息咨询"], ["专业人员不足"]),
    "海北州": ("由其他科室兼管", 4, 1, False, ["农牧", "文化旅游"], ["信息咨询", "培训", "商标品牌指导"],
            ["专业人员不足", "经费不足"]),
    "黄南州": ("由其他科室兼管", 4, 1, False, ["文化旅游", "农牧"], ["商标品牌指导", "培训"],
            ["专业人员不足", "服务机构布局不足"]),
    "海南州": ("由其他科室兼管", 5, 2, True, ["新能源", "农牧"], ["专利导航", "高价值专利挖掘", "培训"], ["企业需求不明确"]),
    "果洛州": ("暂未明确", 3, 1, False, ["农牧", "文化旅游"], ["信息咨询", "培训", "商标品牌指导"],
            ["专业人员不足", "经费不足"]),
    "玉树州": ("暂未明确", 3, 1, False, ["农牧", "文化旅游"], ["商标品牌指导", "信息咨询"],
            ["专业人员不足", "缺少上级业务指导"]),
    "海西州": ("设有专门的知识产权科（股）", 7, 3, True, ["盐湖化工", "新材料", "新能源"],
            ["专利导航", "风险预警", "检索分析"], ["数据库和检索工具缺乏"]),
}


def bureau_answers(unit, index):
    """A complete, valid answer to the baseline questionnaire for one prefecture bureau."""
    prefecture = unit.short_name or unit.name.removesuffix("市场监管局")
    department, staff, public, window, industries, help_needed, difficulties = BUREAU_PROFILES[prefecture]
    answers = {
        "respondent_unit": unit.name, "prefecture": prefecture, "ip_department": department,
        "staff_total": staff, "staff_public_service": public, "institutions": ["provincial_point"],
        "institution_names": f"{prefecture}知识产权信息公共服务网点", "has_service_window": window,
        "services_offered": ["信息咨询", "培训"], "consultations_2023": 40 + 15 * index,
        "enterprises_served_2023": 12 + 6 * index, "training_held": index % 2 == 0,
        "service_satisfaction": 3 + index % 3, "key_industries": industries, "help_needed": help_needed,
        "difficulties": difficulties, "capability": {"search": 1 + index % 3, "protection": 2, "operation": 1, "brand": 2},
        "wants_pairing": True, "preferred_mentor": "TISC", "contact_name": f"{prefecture}联络员",
        "contact_phone": f"0971-62{index:02d}8{index}1",
    }
    if window:
        answers["service_outlets"] = 1 + index % 3
    else:
        answers["no_outlet_reason"] = "缺少人员"
    if answers["training_held"]:
        answers["training_sessions"] = 2 + index
    if set(difficulties) & {"专业人员不足", "经费不足"}:
        answers["difficulty_details"] = "基层只有兼职人员，检索数据库和培训经费缺口较大。"
    return answers


def play_demo_life(campaign):
    """The 2024 baseline survey as it happened: each of the eight bureaus opens its link and
    answers in May (one a day from 7 May), then the survey is closed. Idempotent: answered
    invitations are left alone."""
    from datetime import date, timedelta

    from campaigns.demo import at_moment, demo_clock

    survey = Survey.objects.filter(campaign=campaign, task__number=2).order_by("pk").first()
    if survey is None:
        return
    invitations = survey.invitations.select_related("unit").order_by("unit__ordinal", "unit__name")
    for index, invitation in enumerate(invitations):
        if invitation.submitted_at:
            continue
        with demo_clock(at_moment(date(2024, 5, 7) + timedelta(days=index), 9 + index % 6, 20)):
            services.open_invitation(invitation)
            services.submit_response(survey, bureau_answers(invitation.unit, index), invitation=invitation)
    if survey.status != Survey.Status.CLOSED:
        survey.status = Survey.Status.CLOSED
        survey.save(update_fields=["status"])
