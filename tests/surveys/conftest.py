import pytest

from campaigns.models import Membership, Unit
from surveys import services
from surveys.models import Invitation, Response, Survey
from tests.factories import make_campaign, make_task, make_unit, make_user

SIMPLE_SCHEMA = {
    "pages": [
        {"name": "p1", "elements": [
            {"type": "text", "name": "staff", "title": "人员数", "inputType": "number", "isRequired": True,
             "validators": [{"type": "numeric", "minValue": 0, "maxValue": 100}]},
            {"type": "checkbox", "name": "services", "title": "已开展服务", "isRequired": True,
             "choices": ["检索分析", "专利导航", "培训"], "showOtherItem": True},
            {"type": "boolean", "name": "has_tisc", "title": "是否有TISC", "isRequired": True},
            {"type": "text", "name": "tisc_name", "title": "TISC名称", "isRequired": True, "visibleIf": "{has_tisc} = true"},
        ]},
        {"name": "p2", "elements": [
            {"type": "radiogroup", "name": "level", "title": "自评", "choices": [{"value": "low", "text": "弱"},
                                                                                 {"value": "high", "text": "强"}]},
            {"type": "matrix", "name": "ability", "title": "能力", "rows": ["检索", "维权"],
             "columns": [{"value": 1, "text": "薄弱"}, {"value": 2, "text": "较好"}]},
            {"type": "comment", "name": "note", "title": "说明"},
        ]},
    ]
}
GOOD_ANSWERS = {"staff": 5, "services": ["培训"], "has_tisc": False, "level": "high", "ability": {"检索": 2},
                "note": "=cmd|' /C calc'!A0"}


@pytest.fixture(autouse=True)
def generous_engine_limit(settings):
    """The test machine is shared and slow; the one test of the time limit sets its own."""
    settings.SURVEY_ENGINE_TIMEOUT_MS = 20000


@pytest.fixture
def survey_world(db):
    """A campaign with a coordinator, two bureaus (each with a reporter), an open survey, two invitations."""
    office = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION, name="省局公共服务处")
    a = make_unit(name="甲市市场监管局", ordinal=1)
    b = make_unit(name="乙州市场监管局", ordinal=2)
    campaign = make_campaign(office)
    task = make_task(campaign, units=[office, a, b])
    coordinator = make_user(office, Membership.Role.COORDINATOR, username="coord")
    reporter_a = make_user(a, username="rep_a")
    reporter_b = make_user(b, username="rep_b")
    survey = services.create_survey(campaign, "测试问卷", SIMPLE_SCHEMA, task=task, status=Survey.Status.OPEN)
    inv_a, inv_b = services.invite_units(survey, [a, b])
    return type("World", (), dict(
        campaign=campaign, task=task, office=office, a=a, b=b, coordinator=coordinator,
        reporter_a=reporter_a, reporter_b=reporter_b, survey=survey, inv_a=inv_a, inv_b=inv_b,
    ))


def db_state():
    """Everything a refused submit must leave alone."""
    return (
        list(Response.objects.order_by("pk").values_list("pk", "status", "answers")),
        list(Invitation.objects.order_by("pk").values_list("pk", "submitted_at")),
    )


# A complete, valid answer to the baseline questionnaire (fixtures/baseline_survey.json).
BASELINE_ANSWERS = {
    "respondent_unit": "西宁市市场监管局", "prefecture": "西宁市", "ip_department": "由其他科室兼管",
    "staff_total": 6, "staff_public_service": 2, "institutions": ["tisc", "national_point"],
    "institution_names": "青海大学TISC", "tisc_count": 1, "has_service_window": False,
    "no_outlet_reason": "缺少人员", "services_offered": ["信息咨询", "培训"], "consultations_2023": 120,
    "enterprises_served_2023": 40, "training_held": False, "service_satisfaction": 3,
    "key_industries": ["盐湖化工", "新能源"], "help_needed": ["专利导航", "培训"], "difficulties": ["经费不足"],
    "capability": {"search": 2, "protection": 1, "operation": 1, "brand": 2}, "wants_pairing": False,
    "contact_name": "张敏", "contact_phone": "0971-1234567",
}
