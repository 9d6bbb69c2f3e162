"""Needs taken from baseline survey answers: questions declaring "pairingNeeds" say which need each answer means."""

from campaigns.models import Unit
from pairing.models import Need
from pairing.services import apply_survey_needs, ensure_vocabularies, needs_from_answers
from tests.factories import make_campaign, make_unit

SCHEMA = {
    "pages": [
        {
            "name": "p1",
            "elements": [
                {"type": "text", "name": "contact", "title": "联系人"},
                {
                    "type": "checkbox",
                    "name": "wanted_services",
                    "title": "希望得到哪些知识产权公共服务？",
                    "pairingNeeds": "services",
                    "choices": ["信息咨询", "检索分析", "专利导航", "培训"],
                },
            ],
        },
        {
            "name": "p2",
            "elements": [
                {
                    "type": "panel",
                    "name": "industry_panel",
                    "elements": [
                        {
                            "type": "radiogroup",
                            "name": "main_industry",
                            "pairingNeeds": "industries",
                            "choices": [
                                {"value": "农牧", "text": "农牧业"},
                                {"value": "ly", "text": "文化旅游"},
                                {"value": "新能源", "text": "新能源"},
                            ],
                        }
                    ],
                }
            ],
        },
    ]
}


def test_checkbox_strings_and_radio_objects_give_services_and_industries():
    services, industries = needs_from_answers(
        SCHEMA, {"contact": "张三", "wanted_services": ["检索分析", "培训"], "main_industry": "农牧"}
    )
    assert services == {"检索分析", "培训"}
    assert industries == {"农牧"}


def test_a_choice_whose_value_is_a_code_is_read_by_its_text():
    _, industries = needs_from_answers(SCHEMA, {"main_industry": "ly"})
    assert "文化旅游" in industries


def test_values_that_are_not_among_the_choices_and_unmarked_questions_are_ignored():
    services, industries = needs_from_answers(SCHEMA, {"wanted_services": ["培训", "黑客攻击"], "contact": "专利导航"})
    assert services == {"培训"}
    assert industries == set()


def test_no_schema_or_no_answers_means_no_needs():
    assert needs_from_answers({}, {}) == (set(), set())
    assert needs_from_answers(SCHEMA, None) == (set(), set())


def test_apply_survey_needs_sets_the_units_needs_in_the_campaign(db):
    ensure_vocabularies()
    campaign = make_campaign()
    library = make_unit("测试州图书馆", kind=Unit.Kind.OTHER)

    need = apply_survey_needs(
        library, campaign, SCHEMA, {"wanted_services": ["信息咨询", "专利导航"], "main_industry": "ly"}
    )

    need = Need.objects.get(pk=need.pk)
    assert need.source == Need.Source.SURVEY
    assert {s.name for s in need.services.all()} == {"信息咨询", "专利导航"}
    assert {i.name for i in need.industries.all()} == {"文化旅游"}

    # Answering again replaces, it does not pile up; still one Need for the unit.
    apply_survey_needs(library, campaign, SCHEMA, {"wanted_services": ["培训"], "main_industry": "新能源"})
    need = Need.objects.get(campaign=campaign, unit=library)
    assert {s.name for s in need.services.all()} == {"培训"}
    assert {i.name for i in need.industries.all()} == {"新能源"}


def test_a_questionnaire_without_an_industries_question_leaves_industries_alone(db):
    ensure_vocabularies()
    campaign = make_campaign()
    unit = make_unit()
    apply_survey_needs(unit, campaign, SCHEMA, {"wanted_services": ["培训"], "main_industry": "农牧"})
    services_only = {"pages": [SCHEMA["pages"][0]]}

    need = apply_survey_needs(unit, campaign, services_only, {"wanted_services": ["检索分析"]})

    assert {s.name for s in need.services.all()} == {"检索分析"}
    assert {i.name for i in need.industries.all()} == {"农牧"}


def test_names_outside_the_vocabulary_are_dropped_even_if_offered_as_choices():
    schema = {"elements": [{"type": "checkbox", "name": "s", "pairingNeeds": "services", "choices": ["培训", "喝茶"]}]}
    services, _ = needs_from_answers(schema, {"s": ["培训", "喝茶"]})
    assert services == {"培训"}
