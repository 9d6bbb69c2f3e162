"""The baseline questionnaire in the demo, loaded by seed_demo."""
import io

from django.core.management import call_command

from campaigns.models import Unit
from surveys.models import Invitation, Survey, SurveyVersion
from surveys.validation import Questionnaire

SERVICES = ["信息咨询", "检索分析", "专利导航", "风险预警", "高价值专利挖掘", "知识产权体检", "培训", "商标品牌指导",
            "维权援助", "质押融资"]
INDUSTRIES = ["生物医药", "新能源", "新材料", "盐湖化工", "农牧", "文化旅游", "装备制造", "信息技术"]


def state():
    return (
        list(Survey.objects.values_list("pk", "status", "title")),
        list(SurveyVersion.objects.values_list("pk", "checksum")),
        list(Invitation.objects.values_list("pk", "unit_id", "token", "sent_at")),
    )


def test_seed_demo_loads_the_baseline_survey_for_task_2_and_twice_changes_nothing(db):
    call_command("seed_demo", stdout=io.StringIO())
    first = state()
    call_command("seed_demo", stdout=io.StringIO())
    assert state() == first
    survey = Survey.objects.get()
    # the 2024 campaign is over: its survey was answered by every bureau in May, then closed
    assert survey.task.number == 2 and survey.status == Survey.Status.CLOSED and not survey.is_accepting()
    bureaus = set(Unit.objects.filter(kind=Unit.Kind.PREFECTURE_BUREAU).values_list("pk", flat=True))
    assert len(bureaus) == 8
    assert set(survey.invitations.values_list("unit_id", flat=True)) == bureaus
    answered = survey.responses.filter(status="submitted")
    assert set(answered.values_list("unit_id", flat=True)) == bureaus
    assert {r.submitted_at.strftime("%Y-%m") for r in answered} == {"2024-05"}


def test_baseline_questionnaire_has_pages_conditions_and_the_pairing_vocabulary(db):
    call_command("seed_demo", stdout=io.StringIO())
    schema = Survey.objects.get().current_version.schema
    q = Questionnaire(schema)
    assert 20 <= len(q.questions) <= 40
    assert len(schema["pages"]) >= 4
    assert sum(1 for x in q.questions if x.conditions) >= 5
    help_needed, industries = q.by_name["help_needed"], q.by_name["key_industries"]
    assert help_needed.type == industries.type == "checkbox"
    assert [v for v, _ in help_needed.choices] == SERVICES and help_needed.pairing_needs == "services"
    assert [v for v, _ in industries.choices] == INDUSTRIES and industries.pairing_needs == "industries"
    institutions = {v for v, _ in q.by_name["institutions"].choices}
    assert {"tisc", "national_point", "provincial_point", "university_center"} <= institutions
